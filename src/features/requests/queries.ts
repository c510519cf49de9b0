import { randomBytes } from "node:crypto";
import { and, asc, desc, eq, gt, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Locale } from "../../config";
import type { Executor } from "../../db/executor";
import {
  type AnswerMode,
  members,
  type RequestCategory,
  requestMessages,
  requestNotices,
  requests,
  teamGroups,
} from "../../db/schema";
import type { OutboxMessage } from "../../outbox/enqueue";
import { enqueueMessages } from "../../outbox/enqueue";
import type { Sealer } from "../../privacy/sealed";
import { countRequestEnd } from "../../stats/counters";
import { isOnCall } from "../members/queries";
import { mediaMark, type RequestMedia, sealMedia } from "./media";
import type { Nickname } from "./nickname";

/** Query functions for requests. The use cases (requests/use-cases.ts) own the transactions. */

export type Request = typeof requests.$inferSelect;
export type Member = typeof members.$inferSelect;

export const ACTIVE_STATUSES = ["open", "claimed"] as const;
// At most this many requests open at once per person: enough for real needs, not for a flood.
export const MAX_ACTIVE_REQUESTS = 3;

export function newRequestId(): string {
  return randomBytes(9).toString("base64url");
}

export type NewRequest = {
  id: string;
  organisationId: string;
  personPseudonym: string;
  chatIdEnc: string;
  nickname: Nickname;
  locale: Locale;
  category: RequestCategory;
  answerMode: AnswerMode;
  meetSiteId: string | null;
  areaPlaceId: string | null;
  message: string | null;
  createdAt: Date;
  sourceUpdateId: number | null;
  /** Part 3 (peers): opened by a peer helper for someone with them. */
  relayedBy?: { memberId: number; alias: string };
};

/**
 * The row a new request becomes, every column given: the notices about it can be written in the same
 * statement as the request itself. Delivered when someone is on call to get its notice now.
 */
export function newRequestRow(request: NewRequest, deliveredAt: Date | null): Request {
  return {
    id: request.id,
    organisationId: request.organisationId,
    personPseudonym: request.personPseudonym,
    chatIdEnc: request.chatIdEnc,
    nicknameAnimal: request.nickname.animal,
    nicknameColour: request.nickname.colour,
    locale: request.locale,
    category: request.category,
    answerMode: request.answerMode,
    meetSiteId: request.meetSiteId,
    areaPlaceId: request.areaPlaceId,
    status: "open",
    claimedByMemberId: null,
    outcome: null,
    createdAt: request.createdAt,
    deliveredAt,
    claimedAt: null,
    endedAt: null,
    escalationLevel: 0,
    sourceUpdateId: request.sourceUpdateId,
    relayedByMemberId: request.relayedBy?.memberId ?? null,
    relayedVia: request.relayedBy?.alias ?? null,
    endToldAt: null,
  };
}

/** The statements that write a new request and the person's first words, unsent (see inOneStatement). */
export function insertRequestStatements(
  db: Executor,
  row: Request,
  message: string | null,
  sealer: Sealer,
  attachment?: RequestMedia,
) {
  const words = [
    ...(message ? [{ bodyEnc: sealer.seal(message), mediaEnc: null }] : []),
    // The voice note or photo they chose to pass on before writing anything (fallback.ts).
    ...(attachment
      ? [{ bodyEnc: sealer.seal(mediaMark(attachment)), mediaEnc: sealMedia(attachment, sealer) }]
      : []),
  ];
  return [
    db.insert(requests).values(row),
    words.length > 0
      ? db.insert(requestMessages).values(
          words.map((w) => ({
            ...w,
            requestId: row.id,
            author: "person" as const,
            createdAt: row.createdAt,
          })),
        )
      : undefined,
  ];
}

export async function insertRequest(db: Executor, request: NewRequest, sealer: Sealer): Promise<Request> {
  const [row] = await db.insert(requests).values(newRequestRow(request, null)).returning();
  if (!row) throw new Error("request insert returned nothing");
  if (request.message)
    await db.insert(requestMessages).values({
      requestId: row.id,
      author: "person",
      bodyEnc: sealer.seal(request.message),
      createdAt: request.createdAt,
    });
  return row;
}

export async function activeRequestsOf(db: Executor, personPseudonym: string): Promise<Request[]> {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.personPseudonym, personPseudonym), inArray(requests.status, [...ACTIVE_STATUSES])))
    .orderBy(desc(requests.createdAt));
}

export async function heldBy(db: Executor, memberId: number): Promise<Request[]> {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, "claimed"), eq(requests.claimedByMemberId, memberId)))
    .orderBy(asc(requests.claimedAt));
}

export async function getRequest(db: Executor, id: string): Promise<Request | undefined> {
  const [row] = await db.select().from(requests).where(eq(requests.id, id));
  return row;
}

/** The alias of whoever holds a request, if someone does. */
export async function holderAlias(db: Executor, request: Request): Promise<string | undefined> {
  if (request.claimedByMemberId === null) return undefined;
  const [holder] = await db
    .select({ alias: members.alias })
    .from(members)
    .where(eq(members.id, request.claimedByMemberId));
  return holder?.alias;
}

/**
 * The person's requests that ended within the day and were not told about: marked told (one write), the
 * latest returned so the person hears its nickname once. Undefined when another update told them first.
 */
export async function markEndTold(
  db: Executor,
  personPseudonym: string,
  now: Date,
): Promise<Request | undefined> {
  const told = await db
    .update(requests)
    .set({ endToldAt: now })
    .where(
      and(
        eq(requests.personPseudonym, personPseudonym),
        inArray(requests.status, ["closed", "withdrawn", "expired"]),
        isNull(requests.endToldAt),
        gt(requests.endedAt, new Date(now.getTime() - 24 * 3_600_000)),
      ),
    )
    .returning();
  return told.sort((a, b) => (b.endedAt?.getTime() ?? 0) - (a.endedAt?.getTime() ?? 0))[0];
}

/** Ends a request. Its sealed chat id is erased once the last message to the person has gone (eraseEndedChatIds). */
export async function endRequest(
  db: Executor,
  id: string,
  status: "closed" | "withdrawn" | "expired",
  now: Date,
  outcome: string | null = null,
  holderId?: number,
): Promise<Request | undefined> {
  const [row] = await db
    .update(requests)
    .set({ status, endedAt: now, outcome })
    // With a holder given, only while they still hold it: a close cannot land on a request handed on.
    .where(
      and(
        eq(requests.id, id),
        inArray(requests.status, [...ACTIVE_STATUSES]),
        holderId === undefined ? undefined : eq(requests.claimedByMemberId, holderId),
      ),
    )
    .returning();
  if (row) await countRequestEnd(db, now, row);
  return row;
}

export async function releaseRequest(
  db: Executor,
  id: string,
  memberId: number,
): Promise<Request | undefined> {
  const [row] = await db
    .update(requests)
    .set({ status: "open", claimedByMemberId: null, claimedAt: null })
    .where(and(eq(requests.id, id), eq(requests.status, "claimed"), eq(requests.claimedByMemberId, memberId)))
    .returning();
  return row;
}

/** Adds a message once per Telegram update: a redelivered update finds its message already there. */
export async function addMessage(
  db: Executor,
  params: {
    requestId: string;
    author: "person" | "worker" | "system";
    memberId?: number;
    body: string;
    sourceUpdateId?: number;
    now: Date;
  },
  sealer: Sealer,
): Promise<boolean> {
  const inserted = await db
    .insert(requestMessages)
    .values({
      requestId: params.requestId,
      author: params.author,
      memberId: params.memberId ?? null,
      bodyEnc: sealer.seal(params.body),
      sourceUpdateId: params.sourceUpdateId ?? null,
      createdAt: params.now,
    })
    .onConflictDoNothing()
    .returning({ id: requestMessages.id });
  return inserted.length > 0;
}

export async function messagesOf(db: Executor, requestId: string, sealer: Sealer) {
  const rows = await db
    .select()
    .from(requestMessages)
    .where(eq(requestMessages.requestId, requestId))
    .orderBy(asc(requestMessages.id));
  return rows.map((r) => ({
    id: r.id,
    author: r.author,
    memberId: r.memberId,
    body: sealer.open(r.bodyEnc),
    // Still sealed: only a hand-over opens it, to send the note itself (media.ts).
    mediaEnc: r.mediaEnc,
    createdAt: r.createdAt,
  }));
}

export async function recordNotice(
  db: Executor,
  requestId: string,
  memberId: number,
  messageId: number,
): Promise<void> {
  // The request may be gone by the time its notice is delivered (erased with /oublier): then there is
  // nothing to answer, and nothing to record.
  await db.execute(sql`
    insert into ${requestNotices} (request_id, member_id, message_id)
    select ${requestId}, ${memberId}, ${messageId}
    where exists (select 1 from ${requests} where ${requests.id} = ${requestId})
    on conflict do nothing`);
}

export async function noticesOf(db: Executor, requestId: string) {
  return db.select().from(requestNotices).where(eq(requestNotices.requestId, requestId));
}

/** The member's focus, chosen at `at` (by an explicit act: see addressing.ts); null clears it. */
export async function setFocus(
  db: Executor,
  memberId: number,
  requestId: string | null,
  at: Date | null = null,
): Promise<void> {
  await setFocusStatement(db, memberId, requestId, at);
}

/** The statement setFocus runs, unsent: to send it within a larger one (see inOneStatement). */
export function setFocusStatement(db: Executor, memberId: number, requestId: string | null, at: Date | null) {
  return db
    .update(members)
    .set({ focusRequestId: requestId, focusSetAt: requestId === null ? null : at })
    .where(eq(members.id, memberId));
}

/**
 * Remembers that a message in a member's chat belongs to a request (their own words, a 💬 prompt), so
 * that a Telegram reply to it goes to that request. Unsent: to go within a larger statement.
 */
export async function recordMessage(
  db: Executor,
  requestId: string,
  memberId: number,
  messageId: number,
): Promise<void> {
  await recordMessageStatement(db, requestId, memberId, messageId);
}

export function recordMessageStatement(db: Executor, requestId: string, memberId: number, messageId: number) {
  return db.insert(requestNotices).values({ requestId, memberId, messageId }).onConflictDoNothing();
}

/** Open requests that no worker was told about yet (nobody was on call), oldest first. */
export async function undeliveredRequests(db: Executor): Promise<Request[]> {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, "open"), isNull(requests.deliveredAt)))
    .orderBy(asc(requests.createdAt));
}

export async function markDelivered(db: Executor, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.update(requests).set({ deliveredAt: now }).where(inArray(requests.id, ids));
}

/** Every message about a request goes into the outbox sealed with the deployment's key. */
export async function enqueue(
  deps: { sealer: Sealer },
  db: Executor,
  messages: OutboxMessage[],
): Promise<number> {
  return enqueueMessages(db, messages, deps.sealer);
}

// A worker or coordinator who can be reached: the members a request can go to (peers relay, never answer).
const reachableTeamMember = and(
  isNull(members.revokedAt),
  isNull(members.unreachableSince),
  inArray(members.role, ["worker", "admin"]),
);

/** Every worker and coordinator who can be reached, in every organisation. */
export async function reachableTeam(db: Executor): Promise<Member[]> {
  return db.select().from(members).where(reachableTeamMember);
}

/** Organisations that have at least one reachable worker or coordinator, with how many are on call now. */
export async function organisationsWithTeams(
  db: Executor,
  now: Date,
): Promise<{ organisationId: string; onCall: number }[]> {
  return teamsOf(await db.select().from(members).where(reachableTeamMember), now);
}

/** The organisations of these reachable team members, with how many of them are on call now. Pure. */
export function teamsOf(team: Member[], now: Date): { organisationId: string; onCall: number }[] {
  const teams = new Map<string, number>();
  for (const m of team)
    teams.set(m.organisationId, (teams.get(m.organisationId) ?? 0) + (isOnCall(m, now) ? 1 : 0));
  return [...teams].map(([organisationId, onCall]) => ({ organisationId, onCall }));
}

export type SubmitFacts = {
  /** The request this update already made: a redelivered "send", or the same one on two instances. */
  already: Request | undefined;
  /** How many requests the person (or the peer helper relaying) has under way. */
  active: number;
  /** Every reachable worker and coordinator, by id (none when `already`), with their team's group. */
  team: (Member & { teamHasGroup: boolean })[];
  /** The nicknames of every request under way (`nicknameKey`), so a new one is drawn among the others. */
  nicknamesInUse: Set<string>;
};

/**
 * Everything sending a request reads, in ONE statement: the request this update may already have made,
 * the requests under way, and the members it could go to with whether their team registered a group.
 */
const activeStatusList = (): SQL =>
  sql.join(
    ACTIVE_STATUSES.map((status) => sql`${status}`),
    sql`, `,
  );

export async function submitFacts(
  db: Executor,
  params: { sourceUpdateId: number | undefined; personPseudonym: string; relayedByMemberId?: number },
): Promise<SubmitFacts> {
  const statuses = activeStatusList();
  const whose =
    params.relayedByMemberId !== undefined
      ? sql`a.relayed_by_member_id = ${params.relayedByMemberId}`
      : sql`a.person_pseudonym = ${params.personPseudonym}`;
  const rows = await db
    .select({
      already: requests,
      active:
        sql<number>`(select count(*) from requests a where ${whose} and a.status in (${statuses}))`.mapWith(
          Number,
        ),
      member: members,
      teamHasGroup: sql<boolean>`${teamGroups.organisationId} is not null`,
      inUse: nicknamesInUseColumn(statuses),
    })
    // One row of facts, widened to one per member; members are only read when this update made no request.
    .from(sql`(select 1) as facts`)
    .leftJoin(
      requests,
      params.sourceUpdateId === undefined ? sql`false` : eq(requests.sourceUpdateId, params.sourceUpdateId),
    )
    .leftJoin(members, and(isNull(requests.id), reachableTeamMember))
    .leftJoin(teamGroups, eq(teamGroups.organisationId, members.organisationId))
    .orderBy(asc(members.id));
  return {
    already: rows[0]?.already ?? undefined,
    active: rows[0]?.active ?? 0,
    team: rows.flatMap((r) => (r.member ? [{ ...r.member, teamHasGroup: r.teamHasGroup }] : [])),
    nicknamesInUse: new Set(rows[0]?.inUse ? rows[0].inUse.split(",") : []),
  };
}

/** "animal:colour" of every request under way, comma-separated (the words hold neither character). */
function nicknamesInUseColumn(statuses: SQL) {
  return sql<
    string | null
  >`(select string_agg(distinct a.nickname_animal || ':' || a.nickname_colour, ',') from requests a where a.status in (${statuses}))`;
}

/** The same, read on its own, for a request made outside `submitFacts` (a peer's call for backup). */
export async function nicknamesInUse(db: Executor): Promise<Set<string>> {
  const rows = await db
    .select({ inUse: nicknamesInUseColumn(activeStatusList()) })
    .from(sql`(select 1) as facts`);
  return new Set(rows[0]?.inUse ? rows[0].inUse.split(",") : []);
}

/**
 * Erases the chat id of ended requests once nothing is waiting to be sent to them: from then on nobody
 * can write to the person through that request.
 */
export async function eraseEndedChatIds(db: Executor): Promise<number> {
  const erased = await db
    .update(requests)
    .set({ chatIdEnc: null })
    .where(
      and(
        inArray(requests.status, ["closed", "withdrawn", "expired"]),
        sql`${requests.chatIdEnc} is not null`,
        sql`not exists (select 1 from outbox o where o.recipient_kind = 'request' and o.recipient_id = ${requests.id} and o.status = 'pending')`,
      ),
    )
    .returning({ id: requests.id });
  return erased.length;
}
