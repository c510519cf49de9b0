import type { FakeBotApi, RecordedCall } from "../fake-bot-api";
import type { Attempt } from "./faulty-bot-api";

/**
 * What a scenario tried and what arrived where. Each entry is a message that must reach one chat exactly
 * once: something a person or a worker wrote (carrying a token of its own, so finding it in any other
 * chat is a misdelivery), or a message of the bot's (a prompt, a confirmation) that one chat must get.
 * Arrivals are read from what Telegram took (the fake Bot API's calls). A second arrival is a duplicate,
 * and an unavoidable one only when Telegram took an earlier copy whose answer never reached the bot
 * (the faulty Bot API's `unanswered`): the bot could not know it went out. A scenario fails on any loss,
 * any misdelivery and any other duplicate.
 */

export type Entry = {
  /** What it is, for the report: "relay 3 to the worker", "the confirmation of request 2". */
  what: string;
  /** The chat that must get it. */
  to: number;
  /** Whether a sent text (or caption) is this message. */
  matches: (text: string) => boolean;
  /** Whether the text is this entry's alone (a token), so that it arriving elsewhere is a misdelivery. */
  unique: boolean;
  /** Chats that may see the token too without it being a misdelivery (the author's own summary). */
  alsoSeenBy?: readonly number[];
};

export type Tally = {
  scenario: string;
  tried: number;
  lost: number;
  duplicated: number;
  /** Of the duplicates, those Telegram took while its answer was lost. */
  unavoidable: number;
  misdelivered: number;
  /** Messages that must not be sent that were (a "try again" after a request went out). */
  untrue: number;
  /** One line per entry that went wrong. */
  problems: string[];
};

const SEND_METHODS = new Set([
  "sendMessage",
  "sendPhoto",
  "sendVoice",
  "sendVideo",
  "sendDocument",
  "copyMessage",
]);

const textOf = (payload: { text?: unknown; caption?: unknown }) =>
  String(payload.text ?? payload.caption ?? "");

export class Ledger {
  readonly entries: Entry[] = [];
  readonly forbidden: { what: string; to: number; matches: (text: string) => boolean }[] = [];

  constructor(readonly scenario: string) {}

  /** Something written by a person or a worker, carrying `token`, that must reach `to` once. */
  expectToken(what: string, token: string, to: number, alsoSeenBy: readonly number[] = []): void {
    this.entries.push({ what, to, matches: (text) => text.includes(token), unique: true, alsoSeenBy });
  }

  /** A message `to` must never get: being told it failed when it did not. */
  forbid(what: string, to: number, pattern: string | RegExp): void {
    const matches = (text: string) =>
      typeof pattern === "string" ? text.includes(pattern) : pattern.test(text);
    this.forbidden.push({ what, to, matches });
  }

  /** A message of the bot's that `to` must get once (the same text may go to other chats too). */
  expectMessage(what: string, to: number, pattern: string | RegExp): void {
    const matches = (text: string) =>
      typeof pattern === "string" ? text.includes(pattern) : pattern.test(text);
    this.entries.push({ what, to, matches, unique: false });
  }

  /** Counts what arrived, from what Telegram took (`calls`) and the calls whose answer was lost. */
  tally(calls: readonly RecordedCall[], unanswered: readonly Attempt[] = []): Tally {
    const sent = calls.filter((c) => SEND_METHODS.has(c.method));
    const tally: Tally = {
      scenario: this.scenario,
      tried: this.entries.length,
      lost: 0,
      duplicated: 0,
      unavoidable: 0,
      misdelivered: 0,
      untrue: 0,
      problems: [],
    };
    for (const rule of this.forbidden) {
      const count = sent.filter(
        (c) => Number(c.payload.chat_id) === rule.to && rule.matches(textOf(c.payload)),
      ).length;
      if (count === 0) continue;
      tally.untrue += count;
      tally.problems.push(`sent ${count} time(s) though untrue: ${rule.what}`);
    }
    for (const entry of this.entries) {
      const matching = sent.filter((c) => entry.matches(textOf(c.payload)));
      const arrived = matching.filter((c) => Number(c.payload.chat_id) === entry.to).length;
      const allowed = matching.filter((c) => entry.alsoSeenBy?.includes(Number(c.payload.chat_id))).length;
      const elsewhere = entry.unique ? matching.length - arrived - allowed : 0;
      const lostAnswers = unanswered.filter(
        (a) =>
          SEND_METHODS.has(a.method) &&
          Number(a.payload.chat_id) === entry.to &&
          entry.matches(textOf(a.payload)),
      ).length;
      const duplicated = Math.max(0, arrived - 1);
      const unavoidable = Math.min(duplicated, lostAnswers);
      if (arrived === 0) {
        tally.lost++;
        tally.problems.push(`lost: ${entry.what}`);
      }
      tally.duplicated += duplicated;
      tally.unavoidable += unavoidable;
      if (duplicated > unavoidable) tally.problems.push(`arrived ${arrived} times: ${entry.what}`);
      if (elsewhere > 0) {
        tally.misdelivered += elsewhere;
        tally.problems.push(`reached ${elsewhere} other chat(s): ${entry.what}`);
      }
    }
    return tally;
  }

  /** Waits until every entry arrived at least once (or `timeoutMs` passed): then the run can be stopped. */
  async waitForAll(api: FakeBotApi, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.tally(api.calls).lost > 0)
      await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The scenario's one line: tried / lost / duplicated (unavoidable) / misdelivered. */
export function formatTally(tally: Tally): string {
  return `[outside-in] ${tally.scenario}: tried ${tally.tried}, lost ${tally.lost}, duplicated ${tally.duplicated} (unavoidable ${tally.unavoidable}), misdelivered ${tally.misdelivered}, untrue ${tally.untrue}`;
}

/** Whether the scenario passes: nothing lost, nothing misdelivered, no duplicate but the unavoidable. */
export const isClean = (tally: Tally) =>
  tally.lost === 0 &&
  tally.misdelivered === 0 &&
  tally.untrue === 0 &&
  tally.duplicated === tally.unavoidable;
