import { and, eq, getTableColumns, or, sql } from "drizzle-orm";
import type { Locale } from "../../config";
import type { Executor } from "../../db/executor";
import { groupNotices, members, referrals, requestMessages, requestNotices, requests } from "../../db/schema";
import type { Request } from "./queries";

export type Announcement =
  | { kind: "group"; organisationId: string; messageId: number }
  | { kind: "member"; memberId: number; messageId: number; locale: Locale | null };

export type ClaimFacts = {
  claimed: Request;
  /** Every message that announced it: the team groups' first, then each worker's, by id. */
  announcements: Announcement[];
  /** It was referred to the claimer's organisation, which accepted: what was said before goes with it. */
  referred: boolean;
  /** The person's photos and voice notes, oldest first, still sealed (media.ts): the claimer receives them. */
  media: { messageId: number; sealed: string }[];
};

/**
 * The first claim wins: the request is taken only while it is still open, and only by a member of the
 * organisation it is filed under or one who was told about it (an old button after a referral finds
 * nothing to claim). The same statement reads what
 * the claim then needs (ClaimFacts). Undefined when nothing was claimed; a claim that lost a race reads
 * the request again in a statement of its own, which sees the winner's commit.
 */
export async function claimWithFacts(
  db: Executor,
  id: string,
  member: { id: number; organisationId: string },
  now: Date,
): Promise<ClaimFacts | undefined> {
  const claimed = db.$with("claimed").as(
    db
      .update(requests)
      // A request can reach several organisations (routing.ts): whoever claims it brings it into theirs.
      .set({
        status: "claimed",
        claimedByMemberId: member.id,
        claimedAt: now,
        organisationId: member.organisationId,
      })
      .where(
        and(
          eq(requests.id, id),
          eq(requests.status, "open"),
          or(
            eq(requests.organisationId, member.organisationId),
            // Told about it (in private or in their team's group), unless it was referred since.
            sql`(not exists (select 1 from ${referrals} r where r.request_id = ${id} and r.status = 'accepted')
              and (exists (select 1 from ${requestNotices} n where n.request_id = ${id} and n.member_id = ${member.id})
                or exists (select 1 from ${groupNotices} g where g.request_id = ${id} and g.organisation_id = ${member.organisationId})))`,
          ),
        ),
      )
      .returning(),
  );
  // The claimed row, column by column (a CTE selected whole would come back as one record).
  const row = Object.fromEntries(
    Object.keys(getTableColumns(requests)).map((key) => [key, claimed[key as keyof Request]]),
  ) as { [K in keyof Request]: (typeof claimed)[K] };
  const [result] = await db
    .with(claimed)
    .select({
      claimed: row,
      announcements: sql<unknown>`(
        select coalesce(json_agg(a order by a.part, a.id, a.message_id), '[]')
          from (select 'group' as kind, g.organisation_id as id, g.message_id, null as locale, 0 as part
                  from ${groupNotices} g where g.request_id = ${id}
                union all
                select 'member', n.member_id::text, n.message_id, m.locale, 1
                  from ${requestNotices} n left join ${members} m on m.id = n.member_id
                 where n.request_id = ${id}) a)`,
      referred: sql<boolean>`exists (select 1 from ${referrals} r
        where r.request_id = ${id} and r.status = 'accepted' and r.to_organisation_id = ${member.organisationId})`,
      media: sql<unknown>`(
        select coalesce(json_agg(json_build_object('id', m.id, 'sealed', m.media_enc) order by m.id), '[]')
          from ${requestMessages} m
         where m.request_id = ${id} and m.author = 'person' and m.media_enc is not null)`,
    })
    .from(claimed);
  if (!result) return undefined;
  return {
    claimed: result.claimed as Request,
    announcements: announcementsFrom(result.announcements),
    referred: result.referred === true,
    media: mediaFrom(result.media),
  };
}

function mediaFrom(json: unknown): ClaimFacts["media"] {
  const rows = (typeof json === "string" ? JSON.parse(json) : json) as { id: number; sealed: string }[];
  return rows.map((r) => ({ messageId: Number(r.id), sealed: r.sealed }));
}

type AnnouncementRow = { kind: "group" | "member"; id: string; message_id: number; locale: string | null };

function announcementsFrom(json: unknown): Announcement[] {
  const rows = (typeof json === "string" ? JSON.parse(json) : json) as AnnouncementRow[];
  return rows.map((r) =>
    r.kind === "group"
      ? { kind: "group", organisationId: r.id, messageId: Number(r.message_id) }
      : {
          kind: "member",
          memberId: Number(r.id),
          messageId: Number(r.message_id),
          locale: r.locale === "fr" || r.locale === "en" ? r.locale : null,
        },
  );
}
