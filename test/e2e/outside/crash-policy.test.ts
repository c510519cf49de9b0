import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { FakeUser } from "../fake-bot-api";
import { type Bot, sleep, withTimeout } from "../support";
import { outsideScenario } from "./harness";
import { lookUp } from "./journeys";
import { Ledger } from "./ledger";

/**
 * The crash policy (src/run/crash.ts), from outside `npm start` (part 11, item 1). A promise rejected with
 * nobody to catch it is logged by name and code, and the bot keeps answering. An exception nobody caught
 * stops the bot as SIGTERM does: the lookup it had in hand is answered, once, then the process exits 1
 * for its supervisor, and the next start answers again. Each error carries a person's id, name, username
 * and words, as a grammY error carries the update: none of it may reach the log.
 */

const TRIGGER = fileURLToPath(new URL("./crash-from-outside.mjs", import.meta.url));
const PERSON: FakeUser = {
  id: 7_366_018_552,
  firstName: "Philomène",
  username: "philomene_out",
  languageCode: "fr",
};
const WITNESS: FakeUser = {
  id: 7_477_129_663,
  firstName: "Anatole",
  username: "anatole_out",
  languageCode: "fr",
};
const LATER: FakeUser = {
  id: 7_588_230_774,
  firstName: "Eudoxie",
  username: "eudoxie_out",
  languageCode: "fr",
};
const CRASH_ENV = {
  NODE_OPTIONS: `--import ${TRIGGER}`,
  // What a grammY error would carry about the update: an id, a name, a username and what was written.
  PERCHE_E2E_CRASH_WORDS: `${PERSON.id} ${PERSON.firstName} @${PERSON.username}: j'ai besoin de naloxone`,
};
const STOP_WITHIN_MS = 15_000;

/** The node process running src/main.ts in the bot's process group (not npm, not its shell). */
function botProcess(bot: Bot): number {
  const main = bot.members().find((member) => member.args.includes("src/main.ts"));
  if (!main) throw new Error(`no node running src/main.ts\n${bot.describe()}`);
  return main.pid;
}

async function logged(bot: Bot, message: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = bot.jsonLogs().find((entry) => entry.msg === message);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no "${message}" in the log\n${bot.describe()}`);
    await sleep(25);
  }
}

outsideScenario(
  "the crash policy",
  [
    { mode: "polling", database: "pglite" },
    { mode: "webhook", database: "postgres" },
  ],
  async (run) => {
    let bot = await run.start(CRASH_ENV);
    const ledgers: Ledger[] = [];

    // A promise rejected with nobody to catch it: logged by name and code, and the bot goes on.
    const rejection = new Ledger("after an unhandled rejection, the bot still answers");
    ledgers.push(rejection);
    process.kill(botProcess(bot), "SIGUSR2");
    const kept = await logged(bot, "unhandled rejection: kept running");
    expect(kept.error).toEqual({ name: "Error", code: "E_PERCHE_TEST" });
    await lookUp(run.chats(bot), rejection, WITNESS);
    expect(bot.running).toBe(true);

    // An exception nobody caught, with a lookup in hand (its answer held at Telegram's door): the bot
    // stops as on SIGTERM, the answer goes out once, and the process exits 1 for its supervisor.
    const exception = new Ledger("an uncaught exception with a lookup in hand");
    ledgers.push(exception);
    exception.expectMessage("the answer in hand", PERSON.id, "<b>Naloxone</b>");
    const answer = run.faulty.holdBefore("sendMessage", (payload) => Number(payload.chat_id) === PERSON.id);
    run.chats(bot).send(PERSON, "naloxone");
    await answer.reached;
    process.kill(botProcess(bot), "SIGWINCH");
    const fatal = await logged(bot, "uncaught exception: stopping, exit code 1");
    expect(fatal.error).toEqual({ name: "Error", code: "E_PERCHE_TEST" });
    answer.release();
    const exit = await withTimeout(bot.exited, STOP_WITHIN_MS, "npm start exiting after the exception");
    expect(exit, bot.describe()).toEqual({ code: 1, signal: null });
    await exception.waitForAll(run.fake, 10_000);

    // Its supervisor starts it again: it answers, and the update it had in hand is not answered twice.
    const again = new Ledger("started again after the exception");
    ledgers.push(again);
    bot = await run.start(CRASH_ENV);
    await lookUp(run.chats(bot), again, LATER);
    await run.settle(ledgers, bot, [PERSON, WITNESS, LATER]);
  },
);
