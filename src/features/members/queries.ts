import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, gt, isNull } from "drizzle-orm";
import type { Locale } from "../../config";
import type { Database, Executor } from "../../db/executor";
import { invitations, members, organisations, type Role } from "../../db/schema";
import type { FrenchArticle } from "../../text/french-name";
import { inShift } from "./shifts";

/** Invitations and members. Codes are random, single-use, expiring; only their hash is stored. */

export function hashCode(code: string): string {
  return createHash("sha256").update(code).digest("base64url");
}

export const INVITE_CODE_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export async function createInvitation(
  db: Executor,
  params: { organisationId: string; role: Role; expiresAt: Date; createdByMemberId?: number },
): Promise<string> {
  const code = randomBytes(16).toString("base64url");
  await db.insert(invitations).values({
    codeHash: hashCode(code),
    organisationId: params.organisationId,
    role: params.role,
    expiresAt: params.expiresAt,
    createdByMemberId: params.createdByMemberId ?? null,
  });
  return code;
}

export type InvitationCheck =
  | {
      kind: "valid";
      role: Role;
      organisationId: string;
      organisationName: { fr: string; en: string };
      organisationArticleFr?: FrenchArticle;
    }
  | { kind: "unknown" }
  | { kind: "expired" }
  | { kind: "used" };

/** Looks at an invitation without using it up: the alias is asked before redeeming. */
export async function checkInvitation(db: Executor, code: string, now: Date): Promise<InvitationCheck> {
  if (!INVITE_CODE_PATTERN.test(code)) return { kind: "unknown" };
  const [row] = await db
    .select({
      role: invitations.role,
      organisationId: invitations.organisationId,
      expiresAt: invitations.expiresAt,
      redeemedAt: invitations.redeemedAt,
      nameFr: organisations.nameFr,
      nameEn: organisations.nameEn,
      articleFr: organisations.articleFr,
    })
    .from(invitations)
    .innerJoin(organisations, eq(organisations.id, invitations.organisationId))
    .where(eq(invitations.codeHash, hashCode(code)));
  if (!row) return { kind: "unknown" };
  if (row.redeemedAt) return { kind: "used" };
  if (row.expiresAt <= now) return { kind: "expired" };
  return {
    kind: "valid",
    role: row.role,
    organisationId: row.organisationId,
    organisationName: { fr: row.nameFr, en: row.nameEn },
    ...(row.articleFr ? { organisationArticleFr: row.articleFr } : {}),
  };
}

export type Member = typeof members.$inferSelect;

export type Redemption =
  | { kind: "joined"; member: Member }
  | { kind: "already-member"; member: Member }
  | { kind: "unknown" }
  | { kind: "expired" }
  | { kind: "used" };

/**
 * Uses an invitation and creates the member, in one transaction. The conditional update makes two
 * simultaneous redemptions of one code end with exactly one member.
 */
export async function redeemInvitation(
  db: Database,
  params: { code: string; alias: string; pseudonym: string; chatIdEnc: string; locale: Locale; now: Date },
): Promise<Redemption> {
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(members)
      .where(and(eq(members.pseudonym, params.pseudonym), isNull(members.revokedAt)));
    if (existing) return { kind: "already-member", member: existing };
    const [claimed] = await tx
      .update(invitations)
      .set({ redeemedAt: params.now })
      .where(
        and(
          eq(invitations.codeHash, hashCode(params.code)),
          isNull(invitations.redeemedAt),
          gt(invitations.expiresAt, params.now),
        ),
      )
      .returning();
    if (!claimed) {
      const check = await checkInvitation(tx, params.code, params.now);
      return check.kind === "valid" ? { kind: "used" } : { kind: check.kind };
    }
    const [member] = await tx
      .insert(members)
      .values({
        organisationId: claimed.organisationId,
        role: claimed.role,
        alias: params.alias,
        pseudonym: params.pseudonym,
        chatIdEnc: params.chatIdEnc,
        locale: params.locale,
        createdAt: params.now,
      })
      .returning();
    if (!member) throw new Error("member insert returned nothing");
    await tx
      .update(invitations)
      .set({ redeemedByMemberId: member.id })
      .where(eq(invitations.codeHash, claimed.codeHash));
    return { kind: "joined", member };
  });
}

export async function findActiveMember(db: Executor, pseudonym: string): Promise<Member | undefined> {
  const [member] = await db
    .select()
    .from(members)
    .where(and(eq(members.pseudonym, pseudonym), isNull(members.revokedAt)));
  return member;
}

/**
 * A member's language follows their /langue: every notice to them (a request, a reminder, a hand-over)
 * is written in it. Returns the member's role, or undefined when they are on no team.
 */
export async function setMemberLocale(
  db: Executor,
  pseudonym: string,
  locale: Member["locale"],
): Promise<Member["role"] | undefined> {
  const [member] = await db
    .update(members)
    .set({ locale })
    .where(and(eq(members.pseudonym, pseudonym), isNull(members.revokedAt)))
    .returning({ role: members.role });
  return member?.role;
}

export async function listMembers(db: Executor, organisationId?: string): Promise<Member[]> {
  return db
    .select()
    .from(members)
    .where(
      and(isNull(members.revokedAt), organisationId ? eq(members.organisationId, organisationId) : undefined),
    )
    .orderBy(asc(members.organisationId), asc(members.id));
}

export async function revokeMember(db: Executor, memberId: number, now: Date): Promise<Member | undefined> {
  const [member] = await db
    .update(members)
    .set({ revokedAt: now, onCallSince: null, onCallUntil: null })
    .where(and(eq(members.id, memberId), isNull(members.revokedAt)))
    .returning();
  return member;
}

/** On call from now, until `until` (or until they go off). */
export async function setOnCall(
  db: Executor,
  memberId: number,
  now: Date,
  until: Date | null,
): Promise<void> {
  await db
    .update(members)
    .set({ onCallSince: now, onCallUntil: until, shiftPausedUntil: null })
    .where(eq(members.id, memberId));
}

/** Off call now; during a shift, the shift is paused until it ends. */
export async function setOffCall(db: Executor, member: Member, now: Date): Promise<void> {
  const shift = member.shiftHours ? inShift(member.shiftHours, now) : { now: false };
  await db
    .update(members)
    .set({ onCallSince: null, onCallUntil: null, shiftPausedUntil: shift.now ? (shift.until ?? null) : null })
    .where(eq(members.id, member.id));
}

export async function setShift(
  db: Executor,
  memberId: number,
  hours: string | null,
): Promise<Member | undefined> {
  const [member] = await db
    .update(members)
    .set({ shiftHours: hours, shiftPausedUntil: null })
    .where(and(eq(members.id, memberId), isNull(members.revokedAt)))
    .returning();
  return member;
}

type OnCallFields = Pick<
  Member,
  "onCallSince" | "onCallUntil" | "revokedAt" | "shiftHours" | "shiftPausedUntil"
>;

/** On call by hand (until a time or not), or within their weekly shift unless they ended it early. */
export function isOnCall(member: OnCallFields, now: Date): boolean {
  if (member.revokedAt) return false;
  if (member.onCallSince !== null && (member.onCallUntil === null || member.onCallUntil > now)) return true;
  if (!member.shiftHours) return false;
  if (member.shiftPausedUntil && member.shiftPausedUntil > now) return false;
  return inShift(member.shiftHours, now).now;
}

/** The team's workers and coordinators (not peers) who can be reached. */
export async function teamOf(db: Executor, organisationId: string): Promise<Member[]> {
  const rows = await db
    .select()
    .from(members)
    .where(
      and(
        eq(members.organisationId, organisationId),
        isNull(members.revokedAt),
        isNull(members.unreachableSince),
      ),
    );
  return rows.filter((m) => m.role !== "peer");
}

export async function onCallMembers(db: Executor, organisationId: string, now: Date): Promise<Member[]> {
  return (await teamOf(db, organisationId)).filter((m) => isOnCall(m, now));
}
