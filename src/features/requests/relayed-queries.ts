import { randomBytes } from "node:crypto";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Executor } from "../../db/executor";
import { members, requests } from "../../db/schema";
import { ACTIVE_STATUSES, type Request } from "./queries";
import type { HeldRequest } from "./relay-queries";

/** A peer helper relays for a few people at once, not for a crowd. */
export const MAX_RELAYED_REQUESTS = 10;

/**
 * The person a peer relays for has no pseudonym: each relayed request gets a fresh random one, so it
 * links to nobody and to no other request.
 */
export function freshRelayPseudonym(): string {
  return `relay-${randomBytes(24).toString("base64url")}`;
}

/** The peer's relayed requests still going, newest first. */
export async function activeRelayedBy(db: Executor, memberId: number): Promise<Request[]> {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.relayedByMemberId, memberId), inArray(requests.status, [...ACTIVE_STATUSES])))
    .orderBy(desc(requests.createdAt));
}

/** The relayed requests a worker holds: the ones the peer's words can go to. */
export async function heldRelayedBy(db: Executor, memberId: number): Promise<Request[]> {
  return (await heldRelayedWithHolders(db, memberId)).map((held) => held.request);
}

/** The relayed requests a worker holds, newest first, each with its holder: one statement. */
export async function heldRelayedWithHolders(db: Executor, memberId: number): Promise<HeldRequest[]> {
  const rows = await db
    .select({ request: requests, holder: members })
    .from(requests)
    .leftJoin(members, eq(members.id, requests.claimedByMemberId))
    .where(and(eq(requests.relayedByMemberId, memberId), eq(requests.status, "claimed")))
    .orderBy(desc(requests.createdAt));
  return rows.map((row) => ({ request: row.request, holder: row.holder ?? undefined }));
}
