import type { Locale } from "../config";
import type { Database } from "../db/executor";
import { runFixed } from "../db/fixed-statement";
import { ROLES, type Role } from "../db/schema";
import { ACTIVE_STATUSES } from "../features/requests/queries";
import type { SnapshotClaim } from "./update-claim";

/**
 * What most updates need to know about the person and the directory, read in ONE round trip at the start
 * of the update: the language they picked, their conversation state, whether they are a team member or
 * have a request under way, and the directory's version. A lookup that changes nothing then needs no
 * other query (the benchmark's target: at most 2 round trips, no write).
 *
 * It is a picture taken when the update starts; anything the update itself changes is read again by the
 * code that changed it.
 */
export type PersonSnapshot = {
  /** The pseudonym it was taken for: a context whose pseudonym differs must not use it. */
  pseudonym: string;
  locale: Locale | undefined;
  /** The conversation_state row, or null when there is none. */
  conversation: { state: unknown; version: number } | null;
  /** An active (not revoked) member row exists for this person. */
  isMember: boolean;
  /** That member's role (a peer helper's words are relayed, a worker's answer): undefined for no member. */
  memberRole: Role | undefined;
  /** The person has an open or claimed request. */
  hasActiveRequest: boolean;
  /**
   * A request of theirs ended (closed, withdrawn, expired) within the last day and they were not told
   * yet: their next plain message gets a kind "it ended" rather than a lookup's "not found".
   */
  hasEndedUntold: boolean;
  directoryVersion: number | undefined;
};

// The request statuses are the code's own constants, checked to be plain words before they go in the text.
const ACTIVE = ACTIVE_STATUSES.map((status) => {
  if (!/^[a-z_]+$/.test(status)) throw new Error(`unexpected request status ${status}`);
  return `'${status}'`;
}).join(", ");

// Written once as text (src/db/fixed-statement.ts): $1 the person's pseudonym, $2 their member pseudonym,
// $3 now (the bot's clock, not the database's: tests and the bench move it).
const SNAPSHOT = `
  select
    (select locale from language_choices where pseudonym = $1) as locale,
    (select json_build_object('state', state, 'version', version)
       from conversation_state where key = $1) as conversation,
    (select role from members where pseudonym = $2 and revoked_at is null) as member_role,
    exists (select 1 from requests
             where person_pseudonym = $1 and status in (${ACTIVE})) as has_active_request,
    exists (select 1 from requests
             where person_pseudonym = $1 and status not in (${ACTIVE}) and end_told_at is null
               and ended_at > $3::timestamptz - interval '1 day') as has_ended_untold,
    (select version from directory_info where id = 1) as directory_version`;

export async function loadSnapshot(
  db: Database,
  pseudonym: string,
  memberPseudonym: string,
  now: Date,
  // Part 11: the update's claim, read or taken in this same statement (src/bot/update-claim.ts).
  claim?: SnapshotClaim,
): Promise<PersonSnapshot> {
  const [row] = await runFixed<{
    locale: string | null;
    conversation: { state: unknown; version: number } | string | null;
    member_role: string | null;
    has_active_request: boolean;
    has_ended_untold: boolean;
    directory_version: number | null;
    update_claim?: unknown;
    busy_elsewhere?: unknown;
  }>(
    db,
    claim ? claim.text(SNAPSHOT, 3) : SNAPSHOT,
    claim
      ? [pseudonym, memberPseudonym, now.toISOString(), ...claim.params]
      : [pseudonym, memberPseudonym, now.toISOString()],
  );
  claim?.read(row?.update_claim, row?.busy_elsewhere);
  // At most one active member per pseudonym (a unique index): the same probe as an `exists`.
  const memberRole = ROLES.find((role) => role === row?.member_role);
  const conversation =
    typeof row?.conversation === "string" ? JSON.parse(row.conversation) : row?.conversation;
  return {
    pseudonym,
    locale: row?.locale === "fr" || row?.locale === "en" ? row.locale : undefined,
    conversation: conversation ?? null,
    isMember: memberRole !== undefined,
    memberRole,
    hasActiveRequest: row?.has_active_request === true,
    hasEndedUntold: row?.has_ended_untold === true,
    directoryVersion: row?.directory_version ?? undefined,
  };
}

/** The update's snapshot, when it was taken for this context's person (a replayed dialogue step may differ). */
export function ownSnapshot(ctx: {
  snapshot?: PersonSnapshot;
  pseudonym?: string;
}): PersonSnapshot | undefined {
  return ctx.snapshot?.pseudonym === ctx.pseudonym ? ctx.snapshot : undefined;
}

/**
 * The snapshot says this person is neither on a team nor in a request (nor has one that just ended
 * unbeknown to them): most people, most of the time.
 */
export function onlyLooking(ctx: { snapshot?: PersonSnapshot; pseudonym?: string }): boolean {
  const snapshot = ownSnapshot(ctx);
  return snapshot?.isMember === false && !snapshot.hasActiveRequest && !snapshot.hasEndedUntold;
}
