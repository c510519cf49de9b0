import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { statCounters } from "../../src/db/schema";
import { LookupTally } from "../../src/stats/lookup-tally";
import { DRIVERS, useDatabase } from "../support/database";

// 23:30 and 00:30 in Montreal: two different days for the counters.
const LATE_TUESDAY = new Date("2026-11-18T04:30:00Z");
const EARLY_WEDNESDAY = new Date("2026-11-18T05:30:00Z");

describe.each(DRIVERS)("lookup counts kept in memory, on $name", ({ open }) => {
  let database: DatabaseHandle;

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    await database.db.delete(statCounters);
  });

  const cells = async () =>
    (await database.db.select().from(statCounters))
      .map((c) => `${c.day} ${c.metric}:${c.key}=${c.value}`)
      .sort();

  it("writes nothing until flushed, then each lookup on its own Montreal day, summed", async () => {
    const tally = new LookupTally();
    tally.add(LATE_TUESDAY, [
      { metric: "lookup", key: "material" },
      { metric: "lookup.material", key: "naloxone" },
    ]);
    tally.add(LATE_TUESDAY, [
      { metric: "lookup", key: "material" },
      { metric: "lookup.material", key: "naloxone" },
    ]);
    tally.add(EARLY_WEDNESDAY, [{ metric: "lookup", key: "near" }]);
    expect(await cells()).toEqual([]);
    expect(tally.size).toBe(5);

    await tally.flush(database.db);
    expect(tally.size).toBe(0);
    expect(await cells()).toEqual([
      "2026-11-17 lookup.material:naloxone=2",
      "2026-11-17 lookup:material=2",
      "2026-11-18 lookup:near=1",
    ]);

    tally.add(EARLY_WEDNESDAY, [{ metric: "lookup", key: "near" }]);
    await tally.flush(database.db);
    await tally.flush(database.db);
    expect(await cells()).toContain("2026-11-18 lookup:near=2");
  });

  it("keeps the counts when the database cannot take them, and writes them on the next flush", async () => {
    const tally = new LookupTally();
    tally.add(LATE_TUESDAY, [{ metric: "lookup", key: "open" }]);
    const failing = {
      insert: () => {
        throw new Error("database down");
      },
    } as unknown as DatabaseHandle["db"];
    await expect(tally.flush(failing)).rejects.toThrow("database down");
    expect(tally.size).toBe(1);
    await tally.flush(database.db);
    expect(await cells()).toEqual(["2026-11-17 lookup:open=1"]);
  });
});
