import { and, count, desc, eq, gt, inArray, isNull, or, type SQLWrapper, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { type Executor, rowsOf, writeCtes } from "../../db/executor";
import { members, requestMessages, requestNotices, requests } from "../../db/schema";
import { enqueueIfStatement, type OutboxMessage } from "../../outbox/enqueue";
import type { Sealer } from "../../privacy/sealed";
import type { Member } from "../members/queries";
import { type RequestMedia, sealMedia } from "./media";
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
 * relay always read it), in one statement: claimed, most recently taken first; else the newest waiting.
 */
export async function heldRequestOf(db: Executor, personPseudonym: string): Promise<HeldRequest | undefined> {
  const [row] = await db
    .select({ request: requests, holder: members })
    .from(requests)
    .leftJoin(members, eq(members.id, requests.claimedByMemberId))
    .where(and(eq(requests.personPseudonym, personPseudonym), inArray(requests.status, ["open", "claimed"])))
    .orderBy(sql`${requests.claimedAt} desc nulls last`, desc(requests.createdAt))
    .limit(1);
  return row ? { request: row.request, holder: row.holder ?? undefined } : undefined;
}

/** A request a member can write to (or tried to), with its holder and its latest activity. */
export type HeldWithActivity = HeldRequest & { lastActivityAt: Date };

/**
 * Everything addressing needs about a worker's or peer's words, in ONE statement: the member (active),
 * the requests they hold (a worker: claimed by them; a peer: the ones they relay, waiting or claimed),
 * each with its holder and latest activity, and the request of the message they replied to
 * (`replyTo`, recorded in request_notices for their chat), whoever holds it now.
 */
export type MemberAddressing = {
  member: Member;
  held: HeldWithActivity[];
  /** The request the replied-to message belongs to: undefined when it belongs to none (or no reply). */
  replied: HeldRequest | undefined;
  /** The replied-to message belonged to a request that no longer exists. */
  repliedGone: boolean;
};

const holders = alias(members, "holder");

export async function memberAddressing(
  db: Executor,
  memberPseudonym: string,
  replyTo: number | undefined,
): Promise<MemberAddressing | undefined> {
  const replied =
    replyTo === undefined
      ? sql`null`
      : sql`(select n.request_id from ${requestNotices} n where n.member_id = ${members.id} and n.message_id = ${replyTo})`;
  const held = sql`(case when ${members.role} = 'peer'
      then ${requests.relayedByMemberId} = ${members.id} and ${requests.status} in ('open', 'claimed')
      else ${requests.status} = 'claimed' and ${requests.claimedByMemberId} = ${members.id} end)`;
  const rows = await db
    .select({
      member: members,
      request: requests,
      holder: holders,
      isHeld: sql<boolean>`coalesce(${held}, false)`,
      repliedId: sql<string | null>`${replied}`,
      lastActivity: sql<
        string | Date | null
      >`(select max(${requestMessages.createdAt}) from ${requestMessages}
        where ${requestMessages.requestId} = ${requests.id})`,
    })
    .from(members)
    .leftJoin(requests, or(held, eq(requests.id, sql`${replied}`)))
    .leftJoin(holders, eq(holders.id, requests.claimedByMemberId))
    .where(and(eq(members.pseudonym, memberPseudonym), isNull(members.revokedAt)));
  const [first] = rows;
  if (!first) return undefined;
  const heldRequests: HeldWithActivity[] = [];
  let repliedRequest: HeldRequest | undefined;
  for (const row of rows) {
    if (!row.request) continue;
    const entry = { request: row.request, holder: row.holder ?? undefined };
    if (row.request.id === row.repliedId) repliedRequest = entry;
    if (row.isHeld) {
      const since = row.request.claimedAt ?? row.request.createdAt;
      const last = row.lastActivity === null ? since : new Date(row.lastActivity);
      heldRequests.push({ ...entry, lastActivityAt: last > since ? last : since });
    }
  }
  return {
    member: first.member,
    held: heldRequests,
    replied: repliedRequest,
    repliedGone: first.repliedId !== null && repliedRequest === undefined,
  };
}

export type RelayedMessage = {
  requestId: string;
  author: "person" | "worker";
  memberId?: number;
  body: string;
  /** A person's photo or voice note, kept for whoever claims the request later (media.ts). */
  media?: RequestMedia;
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
      mediaEnc: message.media ? sealMedia(message.media, sealer) : null,
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
