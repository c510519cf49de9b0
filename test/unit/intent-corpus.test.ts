import { describe, expect, it } from "vitest";
import { buildCatalog } from "../../src/directory/catalog";
import { EXAMPLE_DIRECTORY, readDirectoryFile } from "../../src/directory/file";
import { fromDirectoryFile } from "../../src/directory/file-model";
import { readIntent } from "../../src/directory/intent";
import { confusionTable, describeIntent, kindOf, readCorpus } from "../support/intent-corpus";

const parsed = await readDirectoryFile(EXAMPLE_DIRECTORY);
if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
const catalog = buildCatalog(fromDirectoryFile(parsed.file));
const corpus = readCorpus();

describe("the corpus of typed phrases", () => {
  it("holds at least 300 phrases, in both languages, with every kind of intent", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    const kinds = new Set(corpus.map((c) => kindOf(c.expected)));
    expect([...kinds].sort()).toEqual([
      "emergency",
      "greeting",
      "help",
      "material",
      "not-found",
      "place",
      "site",
      "thanks",
    ]);
  });

  it("reads every phrase as the corpus says, and prints the confusion counts", () => {
    const results = corpus.map((c) => ({ ...c, got: describeIntent(readIntent(catalog, c.phrase)) }));
    console.log(`\nIntent of ${results.length} typed phrases:\n${confusionTable(results)}\n`);
    const wrong = results.filter((r) => r.got !== r.expected).map((r) => `${r.line}: ${r.phrase} → ${r.got}`);
    expect(wrong).toEqual([]);
  });

  it("never shows the emergency card or a help offer for a lookup, even an urgent one", () => {
    for (const c of corpus.filter((c) => kindOf(c.expected) === "material" || c.expected === "not-found"))
      expect([c.phrase, readIntent(catalog, c.phrase).kind]).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^(emergency|help)$/)]),
      );
  });
});

describe("normalisation that the emergency words rely on", () => {
  // Each breaks if accents, punctuation, case, a split word or repeated letters stop being handled.
  it.each([
    ["URGENCE!!!", "case and punctuation"],
    ["Urgence.", "a full stop"],
    ["urgénce", "an accent where there is none"],
    ["sur-dose", "a hyphen inside the word"],
    ["sur dose", "a space inside the word"],
    ["surdosé", "an accent"],
    ["SURDOSÉ!!", "capitals, accent and punctuation"],
    ["urgenceeeee", "repeated letters"],
    ["au  secours", "two spaces"],
    ["« au secours »", "French quotes"],
    ["9-1-1", "a number written with dashes"],
  ])("%s is an emergency (%s)", (typed) => {
    expect(readIntent(catalog, typed).kind).toBe("emergency");
  });

  it.each([
    ["pipes", "pipes"],
    ["kits", "syringes"],
    ["Kits!", "syringes"],
    ["embouts", "mouthpieces"],
    ["pailles", "snorting-kits"],
  ])("the plural of a short word, %s, finds %s", (typed, id) => {
    const intent = readIntent(catalog, typed);
    expect(intent.kind === "materials" ? intent.materials[0]?.id : intent.kind).toBe(id);
  });
});
