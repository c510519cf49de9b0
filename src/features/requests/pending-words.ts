import { and, eq, lt } from "drizzle-orm";
import type { Executor } from "../../db/executor";
import { pendingWords } from "../../db/schema";
import type { Sealer } from "../../privacy/sealed";
import type { RelayContent } from "./relay";

/**
 * Words a worker or peer wrote while holding several requests, kept sealed until they tap which request
 * they are for: a restart in between loses nothing, and the tap sends them with their own update id, so
 * a double tap (or two instances) sends them once.
 */
export type PendingWords = {
  id: number;
  sourceUpdateId: number;
  messageId: number;
  content: RelayContent;
};

type Deps = { db: Executor; sealer: Sealer; now: () => Date };

// A day is long enough to answer "which request?"; older words are dropped by the hourly sweep.
export const PENDING_WORDS_HOURS = 24;

/** rq:which:<pending id>:<request id>: 9 + 10 + 1 + 12 bytes, well within Telegram's 64. */
export const whichCallback = (pendingId: number, requestId: string) => `rq:which:${pendingId}:${requestId}`;

/** Keeps the words (once per update: a redelivered one finds them kept) and returns their id. */
export async function keepPendingWords(
  deps: Deps,
  memberId: number,
  sourceUpdateId: number,
  words: { content: RelayContent; messageId: number },
): Promise<number> {
  const [kept] = await deps.db
    .insert(pendingWords)
    .values({
      memberId,
      sourceUpdateId,
      messageId: words.messageId,
      contentEnc: deps.sealer.seal(JSON.stringify(words.content)),
      createdAt: deps.now(),
    })
    .onConflictDoUpdate({ target: pendingWords.sourceUpdateId, set: { memberId } })
    .returning({ id: pendingWords.id });
  if (!kept) throw new Error("pending words not kept");
  return kept.id;
}

/** The member's own kept words, or undefined (sent already, dropped, or not theirs). */
export async function pendingWordsOf(
  deps: Deps,
  id: number,
  memberId: number,
): Promise<PendingWords | undefined> {
  const [row] = await deps.db
    .select()
    .from(pendingWords)
    .where(and(eq(pendingWords.id, id), eq(pendingWords.memberId, memberId)));
  if (!row) return undefined;
  return {
    id: row.id,
    sourceUpdateId: row.sourceUpdateId,
    messageId: row.messageId,
    content: JSON.parse(deps.sealer.open(row.contentEnc)) as RelayContent,
  };
}

/** Unsent: goes within the statement that relays the words. */
export function deletePendingStatement(db: Executor, id: number) {
  return db.delete(pendingWords).where(eq(pendingWords.id, id));
}

/** Drops words nobody said where to send within PENDING_WORDS_HOURS. */
export async function purgePendingWords(db: Executor, now: Date): Promise<number> {
  const dropped = await db
    .delete(pendingWords)
    .where(lt(pendingWords.createdAt, new Date(now.getTime() - PENDING_WORDS_HOURS * 3_600_000)))
    .returning({ id: pendingWords.id });
  return dropped.length;
}
