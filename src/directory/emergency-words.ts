import { tokens } from "./text-match";

/**
 * Words that mean "someone may be overdosing", in the way people actually write them at a bad moment
 * (Quebec French drops the "ne": "il respire pu"). Matched before anything else, exactly or as a word
 * beginning (overdosed, surdosé), never with typo tolerance: "od" is two letters.
 */
const EXACT = new Set([
  "od",
  "oded",
  "odd",
  "overdose",
  "surdose",
  "overdosed",
  "overdosing",
  "surdoser",
  "surdosee",
]);
const PREFIXES = ["overdos", "surdos", "overdoz", "surdoz"];
const NEGATIONS = ["pas", "plus", "pu", "pus", "pô"];
const PHRASES: string[][] = [
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

export function mentionsEmergency(text: string): boolean {
  const typed = tokens(text);
  if (typed.some((word) => EXACT.has(word) || PREFIXES.some((prefix) => word.startsWith(prefix))))
    return true;
  return PHRASES.some((phrase) => {
    for (let i = 0; i + phrase.length <= typed.length; i++) {
      if (phrase.every((word, k) => typed[i + k] === word)) return true;
    }
    return false;
  });
}
