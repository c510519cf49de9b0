import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { invitations, members, organisations } from "../../src/db/schema";
import {
  checkInvitation,
  createInvitation,
  hashCode,
  onCallMembers,
  redeemInvitation,
  teamOf,
} from "../../src/features/members/queries";
import { DRIVERS, useDatabase } from "../support/database";

/**
 * Invitations and the team they make, through the query functions themselves (test/bot/team.test.ts
 * walks the same rules through the bot, too slowly to run once per mutant: npm run mutation).
 */
const NOW = new Date("2026-11-18T19:00:00Z");
const HOUR = 3_600_000;
const later = (hours: number) => new Date(NOW.getTime() + hours * HOUR);

describe.each(DRIVERS)("invitations, on $name", ({ open }) => {
  let database: DatabaseHandle;

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    await database.db.delete(invitations);
    await database.db.delete(members);
    await database.db.delete(organisations);
    await database.db.insert(organisations).values([
      { id: "org-a", nameFr: "Réseau d'entraide", nameEn: "Mutual aid network", articleFr: "le" },
      { id: "org-b", nameFr: "Lignes publiques", nameEn: "Public lines" },
    ]);
  });

  const invite = (role: "worker" | "peer" | "admin" = "worker", organisationId = "org-a", hours = 48) =>
    createInvitation(database.db, { organisationId, role, expiresAt: later(hours) });

  const redeem = (code: string, pseudonym: string, now = NOW) =>
    redeemInvitation(database.db, {
      code,
      alias: `alias of ${pseudonym}`,
      pseudonym,
      chatIdEnc: `sealed ${pseudonym}`,
      locale: "en",
      now,
    });

  it("makes a random single-use code and keeps only its hash", async () => {
    const creator = await database.db
      .insert(members)
      .values({
        organisationId: "org-a",
        role: "admin",
        alias: "Coord",
        pseudonym: "p-coord",
        chatIdEnc: "x",
        locale: "fr",
      })
      .returning();
    const code = await createInvitation(database.db, {
      organisationId: "org-b",
      role: "peer",
      expiresAt: later(48),
      createdByMemberId: creator[0]?.id as number,
    });
    const other = await invite();
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(other).not.toBe(code);
    expect(hashCode(code)).toBe(createHash("sha256").update(code).digest("base64url"));
    const rows = await database.db
      .select()
      .from(invitations)
      .where(eq(invitations.codeHash, hashCode(code)));
    expect(rows).toEqual([
      expect.objectContaining({
        organisationId: "org-b",
        role: "peer",
        expiresAt: later(48),
        createdByMemberId: creator[0]?.id,
        redeemedAt: null,
        redeemedByMemberId: null,
      }),
    ]);
    expect(JSON.stringify(await database.db.select().from(invitations))).not.toContain(code);
    const [otherRow] = await database.db
      .select()
      .from(invitations)
      .where(eq(invitations.codeHash, hashCode(other)));
    expect(otherRow?.createdByMemberId).toBeNull();
  });

  it("tells a valid invitation's role and organisation, with the article French gives its name", async () => {
    const worker = await invite("worker");
    expect(await checkInvitation(database.db, worker, NOW)).toEqual({
      kind: "valid",
      role: "worker",
      organisationId: "org-a",
      organisationName: { fr: "Réseau d'entraide", en: "Mutual aid network" },
      organisationArticleFr: "le",
    });
    const admin = await invite("admin", "org-b");
    expect(await checkInvitation(database.db, admin, NOW)).toEqual({
      kind: "valid",
      role: "admin",
      organisationId: "org-b",
      organisationName: { fr: "Lignes publiques", en: "Public lines" },
    });
  });

  it("knows no code that is malformed or was never made", async () => {
    const code = await invite();
    expect(await checkInvitation(database.db, `${code}x`, NOW)).toEqual({ kind: "unknown" });
    expect(await checkInvitation(database.db, code.slice(1), NOW)).toEqual({ kind: "unknown" });
    expect(await checkInvitation(database.db, "A".repeat(22), NOW)).toEqual({ kind: "unknown" });
    expect(await checkInvitation(database.db, "", NOW)).toEqual({ kind: "unknown" });
    expect(await redeem("A".repeat(22), "p-nobody")).toEqual({ kind: "unknown" });
    expect(await redeem(`${code}!`, "p-nobody")).toEqual({ kind: "unknown" });
    expect(await database.db.select().from(members)).toEqual([]);
  });

  it("expires at the instant its lifetime ends, not a moment later", async () => {
    const code = await invite("worker", "org-a", 48);
    expect((await checkInvitation(database.db, code, new Date(later(48).getTime() - 1))).kind).toBe("valid");
    expect(await checkInvitation(database.db, code, later(48))).toEqual({ kind: "expired" });
    expect(await redeem(code, "p-late", later(48))).toEqual({ kind: "expired" });
    expect(await database.db.select().from(members)).toEqual([]);
    const joined = await redeem(code, "p-in-time", new Date(later(48).getTime() - 1));
    expect(joined.kind).toBe("joined");
  });

  it("makes one member with the invitation's role, and is used up", async () => {
    const code = await invite("peer", "org-b");
    const untouched = await invite("worker", "org-b");
    const joined = await redeem(code, "p-sam");
    expect(joined).toEqual({
      kind: "joined",
      member: expect.objectContaining({
        organisationId: "org-b",
        role: "peer",
        alias: "alias of p-sam",
        pseudonym: "p-sam",
        chatIdEnc: "sealed p-sam",
        locale: "en",
        createdAt: NOW,
        revokedAt: null,
      }),
    });
    if (joined.kind !== "joined") return;
    const [row] = await database.db
      .select()
      .from(invitations)
      .where(eq(invitations.codeHash, hashCode(code)));
    expect(row).toMatchObject({ redeemedAt: NOW, redeemedByMemberId: joined.member.id });
    // The other invitation is still whole.
    const [other] = await database.db
      .select()
      .from(invitations)
      .where(eq(invitations.codeHash, hashCode(untouched)));
    expect(other).toMatchObject({ redeemedAt: null, redeemedByMemberId: null });

    expect(await checkInvitation(database.db, code, later(1))).toEqual({ kind: "used" });
    expect(await redeem(code, "p-someone-else", later(1))).toEqual({ kind: "used" });
    // Used and expired since: still "used", the truer answer.
    expect(await redeem(code, "p-someone-else", later(100))).toEqual({ kind: "used" });
    expect(await database.db.select().from(members)).toHaveLength(1);
  });

  it("leaves the invitation unused for someone already on a team", async () => {
    const first = await invite();
    const second = await invite("admin", "org-b");
    const joined = await redeem(first, "p-marc");
    expect(joined.kind).toBe("joined");
    const again = await redeem(second, "p-marc");
    expect(again).toEqual({
      kind: "already-member",
      member: expect.objectContaining({ pseudonym: "p-marc", organisationId: "org-a" }),
    });
    expect((await checkInvitation(database.db, second, NOW)).kind).toBe("valid");
  });

  it("lets someone removed from a team join again with a new invitation", async () => {
    const joined = await redeem(await invite(), "p-zoe");
    if (joined.kind !== "joined") throw new Error(joined.kind);
    await database.db.update(members).set({ revokedAt: NOW }).where(eq(members.id, joined.member.id));
    const back = await redeem(await invite("peer", "org-b"), "p-zoe", later(1));
    expect(back).toEqual({
      kind: "joined",
      member: expect.objectContaining({ role: "peer", pseudonym: "p-zoe" }),
    });
  });

  it("ends two redemptions of one code at once with exactly one member", async () => {
    const code = await invite();
    const outcomes = await Promise.all([redeem(code, "p-one"), redeem(code, "p-two")]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["joined", "used"]);
    expect(await database.db.select().from(members)).toHaveLength(1);
  });

  it("reaches the workers and coordinators still on the team, not peers, nor the removed or unreachable", async () => {
    const kinds = [
      ["p-worker", "worker", "org-a", {}],
      ["p-admin", "admin", "org-a", { onCallSince: NOW }],
      ["p-peer", "peer", "org-a", { onCallSince: NOW }],
      ["p-gone", "worker", "org-a", { revokedAt: NOW, onCallSince: NOW }],
      ["p-blocked", "worker", "org-a", { unreachableSince: NOW, onCallSince: NOW }],
      ["p-elsewhere", "worker", "org-b", { onCallSince: NOW }],
    ] as const;
    for (const [pseudonym, role, organisationId, fields] of kinds)
      await database.db.insert(members).values({
        organisationId,
        role,
        alias: pseudonym,
        pseudonym,
        chatIdEnc: "x",
        locale: "fr",
        ...fields,
      });
    const team = await teamOf(database.db, "org-a");
    expect(team.map((m) => m.pseudonym).sort()).toEqual(["p-admin", "p-worker"]);
    expect((await onCallMembers(database.db, "org-a", NOW)).map((m) => m.pseudonym)).toEqual(["p-admin"]);
    expect((await teamOf(database.db, "org-b")).map((m) => m.pseudonym)).toEqual(["p-elsewhere"]);
  });
});
