import { describe, expect, it } from "vitest";
import { seededRandom } from "../../bench/stats";
import { buildCatalog, interpretText } from "../../src/directory/catalog";
import { mentionsEmergency } from "../../src/directory/emergency-words";
import { fromDirectoryFile } from "../../src/directory/file-model";
import { editDistance, normalise } from "../../src/directory/text-match";
import { fixtureDirectory } from "../support/directory-fixture";

const catalog = buildCatalog(fromDirectoryFile(fixtureDirectory()));
const materialOf = (text: string) => {
  const meaning = interpretText(catalog, text);
  return meaning.kind === "materials" ? meaning.materials.map((m) => m.id) : meaning.kind;
};

describe("word matching", () => {
  it("normalises case, accents, punctuation and invisible characters", () => {
    expect(normalise("  SÉRINGUES!!\u200b\u200b  ")).toBe("seringues");
    expect(normalise("Côte-des-Neiges")).toBe("cote des neiges");
  });

  it.each([
    ["seringues", "syringes"],
    ["Seringue", "syringes"],
    ["syringes", "syringes"],
    ["NARCAN", "naloxone"],
    ["naloxone svp", "naloxone"],
    ["nalxone", "naloxone"],
    ["naloxnoe", "naloxone"],
    ["pipes", "pipes"],
    ["bandelettes", "test-strips"],
    ["test strips", "test-strips"],
    ["kit", "syringes"],
    ["j'ai besoin d'aiguilles", "syringes"],
  ])("finds %s as %s", (typed, expected) => {
    expect(materialOf(typed)).toEqual([expected]);
  });

  it("does not stretch short words into other words", () => {
    expect(materialOf("pip")).toBe("nothing");
    expect(materialOf("bonjour")).toBe("nothing");
    expect(materialOf("")).toBe("nothing");
  });

  it("finds neighbourhoods and métro stations, with or without the button's emoji", () => {
    expect(interpretText(catalog, "verdun")).toMatchObject({ kind: "place", place: { id: "verdun" } });
    expect(interpretText(catalog, "🚇 Berri-UQAM")).toMatchObject({
      kind: "place",
      place: { id: "metro-berri-uqam" },
    });
  });

  it("prefers the longest match: Pointe-Saint-Charles is a place even if 'pointe' means a syringe", () => {
    const withPointe = buildCatalog(
      fromDirectoryFile(
        fixtureDirectory((input) => {
          input.materials[0]?.words.push("pointe");
          input.places?.push({
            id: "psc",
            kind: "neighbourhood",
            name: { fr: "Pointe-Saint-Charles", en: "Pointe-Saint-Charles" },
            lat: 45.48,
            lon: -73.56,
          });
        }),
      ),
    );
    expect(interpretText(withPointe, "Pointe-Saint-Charles")).toMatchObject({
      kind: "place",
      place: { id: "psc" },
    });
    expect(interpretText(withPointe, "une pointe svp")).toMatchObject({ kind: "materials" });
  });

  it("finds a site by its name", () => {
    expect(interpretText(catalog, "la veille de nuit")).toMatchObject({
      kind: "site",
      site: { id: "night-site" },
    });
  });

  it("bounds the work on a huge message", () => {
    expect(normalise("a".repeat(100_000)).length).toBeLessThanOrEqual(300);
  });

  it("computes edit distances with transpositions", () => {
    expect(editDistance("naloxone", "nalxoone", 2)).toBe(1);
    expect(editDistance("abc", "xyz", 1)).toBe(2);
  });
});

describe("emergency words", () => {
  it.each([
    "overdose",
    "Surdose!",
    "OD",
    "il fait une od",
    "she overdosed",
    "il ne respire plus",
    "not breathing",
    "surdosé",
  ])("recognises %s", (text) => expect(mentionsEmergency(text)).toBe(true));

  it.each(["method", "code", "pod", "dose", "naloxone", "bonjour"])(
    "does not raise an alarm for %s",
    (text) => expect(mentionsEmergency(text)).toBe(false),
  );
});

describe("the quick paths of word matching", () => {
  const random = seededRandom(3);
  const word = (alphabet: string, length: number) =>
    Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");

  /** The whole optimal-string-alignment table, never stopping early. */
  function fullDistance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) =>
      Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
    );
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) {
        const row = d[i] as number[];
        const above = d[i - 1] as number[];
        row[j] = Math.min(
          (above[j] as number) + 1,
          (row[j - 1] as number) + 1,
          (above[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
          row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    return (d[a.length] as number[])[b.length] as number;
  }

  it("counts typos as the whole table does, up to the limit", () => {
    for (let n = 0; n < 3000; n++) {
      const a = word("abcdé", 1 + Math.floor(random() * 10));
      const b = word("abcdé", 1 + Math.floor(random() * 10));
      const max = Math.floor(random() * 4);
      // Past the limit it only promises "more than max".
      const capped = Math.min(editDistance(a, b, max), max + 1);
      expect([a, b, max, capped]).toEqual([a, b, max, Math.min(fullDistance(a, b), max + 1)]);
    }
    // Longer than the kept rows, then short again.
    const long = word("ab", 90);
    expect(editDistance(long, `${long}x`, 2)).toBe(1);
    expect(editDistance("seringue", "sreingue", 2)).toBe(1);
  });

  it("normalises plain ASCII as the Unicode rules do", () => {
    const unicodeRules = (text: string) =>
      text
        .slice(0, 600)
        .normalize("NFKD")
        .replace(/\p{M}+/gu, "")
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, " ")
        .trim()
        .slice(0, 300);
    const ascii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)).join("");
    for (let n = 0; n < 2000; n++) {
      const text = word(ascii, Math.floor(random() * 40));
      expect(normalise(text)).toBe(unicodeRules(text));
    }
    expect(normalise(`${"Ab1 ".repeat(200)}`)).toBe(unicodeRules(`${"Ab1 ".repeat(200)}`));
  });
});
