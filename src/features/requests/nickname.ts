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

/** The key a nickname is compared by, as `nicknamesInUse` reads it from the database. */
export const nicknameKey = (nickname: Nickname): string => `${nickname.animal}:${nickname.colour}`;

/**
 * Draws a nickname that no request under way holds (`taken`, keys as `nicknameKey` makes them): a
 * worker holding two requests must be able to tell them apart, in the "which request?" question as in
 * every relayed message. Only when all 240 are in use does it fall back to any.
 */
export function drawNickname(
  random: () => number = Math.random,
  taken: ReadonlySet<string> = new Set(),
): Nickname {
  const all = NICKNAME_ANIMALS.flatMap((animal) => NICKNAME_COLOURS.map((colour) => ({ animal, colour })));
  const free = all.filter((nickname) => !taken.has(nicknameKey(nickname)));
  const from = free.length > 0 ? free : all;
  return from[Math.floor(random() * from.length) % from.length] as Nickname;
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
