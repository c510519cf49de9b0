import { beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { EXAMPLE_DIRECTORY, readDirectoryFile } from "../../src/directory/file";
import { DRIVERS, useDatabase } from "../support/database";
import { callbackDatas, createHarness, type Harness } from "../support/harness";
import { confusionTable, kindOf, readCorpus } from "../support/intent-corpus";
import { ENGLISH, FRENCH, textUpdate } from "../support/updates";

/** What kind of answer a person saw, from the messages alone (in either language). */
function answerKind(sent: { text: string; data: string[] }[]): string {
  const [first] = sent;
  if (sent.length !== 1 || !first) return `${sent.length} messages`;
  const { text, data } = first;
  if (/Surdose\? Appelle le 911|Overdose\? Call 911/.test(text)) return "card";
  if (/Tu peux écrire à un·e intervenant·e|You can write to a worker/.test(text) && data.join() === "talk")
    return "offer";
  if (/^(Salut! 👋|Hi! 👋|Avec plaisir|You're welcome)/.test(text)) return "warm";
  if (/📍 <b>(Près de |Près d'|Near )/.test(text)) return "near";
  if (/: où en trouver|: where to get it/.test(text)) return "list";
  if (/plusieurs choses|a few things/.test(text)) return "choice";
  if (/^(Je n'ai pas trouvé ça|I didn't find that)/.test(text)) return "not-found";
  // A site's card opens with its name in bold (a line to call has no pin to send).
  if (text.startsWith("<b>")) return "site";
  return `unknown: ${text.slice(0, 40)}`;
}

/** The answer each intent of the corpus must get. */
function expectedAnswer(expected: string): string {
  switch (kindOf(expected)) {
    case "emergency":
      return "card";
    case "help":
      return "offer";
    case "greeting":
    case "thanks":
      return "warm";
    case "place":
      return "near";
    case "material":
      return expected.includes(",") ? "choice" : "list";
    case "site":
      return "site";
    default:
      return "not-found";
  }
}

describe.each(DRIVERS)("the corpus of typed phrases through the bot, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeAll(async () => {
    const parsed = await readDirectoryFile(EXAMPLE_DIRECTORY);
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    bot = await createHarness(database, { directory: parsed.file });
  });

  it("answers every phrase with the one message its intent calls for, in French and in English", async () => {
    const results: { expected: string; got: string; phrase: string }[] = [];
    for (const [index, entry] of readCorpus().entries()) {
      const person = index % 2 === 0 ? FRENCH : ENGLISH;
      const before = bot.telegram.sentTo(person.id).length;
      await bot.send(textUpdate(person, entry.phrase));
      const sent = bot.telegram
        .sentTo(person.id)
        .slice(before)
        .map((c) => ({ text: String(c.payload.text ?? ""), data: callbackDatas(c.payload) }));
      results.push({ phrase: entry.phrase, expected: expectedAnswer(entry.expected), got: answerKind(sent) });
    }
    console.log(`\nAnswers to ${results.length} typed phrases:\n${confusionTable(results)}\n`);
    expect(results.filter((r) => r.got !== r.expected)).toEqual([]);
  }, 300_000);
});
