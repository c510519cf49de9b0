import { and, inArray, lt } from "drizzle-orm";
import type { Executor } from "../db/executor";
import { requests } from "../db/schema";
import { purgePendingWords } from "../features/requests/pending-words";

/**
 * The retention promise, as a job that runs on a timer whether or not anyone writes: an ended request
 * (closed, withdrawn, expired) is deleted `retentionDays` after it ended, and everything said in it goes
 * with it (messages, notices and group notices cascade). Open and claimed requests are never touched
 * here: they end by expiry first. Abandoned dialogues and sent outbox rows have their own, shorter
 * sweeps in the request timers. Words a worker never said which request they were for go after a day.
 */
export type RetentionSettings = { retentionDays: number };

const ENDED = ["closed", "withdrawn", "expired"] as const;

export async function runRetention(
  db: Executor,
  now: Date,
  settings: RetentionSettings,
): Promise<{ requests: number }> {
  const cutoff = new Date(now.getTime() - settings.retentionDays * 24 * 60 * 60_000);
  const deleted = await db
    .delete(requests)
    .where(and(inArray(requests.status, [...ENDED]), lt(requests.endedAt, cutoff)))
    .returning({ id: requests.id });
  await purgePendingWords(db, now);
  return { requests: deleted.length };
}
