import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import {
  groupNotices,
  members,
  organisations,
  referrals,
  requestNotices,
  requests,
} from "../../src/db/schema";
import { claimWithFacts } from "../../src/features/requests/claim-queries";
import { newRequestRow } from "../../src/features/requests/queries";
import { createSealer } from "../../src/privacy/sealed";
import { DRIVERS, useDatabase } from "../support/database";
import { requestDraft } from "../support/request-draft";

const sealer = createSealer(Buffer.alloc(32, 6).toString("base64"));
const NOW = new Date("2026-11-25T19:00:00Z");

/** A claim is one statement: the request taken, with what the claim then needs read beside it. */
describe.each(DRIVERS)("a claim's statement, on $name", ({ open }) => {
  let database: DatabaseHandle;
  useDatabase(open, (opened) => {
    database = opened;
  });

  async function member(alias: string, organisationId: string, locale: "fr" | "en" = "fr") {
    const [row] = await database.db
      .insert(members)
      .values({
        organisationId,
        role: "worker",
        alias,
        pseudonym: `member-${alias}`,
        chatIdEnc: sealer.seal("1"),
        locale,
      })
      .returning();
    if (!row) throw new Error("no member");
    return row;
  }

  async function openRequest(id: string, organisationId: string) {
    const row = newRequestRow(
      requestDraft(sealer, {
        id,
        organisationId,
        locale: "en",
        createdAt: new Date(NOW.getTime() - 10 * 60_000),
      }),
      NOW,
    );
    await database.db.insert(requests).values(row);
    return row;
  }

  it("takes an open request and reads its announcements, groups first, each worker in their language", async () => {
    const { db } = database;
    await db.insert(organisations).values([
      { id: "org-c", nameFr: "C", nameEn: "C" },
      { id: "org-d", nameFr: "D", nameEn: "D" },
    ]);
    const [ana, bob] = [await member("Ana", "org-c"), await member("Bob", "org-c", "en")];
    const row = await openRequest("rq-claim-001", "org-c");
    await db.insert(groupNotices).values({ requestId: row.id, organisationId: "org-c", messageId: 70 });
    await db.insert(requestNotices).values([
      { requestId: row.id, memberId: bob.id, messageId: 12 },
      { requestId: row.id, memberId: ana.id, messageId: 11 },
    ]);

    const facts = await claimWithFacts(db, row.id, ana, NOW);
    const [stored] = await db.select().from(requests).where(eq(requests.id, row.id));
    expect(stored).toMatchObject({ status: "claimed", claimedByMemberId: ana.id, claimedAt: NOW });
    // The row read back is the claimed row itself, every column decoded (dates as dates).
    expect(facts?.claimed).toEqual(stored);
    expect(facts?.announcements).toEqual([
      { kind: "group", organisationId: "org-c", messageId: 70 },
      { kind: "member", memberId: ana.id, messageId: 11, locale: "fr" },
      { kind: "member", memberId: bob.id, messageId: 12, locale: "en" },
    ]);
    expect(facts?.referred).toBe(false);
  });

  it("takes nothing that is no longer open, or of another organisation", async () => {
    const { db } = database;
    const [ana] = await db.select().from(members).where(eq(members.alias, "Ana"));
    const dee = await member("Dee", "org-d");
    if (!ana) throw new Error("no Ana");
    expect(await claimWithFacts(db, "rq-claim-001", dee, NOW)).toBeUndefined();
    const other = await openRequest("rq-claim-002", "org-d");
    expect(await claimWithFacts(db, other.id, ana, NOW)).toBeUndefined();
    const [untouched] = await db.select().from(requests).where(eq(requests.id, other.id));
    expect(untouched).toMatchObject({ status: "open", claimedByMemberId: null });
    expect(await claimWithFacts(db, "rq-nowhere-0", ana, NOW)).toBeUndefined();
  });

  it("says when the request came by a referral its organisation accepted", async () => {
    const { db } = database;
    const [dee] = await db.select().from(members).where(eq(members.alias, "Dee"));
    if (!dee) throw new Error("no Dee");
    const referred = await openRequest("rq-claim-003", "org-d");
    const asked = await openRequest("rq-claim-004", "org-d");
    await db.insert(referrals).values([
      {
        requestId: referred.id,
        fromOrganisationId: "org-c",
        toOrganisationId: "org-d",
        status: "accepted",
        createdAt: NOW,
      },
      {
        requestId: asked.id,
        fromOrganisationId: "org-c",
        toOrganisationId: "org-d",
        status: "asked",
        createdAt: NOW,
      },
    ]);
    expect((await claimWithFacts(db, referred.id, dee, NOW))?.referred).toBe(true);
    expect((await claimWithFacts(db, asked.id, dee, NOW))?.referred).toBe(false);
  });
});
