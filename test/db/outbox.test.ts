import { asc, count, eq, sql } from "drizzle-orm";
import { Api } from "grammy";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { outbox } from "../../src/db/schema";
import { createLogger } from "../../src/logger";
import { callThrough, createOutboxDelivery, type OutboxDeliveryOptions } from "../../src/outbox/delivery";
import {
  enqueueIfStatement,
  enqueueMessages,
  type OutboxMessage,
  type OutboxRecipient,
} from "../../src/outbox/enqueue";
import { createSealer } from "../../src/privacy/sealed";
import { DRIVERS, TEST_DATABASE_URL } from "../support/database";
import { openPausedDeliverer } from "../support/paused-claim";

const ALICE: OutboxRecipient = { kind: "member", id: "1" };
const BOB: OutboxRecipient = { kind: "request", id: "r-1" };
const CAROL: OutboxRecipient = { kind: "member", id: "3" };
const ERASED: OutboxRecipient = { kind: "request", id: "r-erased" };
const CHATS: Record<string, number> = { "member:1": 1001, "request:r-1": 2002, "member:3": 3003 };

const resolveChat = async (recipient: OutboxRecipient) => CHATS[`${recipient.kind}:${recipient.id}`];

function text(recipient: OutboxRecipient, body: string): OutboxMessage {
  return { dedupeKey: `test:${body}`, recipient, method: "sendMessage", payload: { text: body } };
}

type TelegramReply =
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } }
  | "network";

const tooManyRequests: TelegramReply = {
  ok: false,
  error_code: 429,
  description: "Too Many Requests: retry after 3",
  parameters: { retry_after: 3 },
};
const badGateway: TelegramReply = { ok: false, error_code: 502, description: "Bad Gateway" };
const internalError: TelegramReply = { ok: false, error_code: 500, description: "Internal Server Error" };
const blocked: TelegramReply = {
  ok: false,
  error_code: 403,
  description: "Forbidden: bot was blocked by the user",
};

type TelegramCall = { method: string; params: Record<string, unknown>; at: number };

/**
 * The Bot API behind a real grammY `Api`: answers successes with a message id, and the replies planned
 * with `answer` to the first call whose text matches. `gate` holds calls until it resolves.
 */
function scriptedTelegram(clock: () => number) {
  const calls: TelegramCall[] = [];
  const planned: { text: string; reply: TelegramReply }[] = [];
  let nextMessageId = 500;
  let gate: Promise<void> | undefined;
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const params = JSON.parse(String(init?.body)) as Record<string, unknown>;
    calls.push({ method: url.split("/").pop() ?? "", params, at: clock() });
    await gate;
    const index = planned.findIndex((p) => p.text === params.text);
    const reply = index >= 0 ? planned.splice(index, 1)[0]?.reply : undefined;
    if (reply === "network") throw new TypeError("fetch failed");
    const body = reply ?? {
      ok: true,
      result: { message_id: nextMessageId++, date: 0, chat: { id: params.chat_id } },
    };
    return new Response(JSON.stringify(body), {
      status: reply ? reply.error_code : 200,
      headers: { "content-type": "application/json" },
    });
  }) as typeof globalThis.fetch;
  const api = new Api("123:TEST", { fetch });
  return {
    calls,
    call: callThrough(api),
    answer(text: string, reply: TelegramReply) {
      planned.push({ text, reply });
    },
    hold(): () => void {
      let release = () => {};
      gate = new Promise((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
      return release;
    },
    textsTo(chatId: number) {
      return calls.filter((c) => c.params.chat_id === chatId).map((c) => c.params.text);
    },
  };
}

/** Time that moves only when told, or when the delivery sleeps to respect rate limits. */
function fakeClock() {
  // Ahead of the database's clock, so rows it just stamped with now() are due.
  let ms = Date.now() + 60_000;
  return {
    ms: () => ms,
    now: () => new Date(ms),
    sleep: async (wait: number) => {
      ms += wait;
    },
    advance(seconds: number) {
      ms += seconds * 1000;
    },
  };
}

describe.each(DRIVERS)("outbox on $name", ({ name, open }) => {
  let handle: DatabaseHandle;
  let clock: ReturnType<typeof fakeClock>;
  let telegram: ReturnType<typeof scriptedTelegram>;
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
    telegram = scriptedTelegram(clock.ms);
  });

  function delivery(options: Partial<OutboxDeliveryOptions> = {}) {
    return createOutboxDelivery({
      db: handle.db,
      call: telegram.call,
      resolveChat,
      logger,
      now: clock.now,
      sleep: clock.sleep,
      ...options,
    });
  }

  /** Runs rounds until one does nothing. */
  async function drain(outboxDelivery: ReturnType<typeof delivery>) {
    for (let i = 0; i < 50; i++) {
      const round = await outboxDelivery.runOnce();
      if (round.sent + round.retried + round.failed + round.unreachable === 0) return;
    }
    throw new Error("the outbox did not drain");
  }

  async function rows() {
    return handle.db.select().from(outbox).orderBy(asc(outbox.id));
  }

  async function rowFor(body: string) {
    const [row] = await handle.db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `test:${body}`));
    if (!row) throw new Error(`no row for ${body}`);
    return row;
  }

  it("enqueues a message once however many times its dedupe key is written", async () => {
    expect(await enqueueMessages(handle.db, [text(ALICE, "hello")])).toBe(1);
    expect(await enqueueMessages(handle.db, [text(ALICE, "hello")])).toBe(0);
    expect(await enqueueMessages(handle.db, [text(ALICE, "hello"), text(BOB, "other")])).toBe(1);
    expect(await rows()).toHaveLength(2);
  });

  it("enqueues nothing, and says so, when given no message", async () => {
    expect(await enqueueMessages(handle.db, [])).toBe(0);
    expect(enqueueIfStatement([], sql`true`)).toBeUndefined();
    expect(await rows()).toHaveLength(0);
  });

  it("keeps the alert a message carries, so its author can be told how many received it", async () => {
    await enqueueMessages(handle.db, [{ ...text(ALICE, "alert"), alertId: 7 }, text(BOB, "plain")]);
    expect((await rows()).map((r) => [r.dedupeKey, r.alertId])).toEqual([
      ["test:alert", 7],
      ["test:plain", null],
    ]);
  });

  it("enqueues within a larger statement only when its condition holds, sealed, once per dedupe key", async () => {
    const sealer = createSealer(Buffer.alloc(32, 7).toString("base64"));
    const write = (condition: ReturnType<typeof sql>) =>
      handle.db.execute(
        enqueueIfStatement([{ ...text(ALICE, "if words"), alertId: 3 }, text(BOB, "b")], condition, sealer) ??
          sql`select 1`,
      );
    await write(sql`false`);
    expect(await rows()).toHaveLength(0);
    await write(sql`true`);
    await write(sql`true`);
    const stored = await rows();
    expect(stored.map((r) => [r.dedupeKey, r.recipientKind, r.recipientId, r.method, r.alertId])).toEqual([
      ["test:if words", "member", "1", "sendMessage", 3],
      ["test:b", "request", "r-1", "sendMessage", null],
    ]);
    expect(stored.map((r) => r.payload)).toEqual([
      { sealed: expect.any(String) },
      { sealed: expect.any(String) },
    ]);
    expect(stored.every((r) => r.status === "pending" && r.nextAttemptAt.getTime() === 0)).toBe(true);
    await drain(delivery({ sealer }));
    expect(telegram.textsTo(1001)).toEqual(["if words"]);
  });

  it("enqueues nothing when the transaction that caused the message is rolled back", async () => {
    await expect(
      handle.db.transaction(async (tx) => {
        await enqueueMessages(tx, [text(ALICE, "hello")]);
        throw new Error("the state change failed");
      }),
    ).rejects.toThrow("the state change failed");
    expect(await rows()).toHaveLength(0);
  });

  it("refuses a payload that names its chat, since the recipient is resolved at send time", async () => {
    const message = { ...text(ALICE, "hello"), payload: { chat_id: 1001, text: "hello" } };
    await expect(enqueueMessages(handle.db, [message])).rejects.toThrow("chat_id");
  });

  it("sends each recipient's messages in order, to its chat, with the payload as written", async () => {
    await enqueueMessages(handle.db, [
      text(ALICE, "a1"),
      text(BOB, "b1"),
      { ...text(ALICE, "a2"), payload: { text: "a2", parse_mode: "HTML" } },
      text(BOB, "b2"),
      text(ALICE, "a3"),
    ]);
    await drain(delivery());
    expect(telegram.textsTo(1001)).toEqual(["a1", "a2", "a3"]);
    expect(telegram.textsTo(2002)).toEqual(["b1", "b2"]);
    expect(telegram.calls.find((c) => c.params.text === "a2")).toMatchObject({
      method: "sendMessage",
      params: { chat_id: 1001, text: "a2", parse_mode: "HTML" },
    });
    const stored = await rows();
    expect(stored.map((r) => r.status)).toEqual(["sent", "sent", "sent", "sent", "sent"]);
    expect(new Set(stored.map((r) => r.sentMessageId)).size).toBe(5);
    expect(stored.every((r) => r.lockedUntil === null && r.sentAt !== null)).toBe(true);
  });

  it("keeps what people wrote sealed until it is sent, and nothing of it once sent, failed or unreachable", async () => {
    const sealer = createSealer(Buffer.alloc(32, 7).toString("base64"));
    const words = (dedupeKey: string, recipient: OutboxRecipient, body: string): OutboxMessage => ({
      ...text(recipient, body),
      dedupeKey,
    });
    await enqueueMessages(
      handle.db,
      [
        words("relayed", ALICE, "words to relay"),
        words("refused", BOB, "refused words"),
        words("nobody", ERASED, "words for nobody"),
      ],
      sealer,
    );
    const waiting = await rows();
    expect(waiting.map((r) => r.payload)).toEqual(Array(3).fill({ sealed: expect.any(String) }));
    expect(JSON.stringify(waiting)).not.toMatch(/words/);
    telegram.answer("refused words", {
      ok: false,
      error_code: 400,
      description: "Bad Request: message text is empty",
    });

    await drain(delivery({ sealer }));
    expect(telegram.textsTo(1001)).toEqual(["words to relay"]);
    expect((await rows()).map((r) => [r.dedupeKey, r.status, r.payload])).toEqual([
      ["relayed", "sent", {}],
      ["refused", "failed", {}],
      ["nobody", "unreachable", {}],
    ]);
  });

  it("waits out a 429's retry_after without spending an attempt, then sends the message once", async () => {
    await enqueueMessages(handle.db, [text(ALICE, "a1")]);
    telegram.answer("a1", tooManyRequests);
    const outboxDelivery = delivery({ maxAttempts: 1 });

    expect(await outboxDelivery.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0, unreachable: 0 });
    clock.advance(2.9);
    await outboxDelivery.runOnce();
    expect(telegram.calls).toHaveLength(1);

    clock.advance(0.1);
    expect(await outboxDelivery.runOnce()).toMatchObject({ sent: 1 });
    await drain(outboxDelivery);
    expect(telegram.textsTo(1001)).toEqual(["a1", "a1"]);
    expect(await rowFor("a1")).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("backs off exponentially after server and network errors, then sends", async () => {
    await enqueueMessages(handle.db, [text(ALICE, "a1")]);
    telegram.answer("a1", badGateway);
    telegram.answer("a1", "network");
    const outboxDelivery = delivery();

    await outboxDelivery.runOnce(); // 502 on attempt 1: back in 2 s
    expect(await rowFor("a1")).toMatchObject({ status: "pending", lastError: "502 Bad Gateway" });
    clock.advance(1.9);
    await outboxDelivery.runOnce();
    expect(telegram.calls).toHaveLength(1);
    clock.advance(0.1);
    await outboxDelivery.runOnce(); // network error on attempt 2: back in 4 s
    expect(telegram.calls).toHaveLength(2);
    clock.advance(3.9);
    await outboxDelivery.runOnce();
    expect(telegram.calls).toHaveLength(2);
    clock.advance(0.1);
    expect(await outboxDelivery.runOnce()).toMatchObject({ sent: 1 });
    expect(await rowFor("a1")).toMatchObject({ status: "sent", attempts: 3 });
  });

  it("gives a message up as failed after maxAttempts server errors", async () => {
    await enqueueMessages(handle.db, [text(ALICE, "a1")]);
    // A 500 can come from the message itself; 502-504 are Telegram's gateways and wait (faults.test.ts).
    telegram.answer("a1", internalError);
    telegram.answer("a1", internalError);
    const outboxDelivery = delivery({ maxAttempts: 2 });

    await outboxDelivery.runOnce();
    clock.advance(2);
    expect(await outboxDelivery.runOnce()).toMatchObject({ failed: 1 });
    clock.advance(600);
    await drain(outboxDelivery);
    expect(telegram.calls).toHaveLength(2);
    expect(await rowFor("a1")).toMatchObject({ status: "failed", lastError: "500 Internal Server Error" });
  });

  it("gives up without calling Telegram on a message whose sending kept dying past maxAttempts", async () => {
    await enqueueMessages(handle.db, [text(ALICE, "a1")]);
    await handle.db.update(outbox).set({ attempts: 2 });

    expect(await delivery({ maxAttempts: 2 }).runOnce()).toMatchObject({ failed: 1 });
    expect(telegram.calls).toHaveLength(0);
    expect(await rowFor("a1")).toMatchObject({ status: "failed", lastError: "too many attempts" });
  });

  it("counts an edit that changes nothing as sent", async () => {
    await enqueueMessages(handle.db, [
      { ...text(ALICE, "same"), method: "editMessageText", payload: { message_id: 7, text: "same" } },
    ]);
    telegram.answer("same", {
      ok: false,
      error_code: 400,
      description:
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same",
    });

    expect(await delivery().runOnce()).toMatchObject({ sent: 1, failed: 0 });
    expect(telegram.calls[0]).toMatchObject({
      method: "editMessageText",
      params: { chat_id: 1001, message_id: 7 },
    });
    expect(await rowFor("same")).toMatchObject({ status: "sent", sentMessageId: null });
  });

  it("stops sending to a recipient who blocked the bot, with everything queued for them, and says so once", async () => {
    await enqueueMessages(handle.db, [
      text(ALICE, "a1"),
      text(BOB, "b1"),
      text(ALICE, "a2"),
      text(ALICE, "a3"),
    ]);
    telegram.answer("a1", blocked);
    const onUnreachable = vi.fn(async (_recipient: OutboxRecipient) => {});
    const outboxDelivery = delivery({ onUnreachable });

    expect(await outboxDelivery.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0, unreachable: 3 });
    clock.advance(600);
    await drain(outboxDelivery);
    expect(telegram.textsTo(1001)).toEqual(["a1"]);
    expect(telegram.textsTo(2002)).toEqual(["b1"]);
    expect(onUnreachable).toHaveBeenCalledTimes(1);
    expect(onUnreachable).toHaveBeenCalledWith(ALICE);
    expect((await rows()).map((r) => r.status)).toEqual([
      "unreachable",
      "sent",
      "unreachable",
      "unreachable",
    ]);
  });

  it("fails a message Telegram refuses, keeping the code and a known phrase but nothing quoted, and goes on", async () => {
    await enqueueMessages(handle.db, [text(ALICE, "<b>confidential words"), text(ALICE, "a2")]);
    telegram.answer("<b>confidential words", {
      ok: false,
      error_code: 400,
      description: `Bad Request: can't parse entities near "<b>confidential words": ${"Can't find end of the entity. ".repeat(10)}`,
    });
    const outboxDelivery = delivery();

    expect(await outboxDelivery.runOnce()).toMatchObject({ failed: 1 });
    const failed = await rowFor("<b>confidential words");
    expect(failed.status).toBe("failed");
    expect(failed.lastError).toBe("400 can't parse entities");
    expect(failed.lastError).not.toContain("confidential");
    await drain(outboxDelivery);
    expect(telegram.textsTo(1001)).toEqual(["<b>confidential words", "a2"]);
  });

  it("does not let a recipient's second message overtake a first one that is being retried", async () => {
    await enqueueMessages(handle.db, [text(ALICE, "a1"), text(ALICE, "a2")]);
    telegram.answer("a1", badGateway);
    const outboxDelivery = delivery();

    await outboxDelivery.runOnce();
    clock.advance(1);
    await drain(outboxDelivery);
    expect(telegram.textsTo(1001)).toEqual(["a1"]);
    clock.advance(1);
    await drain(outboxDelivery);
    expect(telegram.textsTo(1001)).toEqual(["a1", "a1", "a2"]);
  });

  it("marks everything for a recipient whose chat cannot be resolved unreachable, without calling Telegram", async () => {
    await enqueueMessages(handle.db, [text(ERASED, "e1"), text(ERASED, "e2"), text(ALICE, "a1")]);
    const onUnreachable = vi.fn(async (_recipient: OutboxRecipient) => {});

    expect(await delivery({ onUnreachable }).runOnce()).toEqual({
      sent: 1,
      retried: 0,
      failed: 0,
      unreachable: 2,
    });
    expect(telegram.calls.map((c) => c.params.text)).toEqual(["a1"]);
    expect((await rows()).map((r) => r.status)).toEqual(["unreachable", "unreachable", "sent"]);
    expect(onUnreachable).not.toHaveBeenCalled();
  });

  it("spaces calls by perChatIntervalMs for one recipient and by maxPerSecond overall", async () => {
    await enqueueMessages(handle.db, [
      text(ALICE, "a1"),
      text(ALICE, "a2"),
      text(ALICE, "a3"),
      text(BOB, "b1"),
      text(CAROL, "c1"),
    ]);
    await drain(delivery({ maxPerSecond: 4, perChatIntervalMs: 1000 }));
    const gaps = (times: number[]) => times.slice(1).map((time, i) => time - (times[i] ?? time));
    expect(telegram.calls).toHaveLength(5);
    expect(Math.min(...gaps(telegram.calls.map((c) => c.at)))).toBe(250);
    const toAlice = telegram.calls.filter((c) => c.params.chat_id === 1001).map((c) => c.at);
    expect(gaps(toAlice)).toEqual([1000, 1000]);
  });

  it("leaves a claimed message for the next round rather than send it when half its lock has passed", async () => {
    await enqueueMessages(handle.db, [text(ALICE, "a1"), text(BOB, "b1"), text(CAROL, "c1")]);
    const outboxDelivery = delivery({ lockSeconds: 2, maxPerSecond: 1 });

    expect(await outboxDelivery.runOnce()).toMatchObject({ sent: 1 });
    expect(telegram.calls).toHaveLength(1);
    expect(await rowFor("b1")).toMatchObject({ status: "pending", attempts: 0, lockedUntil: null });
    await drain(outboxDelivery);
    expect(telegram.calls.map((c) => c.params.text)).toEqual(["a1", "b1", "c1"]);
  });

  it("sends again a message whose sender died before recording it, once the lock has expired", async () => {
    await enqueueMessages(handle.db, [text(ALICE, "a1")]);
    let isCalled = false;
    const dying = delivery({
      lockSeconds: 30,
      call: () => {
        isCalled = true;
        return new Promise(() => {});
      },
    });
    void dying.runOnce();
    await vi.waitFor(() => expect(isCalled).toBe(true));

    const survivor = delivery({ lockSeconds: 30 });
    await survivor.runOnce();
    expect(telegram.calls).toHaveLength(0);
    clock.advance(31);
    expect(await survivor.runOnce()).toMatchObject({ sent: 1 });
    expect(telegram.textsTo(1001)).toEqual(["a1"]);
  });

  it("delivers at once when woken, and stop waits for the round in progress", async () => {
    const outboxDelivery = delivery();
    outboxDelivery.start(60_000);
    try {
      await enqueueMessages(handle.db, [text(ALICE, "a1")]);
      outboxDelivery.wake();
      await vi.waitFor(async () => expect((await rowFor("a1")).status).toBe("sent"));

      const release = telegram.hold();
      await enqueueMessages(handle.db, [text(BOB, "b1")]);
      outboxDelivery.wake();
      await vi.waitFor(() => expect(telegram.textsTo(2002)).toEqual(["b1"]));
      let isStopped = false;
      const stopped = outboxDelivery.stop().then(() => {
        isStopped = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(isStopped).toBe(false);
      release();
      await stopped;
      expect((await rowFor("b1")).status).toBe("sent");
    } finally {
      await outboxDelivery.stop();
    }
  });

  // Two processes only make sense on a real server; on PGlite the block is not declared at all.
  if (name === "PostgreSQL")
    describe("with two processes", () => {
      it("never claims again a row another deliverer claimed and sent after this one's claim began", async () => {
        const [current] = rowsOf<{ name: string }>(
          await handle.db.execute(sql`select current_database() as name`),
        );
        const url = new URL(TEST_DATABASE_URL ?? "");
        url.pathname = `/${current?.name}`;
        const late = await openPausedDeliverer(url.href);
        try {
          await enqueueMessages(handle.db, [text(ALICE, "a1"), text(BOB, "b1")]);
          // The late deliverer's claim starts, sees both rows pending, and waits before locking them.
          await late.pause();
          const lateRound = delivery({ db: late.db }).runOnce();
          await vi.waitFor(async () => expect(await late.waiting()).toBe(true), { timeout: 20_000 });

          // Meanwhile the first deliverer claims, sends and settles both.
          expect(await delivery().runOnce()).toMatchObject({ sent: 2 });
          await late.resume();

          // Locked at last, the rows are no longer pending: the late claim must take none of them.
          expect(await lateRound).toEqual({ sent: 0, retried: 0, failed: 0, unreachable: 0 });
          expect(telegram.textsTo(1001)).toEqual(["a1"]);
          expect(telegram.textsTo(2002)).toEqual(["b1"]);
          expect((await rows()).map((r) => [r.status, r.attempts])).toEqual([
            ["sent", 1],
            ["sent", 1],
          ]);
        } finally {
          await late.resume().catch(() => {});
          await late.close();
        }
      });

      it("sends each of 200 messages for 20 recipients exactly once and in order", async () => {
        const messages = Array.from({ length: 200 }, (_, i) =>
          text({ kind: "member", id: `m${i % 20}` }, `m${i % 20}-${i}`),
        );
        await enqueueMessages(handle.db, messages);
        const chatOf = async (recipient: OutboxRecipient) => 10_000 + Number(recipient.id.slice(1));
        const slowCall: OutboxDeliveryOptions["call"] = async (method, params) => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
          return telegram.call(method, params);
        };
        const realTime = {
          now: () => new Date(),
          sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
        };
        const workers = [1, 2].map(() =>
          delivery({
            ...realTime,
            call: slowCall,
            resolveChat: chatOf,
            batchSize: 7,
            perChatIntervalMs: 0,
            maxPerSecond: 10_000,
          }),
        );

        const pending = async () => {
          const [row] = await handle.db
            .select({ n: count() })
            .from(outbox)
            .where(eq(outbox.status, "pending"));
          return row?.n ?? 0;
        };
        await Promise.all(
          workers.map(async (worker) => {
            while ((await pending()) > 0) await worker.runOnce();
          }),
        );

        const texts = telegram.calls.map((c) => String(c.params.text));
        expect(texts).toHaveLength(200);
        expect(new Set(texts).size).toBe(200);
        for (let i = 0; i < 20; i++) {
          const expected = messages.filter((m) => m.recipient.id === `m${i}`).map((m) => m.payload.text);
          expect(telegram.textsTo(10_000 + i)).toEqual(expected);
        }
      });
    });
});
