import { expect } from "vitest";
import type { FakeUser } from "../fake-bot-api";
import { type Bot, sleep, withTimeout } from "../support";
import { outsideScenario } from "./harness";
import { askUpToSummary, expectSent, isConfirmationTo, joinOnCall, prepareTeam, pressSend } from "./journeys";
import { Ledger } from "./ledger";

/**
 * The process killed or stopped while a person's "send" is in hand, from outside: kill -9 before the
 * request is committed, after it is committed but before the person is told, and while the confirmation
 * waits out a 429; SIGTERM while it waits out a 429 shorter than the stop limit (8 s: it is finished, then
 * the process exits 0) and longer (the process exits 0 at the limit, and the next one finishes it). Every
 * time the request is made once, its notice reaches the worker once, and the person is told once.
 */

const WORKER: FakeUser = {
  id: 5_611_029_447,
  firstName: "Hildegarde",
  username: "hildegarde_out",
  languageCode: "fr",
};
const asker = (n: number): FakeUser => ({
  id: 7_700_310_000 + n * 7_919,
  firstName: `Demandeuse${n}k`,
  username: `demandeuse${n}_out`,
  languageCode: "fr",
});
const STOP_WITHIN_MS = 15_000;

outsideScenario(
  "kill -9 and SIGTERM with a send in hand",
  [
    { mode: "polling", database: "pglite" },
    { mode: "webhook", database: "postgres" },
  ],
  async (run) => {
    const code = await prepareTeam(run);
    let bot = await run.start();
    await joinOnCall(run.chats(bot), WORKER, code, "Marc");
    const ledgers: Ledger[] = [];
    const people: FakeUser[] = [WORKER];

    /** A new person up to their summary, expected to end with one request, one notice, one confirmation. */
    const upToSummary = async (title: string, n: number) => {
      const ledger = new Ledger(title);
      ledgers.push(ledger);
      const person = asker(n);
      people.push(person);
      const words = `Il me faut un lit ce soir, token-${n}x${n}`;
      await askUpToSummary(run.chats(bot), ledger, person, words);
      expectSent(ledger, person, WORKER, words, `token-${n}x${n}`);
      return { ledger, person };
    };
    const restart = async (ledger: Ledger) => {
      bot = await run.start();
      await ledger.waitForAll(run.fake, 30_000);
    };
    const waitFor = async (condition: () => boolean, what: string) => {
      const deadline = Date.now() + 20_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`${what}: not within 20 s\n${bot.describe()}`);
        await sleep(25);
      }
    };
    const sigterm = async (stopped: Bot) => {
      process.kill(stopped.child.pid as number, "SIGTERM");
      const exit = await withTimeout(stopped.exited, STOP_WITHIN_MS, "npm start exiting after SIGTERM");
      expect(exit, stopped.describe()).toEqual({ code: 0, signal: null });
    };

    // kill -9 before the request is committed: the tap's answer, which comes first, is held.
    {
      const { ledger, person } = await upToSummary("kill -9 before commit", 1);
      const tapAnswer = run.faulty.holdBefore("answerCallbackQuery");
      pressSend(run, person);
      await tapAnswer.reached;
      await run.kill9(bot);
      tapAnswer.drop();
      await restart(ledger);
    }

    // kill -9 after the commit, before the person is told: the confirmation is held before Telegram.
    {
      const { ledger, person } = await upToSummary("kill -9 after commit, before the confirmation", 2);
      const told = run.faulty.holdBefore("sendMessage", isConfirmationTo(person));
      pressSend(run, person);
      await told.reached;
      await run.kill9(bot);
      told.drop();
      await restart(ledger);
    }

    // kill -9 while the confirmation waits out a 429.
    {
      const { ledger, person } = await upToSummary("kill -9 during a 429 wait", 3);
      const limited = run.faulty.inject({
        method: "sendMessage",
        match: isConfirmationTo(person),
        fault: { kind: "status", status: 429, retryAfter: 20 },
        times: 1,
      });
      pressSend(run, person);
      await waitFor(() => limited.hits === 1, "the 429");
      await run.kill9(bot);
      await restart(ledger);
    }

    // SIGTERM while the confirmation waits out a 429 of 3 s: finished, then exit 0.
    {
      const { ledger, person } = await upToSummary("SIGTERM during a 429 wait of 3 s", 4);
      const limited = run.faulty.inject({
        method: "sendMessage",
        match: isConfirmationTo(person),
        fault: { kind: "status", status: 429, retryAfter: 3 },
        times: 1,
      });
      pressSend(run, person);
      await waitFor(() => limited.hits === 1, "the 429");
      await sigterm(bot);
      // Told before the process ended.
      expect(ledger.tally(run.fake.calls).problems.filter((p) => p.includes("confirmation"))).toEqual([]);
      await restart(ledger);
    }

    // SIGTERM while the confirmation waits out a 429 of 20 s: exit 0 at the limit, the next process tells.
    {
      const { ledger, person } = await upToSummary("SIGTERM during a 429 wait of 20 s", 5);
      const limited = run.faulty.inject({
        method: "sendMessage",
        match: isConfirmationTo(person),
        fault: { kind: "status", status: 429, retryAfter: 20 },
        times: 1,
      });
      pressSend(run, person);
      await waitFor(() => limited.hits === 1, "the 429");
      await sigterm(bot);
      await restart(ledger);
    }

    await run.settle(ledgers, bot, people);
  },
);
