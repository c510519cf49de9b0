import { tokens } from "./text-match";

/**
 * Words that mean "someone may be overdosing". Matched before anything else, exactly or as a word
 * beginning (overdosed, surdosé), never with typo tolerance: "od" is two letters.
 */
const EXACT = new Set([
  "od",
  "overdose",
  "surdose",
  "overdosed",
  "overdosing",
  "surdoser",
  "surdosee",
  "surdosé",
]);
const PREFIXES = ["overdos", "surdos", "overdoz", "surdoz"];
const PHRASES = [
  ["ne", "respire", "plus"],
  ["respire", "pas"],
  ["not", "breathing"],
  ["stopped", "breathing"],
  ["cant", "breathe"],
  ["can", "t", "breathe"],
  ["pas", "de", "pouls"],
  ["no", "pulse"],
  ["unresponsive"],
  ["inconscient"],
  ["inconsciente"],
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
