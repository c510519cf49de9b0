import { and, count, desc, eq, gt, isNull, type SQLWrapper, sql } from "drizzle-orm";
import { type Executor, rowsOf, writeCtes } from "../../db/executor";
import { members, requestMessages, requestNotices, requests } from "../../db/schema";
import { enqueueIfStatement, type OutboxMessage } from "../../outbox/enqueue";
import type { Sealer } from "../../privacy/sealed";
import type { Member } from "../team/queries";
import type { Request } from "./queries";

/**
 * What a relayed message reads and writes: one statement each way. A relay is a read (who holds the
 * request, or which request a worker's words are for) and one write (the message, what relays it, and
 * the focus), with no transaction around them: one statement is all or nothing by itself, and the read
 * took no lock inside a transaction either.
 */

export type HeldRequest = { request: Request; holder: Member | undefined };

/**
 * The request a person is talking in, with the worker holding it (their row even if they left, as the
 * relay always read it), in one statement: claimed, most recently taken first, then newest.
 */
export async function heldRequestOf(db: Executor, personPseudonym: string): Promise<HeldRequest | undefined> {
  const [row] = await db
    .select({ request: requests, holder: members })
    .from(requests)
    .leftJoin(members, eq(members.id, requests.claimedByMemberId))
    .where(and(eq(requests.personPseudonym, personPseudonym), eq(requests.status, "claimed")))
    .orderBy(sql`${requests.claimedAt} desc nulls last`, desc(requests.createdAt))
    .limit(1);
  return row ? { request: row.request, holder: row.holder ?? undefined } : undefined;
}

/** A member, the request their words go to (by id, the request itself if it still exists). */
export type MemberTarget = { member: Member; requestId: string | null; request: Request | undefined };

/**
 * An active member and the request their words go to, in one statement: the request whose notice they
 * replied to (`replyTo`, the id of the message they answered), else the one in focus.
 */
export async function memberAndTarget(
  db: Executor,
  memberPseudonym: string,
  replyTo: number | undefined,
): Promise<MemberTarget | undefined> {
  const target = sql<string | null>`coalesce(${requestNotices.requestId}, ${members.focusRequestId})`;
  const [row] = await db
    .select({ member: members, requestId: target, request: requests })
    .from(members)
    .leftJoin(
      requestNotices,
      replyTo === undefined
        ? sql`false`
        : and(eq(requestNotices.memberId, members.id), eq(requestNotices.messageId, replyTo)),
    )
    .leftJoin(requests, eq(requests.id, target))
    .where(and(eq(members.pseudonym, memberPseudonym), isNull(members.revokedAt)));
  return row
    ? { member: row.member, requestId: row.requestId, request: row.request ?? undefined }
    : undefined;
}

export type RelayedMessage = {
  requestId: string;
  author: "person" | "worker";
  memberId?: number;
  body: string;
  /** The update it came in: a redelivered update adds nothing and relays nothing (a unique index). */
  sourceUpdateId: number;
  now: Date;
};

/**
 * Adds a message to a request's history (sealed) and, only when it is new, queues what relays it; the
 * writes `alongside` (a focus) go in too. ONE statement. With `countPersonSince`, also counts the
 * person's messages on that request since then, this one left out (for the flood notice).
 */
export async function addMessageAndRelay(
  db: Executor,
  message: RelayedMessage,
  relay: OutboxMessage[],
  sealer: Sealer,
  options: { alongside?: (SQLWrapper | undefined)[]; countPersonSince?: Date } = {},
): Promise<{ added: boolean; personBefore: number }> {
  const added = db
    .insert(requestMessages)
    .values({
      requestId: message.requestId,
      author: message.author,
      memberId: message.memberId ?? null,
      bodyEnc: sealer.seal(message.body),
      sourceUpdateId: message.sourceUpdateId,
      createdAt: message.now,
    })
    .onConflictDoNothing()
    .returning({ id: requestMessages.id });
  const relayed = enqueueIfStatement(relay, sql`exists (select 1 from added)`, sealer);
  // Builders render in parentheses when embedded, raw SQL does not: each is a CTE body either way.
  const ctes = [
    sql`added as ${added}`,
    ...(relayed ? [sql`relayed as (${relayed})`] : []),
    ...writeCtes(options.alongside ?? []),
  ];
  // Every CTE sees the database as it was before the statement: the count is of the messages before this one.
  const personBefore = options.countPersonSince
    ? sql`${db
        .select({ n: count() })
        .from(requestMessages)
        .where(
          and(
            eq(requestMessages.requestId, message.requestId),
            eq(requestMessages.author, "person"),
            gt(requestMessages.createdAt, options.countPersonSince),
          ),
        )}::int`
    : sql`0`;
  const [row] = rowsOf<{ added: number; person_before: number }>(
    await db.execute(
      sql`with ${sql.join(ctes, sql`, `)} select (select count(*) from added)::int as added, ${personBefore} as person_before`,
    ),
  );
  return { added: Number(row?.added ?? 0) > 0, personBefore: Number(row?.person_before ?? 0) };
}
