import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/bot/snapshot";
import type { DatabaseHandle } from "../../src/db/client";
import { conversationState, languageChoices } from "../../src/db/schema";
import { replaceDirectory } from "../../src/directory/store";
import { DRIVERS, useDatabase } from "../support/database";
import { fixtureDirectory, WEDNESDAY_2PM as NOW } from "../support/directory-fixture";

/**
 * The update's snapshot is one fixed statement sent through the driver itself (src/db/fixed-statement.ts):
 * on both drivers it must read back what the tables hold, values bound as parameters.
 */
describe.each(DRIVERS)("the update's snapshot, on $name", ({ open }) => {
  let database: DatabaseHandle;

  useDatabase(open, (opened) => {
    database = opened;
  });

  it("reads nothing for someone unknown, and the directory's version", async () => {
    await replaceDirectory(database.db, fixtureDirectory());
    const snapshot = await loadSnapshot(database.db, "nobody", "nobody-member", NOW);
    expect(snapshot).toMatchObject({
      pseudonym: "nobody",
      locale: undefined,
      conversation: null,
      isMember: false,
      memberRole: undefined,
      hasActiveRequest: false,
      hasEndedUntold: false,
    });
    expect(snapshot.directoryVersion).toBeGreaterThan(0);
  });

  it("reads the language picked and the dialogue's state, for this person only", async () => {
    await database.db.insert(languageChoices).values({ pseudonym: "someone", locale: "en" });
    await database.db
      .insert(conversationState)
      .values({ key: "someone", state: { sealed: "v1.x" }, version: 3 });
    const snapshot = await loadSnapshot(database.db, "someone", "someone-member", NOW);
    expect(snapshot.locale).toBe("en");
    expect(snapshot.conversation).toEqual({ state: { sealed: "v1.x" }, version: 3 });
    const other = await loadSnapshot(database.db, "someone-else", "x", NOW);
    expect([other.locale, other.conversation]).toEqual([undefined, null]);
  });

  it("binds a hostile pseudonym as a value, never as SQL", async () => {
    const snapshot = await loadSnapshot(database.db, "x' or '1'='1", "'; drop table members; --", NOW);
    expect([snapshot.locale, snapshot.conversation, snapshot.isMember]).toEqual([undefined, null, false]);
    expect(await loadSnapshot(database.db, "someone", "y", NOW)).toMatchObject({ locale: "en" });
  });
});
