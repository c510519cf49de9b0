import {
  type Lexicon,
  type PhraseIndex,
  type ResolvedText,
  resolveWords,
  scoreResolved,
  tokens,
} from "./text-match";

/**
 * Words that mean "someone may be overdosing", in the way people actually write them at a bad moment
 * (Quebec French drops the "ne": "il respire pu"). Matched before anything else, exactly or as a word
 * beginning (overdosed, surdosé), never with typo tolerance: "od" is two letters.
 */
const EXACT_WORDS = [
  "od",
  "oded",
  "odd",
  "overdose",
  "surdose",
  "overdosed",
  "overdosing",
  "surdoser",
  "surdosee",
];
// Compared as typed words are: normalised, each doubled letter said once ("odd" → "od").
const EXACT = new Set(EXACT_WORDS.flatMap(tokens));
const PREFIXES = ["overdos", "surdos", "overdoz", "surdoz"];
const NEGATIONS = ["pas", "plus", "pu", "pus", "pô"];
const WRITTEN_PHRASES: string[][] = [
  ["o", "d"],
  ...["respire", "repond", "reagit", "reveille", "bouge"].flatMap((verb) =>
    NEGATIONS.map((no) => [verb, no]),
  ),
  ["est", "bleu"],
  ["est", "bleue"],
  ["levres", "bleues"],
  ["pas", "de", "pouls"],
  ["inconscient"],
  ["inconsciente"],
  ["not", "breathing"],
  ["stopped", "breathing"],
  ["cant", "breathe"],
  ["can", "t", "breathe"],
  ["not", "responding"],
  ["unresponsive"],
  ["won", "t", "wake"],
  ["wont", "wake"],
  ["not", "waking"],
  ["turning", "blue"],
  ["lips", "blue"],
  ["blue", "lips"],
  ["no", "pulse"],
];

const PHRASES = WRITTEN_PHRASES.map((phrase) => tokens(phrase.join(" ")));

/**
 * Words one typo away from an emergency word that are not one: "seringues urgente" is a lookup, not a
 * call for 911. The directory's emergency words are matched with typos, never these.
 */
const ORDINARY = new Set(
  ["urgent", "urgente", "urgents", "urgentes", "urgently", "urgemment"].flatMap(tokens),
);

/**
 * True when the text says someone may be in danger now: the built-in overdose words (they hold even
 * with no directory), then the directory's emergency words ("urgence", "911", "au secours"...).
 */
export function mentionsEmergency(
  text: string,
  catalog?: { lexicon: Lexicon; wordIndex: PhraseIndex<unknown> },
): boolean {
  const typed = tokens(text);
  if (!catalog) return builtInEmergency(typed);
  return emergencyInResolved(resolveWords(catalog.lexicon, typed), catalog.wordIndex);
}

/** mentionsEmergency for a text the catalog resolved already (see resolveText). */
export function emergencyInResolved(text: ResolvedText, words: PhraseIndex<unknown>): boolean {
  if (builtInEmergency(text.words)) return true;
  const plain = {
    words: text.words.map((word) => (ORDINARY.has(word) ? "" : word)),
    matches: text.matches.map((known, i) => (ORDINARY.has(text.words[i] as string) ? [] : known)),
  };
  return scoreResolved(words, plain).some((match) => match.value === "emergency");
}

// The phrases by their first word: a typed word opens only the phrases that start with it.
const PHRASES_BY_FIRST = new Map<string, string[][]>();
for (const phrase of PHRASES) {
  const first = phrase[0] as string;
  PHRASES_BY_FIRST.set(first, [...(PHRASES_BY_FIRST.get(first) ?? []), phrase]);
}

function builtInEmergency(typed: string[]): boolean {
  for (let i = 0; i < typed.length; i++) {
    const word = typed[i] as string;
    if (EXACT.has(word)) return true;
    for (const prefix of PREFIXES) if (word.startsWith(prefix)) return true;
    for (const phrase of PHRASES_BY_FIRST.get(word) ?? [])
      if (i + phrase.length <= typed.length && phrase.every((w, k) => typed[i + k] === w)) return true;
  }
  return false;
}
