import type { Locale } from "../../config";
import type { Translate } from "../../text/translate";

/**
 * A per-request nickname ("Renard bleu", "Blue fox") that workers use instead of any name. Drawn at
 * random for each request, so two requests of one person are not linked by their nickname.
 * The ids are stable keys into locales/<lang>/nicknames.json.
 */
export const NICKNAME_ANIMALS = [
  "fox",
  "turtle",
  "heron",
  "owl",
  "beaver",
  "otter",
  "moose",
  "hare",
  "lynx",
  "bee",
  "wolf",
  "squirrel",
  "whale",
  "crow",
  "bear",
  "deer",
  "raccoon",
  "swallow",
  "seal",
  "frog",
] as const;
export const NICKNAME_COLOURS = [
  "blue",
  "green",
  "red",
  "golden",
  "silver",
  "black",
  "white",
  "grey",
  "purple",
  "orange",
  "pink",
  "yellow",
] as const;

export type Nickname = { animal: string; colour: string };

export function drawNickname(random: () => number = Math.random): Nickname {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length) % list.length] as T;
  return { animal: pick(NICKNAME_ANIMALS), colour: pick(NICKNAME_COLOURS) };
}

/** French puts the colour after the animal and agrees it ("Tortue bleue"); English puts it first. */
export function renderNickname(nickname: Nickname, locale: Locale, t: Translate): string {
  const [animal = nickname.animal, gender = "m"] = t(`nicknames.animals.${nickname.animal}`).split("|");
  const [masculine = nickname.colour, feminine = masculine] = t(`nicknames.colours.${nickname.colour}`).split(
    "|",
  );
  return locale === "fr" ? `${animal} ${gender === "f" ? feminine : masculine}` : `${masculine} ${animal}`;
}
