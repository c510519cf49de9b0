import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { boundaryOf, parseMultipart } from "../../support/multipart";
import type { FakeBotApi, Payload } from "../fake-bot-api";

/**
 * A Bot API that misbehaves on demand, between the bot and the fake Bot API (test/e2e/fake-bot-api.ts):
 * an HTTP proxy on 127.0.0.1 whose address goes in TELEGRAM_API_ROOT. A call that meets no fault is
 * passed to the fake, which records it: the fake's `calls` are what Telegram took. A fault either stops
 * the call before Telegram (429, 5xx, a reset, no answer: nothing was sent) or after it (Telegram took
 * it, then the answer was lost: the bot cannot know it went out, and sending it again is the one
 * duplicate nobody can avoid; those calls are listed in `unanswered`).
 */

export type Fault =
  /** Answered with this status before reaching Telegram; 429 carries `retry_after` (seconds). */
  | { kind: "status"; status: number; retryAfter?: number }
  /** The connection is reset before reaching Telegram. */
  | { kind: "reset" }
  /** Held before reaching Telegram, never answered (until the bot gives up on it). */
  | { kind: "hang" }
  /** Reaches Telegram (the fake records it), then the connection is reset instead of the answer. */
  | { kind: "taken-then-reset" }
  /** Reaches Telegram, then no answer ever comes. */
  | { kind: "taken-no-answer" };

export type FaultRule = {
  /** A Bot API method, or "*" for all of them. */
  method: string;
  /** Only calls whose payload this accepts (a chat, a text). */
  match?: (payload: Payload) => boolean;
  fault: Fault;
  /** At most this many calls meet it (default: every matching call while it is in place). */
  times?: number;
};

export type Attempt = { method: string; payload: Payload; at: number; fault?: Fault["kind"] };

export type InjectedFault = {
  /** How many calls met it so far. */
  readonly hits: number;
  remove(): void;
};

export type FaultyBotApi = {
  /** http://127.0.0.1:<port>: TELEGRAM_API_ROOT for a bot that should meet the faults. */
  readonly apiRoot: string;
  /** Every call the bot tried, in order, with the fault it met if any. */
  readonly attempts: readonly Attempt[];
  /** Calls Telegram took whose answer never reached the bot (payloads, in order). */
  readonly unanswered: readonly Attempt[];
  inject(rule: FaultRule): InjectedFault;
  /** `fault` on every call of `method` for `ms` (an outage), then normal again. */
  outage(method: string, ms: number, fault?: Fault): Promise<void>;
  /**
   * Holds the next call of `method` that `match` accepts before it reaches Telegram (nothing taken yet);
   * resolves `reached` when it arrives. `release()` passes it on.
   */
  holdBefore(
    method: string,
    match?: (payload: Payload) => boolean,
  ): { reached: Promise<void>; release(): void };
  /** Removes every fault and releases every hold. */
  clear(): void;
  close(): Promise<void>;
};

type Rule = FaultRule & { hits: number };
type Hold = { method: string; match?: (payload: Payload) => boolean; arrived(): void; gate: Promise<void> };

export async function startFaultyBotApi(fake: FakeBotApi): Promise<FaultyBotApi> {
  const attempts: Attempt[] = [];
  const unanswered: Attempt[] = [];
  const rules = new Set<Rule>();
  const holds = new Set<Hold>();
  const releases = new Set<() => void>();
  const hanging = new Set<ServerResponse>();

  const payloadOf = (req: IncomingMessage, body: Buffer): Payload => {
    const boundary = boundaryOf(req.headers["content-type"]);
    if (boundary) return parseMultipart(body, boundary);
    try {
      return body.length > 0 ? (JSON.parse(body.toString("utf8")) as Payload) : {};
    } catch {
      return {};
    }
  };

  const ruleFor = (method: string, payload: Payload): Rule | undefined => {
    for (const rule of rules) {
      if (rule.method !== "*" && rule.method !== method) continue;
      if (rule.match && !rule.match(payload)) continue;
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      rule.hits++;
      return rule;
    }
    return undefined;
  };

  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const headers: Record<string, string> = {};
    if (req.headers["content-type"]) headers["content-type"] = req.headers["content-type"];
    // A long poll the bot gave up on (or a bot killed) is given up on at the fake too.
    const abort = new AbortController();
    const giveUp = () => abort.abort();
    res.once("close", giveUp);
    try {
      const answer = await fetch(`${fake.apiRoot}${req.url ?? "/"}`, {
        method: req.method ?? "POST",
        headers,
        signal: abort.signal,
        ...(body.length > 0 ? { body } : {}),
      });
      return { status: answer.status, text: await answer.text() };
    } finally {
      res.off("close", giveUp);
    }
  };

  const respond = (res: ServerResponse, status: number, text: string) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = /\/([A-Za-z]+)$/.exec(new URL(req.url ?? "/", "http://x").pathname)?.[1] ?? "";
    const payload = payloadOf(req, body);
    const attempt: Attempt = { method, payload, at: Date.now() };
    attempts.push(attempt);

    for (const hold of holds) {
      if (hold.method !== method || (hold.match && !hold.match(payload))) continue;
      holds.delete(hold);
      hold.arrived();
      await hold.gate;
      break;
    }

    const fault = ruleFor(method, payload)?.fault;
    if (fault) attempt.fault = fault.kind;
    switch (fault?.kind) {
      case "status": {
        const description = fault.status === 429 ? "Too Many Requests: retry later" : "Internal Server Error";
        return respond(
          res,
          fault.status,
          JSON.stringify({
            ok: false,
            error_code: fault.status,
            description,
            ...(fault.retryAfter !== undefined ? { parameters: { retry_after: fault.retryAfter } } : {}),
          }),
        );
      }
      case "reset":
        return req.socket.resetAndDestroy();
      case "hang":
        hanging.add(res);
        return;
      default:
    }
    let answer: { status: number; text: string };
    try {
      answer = await forward(req, res, body);
    } catch (error) {
      // The bot went away while Telegram had the call: it may have been taken, never answered.
      if (method !== "getUpdates") unanswered.push(attempt);
      throw error;
    }
    if (fault?.kind === "taken-then-reset") {
      unanswered.push(attempt);
      return req.socket.resetAndDestroy();
    }
    if (fault?.kind === "taken-no-answer") {
      unanswered.push(attempt);
      hanging.add(res);
      return;
    }
    // The bot may have given up meanwhile (a long poll it aborted): then the answer never reached it.
    if (res.destroyed && method !== "getUpdates") unanswered.push(attempt);
    respond(res, answer.status, answer.text);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const inject = (rule: FaultRule): InjectedFault => {
    const entry: Rule = { ...rule, hits: 0 };
    rules.add(entry);
    return {
      get hits() {
        return entry.hits;
      },
      remove: () => rules.delete(entry),
    };
  };

  const clear = () => {
    rules.clear();
    holds.clear();
    for (const release of releases) release();
    releases.clear();
  };

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    attempts,
    unanswered,
    inject,
    async outage(method, ms, fault = { kind: "status", status: 502 }) {
      const injected = inject({ method, fault });
      await new Promise((resolve) => setTimeout(resolve, ms));
      injected.remove();
    },
    holdBefore(method, match) {
      let arrived = () => {};
      let release = () => {};
      const reached = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.add({ method, ...(match ? { match } : {}), arrived, gate });
      releases.add(release);
      return { reached, release };
    },
    clear,
    async close() {
      clear();
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
