import { readFileSync } from "node:fs";
import type { Intent } from "../../src/directory/intent";

/** test/corpus/typed-phrases.txt: each phrase with what it must be read as. */
export type CorpusLine = { phrase: string; expected: string; line: number };

export const CORPUS_FILE = new URL("../corpus/typed-phrases.txt", import.meta.url);

export function readCorpus(): CorpusLine[] {
  return readFileSync(CORPUS_FILE, "utf8")
    .split("\n")
    .flatMap((text, index) => {
      if (!text.trim() || text.startsWith("#")) return [];
      const cut = text.lastIndexOf(" | ");
      if (cut < 0) throw new Error(`typed-phrases.txt line ${index + 1} has no " | "`);
      return [{ phrase: text.slice(0, cut), expected: text.slice(cut + 3).trim(), line: index + 1 }];
    });
}

/** An intent written as the corpus writes it. */
export function describeIntent(intent: Intent): string {
  switch (intent.kind) {
    case "place":
      return `place:${intent.place.id}`;
    case "site":
      return `site:${intent.site.id}`;
    case "materials":
      return `material:${intent.materials.map((m) => m.id).join(",")}`;
    default:
      return intent.kind;
  }
}

/** The kind alone (place, material...), for the confusion counts. */
export const kindOf = (described: string) => described.split(":")[0] as string;

/** Counts of expected kind → kind read, printed as a small table. */
export function confusionTable(pairs: { expected: string; got: string }[]): string {
  const kinds = [...new Set(pairs.flatMap((p) => [kindOf(p.expected), kindOf(p.got)]))].sort();
  const count = (e: string, g: string) =>
    pairs.filter((p) => kindOf(p.expected) === e && kindOf(p.got) === g).length;
  const width = Math.max(...kinds.map((k) => k.length), 8);
  const header = `${"expected \\ read".padEnd(width + 8)}${kinds.map((k) => k.padStart(width + 1)).join("")}`;
  const rows = kinds.map(
    (e) => `${e.padEnd(width + 8)}${kinds.map((g) => String(count(e, g)).padStart(width + 1)).join("")}`,
  );
  return [header, ...rows].join("\n");
}
