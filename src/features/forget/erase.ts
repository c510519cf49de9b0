import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../../db/executor";
import { alertSubscribers, conversationState, languageChoices, outbox, requests } from "../../db/schema";
import { enqueueMessages, type OutboxMessage } from "../../outbox/enqueue";
import { withHtml } from "../../text/translate";
import { nicknameOf } from "../requests/notices";
import { ACTIVE_STATUSES, endRequest } from "../requests/queries";
import { type RequestDeps, tellWorkersOf } from "../requests/use-cases";

/**
 * `/oublier`: everything Perche holds about a person, erased in one transaction. Their requests end as
 * "withdrawn" for the workers who knew of them (that is all a worker learns), then every request, what
 * was said in it (cascade), what was waiting to be sent about it, their unfinished dialogue, their
 * language choice and their alert subscriptions are deleted. Running it twice finds nothing the second time.
 */
export type Forgotten = { requests: number; withdrawn: number; languageChoice: boolean; alerts: boolean };

/**
 * Who to forget: their pseudonyms as a person and as an alert subscriber, under the current key and,
 * during a key rotation, under each previous key too (rows not yet moved must not survive a forget).
 */
export type ForgetWho = { pseudonyms: string[]; alertsPseudonyms: string[] };

export async function forgetPerson(deps: RequestDeps, who: ForgetWho): Promise<Forgotten> {
  const { pseudonyms, alertsPseudonyms } = who;
  const now = deps.now();
  const result = await deps.db.transaction(async (tx) => {
    const theirs = await tx.select().from(requests).where(inArray(requests.personPseudonym, pseudonyms));
    const ids = theirs.map((r) => r.id);
    const notices: OutboxMessage[] = [];
    let withdrawn = 0;
    for (const request of theirs) {
      if (!(ACTIVE_STATUSES as readonly string[]).includes(request.status)) continue;
      const ended = await endRequest(tx, request.id, "withdrawn", now);
      if (!ended) continue;
      withdrawn += 1;
      notices.push(
        ...(await tellWorkersOf(deps, tx, ended, {
          // No request id in the key: nothing left in the outbox points back at an erased request.
          dedupe: (memberId) => `forgotten:${randomUUID()}:${memberId}`,
          line: (reader) =>
            reader.t("requests.notice.withdrawn", withHtml({ nickname: nicknameOf(request, reader) })),
          ending: true,
        })),
      );
    }
    if (ids.length > 0) {
      await deleteQueuedAbout(tx, ids);
      await tx.delete(requests).where(inArray(requests.id, ids));
    }
    await tx.delete(conversationState).where(inArray(conversationState.key, pseudonyms));
    const choice = await tx
      .delete(languageChoices)
      .where(inArray(languageChoices.pseudonym, pseudonyms))
      .returning({ pseudonym: languageChoices.pseudonym });
    // Alert subscriptions live under a pseudonym of their own purpose; their queued alerts go too.
    const subscribers = await tx
      .delete(alertSubscribers)
      .where(inArray(alertSubscribers.pseudonym, alertsPseudonyms))
      .returning({ id: alertSubscribers.id });
    if (subscribers.length > 0)
      await tx.delete(outbox).where(
        and(
          eq(outbox.recipientKind, "subscriber"),
          inArray(
            outbox.recipientId,
            subscribers.map((s) => String(s.id)),
          ),
        ),
      );
    // Queued after the deletions: "the person withdrew" is the one thing left to say, with no words of theirs.
    await enqueueMessages(tx, notices, deps.sealer);
    return {
      requests: ids.length,
      withdrawn,
      languageChoice: choice.length > 0,
      alerts: subscribers.length > 0,
    };
  });
  deps.outbox?.wake();
  return result;
}

/**
 * Outbox rows about these requests, waiting or kept as dedupe keys: to the person, and notices to
 * workers and groups (their dedupe keys carry the request id between colons; ids are base64url, so
 * `strpos` is exact). Relayed words queued a moment ago under `relay:<update>` go out within seconds
 * anyway, as if sent just before the person asked to be forgotten.
 */
async function deleteQueuedAbout(tx: Executor, ids: string[]): Promise<void> {
  await tx.delete(outbox).where(and(eq(outbox.recipientKind, "request"), inArray(outbox.recipientId, ids)));
  for (const id of ids) await tx.delete(outbox).where(sql`strpos(${outbox.dedupeKey}, ${`:${id}:`}) > 0`);
}
