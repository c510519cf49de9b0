import en from "../../../locales/en/nicknames.json";
import fr from "../../../locales/fr/nicknames.json";
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

const NAMES: Record<Locale, { animals: Record<string, string>; colours: Record<string, string> }> = {
  fr,
  en,
};

/** The words of the locale files, read once: a nickname needs no other translation. */
function nicknameWords(locale: Locale): Translate {
  const names = NAMES[locale];
  return (key: string) => {
    const [, group, id = ""] = key.split(".");
    const words = group === "animals" ? names.animals : names.colours;
    return words[id] ?? id;
  };
}

/**
 * A request's one nickname, in the person's language whoever reads it: two workers of different
 * languages (and the person) name the request the same way.
 */
export function requestNickname(request: { nicknameAnimal: string; nicknameColour: string; locale: Locale }) {
  return renderNickname(
    { animal: request.nicknameAnimal, colour: request.nicknameColour },
    request.locale,
    nicknameWords(request.locale),
  );
}
