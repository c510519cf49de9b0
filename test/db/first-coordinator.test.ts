import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { invitations, members, organisations } from "../../src/db/schema";
import { replaceDirectory } from "../../src/directory/store";
import { checkInvitation, redeemInvitation } from "../../src/features/members/queries";
import { inviteFirstCoordinator } from "../../src/features/team/first-coordinator";
import { DRIVERS, useDatabase } from "../support/database";
import { fixtureDirectory } from "../support/directory-fixture";

const NOW = new Date("2026-11-18T19:00:00Z");
const DAY = 86_400_000;

describe.each(DRIVERS)("the first coordinator's invitation, on $name", ({ open }) => {
  let database: DatabaseHandle;

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    await database.db.delete(invitations);
    await database.db.delete(members);
    await replaceDirectory(database.db, fixtureDirectory());
  });

  it("is made once, for the first organisation by id, valid a week, for a coordinator", async () => {
    const first = await inviteFirstCoordinator(database.db, NOW);
    expect(first?.organisationId).toBe("lines");
    expect(first?.expiresAt).toEqual(new Date(NOW.getTime() + 7 * DAY));
    const check = await checkInvitation(database.db, first?.code ?? "", NOW);
    expect(check).toMatchObject({ kind: "valid", role: "admin", organisationId: "lines" });
    // A restart while it is still open makes no other.
    expect(await inviteFirstCoordinator(database.db, new Date(NOW.getTime() + DAY))).toBeUndefined();
    expect(await database.db.select().from(invitations)).toHaveLength(1);
  });

  it("is made again once the last one expired unused", async () => {
    await inviteFirstCoordinator(database.db, NOW);
    const again = await inviteFirstCoordinator(database.db, new Date(NOW.getTime() + 8 * DAY));
    expect(again?.organisationId).toBe("lines");
    expect(await database.db.select().from(invitations)).toHaveLength(2);
  });

  it("is not made once someone is a coordinator, nor when there is no organisation", async () => {
    const first = await inviteFirstCoordinator(database.db, NOW);
    const joined = await redeemInvitation(database.db, {
      code: first?.code ?? "",
      alias: "Alex",
      pseudonym: "pseudonym-of-alex",
      chatIdEnc: "sealed",
      locale: "fr",
      now: NOW,
    });
    expect(joined.kind).toBe("joined");
    expect(await inviteFirstCoordinator(database.db, new Date(NOW.getTime() + 30 * DAY))).toBeUndefined();

    await database.db.delete(invitations);
    await database.db.delete(members);
    await database.db.delete(organisations);
    expect(await inviteFirstCoordinator(database.db, NOW)).toBeUndefined();
  });
});
