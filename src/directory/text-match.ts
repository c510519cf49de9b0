/**
 * Tolerant word matching for what people type: case, accents, punctuation, plurals and small typos.
 * Pure; the index is built once per directory version.
 */

const MAX_INPUT = 300;

export function normalise(text: string): string {
  const head = text.slice(0, MAX_INPUT * 2);
  // Plain ASCII (most of what people type) has no accents to strip and only a-z and 0-9 as letters and
  // digits: the same result without Unicode decomposition.
  if (isAscii(head))
    return head
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .trim()
      .slice(0, MAX_INPUT);
  return head
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .slice(0, MAX_INPUT);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

export function tokens(text: string): string[] {
  const n = normalise(text);
  return n ? n.split(" ") : [];
}

/** Strips a plural ending (seringues → seringue, tuyaux → tuyau) on words long enough to have one. */
export function singular(word: string): string {
  if (word.length > 3 && (word.endsWith("s") || word.endsWith("x"))) return word.slice(0, -1);
  return word;
}

// Three rows of the distance table are all it reads (two back for a transposition): kept between calls
// rather than allocated for each pair of words.
let rowBefore = new Int32Array(64);
let rowAbove = new Int32Array(64);
let row = new Int32Array(64);

/** Damerau-Levenshtein distance (optimal string alignment), stopping early past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (row.length <= b.length) {
    rowBefore = new Int32Array(b.length + 1);
    rowAbove = new Int32Array(b.length + 1);
    row = new Int32Array(b.length + 1);
  }
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const reused = rowBefore;
    rowBefore = rowAbove;
    rowAbove = row;
    row = reused;
    row[0] = i;
    let best = Number.POSITIVE_INFINITY;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (rowAbove[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (rowAbove[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, (rowBefore[j - 2] as number) + 1);
      row[j] = value;
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
  }
  return row[b.length] as number;
}

/** How many typos a word of this length may carry: none under 5 letters (too many false friends). */
function allowedTypos(length: number): number {
  if (length >= 8) return 2;
  if (length >= 5) return 1;
  return 0;
}

export function wordsMatch(typed: string, known: string): boolean {
  if (typed === known) return true;
  const a = singular(typed);
  const b = singular(known);
  if (a === b) return true;
  const typos = allowedTypos(b.length);
  return typos > 0 && editDistance(a, b, typos) <= typos;
}

/** True when the phrase's words appear, in order and next to each other, among the typed tokens. */
export function containsPhrase(typed: string[], phrase: string[]): boolean {
  if (phrase.length === 0 || phrase.length > typed.length) return false;
  for (let start = 0; start + phrase.length <= typed.length; start++) {
    if (phrase.every((word, offset) => wordsMatch(typed[start + offset] as string, word))) return true;
  }
  return false;
}

export type Entry<T> = { value: T; phrases: string[][] };

/**
 * Values whose phrases appear in the text, best first: a longer matching phrase ranks higher, so
 * "bandelette fentanyl" beats a lone "fentanyl".
 */
export function findMatches<T>(entries: Entry<T>[], text: string): T[] {
  return scoreMatches(entries, text).map((s) => s.value);
}

/** Like findMatches, with each value's score: the number of words of its longest matching phrase. */
export function scoreMatches<T>(entries: Entry<T>[], text: string): { value: T; score: number }[] {
  return scoreTokens(entries, tokens(text));
}

/** scoreMatches for a text already cut into tokens (one cut serves several indexes). */
export function scoreTokens<T>(entries: Entry<T>[], typed: string[]): { value: T; score: number }[] {
  if (typed.length === 0) return [];
  const scored: { value: T; score: number; order: number }[] = [];
  entries.forEach((entry, order) => {
    let score = 0;
    for (const phrase of entry.phrases)
      if (containsPhrase(typed, phrase)) score = Math.max(score, phrase.length);
    if (score > 0) scored.push({ value: entry.value, score, order });
  });
  return scored
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ value, score }) => ({ value, score }));
}

export function toPhrases(words: string[]): string[][] {
  return words.map(tokens).filter((phrase) => phrase.length > 0);
}
