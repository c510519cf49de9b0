import { and, eq, ne, or, type SQL, sql } from "drizzle-orm";
import { type Api, GrammyError, HttpError, type RawApi } from "grammy";
import { isConnectionLost } from "../db/client";
import { type Database, rowsOf } from "../db/executor";
import { outbox } from "../db/schema";
import { errorFields, type Logger } from "../logger";
import type { Sealer } from "../privacy/sealed";
import type { OutboxRecipient } from "./enqueue";

/**
 * Delivers the outbox. Each round claims due rows (the oldest pending row of each recipient only, so a
 * recipient's messages go in order even across processes), sends them without any transaction open,
 * then records the outcome.
 *
 * Delivery is at least once: a process that dies between Telegram's answer and the update marking the
 * row sent leaves the row locked; when `lockSeconds` pass, the next round sends it again. So a crash can
 * cause one duplicate, never a loss. For the same reason an API call must end before the lock does: give
 * the `Api` behind `call` a `timeoutSeconds` under `lockSeconds / 2` (grammY's default is 500 s).
 */
export type OutboxDeliveryOptions = {
  db: Database;
  /** Wired to grammY's `api.raw[method](params)`; throws `GrammyError` or `HttpError`. */
  call: (method: string, params: Record<string, unknown>) => Promise<unknown>;
  /** The recipient's chat id, or undefined when it no longer has one (an erased request). */
  resolveChat: (recipient: OutboxRecipient, method?: string) => Promise<number | undefined>;
  /** Opens payloads sealed by enqueueMessages. */
  sealer?: Sealer;
  /** Called after a row is sent, e.g. to remember which message shows which request. */
  onSent?: (sent: {
    dedupeKey: string;
    recipient: OutboxRecipient;
    messageId: number | undefined;
  }) => Promise<void>;
  /** Called once when Telegram answers 403 (bot blocked, account deactivated). */
  onUnreachable?: (recipient: OutboxRecipient) => Promise<void>;
  /** Called after a row reaches its final state, e.g. to report on a batch once all of it is done. */
  onSettled?: (settled: { dedupeKey: string; status: "sent" | "failed" | "unreachable" }) => Promise<void>;
  logger: Logger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  batchSize?: number;
  /** Calls per second from this process, all chats together. */
  maxPerSecond?: number;
  /** Minimum time between two calls to the same recipient from this process. */
  perChatIntervalMs?: number;
  lockSeconds?: number;
  /**
   * Attempts that end in a server error (5xx) or an error of our own before the row is given up as
   * failed. Network errors, timeouts, 401, 409 and 502-504 never give a row up: Telegram or the bot is
   * at fault, not the message.
   */
  maxAttempts?: number;
};

export type DeliveryRound = { sent: number; retried: number; failed: number; unreachable: number };

export type OutboxDelivery = {
  runOnce(): Promise<DeliveryRound>;
  /** Runs rounds every `pollMs`, at once after a round that did something, and at once on `wake()`. */
  start(pollMs?: number): void;
  wake(): void;
  /** Resolves when the round in progress has finished. */
  stop(): Promise<void>;
};

type ClaimedRow = {
  id: number;
  dedupeKey: string;
  recipient: OutboxRecipient;
  method: string;
  payload: Record<string, unknown>;
  attempts: number;
  lockedUntil: Date;
};

type Outcome =
  | { kind: "sent"; messageId: number | undefined }
  | { kind: "rate-limited"; retryAfterSeconds: number; error: string }
  | { kind: "transient"; error: string; code?: number }
  | { kind: "waiting-on-telegram"; error: string; code?: number }
  | { kind: "rejected"; error: string; code: number }
  | { kind: "blocked"; error: string }
  | { kind: "no-chat" };

const MAX_BACKOFF_SECONDS = 300;
const MAX_ERROR_LENGTH = 200;

export function createOutboxDelivery(options: OutboxDeliveryOptions): OutboxDelivery {
  const { db, call, resolveChat, onUnreachable, logger } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const batchSize = options.batchSize ?? 25;
  const lockSeconds = options.lockSeconds ?? 30;
  const maxAttempts = options.maxAttempts ?? 12;
  const pacer = createPacer(now, sleep, options.maxPerSecond ?? 25, options.perChatIntervalMs ?? 1000);

  async function runOnce(): Promise<DeliveryRound> {
    const round: DeliveryRound = { sent: 0, retried: 0, failed: 0, unreachable: 0 };
    const claimedAt = now();
    const rows = await claimDueRows(db, claimedAt, lockSeconds, batchSize);
    // Past half the lock, a call could still be running when another process takes the row over.
    const sendBefore = claimedAt.getTime() + (lockSeconds * 1000) / 2;
    for (const row of rows) {
      if (row.attempts > maxAttempts) {
        round.failed += await markFailed(db, row, "too many attempts");
        await notifySettled(row, "failed");
        continue;
      }
      const outcome = await deliver(row, sendBefore);
      if (outcome === undefined) {
        await untilRecorded(row, () => releaseClaim(db, row));
        continue;
      }
      await untilRecorded(row, () => recordOutcome(row, outcome, round));
    }
    return round;
  }

  /**
   * Records what happened to a claimed row, trying again while the database connection is what fails,
   * for as long as the claim is this process's. Given up at the first failure, the round would leave
   * this row and every other row it claimed locked until their lock ends: a message Telegram took would
   * go again, and each recipient's later messages would wait behind them (30 s after an outage of 3).
   * Each step is fenced on the claim or on the row's status, so running it again does nothing twice.
   */
  async function untilRecorded(row: ClaimedRow, record: () => Promise<void>): Promise<void> {
    for (let pause = 100; ; pause = Math.min(pause * 2, 1000)) {
      try {
        return await record();
      } catch (error) {
        const lockLeftMs = row.lockedUntil.getTime() - now().getTime();
        if (!isConnectionLost(error) || isStopping || lockLeftMs <= pause + 1000) throw error;
        await sleep(pause);
      }
    }
  }

  /** Undefined when the claim got too old to send safely. */
  async function deliver(row: ClaimedRow, sendBefore: number): Promise<Outcome | undefined> {
    try {
      const chatId = await resolveChat(row.recipient, row.method);
      if (chatId === undefined) return { kind: "no-chat" };
      await pacer.waitTurn(recipientKey(row.recipient));
      if (now().getTime() >= sendBefore) return undefined;
      pacer.recordCall(recipientKey(row.recipient));
      const result = await call(row.method, paramsFor(row, chatId, options.sealer));
      return { kind: "sent", messageId: messageIdOf(result) };
    } catch (error) {
      return classifyFailure(error);
    }
  }

  async function recordOutcome(row: ClaimedRow, outcome: Outcome, round: DeliveryRound): Promise<void> {
    const at = now();
    switch (outcome.kind) {
      case "sent":
        await markSent(db, row, at, outcome.messageId);
        round.sent += 1;
        if (options.onSent)
          await options
            .onSent({ dedupeKey: row.dedupeKey, recipient: row.recipient, messageId: outcome.messageId })
            .catch((error: unknown) =>
              logger.warn({ outboxId: row.id, error: errorFields(error) }, "after-send hook failed"),
            );
        await notifySettled(row, "sent");
        return;
      case "rate-limited":
        // Telegram's flood control is not the message's fault: the attempt is given back.
        await reschedule(
          db,
          row,
          new Date(at.getTime() + outcome.retryAfterSeconds * 1000),
          outcome.error,
          -1,
        );
        logger.warn(
          { outboxId: row.id, retryAfterSeconds: outcome.retryAfterSeconds },
          "outbox rate limited",
        );
        round.retried += 1;
        return;
      case "transient":
        if (row.attempts >= maxAttempts) {
          round.failed += await markFailed(db, row, outcome.error);
          logger.warn({ outboxId: row.id, method: row.method, code: outcome.code }, "outbox message failed");
          await notifySettled(row, "failed");
          return;
        }
        await reschedule(
          db,
          row,
          new Date(at.getTime() + backoffSeconds(row.attempts) * 1000),
          outcome.error,
          0,
        );
        round.retried += 1;
        return;
      case "waiting-on-telegram":
        // Telegram out of reach, or refusing the bot itself (token, conflict): not the message's fault,
        // so it is never given up, however long that lasts. It retries at the longest backoff, and the
        // attempt is given back once at the cap so that the claim's crash guard does not fail it either.
        await reschedule(
          db,
          row,
          new Date(at.getTime() + backoffSeconds(row.attempts) * 1000),
          outcome.error,
          row.attempts >= maxAttempts ? -1 : 0,
        );
        logger.warn({ outboxId: row.id, code: outcome.code }, "outbox waiting on Telegram");
        round.retried += 1;
        return;
      case "rejected":
        // Not even the code's description is logged; the row keeps the code and a known phrase.
        round.failed += await markFailed(db, row, outcome.error);
        logger.warn({ outboxId: row.id, method: row.method, code: outcome.code }, "outbox message failed");
        await notifySettled(row, "failed");
        return;
      case "blocked":
        round.unreachable += await markRecipientUnreachable(db, row, outcome.error);
        await notifyUnreachable(row);
        await notifySettled(row, "unreachable");
        return;
      case "no-chat":
        round.unreachable += await markRecipientUnreachable(db, row, "no chat");
        await notifySettled(row, "unreachable");
        return;
    }
  }

  async function notifySettled(row: ClaimedRow, status: "sent" | "failed" | "unreachable"): Promise<void> {
    if (!options.onSettled) return;
    try {
      await options.onSettled({ dedupeKey: row.dedupeKey, status });
    } catch (error) {
      logger.warn({ outboxId: row.id, error: errorFields(error) }, "outbox onSettled failed");
    }
  }

  async function notifyUnreachable(row: ClaimedRow): Promise<void> {
    if (!onUnreachable) return;
    try {
      await onUnreachable(row.recipient);
    } catch (error) {
      logger.error({ outboxId: row.id, err: errorFields(error) }, "outbox onUnreachable failed");
    }
  }

  let loop: Promise<void> | undefined;
  let isStopping = false;
  let isWoken = false;
  let endIdle: (() => void) | undefined;

  function idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      endIdle = done;
      function done() {
        clearTimeout(timer);
        endIdle = undefined;
        resolve();
      }
    });
  }

  return {
    runOnce,
    start(pollMs = 1000) {
      if (loop) return;
      isStopping = false;
      loop = (async () => {
        while (!isStopping) {
          isWoken = false;
          let didWork = false;
          try {
            const round = await runOnce();
            didWork = round.sent + round.retried + round.failed + round.unreachable > 0;
          } catch (error) {
            logger.error({ err: errorFields(error) }, "outbox round failed");
          }
          // A recipient's next message only becomes claimable once the previous one is settled.
          if (!isStopping && !didWork && !isWoken) await idle(pollMs);
        }
      })();
    },
    wake() {
      isWoken = true;
      endIdle?.();
    },
    async stop() {
      isStopping = true;
      endIdle?.();
      await loop;
      loop = undefined;
    },
  };
}

/**
 * One statement claims the oldest pending row of each recipient that is due and not locked. Under
 * concurrency the statement can start from a version of a row that another process has since claimed or
 * sent; status and lock must then be re-checked on the row as locked, or it is sent twice. PostgreSQL
 * re-evaluates `due`'s conditions on the newest version of each row FOR UPDATE locks, and the outer
 * update checks them again on the row it writes: either check alone holds (test/db/outbox.test.ts,
 * "never claims again a row..." opens that window on purpose); both stay, so that no plan change or edit
 * of one query loses it.
 * MATERIALIZED keeps the CTE from being inlined and re-run (which could claim past the limit).
 *
 * `heads` finds each recipient's oldest pending row by skipping through the partial index of pending rows
 * (one probe per recipient), instead of checking every pending row for an older one: on a cheque-day
 * burst (20,000 notices pending for 10 workers) that check took seconds per round, this takes
 * milliseconds (see bench/burst.ts).
 */
async function claimDueRows(
  db: Database,
  at: Date,
  lockSeconds: number,
  limit: number,
): Promise<ClaimedRow[]> {
  const lockedUntil = new Date(at.getTime() + lockSeconds * 1000);
  const atParam = at.toISOString();
  const rows = await queryRows<{
    id: string | number;
    dedupe_key: string;
    recipient_kind: OutboxRecipient["kind"];
    recipient_id: string;
    method: string;
    payload: Record<string, unknown>;
    attempts: number;
  }>(
    db,
    sql`
      with recursive heads as (
        (select recipient_kind, recipient_id, id from outbox
          where status = 'pending'
          order by recipient_kind, recipient_id, id
          limit 1)
        union all
        select next.recipient_kind, next.recipient_id, next.id from heads
        cross join lateral (
          select o.recipient_kind, o.recipient_id, o.id from outbox o
          where o.status = 'pending'
            and (o.recipient_kind, o.recipient_id) > (heads.recipient_kind, heads.recipient_id)
          order by o.recipient_kind, o.recipient_id, o.id
          limit 1
        ) next
      ),
      due as materialized (
        select o.id from outbox o
        where o.id = any (array(select id from heads))
          and o.status = 'pending'
          and o.next_attempt_at <= ${atParam}::timestamptz
          and (o.locked_until is null or o.locked_until < ${atParam}::timestamptz)
        order by o.id
        limit ${limit}
        for update of o skip locked
      )
      update outbox
      set locked_until = ${lockedUntil.toISOString()}::timestamptz, attempts = outbox.attempts + 1
      from due
      where outbox.id = due.id
        and outbox.status = 'pending'
        and (outbox.locked_until is null or outbox.locked_until < ${atParam}::timestamptz)
      returning outbox.id, outbox.dedupe_key, outbox.recipient_kind, outbox.recipient_id, outbox.method,
        outbox.payload, outbox.attempts`,
  );
  return rows
    .map((row) => ({
      id: Number(row.id),
      dedupeKey: row.dedupe_key,
      recipient: { kind: row.recipient_kind, id: row.recipient_id },
      method: row.method,
      payload: row.payload,
      attempts: row.attempts,
      lockedUntil,
    }))
    .sort((a, b) => a.id - b.id);
}

async function queryRows<Row>(db: Database, query: SQL): Promise<Row[]> {
  return rowsOf<Row>(await db.execute(query));
}

/** Payloads are sealed at enqueue when a sealer is given (they carry what people wrote). */
function openPayload(payload: Record<string, unknown>, sealer: Sealer | undefined): Record<string, unknown> {
  if (typeof payload.sealed !== "string") return payload;
  if (!sealer) throw new Error("a sealed outbox payload needs the sealer");
  return JSON.parse(sealer.open(payload.sealed)) as Record<string, unknown>;
}

/** The row is still ours: pending, and locked by this claim rather than a later one. */
function isClaimed(row: ClaimedRow) {
  return and(eq(outbox.id, row.id), eq(outbox.status, "pending"), eq(outbox.lockedUntil, row.lockedUntil));
}

async function markSent(db: Database, row: ClaimedRow, at: Date, messageId: number | undefined) {
  // Not fenced on the lock: the message did go out, whoever holds the row now.
  await db
    .update(outbox)
    // What was sent is not kept: the row stays only as a dedupe key until the sweep.
    .set({
      status: "sent",
      sentAt: at,
      sentMessageId: messageId ?? null,
      lockedUntil: null,
      lastError: null,
      payload: {},
    })
    .where(and(eq(outbox.id, row.id), eq(outbox.status, "pending")));
}

async function reschedule(
  db: Database,
  row: ClaimedRow,
  nextAttemptAt: Date,
  error: string,
  attemptsDelta: number,
) {
  await db
    .update(outbox)
    .set({
      nextAttemptAt,
      lockedUntil: null,
      lastError: error,
      attempts: sql`${outbox.attempts} + ${attemptsDelta}`,
    })
    .where(isClaimed(row));
}

async function releaseClaim(db: Database, row: ClaimedRow) {
  await db
    .update(outbox)
    .set({ lockedUntil: null, attempts: sql`${outbox.attempts} - 1` })
    .where(isClaimed(row));
}

async function markFailed(db: Database, row: ClaimedRow, error: string): Promise<number> {
  const updated = await db
    .update(outbox)
    .set({ status: "failed", lockedUntil: null, lastError: error, payload: {} })
    .where(isClaimed(row))
    .returning({ id: outbox.id });
  return updated.length;
}

/** A recipient that cannot be reached receives nothing more: its later pending rows go with this one. */
async function markRecipientUnreachable(db: Database, row: ClaimedRow, error: string): Promise<number> {
  const updated = await db
    .update(outbox)
    .set({ status: "unreachable", lockedUntil: null, lastError: error, payload: {} })
    .where(
      and(
        eq(outbox.recipientKind, row.recipient.kind),
        eq(outbox.recipientId, row.recipient.id),
        eq(outbox.status, "pending"),
        or(ne(outbox.id, row.id), eq(outbox.lockedUntil, row.lockedUntil)),
      ),
    )
    .returning({ id: outbox.id });
  return updated.length;
}

/** Adapts a grammY `Api` (with the bot's transformers, if any) to `call`. */
export function callThrough(api: Api): OutboxDeliveryOptions["call"] {
  type RawMethod = (params: Record<string, unknown>) => Promise<unknown>;
  return (method, params) => (api.raw[method as keyof RawApi] as unknown as RawMethod)(params);
}

// Telegram's descriptions can quote a piece of the message ("can't parse entities near …"): only these
// known phrases are kept, never the description itself.
const KNOWN_DESCRIPTIONS = [
  "chat not found",
  "bot was blocked by the user",
  "user is deactivated",
  "can't parse entities",
  "message is too long",
  "message text is empty",
  "wrong file identifier",
  "Too Many Requests",
  "Unauthorized",
  "Conflict",
  "Internal Server Error",
  "Bad Gateway",
];

/** Telegram's answer, reduced to what to do with the row: the code and a known phrase, nothing quoted. */
function classifyFailure(error: unknown): Outcome {
  if (error instanceof GrammyError) {
    const known = KNOWN_DESCRIPTIONS.find((phrase) => error.description.includes(phrase)) ?? "other";
    const reason = `${error.error_code} ${known}`.slice(0, MAX_ERROR_LENGTH);
    const code = error.error_code;
    if (code === 429) {
      return { kind: "rate-limited", retryAfterSeconds: error.parameters.retry_after ?? 5, error: reason };
    }
    if (code === 403) return { kind: "blocked", error: reason };
    // An edit that changes nothing: the message already reads as wanted.
    if (code === 400 && error.description.includes("message is not modified")) {
      return { kind: "sent", messageId: undefined };
    }
    // 401 is the bot's token, 409 its setup (a webhook or another poller), 502-504 Telegram's own gateways:
    // none is the message's fault, so the rows wait until that is over. A 500 could be, and counts.
    if (code === 401 || code === 409 || (code >= 502 && code <= 504))
      return { kind: "waiting-on-telegram", error: reason, code };
    if (code >= 500) return { kind: "transient", error: reason, code };
    return { kind: "rejected", error: reason, code };
  }
  // Unreachable or timed out (maybe after Telegram accepted the message: then it goes twice).
  if (error instanceof HttpError) return { kind: "waiting-on-telegram", error: "network error" };
  const { name, code } = errorFields(error);
  return { kind: "transient", error: code === undefined ? name : `${name} ${code}` };
}

function backoffSeconds(attempts: number): number {
  return Math.min(2 ** attempts, MAX_BACKOFF_SECONDS);
}

function messageIdOf(result: unknown): number | undefined {
  if (typeof result !== "object" || result === null || !("message_id" in result)) return undefined;
  return typeof result.message_id === "number" ? result.message_id : undefined;
}

function recipientKey(recipient: OutboxRecipient): string {
  return `${recipient.kind}:${recipient.id}`;
}

/** Spaces calls: `maxPerSecond` overall and one per `perChatIntervalMs` per recipient, in this process. */
function createPacer(
  now: () => Date,
  sleep: (ms: number) => Promise<void>,
  maxPerSecond: number,
  perChatIntervalMs: number,
) {
  const spacingMs = 1000 / maxPerSecond;
  let lastCallAt = Number.NEGATIVE_INFINITY;
  const lastCallTo = new Map<string, number>();
  return {
    async waitTurn(key: string): Promise<void> {
      const turn = Math.max(
        lastCallAt + spacingMs,
        (lastCallTo.get(key) ?? Number.NEGATIVE_INFINITY) + perChatIntervalMs,
      );
      const wait = turn - now().getTime();
      if (wait > 0) await sleep(wait);
    },
    recordCall(key: string): void {
      lastCallAt = now().getTime();
      lastCallTo.set(key, lastCallAt);
      for (const [other, at] of lastCallTo) {
        if (at + perChatIntervalMs <= lastCallAt) lastCallTo.delete(other);
      }
    },
  };
}

/** The Bot API parameters of a row: its payload and the chat, which a chat's own menu names in its scope. */
function paramsFor(row: ClaimedRow, chatId: number, sealer: Sealer | undefined): Record<string, unknown> {
  if (row.method === "deleteMyCommands") return { scope: { type: "chat", chat_id: chatId } };
  return { ...openPayload(row.payload, sealer), chat_id: chatId };
}
