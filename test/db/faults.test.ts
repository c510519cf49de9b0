import { asc } from "drizzle-orm";
import { Api } from "grammy";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import type { Database } from "../../src/db/executor";
import { outbox } from "../../src/db/schema";
import { createLogger } from "../../src/logger";
import { callThrough, createOutboxDelivery, type OutboxDeliveryOptions } from "../../src/outbox/delivery";
import { enqueueMessages, type OutboxMessage, type OutboxRecipient } from "../../src/outbox/enqueue";
import { DRIVERS } from "../support/database";

/**
 * Faults on the outbox's way to Telegram, each ending with the same check: every message Telegram
 * accepted, per chat and in order. "Nothing lost" is that every message is in it; "at most one
 * duplicate" is that a message shows at most twice, and only where the fault makes it unavoidable.
 * Faults already proven in outbox.test.ts (429 waited out, 5xx then sent, 403 stops a recipient, a
 * refused message does not hold the next one, a sender that died before recording) are not repeated.
 */

const member = (n: number): OutboxRecipient => ({ kind: "member", id: String(n) });
const chatOf = async (recipient: OutboxRecipient) => 10_000 + Number(recipient.id);

function text(recipient: OutboxRecipient, body: string): OutboxMessage {
  return { dedupeKey: `fault:${body}`, recipient, method: "sendMessage", payload: { text: body } };
}

type Fault =
  | { kind: "telegram"; error_code: number; description: string; retry_after?: number }
  /** The request never reaches Telegram (DNS, refused connection, no route). */
  | { kind: "unreachable" }
  /** Telegram accepts the message, but the answer never comes back (our timeout fires). */
  | { kind: "accepted-then-timeout" };

/** A Bot API behind a real grammY `Api`: faults planned per text, or all calls down at once. */
function faultyTelegram() {
  const accepted: { chatId: unknown; text: unknown }[] = [];
  const planned: { text: string; fault: Fault }[] = [];
  let down: Fault | undefined;
  let attempts = 0;
  let nextMessageId = 1;
  const fetch = (async (_input: string | URL | Request, init?: RequestInit) => {
    const params = JSON.parse(String(init?.body)) as Record<string, unknown>;
    attempts += 1;
    const index = planned.findIndex((p) => p.text === params.text);
    const fault = down ?? (index >= 0 ? planned.splice(index, 1)[0]?.fault : undefined);
    if (fault?.kind === "unreachable") throw new TypeError("fetch failed");
    if (fault?.kind === "telegram") {
      const { kind: _, retry_after, ...body } = fault;
      return json(
        { ok: false, ...body, ...(retry_after === undefined ? {} : { parameters: { retry_after } }) },
        fault.error_code,
      );
    }
    accepted.push({ chatId: params.chat_id, text: params.text });
    if (fault?.kind === "accepted-then-timeout")
      throw new DOMException("The operation timed out", "TimeoutError");
    return json(
      { ok: true, result: { message_id: nextMessageId++, date: 0, chat: { id: params.chat_id } } },
      200,
    );
  }) as typeof globalThis.fetch;
  return {
    call: callThrough(new Api("123:TEST", { fetch })),
    plan(text: string, fault: Fault) {
      planned.push({ text, fault });
    },
    goDown(fault: Fault) {
      down = fault;
    },
    comeBack() {
      down = undefined;
    },
    attempts: () => attempts,
    acceptedBy(chatId: number) {
      return accepted.filter((a) => a.chatId === chatId).map((a) => a.text);
    },
    accepted,
  };
}

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** Time that moves only when told, or when the delivery sleeps to respect rate limits. */
function fakeClock() {
  let ms = Date.now() + 60_000;
  return {
    now: () => new Date(ms),
    sleep: async (wait: number) => {
      ms += wait;
    },
    advance(seconds: number) {
      ms += seconds * 1000;
    },
  };
}

const FAULTS_THAT_WAIT: [string, Fault][] = [
  [
    "a 429 with retry_after",
    { kind: "telegram", error_code: 429, description: "Too Many Requests: retry after 7", retry_after: 7 },
  ],
  ["a 500", { kind: "telegram", error_code: 500, description: "Internal Server Error" }],
  ["a 502", { kind: "telegram", error_code: 502, description: "Bad Gateway" }],
  ["a 504", { kind: "telegram", error_code: 504, description: "Gateway Timeout" }],
  ["Telegram unreachable", { kind: "unreachable" }],
  ["a 401 (the token revoked)", { kind: "telegram", error_code: 401, description: "Unauthorized" }],
  [
    "a 409 (a conflict with another bot setup)",
    { kind: "telegram", error_code: 409, description: "Conflict: terminated by other getUpdates request" },
  ],
];

describe.each(DRIVERS)("outbox faults on $name", ({ open }) => {
  let handle: DatabaseHandle;
  let clock: ReturnType<typeof fakeClock>;
  let telegram: ReturnType<typeof faultyTelegram>;
  const logger = createLogger("silent");

  beforeAll(async () => {
    handle = await open();
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await handle.db.delete(outbox);
    clock = fakeClock();
    telegram = faultyTelegram();
  });

  function delivery(options: Partial<OutboxDeliveryOptions> = {}) {
    return createOutboxDelivery({
      db: handle.db,
      call: telegram.call,
      resolveChat: chatOf,
      logger,
      now: clock.now,
      sleep: clock.sleep,
      perChatIntervalMs: 0,
      maxPerSecond: 1_000_000,
      ...options,
    });
  }

  /** Rounds as the loop runs them, with `stepSeconds` passing between rounds, until nothing is pending. */
  async function drain(outboxDelivery: ReturnType<typeof delivery>, stepSeconds = 301, maxRounds = 200) {
    for (let i = 0; i < maxRounds; i++) {
      await outboxDelivery.runOnce();
      const pending = (await handle.db.select().from(outbox)).filter((r) => r.status === "pending");
      if (pending.length === 0) return;
      clock.advance(stepSeconds);
    }
    throw new Error("the outbox did not drain");
  }

  async function statuses() {
    return (await handle.db.select().from(outbox).orderBy(asc(outbox.id))).map((r) => r.status);
  }

  it.each(FAULTS_THAT_WAIT)("loses nothing and sends nothing twice after %s", async (_, fault) => {
    await enqueueMessages(handle.db, [text(member(1), "a1"), text(member(2), "b1"), text(member(1), "a2")]);
    telegram.plan("a1", fault);
    await drain(delivery());
    expect(telegram.acceptedBy(10_001)).toEqual(["a1", "a2"]);
    expect(telegram.acceptedBy(10_002)).toEqual(["b1"]);
    expect(await statuses()).toEqual(["sent", "sent", "sent"]);
  });

  it("sends a message twice at most when Telegram accepted it but the answer timed out, and the next one once", async () => {
    await enqueueMessages(handle.db, [text(member(1), "a1"), text(member(1), "a2")]);
    telegram.plan("a1", { kind: "accepted-then-timeout" });
    await drain(delivery());
    // The only duplicate the outbox allows: Telegram had the first copy, we could not know it.
    expect(telegram.acceptedBy(10_001)).toEqual(["a1", "a1", "a2"]);
    expect(await statuses()).toEqual(["sent", "sent"]);
  });

  it.each([
    ["chat not found", "Bad Request: chat not found"],
    [
      "can't parse entities",
      'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0',
    ],
  ])(
    "records a message Telegram refuses with 400 (%s) as failed and delivers everything else",
    async (phrase, description) => {
      await enqueueMessages(handle.db, [text(member(1), "a1"), text(member(1), "a2"), text(member(2), "b1")]);
      telegram.plan("a1", { kind: "telegram", error_code: 400, description });
      await drain(delivery());
      expect(telegram.acceptedBy(10_001)).toEqual(["a2"]);
      expect(telegram.acceptedBy(10_002)).toEqual(["b1"]);
      const rows = await handle.db.select().from(outbox).orderBy(asc(outbox.id));
      expect(rows.map((r) => r.status)).toEqual(["failed", "sent", "sent"]);
      // The code and what went wrong stay with the row (how much of the description is kept is the
      // privacy tests' business).
      expect(rows[0]?.lastError).toMatch(/^400 /);
      expect(rows[0]?.lastError).toContain(phrase);
    },
  );

  it.each<[string, Fault, number]>([
    ["unreachable for six hours", { kind: "unreachable" }, 6 * 3600],
    [
      "refusing the token (401) for two hours",
      { kind: "telegram", error_code: 401, description: "Unauthorized" },
      2 * 3600,
    ],
    [
      "answering 502 for two hours",
      { kind: "telegram", error_code: 502, description: "Bad Gateway" },
      2 * 3600,
    ],
  ])("drains the whole backlog once, in order, after Telegram was %s", async (_, fault, seconds) => {
    const messages = Array.from({ length: 30 }, (__, i) => text(member(i % 10), `m${i % 10}-${i}`));
    await enqueueMessages(handle.db, messages);
    const outboxDelivery = delivery();
    telegram.goDown(fault);
    // The loop keeps running through the outage, a round a minute.
    for (let elapsed = 0; elapsed < seconds; elapsed += 60) {
      await outboxDelivery.runOnce();
      clock.advance(60);
    }
    expect(telegram.accepted).toEqual([]);
    expect(telegram.attempts()).toBeGreaterThan(10);
    expect(new Set(await statuses())).toEqual(new Set(["pending"]));

    telegram.comeBack();
    await drain(outboxDelivery);
    expect(telegram.accepted).toHaveLength(30);
    for (let i = 0; i < 10; i++) {
      const expected = messages.filter((m) => m.recipient.id === String(i)).map((m) => m.payload.text);
      expect(telegram.acceptedBy(10_000 + i)).toEqual(expected);
    }
    expect(new Set(await statuses())).toEqual(new Set(["sent"]));
  });

  it("sends a message committed by a process that died before sending it, once, from the next process", async () => {
    await handle.db.transaction(async (tx) => {
      await enqueueMessages(tx, [text(member(1), "a1")]);
    });
    // The first process is gone: it never ran a round. A new one starts.
    await drain(delivery());
    await drain(delivery());
    expect(telegram.acceptedBy(10_001)).toEqual(["a1"]);
  });

  it("sends a message at most twice when the process died after Telegram took it, before marking it sent", async () => {
    await enqueueMessages(handle.db, [text(member(1), "a1"), text(member(1), "a2")]);
    let hasSent = false;
    const dying = delivery({
      lockSeconds: 30,
      // Telegram takes the message, then the process is killed: the answer is never recorded.
      call: async (method, params) => {
        await telegram.call(method, params);
        hasSent = true;
        return new Promise(() => {});
      },
    });
    void dying.runOnce();
    await vi.waitFor(() => expect(hasSent).toBe(true));

    const survivor = delivery({ lockSeconds: 30 });
    await survivor.runOnce();
    expect(telegram.acceptedBy(10_001)).toEqual(["a1"]);
    clock.advance(31);
    await drain(survivor);
    await drain(delivery());
    expect(telegram.acceptedBy(10_001)).toEqual(["a1", "a1", "a2"]);
    expect(await statuses()).toEqual(["sent", "sent"]);
  });

  it("sends a message at most twice when the database went down between sending and marking it sent", async () => {
    await enqueueMessages(handle.db, [text(member(1), "a1"), text(member(1), "a2")]);
    let isDown = false;
    // The database refuses every write once Telegram has answered, as a dropped connection would.
    const flaky = new Proxy(handle.db, {
      get(target, property, receiver) {
        if (isDown && property === "update") throw new Error("connection terminated");
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as Database;
    const broken = delivery({
      db: flaky,
      lockSeconds: 30,
      call: async (method, params) => {
        const result = await telegram.call(method, params);
        isDown = true;
        return result;
      },
    });
    await expect(broken.runOnce()).rejects.toThrow("connection terminated");

    isDown = false;
    const outboxDelivery = delivery({ lockSeconds: 30 });
    await outboxDelivery.runOnce();
    expect(telegram.acceptedBy(10_001)).toEqual(["a1"]);
    clock.advance(31);
    await drain(outboxDelivery);
    expect(telegram.acceptedBy(10_001)).toEqual(["a1", "a1", "a2"]);
    expect(await statuses()).toEqual(["sent", "sent"]);
  });
});
