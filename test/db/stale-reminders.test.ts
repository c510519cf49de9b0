import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { members, organisations, staleReminders } from "../../src/db/schema";
import {
  getReminderSettings,
  listCoordinatorReminders,
  saveReminderSettings,
  takeReminderMoment,
} from "../../src/features/reminders/queries";
import { DEFAULT_REMINDER } from "../../src/features/reminders/schedule";
import { DRIVERS, useDatabase } from "../support/database";

/** The reminder's rows: settings saved per coordinator, and a moment taken once, whoever asks. */
const JOINED = new Date("2026-11-18T19:00:00Z");
const MONDAY = new Date("2026-11-23T15:00:00Z");
const NEXT_MONDAY = new Date("2026-11-30T15:00:00Z");
// A reminder sent on or after this day blocks the next Monday's (the once-a-week cap).
const BEFORE_TUESDAY = new Date("2026-11-24T05:00:00Z");

describe.each(DRIVERS)("the reminder's rows, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let memberId: number;

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    await database.db.delete(staleReminders);
    await database.db.delete(members);
    await database.db.delete(organisations);
    await database.db.insert(organisations).values({ id: "org-a", nameFr: "A", nameEn: "A" });
    const inserted = await database.db
      .insert(members)
      .values([
        {
          organisationId: "org-a",
          role: "admin",
          alias: "C",
          pseudonym: "p1",
          chatIdEnc: "x",
          locale: "en",
          createdAt: JOINED,
        },
        {
          organisationId: "org-a",
          role: "worker",
          alias: "W",
          pseudonym: "p2",
          chatIdEnc: "x",
          locale: "fr",
        },
        {
          organisationId: "org-a",
          role: "admin",
          alias: "R",
          pseudonym: "p3",
          chatIdEnc: "x",
          locale: "fr",
          revokedAt: JOINED,
        },
      ])
      .returning({ id: members.id });
    memberId = inserted[0]?.id ?? 0;
  });

  it("lists active coordinators only, with the defaults and the day they joined until they choose", async () => {
    expect(await listCoordinatorReminders(database.db)).toEqual([
      {
        memberId,
        organisationId: "org-a",
        locale: "en",
        settings: { everyWeeks: 1, weekday: 1, atMinute: 600 },
        state: { handledUntil: JOINED, sentAt: null },
      },
    ]);
  });

  it("writes the same defaults in a new row as the code reads for no row", async () => {
    await takeReminderMoment(database.db, { memberId, moment: MONDAY, sentBefore: MONDAY, sentAt: null });
    const [row] = await database.db.select().from(staleReminders);
    expect({ everyWeeks: row?.everyWeeks, weekday: row?.weekday, atMinute: row?.atMinute }).toEqual(
      DEFAULT_REMINDER,
    );
  });

  it("saves a choice, and never moves what was handled back in time", async () => {
    await takeReminderMoment(database.db, { memberId, moment: MONDAY, sentBefore: MONDAY, sentAt: MONDAY });
    await saveReminderSettings(database.db, memberId, { everyWeeks: 2, weekday: 4, atMinute: 480 }, JOINED);
    expect(await getReminderSettings(database.db, memberId)).toEqual({
      everyWeeks: 2,
      weekday: 4,
      atMinute: 480,
    });
    expect((await listCoordinatorReminders(database.db))[0]?.state).toEqual({
      handledUntil: MONDAY,
      sentAt: MONDAY,
    });
    await saveReminderSettings(
      database.db,
      memberId,
      { everyWeeks: 0, weekday: 4, atMinute: 480 },
      NEXT_MONDAY,
    );
    expect((await listCoordinatorReminders(database.db))[0]?.state.handledUntil).toEqual(NEXT_MONDAY);
  });

  it("takes a moment once: a second run, or a run for an earlier moment, gets nothing", async () => {
    const take = (moment: Date, sentAt: Date | null = moment) =>
      takeReminderMoment(database.db, { memberId, moment, sentBefore: BEFORE_TUESDAY, sentAt });
    expect(await take(MONDAY)).toBe(true);
    expect(await take(MONDAY)).toBe(false);
    expect(await take(new Date(MONDAY.getTime() - 60_000))).toBe(false);
    expect((await listCoordinatorReminders(database.db))[0]?.state).toEqual({
      handledUntil: MONDAY,
      sentAt: MONDAY,
    });
  });

  it("refuses a moment when a reminder went out too recently, whatever the moment says", async () => {
    // Monday's went out; a later moment whose cap says "nothing since Tuesday 00:00" is still refused.
    expect(
      await takeReminderMoment(database.db, { memberId, moment: MONDAY, sentBefore: MONDAY, sentAt: MONDAY }),
    ).toBe(true);
    expect(
      await takeReminderMoment(database.db, {
        memberId,
        moment: new Date("2026-11-27T21:00:00Z"),
        sentBefore: new Date("2026-11-21T05:00:00Z"),
        sentAt: new Date("2026-11-27T21:00:00Z"),
      }),
    ).toBe(false);
  });

  it("handles a moment with nothing old without counting it as sent", async () => {
    expect(
      await takeReminderMoment(database.db, { memberId, moment: MONDAY, sentBefore: MONDAY, sentAt: null }),
    ).toBe(true);
    expect((await listCoordinatorReminders(database.db))[0]?.state).toEqual({
      handledUntil: MONDAY,
      sentAt: null,
    });
    expect(
      await takeReminderMoment(database.db, {
        memberId,
        moment: NEXT_MONDAY,
        sentBefore: BEFORE_TUESDAY,
        sentAt: NEXT_MONDAY,
      }),
    ).toBe(true);
    expect((await listCoordinatorReminders(database.db))[0]?.state).toEqual({
      handledUntil: NEXT_MONDAY,
      sentAt: NEXT_MONDAY,
    });
  });

  it("takes a moment once when two runs ask at the same time", async () => {
    const take = () =>
      takeReminderMoment(database.db, { memberId, moment: MONDAY, sentBefore: MONDAY, sentAt: MONDAY });
    const taken = await Promise.all([take(), take(), take(), take()]);
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it("goes with the member's row", async () => {
    await saveReminderSettings(database.db, memberId, { everyWeeks: 4, weekday: 2, atMinute: 960 }, JOINED);
    await database.db.delete(members);
    expect(await database.db.select().from(staleReminders)).toEqual([]);
  });
});
