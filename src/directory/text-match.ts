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

/**
 * The words of a text as the indexes compare them: normalised, and each letter said twice or more said
 * once ("urgenceeee", "aiguille" and "aiguile" all read alike). Both sides of a comparison go through it.
 */
export function tokens(text: string): string[] {
  const n = normalise(text);
  return n ? n.split(" ").map(squeeze) : [];
}

/** One letter for each run of the same letter: "heeelp" → "help", "911" stays "91" on both sides. */
export function squeeze(word: string): string {
  let out = "";
  let last = "";
  for (const char of word) {
    if (char !== last) out += char;
    last = char;
  }
  return out;
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
export function scoreTokens<T>(
  entries: Entry<T>[] | PhraseIndex<T>,
  typed: string[],
): { value: T; score: number }[] {
  const index = Array.isArray(entries) ? buildPhraseIndex(entries) : entries;
  return scoreResolved(index, resolveWords(buildLexicon([index]), typed));
}

/**
 * A text cut into words, each with the known first words it matches (itself, or those a typo or two
 * away): worked out once per text against every index's words together, then read by each index.
 */
export type ResolvedText = { words: string[]; matches: string[][] };

export function scoreResolved<T>(index: PhraseIndex<T>, text: ResolvedText): { value: T; score: number }[] {
  const typed = text.words;
  if (typed.length === 0) return [];
  const best = new Map<number, number>();
  for (let start = 0; start < typed.length; start++) {
    for (const known of text.matches[start] as string[]) markPhrases(index, known, typed, start, 1, best);
    // A word cut by a space ("sur dose", "over dose") matches as one word, never with typos.
    const next = typed[start + 1];
    if (next !== undefined) {
      const joined = singular((typed[start] as string) + next);
      if (index.byFirstWord.has(joined)) markPhrases(index, joined, typed, start, 2, best);
    }
  }
  if (best.size === 0) return [];
  return [...best.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([order, score]) => ({ value: (index.entries[order] as Entry<T>).value, score }));
}

function markPhrases<T>(
  index: PhraseIndex<T>,
  firstWord: string,
  typed: string[],
  start: number,
  used: number,
  best: Map<number, number>,
): void {
  for (const { order, phrase } of index.byFirstWord.get(firstWord) ?? []) {
    if (start + used + phrase.length - 1 > typed.length) continue;
    let matches = true;
    for (let k = 1; k < phrase.length && matches; k++)
      matches = wordsMatch(typed[start + used + k - 1] as string, phrase[k] as string);
    if (matches && (best.get(order) ?? 0) < phrase.length) best.set(order, phrase.length);
  }
}

/** Phrases by the singular of their first word. */
export type PhraseIndex<T> = {
  entries: Entry<T>[];
  byFirstWord: Map<string, { order: number; phrase: string[] }[]>;
};

export function buildPhraseIndex<T>(entries: Entry<T>[]): PhraseIndex<T> {
  const byFirstWord = new Map<string, { order: number; phrase: string[] }[]>();
  entries.forEach((entry, order) => {
    for (const phrase of entry.phrases) {
      const first = singular(phrase[0] as string);
      let list = byFirstWord.get(first);
      if (!list) {
        list = [];
        byFirstWord.set(first, list);
      }
      list.push({ order, phrase });
    }
  });
  return { entries, byFirstWord };
}

/**
 * Every first word of some indexes, and each by the forms it takes with one or two letters left out: a
 * typed word is looked up in a few map reads (its own forms with letters left out meet a known word's
 * when they are one or two typos apart), not compared with every known word.
 */
export type Lexicon = { words: Set<string>; byDeletion: Map<string, string[]> };

export function buildLexicon(indexes: PhraseIndex<unknown>[]): Lexicon {
  const words = new Set<string>();
  const byDeletion = new Map<string, string[]>();
  for (const index of indexes)
    for (const first of index.byFirstWord.keys()) {
      if (words.has(first)) continue;
      words.add(first);
      for (const form of deletions(first, allowedTypos(first.length))) {
        const known = byDeletion.get(form);
        if (known) known.push(first);
        else byDeletion.set(form, [first]);
      }
    }
  return { words, byDeletion };
}

/** The known words each typed word matches: itself when known, else those a typo or two away. */
export function resolveWords(lexicon: Lexicon, words: string[]): ResolvedText {
  return { words, matches: words.map((word) => knownWordsFor(lexicon, word)) };
}

function knownWordsFor(lexicon: Lexicon, word: string): string[] {
  const typed = singular(word);
  if (lexicon.words.has(typed)) return [typed];
  if (typed.length < 4) return [];
  // A four-letter word allows no typo but two letters swapped ("hepl", "aied"): too many words are one
  // letter apart. It can still be a longer word with a letter missing ("mrci").
  const found = typed.length === 4 ? swaps(typed).filter((swapped) => lexicon.words.has(swapped)) : [];
  for (const form of deletions(typed, typed.length >= 7 ? 2 : 1))
    for (const known of lexicon.byDeletion.get(form) ?? []) {
      const typos = allowedTypos(known.length);
      if (!found.includes(known) && editDistance(typed, known, typos) <= typos) found.push(known);
    }
  return found;
}

function swaps(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < word.length; i++)
    if (word[i] !== word[i + 1]) out.push(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  return out;
}

/** The word and every form of it with up to `depth` letters left out. */
function deletions(word: string, depth: number): Set<string> {
  const out = new Set<string>([word]);
  let layer = [word];
  for (let d = 0; d < depth; d++) {
    const next: string[] = [];
    for (const w of layer)
      for (let i = 0; i < w.length; i++) {
        const form = w.slice(0, i) + w.slice(i + 1);
        if (!out.has(form)) {
          out.add(form);
          next.push(form);
        }
      }
    layer = next;
  }
  return out;
}

export function toPhrases(words: string[]): string[][] {
  const phrases: string[][] = [];
  // A name is often the same in both languages, with or without its parentheses: each phrase is cut
  // and indexed once (building the catalog of 10,000 sites spent most of its time on repeats).
  const seen = new Set<string>();
  const add = (phrase: string[]) => {
    const key = phrase.join(" ");
    if (seen.has(key)) return;
    seen.add(key);
    phrases.push(phrase);
  };
  for (const text of new Set(words)) {
    const phrase = tokens(text);
    if (phrase.length === 0) continue;
    add(phrase);
    // On a phone the apostrophe goes: "j'ai besoin d'aide" is typed "jai besoin daide".
    const elided = withoutApostrophes(phrase);
    if (elided.length !== phrase.length && elided.length > 0) add(elided);
  }
  return phrases;
}

const ELIDED = new Set(["c", "d", "j", "l", "m", "n", "s", "t", "qu"]);

function withoutApostrophes(phrase: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < phrase.length; i++) {
    const word = phrase[i] as string;
    const next = phrase[i + 1];
    if (ELIDED.has(word) && next !== undefined) {
      out.push(squeeze(word + next));
      i++;
    } else out.push(word);
  }
  return out;
}
