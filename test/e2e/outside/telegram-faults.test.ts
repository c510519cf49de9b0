import type { FakeUser } from "../fake-bot-api";
import { outsideScenario } from "./harness";
import {
  askUpToSummary,
  claimedRequest,
  expectSent,
  isConfirmationTo,
  lookUp,
  prepareTeam,
  pressSend,
  relayBothWays,
} from "./journeys";
import { Ledger } from "./ledger";

/**
 * Telegram misbehaving, from outside the process: "send" whose confirmation meets four 500s (the request
 * went out: the person is told so, late, never "try again"), 429s on relayed messages, connections reset
 * before and after Telegram took a message (the latter is the one duplicate nobody can avoid, and is
 * counted as such), every send failing for 4 s and, in polling mode, getUpdates out of reach for 6 s: once
 * Telegram is back the bot answers within 5 s.
 */

const WORKER: FakeUser = {
  id: 5_733_401_228,
  firstName: "Eulalie",
  username: "eulalie_out",
  languageCode: "fr",
};
const PERSON: FakeUser = {
  id: 7_844_512_339,
  firstName: "Firmin",
  username: "firmin_out",
  languageCode: "fr",
};
const ASKER: FakeUser = {
  id: 7_955_623_440,
  firstName: "Gontran",
  username: "gontran_out",
  languageCode: "fr",
};
const bystander = (n: number): FakeUser => ({
  id: 6_844_201_000 + n * 7_919,
  firstName: `Voisin${n}w`,
  username: `voisin${n}_out`,
  languageCode: "fr",
});
const BACK_WITHIN_MS = 5_000;
const toEither = (payload: { chat_id?: unknown }) => [WORKER.id, PERSON.id].includes(Number(payload.chat_id));

outsideScenario(
  "Telegram answers 429, 5xx, resets or is out of reach",
  [
    { mode: "polling", database: "pglite" },
    { mode: "webhook", database: "pglite" },
  ],
  async (run) => {
    const code = await prepareTeam(run);
    const bot = await run.start();
    const setup = new Ledger("a request made and claimed");
    const chats = await claimedRequest(run, bot, setup, {
      worker: WORKER,
      person: PERSON,
      code,
      token: "lynx-7731",
    });
    const ledgers = [setup];
    const people = [WORKER, PERSON, ASKER];

    // "Send" whose confirmation is answered 500 four times.
    const fiveHundreds = new Ledger('"send" answered 500 four times');
    ledgers.push(fiveHundreds);
    const words = "Je voudrais parler à quelqu'un, koala-5518";
    await askUpToSummary(chats, fiveHundreds, ASKER, words);
    expectSent(fiveHundreds, ASKER, WORKER, words, "koala-5518");
    run.faulty.inject({
      method: "sendMessage",
      match: isConfirmationTo(ASKER),
      fault: { kind: "status", status: 500 },
      times: 4,
    });
    pressSend(run, ASKER);
    await fiveHundreds.waitForAll(run.fake, 30_000);

    // 429s on relayed messages both ways.
    const limited = new Ledger("429 on relayed messages");
    ledgers.push(limited);
    run.faulty.inject({
      method: "sendMessage",
      match: toEither,
      fault: { kind: "status", status: 429, retryAfter: 1 },
      times: 3,
    });
    relayBothWays(chats, limited, WORKER, PERSON, "limite");
    await limited.waitForAll(run.fake, 30_000);

    // Connections reset before Telegram took the message, then after it took it.
    const resets = new Ledger("connections reset before and after Telegram took the message");
    ledgers.push(resets);
    run.faulty.inject({ method: "sendMessage", match: toEither, fault: { kind: "reset" }, times: 2 });
    relayBothWays(chats, resets, WORKER, PERSON, "coupure");
    await resets.waitForAll(run.fake, 30_000);
    run.faulty.inject({
      method: "sendMessage",
      match: toEither,
      fault: { kind: "taken-then-reset" },
      times: 1,
    });
    relayBothWays(chats, resets, WORKER, PERSON, "prise");
    await resets.waitForAll(run.fake, 30_000);

    // Every send failing with 502 for 4 s, a lookup in the middle: answered within 5 s of the end.
    const down = new Ledger("every send failing for 4 s");
    ledgers.push(down);
    const outage = run.faulty.outage("sendMessage", 4_000, { kind: "status", status: 502 });
    const during = lookUp(chats, down, bystander(1), 4_000 + BACK_WITHIN_MS);
    await outage;
    await during;

    if (run.setting.mode === "polling") {
      // getUpdates out of reach for 6 s: the lookup waiting at Telegram is answered within 5 s of the end.
      const polls = new Ledger("getUpdates out of reach for 6 s");
      ledgers.push(polls);
      const unreachable = run.faulty.outage("getUpdates", 6_000, { kind: "reset" });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const waiting = lookUp(chats, polls, bystander(2), 5_500 + BACK_WITHIN_MS);
      await unreachable;
      await waiting;
    }

    await run.settle(ledgers, bot, [...people, bystander(1), bystander(2)]);
  },
);
