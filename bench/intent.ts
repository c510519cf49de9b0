import { fileURLToPath } from "node:url";
import { buildCatalog } from "../src/directory/catalog";
import { EXAMPLE_DIRECTORY, readDirectoryFile } from "../src/directory/file";
import { fromDirectoryFile } from "../src/directory/file-model";
import { readIntent } from "../src/directory/intent";
import { tokens } from "../src/directory/text-match";
import { readCorpus } from "../test/support/intent-corpus";
import { round } from "./stats";

/**
 * Section 4 (part 7): reading a typed text for intent, on the shipped example's vocabularies, over the
 * corpus of phrases typed as on a phone (test/corpus/typed-phrases.txt). CPU time per typed word, from
 * process.cpuUsage over many rounds after a warm-up; the target is 20 µs. No database: the vocabularies
 * come with the catalog the update reads anyway.
 *
 * Alone: `TZ=UTC node --import tsx bench/intent.ts [rounds]`.
 */
export type IntentResult = { phrases: number; words: number; rounds: number; microsecondsPerWord: number };

export async function runIntent(rounds: number): Promise<IntentResult> {
  const parsed = await readDirectoryFile(EXAMPLE_DIRECTORY);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const catalog = buildCatalog(fromDirectoryFile(parsed.file));
  const phrases = readCorpus().map((c) => c.phrase);
  const words = phrases.reduce((sum, phrase) => sum + Math.max(1, tokens(phrase).length), 0);
  let kinds = 0;
  const pass = () => {
    for (const phrase of phrases) kinds += readIntent(catalog, phrase).kind.length;
  };
  for (let i = 0; i < 20; i++) pass();
  const before = process.cpuUsage();
  for (let i = 0; i < rounds; i++) pass();
  const used = process.cpuUsage(before);
  // Read, so the work cannot be optimised away.
  if (kinds === 0) throw new Error("no intent read");
  return {
    phrases: phrases.length,
    words,
    rounds,
    microsecondsPerWord: round((used.user + used.system) / (words * rounds), 2),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.argv[2] ?? 200);
  runIntent(rounds).then((result) => process.stdout.write(`${JSON.stringify(result)}\n`));
}
