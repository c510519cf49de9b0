import { sql } from "drizzle-orm";
import { GrammyError, HttpError } from "grammy";
import { ConversationConflictError } from "../conversations/storage";
import { isConnectionLost } from "../db/client";
import type { Database } from "../db/executor";

/**
 * Thrown out of the bot when an update failed for a reason that handling it again will cure, so that it
 * is: in webhook mode the 500 makes Telegram redeliver it, in polling mode the poller retries it (see
 * run/polling.ts). Either the database did not answer, or another instance changed this person's
 * conversation meanwhile (its replay then sees that change).
 */
export class RetryUpdateError extends Error {
  override name = "RetryUpdateError";
  constructor(
    readonly reason: "database down" | "telegram down" | "conversation conflict" | "held elsewhere",
  ) {
    super(reason);
  }
}

/**
 * Whether a Bot API call failed for want of Telegram (out of reach, 5xx, or still rate limited after the
 * retries in place), anywhere in the cause chain. A 4xx is an answer about the message itself: no retry.
 */
export function isTelegramDown(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof HttpError) return true;
    if (e instanceof GrammyError) return e.error_code >= 500 || e.error_code === 429;
  }
  return false;
}

export function isConversationConflict(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (e instanceof ConversationConflictError) return true;
  return false;
}

/**
 * Whether an update failed for want of the database: a connection lost or refused (postgres.js codes,
 * PostgreSQL's 57P0x shutdown and 08xxx connection classes, anywhere in the cause chain), or a database
 * that no longer answers at all (a closed PGlite, a server gone).
 */
export async function isDatabaseDown(error: unknown, db: Database): Promise<boolean> {
  return isConnectionLost(error) || !(await databaseAnswers(db));
}

export async function databaseAnswers(db: Database): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

/**
 * How often each update failed for want of the database, so that its person is told once, and only when
 * the outage lasts: a connection lost and replaced at once costs one retry and no message. Bounded; the
 * oldest are forgotten first.
 */
export class ToldAboutOutage {
  private readonly failures = new Map<number, number>();
  constructor(
    /** The failure on which the person is told (with pauses of 0.5, 1 and 2 s: about 1.5 s in). */
    private readonly tellOnFailure = 3,
    private readonly limit = 10_000,
  ) {}

  /** Counts one more failure of `updateId`: true on the one failure where its person is told. */
  shouldTell(updateId: number): boolean {
    const count = (this.failures.get(updateId) ?? 0) + 1;
    this.failures.delete(updateId);
    this.failures.set(updateId, count);
    if (this.failures.size > this.limit) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    return count === this.tellOnFailure;
  }
}
