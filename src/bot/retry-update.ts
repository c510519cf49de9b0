import { sql } from "drizzle-orm";
import { ConversationConflictError } from "../conversations/storage";
import type { Database } from "../db/executor";

/**
 * Thrown out of the bot when an update failed for a reason that handling it again will cure, so that it
 * is: in webhook mode the 500 makes Telegram redeliver it, in polling mode the poller retries it (see
 * run/polling.ts). Either the database did not answer, or another instance changed this person's
 * conversation meanwhile (its replay then sees that change).
 */
export class RetryUpdateError extends Error {
  override name = "RetryUpdateError";
  constructor(readonly reason: "database down" | "conversation conflict" | "held elsewhere") {
    super(reason);
  }
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
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_CODES.test(code)) return true;
  }
  return !(await databaseAnswers(db));
}

const CONNECTION_CODES =
  /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED|CONNECT_TIMEOUT|57P0[123]|08...)$/;

export async function databaseAnswers(db: Database): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Update ids whose person was already told that something went wrong: a redelivered or retried update
 * must not repeat that message while the outage lasts. Bounded; the oldest are forgotten first.
 */
export class ToldAboutOutage {
  private readonly ids = new Set<number>();
  constructor(private readonly limit = 10_000) {}

  has(updateId: number): boolean {
    return this.ids.has(updateId);
  }

  add(updateId: number): void {
    this.ids.add(updateId);
    if (this.ids.size > this.limit) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}
