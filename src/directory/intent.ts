import { type Catalog, interpretResolved, resolveText, type TextMeaning } from "./catalog";
import { emergencyInResolved } from "./emergency-words";
import { scoreResolved } from "./text-match";

/**
 * What a typed text means, read in this order: an emergency, a request for a person, a greeting or
 * thanks, a place, a material (or a site's name), and only then "not found". Commands and menu labels
 * come before all of it but are the bot's own words: the handlers match them before asking here.
 *
 * A lookup beats a help or greeting word in the same text ("salut, des seringues svp", "besoin d'aide
 * pour trouver du narcan"): the answer to what they asked is the most helpful thing, and every material
 * answer carries its own light offer of a worker. An emergency beats everything.
 *
 * Pure: one cut of the text into words, then map reads in the catalog's indexes (built once per
 * directory version), so it adds no SQL and a few microseconds to a lookup.
 */
export type Intent =
  | { kind: "emergency" }
  | { kind: "help" }
  | { kind: "greeting" }
  | { kind: "thanks" }
  | Exclude<TextMeaning, { kind: "nothing" }>
  | { kind: "not-found" };

export type IntentKind = Intent["kind"];

export function readIntent(catalog: Catalog, text: string): Intent {
  const typed = resolveText(catalog, text);
  if (typed.words.length === 0) return { kind: "not-found" };
  if (emergencyInResolved(typed, catalog.wordIndex)) return { kind: "emergency" };
  const lookup = interpretResolved(catalog, typed);
  if (lookup.kind !== "nothing") return lookup;
  const words = new Set(scoreResolved(catalog.wordIndex, typed).map((match) => match.value));
  if (words.has("help")) return { kind: "help" };
  if (words.has("thanks")) return { kind: "thanks" };
  if (words.has("greetings")) return { kind: "greeting" };
  return { kind: "not-found" };
}
