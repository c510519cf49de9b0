import { describe, expect, it } from "vitest";
import {
  buildLexicon,
  buildPhraseIndex,
  containsPhrase,
  type Entry,
  editDistance,
  findMatches,
  normalise,
  resolveWords,
  scoreMatches,
  scoreResolved,
  scoreTokens,
  singular,
  squeeze,
  tokens,
  toPhrases,
  wordsMatch,
} from "../../src/directory/text-match";

/**
 * The rules of src/directory/text-match.ts one by one, on made-up words (text-match.test.ts reads them
 * through the fixture directory's catalog). Each test here failed against a mutant of the module that
 * the catalog tests let through (npm run mutation, README "Mutation testing").
 */

const entry = <T>(value: T, ...phrases: string[]): Entry<T> => ({ value, phrases: toPhrases(phrases) });

/** What each typed word resolves to against these first words, as the catalog reads them. */
function resolved(known: string[], typed: string[]): string[][] {
  const index = buildPhraseIndex(known.map((word) => entry(word, word)));
  return resolveWords(buildLexicon([index]), typed).matches;
}

describe("normalising what people type", () => {
  it("reads only the start of a huge message, in plain ASCII and with accents", () => {
    expect(normalise(`${" ".repeat(700)}seringue`)).toBe("");
    expect(normalise(`${"é".repeat(700)}seringue`)).toBe("e".repeat(300));
    expect(normalise(`${"-".repeat(700)}é seringue`)).toBe("");
  });

  it("strips accents from a word made only of accented letters", () => {
    expect(normalise("à")).toBe("a");
    expect(normalise("ÉÈ")).toBe("ee");
  });

  it("leaves one space for a run of punctuation, with accents too", () => {
    expect(normalise("été -- hiver")).toBe("ete hiver");
    expect(normalise("a -- b")).toBe("a b");
  });

  it("cuts nothing into no words, and says each letter once", () => {
    expect(tokens("!!! ...")).toEqual([]);
    expect(tokens("Heeelp  SVP")).toEqual(["help", "svp"]);
    expect(squeeze("heeelp")).toBe("help");
    expect(squeeze("")).toBe("");
  });

  it("drops a plural's s or x only on words of four letters or more", () => {
    expect(singular("tuyaux")).toBe("tuyau");
    expect(singular("pipes")).toBe("pipe");
    expect(singular("pas")).toBe("pas");
    expect(singular("xanax")).toBe("xana");
    expect(singular("xyz")).toBe("xyz");
  });
});

describe("edit distance", () => {
  it("keeps its working rows the right length when a word outgrows them", () => {
    const long = (n: number, letter: string) => "ab".repeat(n).slice(0, n - 1) + letter;
    // The rows start 64 long; no other test here reads a word over 64 letters.
    expect(editDistance(long(100, "x"), long(100, "y"), 2)).toBe(1);
    expect(editDistance(long(101, "x"), long(101, "y"), 2)).toBe(1);
    expect(editDistance(long(101, "x"), long(101, "x"), 2)).toBe(0);
  });
});

describe("when two words match", () => {
  it.each([
    // [typed, known, match]: no typo under five letters, one from five, two from eight.
    ["pipe", "pipe", true],
    ["pipes", "pipe", true],
    ["pupe", "pipe", false],
    ["crak", "crack", true],
    ["trick", "crack", false],
    ["abcdefx", "abcdefg", true],
    ["abcdexy", "abcdefg", false],
    ["abcdefxy", "abcdefgh", true],
    ["abcdwxyz", "abcdefgh", false],
    ["kit", "xyz", false],
  ])("%s and %s: %s", (typed, known, match) => {
    expect(wordsMatch(typed, known)).toBe(match);
  });

  it("finds a phrase among the typed words only in order and side by side", () => {
    expect(containsPhrase(["un", "test", "fentanyl"], ["test", "fentanyl"])).toBe(true);
    expect(containsPhrase(["test", "un", "fentanyl"], ["test", "fentanyl"])).toBe(false);
    expect(containsPhrase(["fentanyl", "test"], ["test", "fentanyl"])).toBe(false);
    expect(containsPhrase(["test"], ["test", "fentanyl"])).toBe(false);
    expect(containsPhrase(["test"], [])).toBe(false);
    expect(containsPhrase(["seringues"], ["seringue"])).toBe(true);
  });
});

describe("looking typed words up among the known ones", () => {
  it("finds a known word of three letters as it is, and no other", () => {
    expect(resolved(["kit"], ["kit", "kits", "kat", "xyz"])).toEqual([["kit"], ["kit"], [], []]);
  });

  it("reads two letters swapped in a four-letter word, and nothing else there", () => {
    expect(resolved(["help"], ["hepl", "ehlp", "hlep", "hepp", "help"])).toEqual([
      ["help"],
      ["help"],
      ["help"],
      [],
      ["help"],
    ]);
    // A swap next to a letter said twice (words reach here squeezed, but the rule does not need it).
    expect(resolved(["abac"], ["aabc"])).toEqual([["abac"]]);
  });

  it("gives every known word a typo away, once each", () => {
    expect(resolved(["abcde", "abcdf"], ["abcd"])).toEqual([["abcde", "abcdf"]]);
    expect(resolved(["abcde"], ["abcdez", "abxde", "xabcd"])).toEqual([["abcde"], ["abcde"], []]);
  });

  it("reads two typos in a word of eight letters, one in a word of seven", () => {
    expect(resolved(["abcdefgh"], ["abcdefxy", "bacdefhg", "abcdxy"])).toEqual([
      ["abcdefgh"],
      ["abcdefgh"],
      [],
    ]);
    expect(resolved(["abcdefg"], ["abcdefz", "abcdexy"])).toEqual([["abcdefg"], []]);
  });
});

describe("scoring phrases in a text", () => {
  const strips = entry("strips", "bandelette fentanyl", "bandelette");
  const fentanyl = entry("fentanyl", "fentanyl");
  const kit = entry("kit", "kit");
  const kitCrack = entry("kit-crack", "kit crack");

  it("ranks a longer matching phrase first, and ties in the order of the entries", () => {
    expect(scoreMatches([fentanyl, strips], "bandelette fentanyl svp")).toEqual([
      { value: "strips", score: 2 },
      { value: "fentanyl", score: 1 },
    ]);
    expect(scoreMatches([fentanyl, strips], "fentanyl, bandelette fentanyl")).toEqual([
      { value: "strips", score: 2 },
      { value: "fentanyl", score: 1 },
    ]);
    expect(findMatches([entry("crack", "crack"), kit], "kit crack")).toEqual(["crack", "kit"]);
    expect(scoreMatches([kitCrack, kit], "kit crack")).toEqual([
      { value: "kit-crack", score: 2 },
      { value: "kit", score: 1 },
    ]);
    expect(findMatches([kit, entry("kit-2", "kit")], "kit")).toEqual(["kit", "kit-2"]);
    expect(findMatches([entry("kit-2", "kit"), kit], "kit")).toEqual(["kit-2", "kit"]);
  });

  it("matches a phrase only when all its words follow", () => {
    expect(scoreMatches([strips], "bandelette cocaine")).toEqual([{ value: "strips", score: 1 }]);
    expect(scoreMatches([kitCrack], "kit cocaine")).toEqual([]);
    expect(scoreMatches([kitCrack], "crack kit")).toEqual([]);
    expect(scoreMatches([kitCrack], "kit")).toEqual([]);
  });

  it("finds nothing in no words", () => {
    expect(scoreMatches([kit], "...")).toEqual([]);
    expect(scoreMatches([kit], "bonjour")).toEqual([]);
  });

  it("reads a word cut by a space as one word, never with typos", () => {
    const overdose = entry("overdose", "surdose", "surdose opioide");
    expect(scoreMatches([overdose], "sur dose")).toEqual([{ value: "overdose", score: 1 }]);
    expect(scoreMatches([overdose], "une sur dose opioide")).toEqual([{ value: "overdose", score: 2 }]);
    expect(scoreMatches([overdose], "sur dise")).toEqual([]);
    expect(scoreMatches([overdose], "dose sur")).toEqual([]);
  });

  it("keeps the phrases of several entries that start with the same word", () => {
    const index = buildPhraseIndex([kit, kitCrack]);
    expect(scoreTokens(index, tokens("kit crack"))).toEqual([
      { value: "kit-crack", score: 2 },
      { value: "kit", score: 1 },
    ]);
    expect(scoreTokens(index, [])).toEqual([]);
    expect(scoreResolved(index, resolveWords(buildLexicon([index]), []))).toEqual([]);
  });

  it("lists each first word once in the lexicon", () => {
    const lexicon = buildLexicon([buildPhraseIndex([kit, kitCrack]), buildPhraseIndex([kit])]);
    expect([...lexicon.words]).toEqual(["kit"]);
    expect(lexicon.byDeletion.get("kit")).toEqual(["kit"]);
  });
});

describe("the phrases of a name", () => {
  it("cuts each text once, and indexes each phrase once", () => {
    expect(toPhrases(["Kit", "kit", "KIT!", "...", "kit crack"])).toEqual([["kit"], ["kit", "crack"]]);
    expect(toPhrases(["ab c", "a bc"])).toEqual([
      ["ab", "c"],
      ["a", "bc"],
    ]);
    expect(toPhrases([])).toEqual([]);
  });

  it("adds the phrase as typed without apostrophes", () => {
    expect(toPhrases(["j'ai besoin d'aide"])).toEqual([
      ["j", "ai", "besoin", "d", "aide"],
      ["jai", "besoin", "daide"],
    ]);
    expect(toPhrases(["l'eau, vitamine c"])).toEqual([
      ["l", "eau", "vitamine", "c"],
      ["leau", "vitamine", "c"],
    ]);
    expect(toPhrases(["naloxone"])).toEqual([["naloxone"]]);
  });
});
