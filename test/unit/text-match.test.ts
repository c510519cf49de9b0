import { describe, expect, it } from "vitest";
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
