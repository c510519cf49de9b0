import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { requests, statCounters } from "../../src/db/schema";
import { pseudonymFor } from "../../src/privacy/pseudonym";
import { claimWaitBucket, countEvent, countEvents } from "../../src/stats/counters";
import {
  dayFromCheque,
  peakDays,
  quantileFromBuckets,
  readCounters,
  rhythm,
  summarise,
  wholeRange,
} from "../../src/stats/report";
import { DRIVERS, useDatabase } from "../support/database";
import { WEDNESDAY_2PM } from "../support/directory-fixture";
import { createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

describe("counting helpers", () => {
  it("puts a wait in the bucket of its lower edge", () => {
    expect(claimWaitBucket(0)).toBe("0");
    expect(claimWaitBucket(59_000)).toBe("0");
    expect(claimWaitBucket(60_000)).toBe("1");
    expect(claimWaitBucket(7 * 60_000)).toBe("5");
    expect(claimWaitBucket(90 * 60_000)).toBe("90");
    expect(claimWaitBucket(3 * 86_400_000)).toBe("1440");
    expect(claimWaitBucket(-5_000)).toBe("0");
  });

  it("estimates the median and the 90th percentile from buckets", () => {
    // Five waits under a minute, five between 10 and 15 minutes.
    const buckets = new Map([
      [0, 5],
      [10, 5],
    ]);
    expect(quantileFromBuckets(buckets, 0.5)).toBe(1);
    expect(quantileFromBuckets(buckets, 0.9)).toBe(14);
    expect(quantileFromBuckets(new Map([[1440, 3]]), 0.9)).toBe(1440);
    expect(quantileFromBuckets(new Map(), 0.5)).toBeUndefined();
  });

  it("places a day in the cheque cycle: the week before counts down, then days count up", () => {
    const cheques = ["2026-11-01", "2026-12-01"];
    expect(dayFromCheque("2026-11-01", cheques)).toBe(0);
    expect(dayFromCheque("2026-11-02", cheques)).toBe(1);
    expect(dayFromCheque("2026-11-23", cheques)).toBe(22);
    expect(dayFromCheque("2026-11-24", cheques)).toBe(-7);
    expect(dayFromCheque("2026-11-30", cheques)).toBe(-1);
    expect(dayFromCheque("2026-12-01", cheques)).toBe(0);
    // Nothing known near it: before the first listed cheque day's week, or long after the last.
    expect(dayFromCheque("2026-10-20", cheques)).toBeNull();
    expect(dayFromCheque("2027-02-01", cheques)).toBeNull();
    expect(dayFromCheque("2026-11-10", [])).toBeNull();
  });

  it("averages each day of the cycle over the range, this month apart from the months before", () => {
    const cheques = ["2026-10-01", "2026-11-01"];
    const rows = [
      { day: "2026-10-01", metric: "lookup", key: "material", value: 10 },
      { day: "2026-10-01", metric: "request.claim_wait", key: "10", value: 1 },
      { day: "2026-11-01", metric: "lookup", key: "site", value: 4 },
      { day: "2026-11-01", metric: "request.category", key: "food", value: 3 },
      { day: "2026-11-01", metric: "request.claim_wait", key: "2", value: 2 },
      { day: "2026-11-02", metric: "request.category", key: "talk", value: 1 },
      { day: "2026-11-02", metric: "request.hour", key: "22", value: 1 },
    ];
    const points = rhythm(rows, "2026-10-01", "2026-11-02", cheques);
    const at = (period: string, offset: number) =>
      points.find((p) => p.period === period && p.offset === offset);
    // October's cycle runs from 1 October (day 0) to 24 October (day +23); the week before 1 November
    // counts down to it and belongs to this month.
    expect(at("before", 0)).toEqual({
      offset: 0,
      period: "before",
      days: 1,
      lookups: 10,
      requests: 0,
      claimMinutes: 12.5,
    });
    expect(at("before", 23)).toMatchObject({ days: 1, lookups: 0 });
    expect(at("before", 24)).toBeUndefined();
    expect(at("before", -7)).toBeUndefined();
    // This month: the week before 1 November, the cheque day and the day after, nothing later yet.
    expect(points.filter((p) => p.period === "current").map((p) => p.offset)).toEqual([
      -7, -6, -5, -4, -3, -2, -1, 0, 1,
    ]);
    expect(at("current", 0)).toEqual({
      offset: 0,
      period: "current",
      days: 1,
      lookups: 4,
      requests: 3,
      claimMinutes: 3.5,
    });
    expect(at("current", 1)).toMatchObject({ lookups: 0, requests: 1, claimMinutes: undefined });
    // Both together, as the caption reads them: day 0 came twice, (10 + 4) / 2 lookups, 3 / 2 requests.
    expect(wholeRange(points).find((p) => p.offset === 0)).toEqual({ offset: 0, lookups: 7, requests: 1.5 });
    expect(peakDays(points, "lookups")).toEqual([0]);
    expect(peakDays(points, "requests")).toEqual([0, 1]);
  });

  it("summarises counters into totals, rankings and claim times", () => {
    const summary = summarise([
      { day: "2026-11-01", metric: "lookup", key: "material", value: 3 },
      { day: "2026-11-02", metric: "lookup", key: "open", value: 2 },
      { day: "2026-11-01", metric: "lookup.material", key: "naloxone", value: 2 },
      { day: "2026-11-02", metric: "lookup.material", key: "naloxone", value: 1 },
      { day: "2026-11-02", metric: "lookup.material", key: "pipes", value: 1 },
      { day: "2026-11-02", metric: "request.category", key: "food", value: 2 },
      { day: "2026-11-02", metric: "request.outcome", key: "expired", value: 1 },
      { day: "2026-11-02", metric: "request.claim_wait", key: "2", value: 2 },
      { day: "2026-11-02", metric: "request.nobody_on_call", key: "", value: 1 },
    ]);
    expect(summary).toMatchObject({
      lookups: 5,
      lookupsByMaterial: [
        { key: "naloxone", value: 3 },
        { key: "pipes", value: 1 },
      ],
      requests: 2,
      byOutcome: [{ key: "expired", value: 1 }],
      claims: 2,
      medianClaimMinutes: 3.5,
      nobodyOnCall: 1,
    });
  });
});

describe.each(DRIVERS)("anonymous counters, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 9_100_000;
  const someone = (languageCode = "fr"): Person => ({
    id: nextId++,
    languageCode,
    firstName: "Mésange",
    username: `mesange_${nextId}`,
  });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
    await database.db.delete(statCounters);
  });

  it("adds up on the Montreal date, per team, and sums events of one call", async () => {
    // 23:30 in Montreal on the 18th is already the 19th in UTC.
    const lateEvening = new Date("2026-11-19T04:30:00Z");
    await countEvent(database.db, lateEvening, "request.category", "food", "org-a");
    await countEvent(database.db, lateEvening, "request.category", "food", "org-a");
    await countEvent(database.db, lateEvening, "request.category", "food", "lines");
    await countEvents(database.db, lateEvening, [
      { metric: "lookup", key: "open" },
      { metric: "lookup", key: "open" },
      { metric: "lookup.site_type", key: "pharmacy" },
    ]);
    const all = await database.db.select().from(statCounters);
    expect(all).toHaveLength(4);
    expect(all.every((r) => r.day === "2026-11-18")).toBe(true);
    expect(await readCounters(database.db, "2026-11-18", "2026-11-18", "org-a")).toEqual([
      { day: "2026-11-18", metric: "lookup", key: "open", value: 2 },
      { day: "2026-11-18", metric: "lookup.site_type", key: "pharmacy", value: 1 },
      { day: "2026-11-18", metric: "request.category", key: "food", value: 2 },
    ]);
    const everyone = await readCounters(database.db, "2026-11-01", "2026-11-30");
    expect(everyone.find((r) => r.metric === "request.category")?.value).toBe(3);
    expect(await readCounters(database.db, "2026-11-19", "2026-11-30")).toEqual([]);
  });

  it("loses no count when many screens are counted at once, each touching the cells in its own order", async () => {
    const now = new Date("2026-11-18T19:00:00Z");
    const types = ["fixed_site", "pharmacy", "mobile_unit", "drop_in"];
    // Each statement touches the same cells in a different order, as lists of sites do.
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        countEvents(database.db, now, [
          { metric: "lookup", key: i % 2 ? "near" : "open" },
          ...(i % 3 ? types : [...types].reverse()).map((key) => ({
            metric: "lookup.site_type" as const,
            key,
          })),
        ]),
      ),
    );
    const counters = await readCounters(database.db, "2026-11-18", "2026-11-18");
    expect(counters.map((r) => [r.metric, r.key, r.value])).toEqual([
      ["lookup", "near", 12],
      ["lookup", "open", 12],
      ["lookup.site_type", "drop_in", 24],
      ["lookup.site_type", "fixed_site", 24],
      ["lookup.site_type", "mobile_unit", 24],
      ["lookup.site_type", "pharmacy", 24],
    ]);
  });

  it("still answers a lookup when its count cannot be written, and logs only the error", async () => {
    const person = someone("en");
    await database.db.execute(sql`alter table stat_counters rename to stat_counters_away`);
    try {
      await bot.send(textUpdate(person, "naloxone"));
    } finally {
      await database.db.execute(sql`alter table stat_counters_away rename to stat_counters`);
    }
    expect(bot.lastText(person.id)).toContain("Naloxone");
    const warning = bot.logs.find((line) => line.includes("could not count a lookup"));
    expect(warning).toBeDefined();
    for (const secret of [String(person.id), "Mésange", person.username as string, "naloxone"])
      expect(warning).not.toContain(secret);
  });

  it("counts a realistic day of lookups and a request, and the counters hold no identifier", async () => {
    const person = someone();
    const marc = await joinTeam(bot, database, someone(), "Marcotte", { onCall: true });
    const words = "Besoin de jasette, je suis au parc Émilie-Gamelin";
    await bot.send(
      textUpdate(person, "naloxone"),
      callbackUpdate(person, "site:night-site"),
      textUpdate(person, "/ouvert"),
      textUpdate(person, "/parler"),
      callbackUpdate(person, "f:cat:talk"),
      textUpdate(person, words),
      callbackUpdate(person, "f:ans:chat"),
      callbackUpdate(person, "f:area:centre-sud"),
      callbackUpdate(person, "f:send"),
    );
    const [request] = await database.db.select().from(requests).where(eq(requests.status, "open"));
    expect(request).toBeDefined();
    await bot.deliver();
    bot.setNow(new Date(WEDNESDAY_2PM.getTime() + 7 * 60_000));
    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
    await bot.send(textUpdate(marc, "Je passe te voir dans 10 minutes"));
    await bot.send(callbackUpdate(marc, `rq:out:${request?.id}:met`));
    await bot.deliver();

    const counters = await readCounters(database.db, "2026-11-18", "2026-11-18");
    const value = (metric: string, key: string) =>
      counters.find((r) => r.metric === metric && r.key === key)?.value;
    expect(value("lookup", "material")).toBe(1);
    expect(value("lookup", "site")).toBe(1);
    expect(value("lookup", "open")).toBe(1);
    expect(value("lookup.material", "naloxone")).toBe(1);
    expect(value("lookup.site_type", "supervised_consumption")).toBeGreaterThanOrEqual(2);
    expect(value("request.category", "talk")).toBe(1);
    expect(value("request.hour", "14")).toBe(1);
    expect(value("request.claim_wait", "5")).toBe(1);
    expect(value("request.outcome", "closed:met")).toBe(1);
    expect(value("request.nobody_on_call", "")).toBeUndefined();

    const dump = JSON.stringify(rowsOf(await database.db.execute(sql`select * from stat_counters`)));
    const [ended] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.id, request?.id ?? ""));
    for (const secret of [
      String(person.id),
      String(marc.id),
      pseudonymFor(bot.deps.pseudonymKey, person.id),
      pseudonymFor(bot.deps.pseudonymKey, marc.id, "member"),
      "Mésange",
      person.username as string,
      marc.username as string,
      "Marcotte",
      words,
      "Gamelin",
      "10 minutes",
      request?.id as string,
      ended?.nicknameAnimal as string,
      ended?.nicknameColour as string,
    ])
      expect(dump).not.toContain(secret);
  });

  it("counts a request that came in with nobody on call, and its end when the person withdraws it", async () => {
    const person = someone("en");
    await joinTeam(bot, database, someone(), "Nadia");
    await bot.send(
      textUpdate(person, "/talk"),
      callbackUpdate(person, "f:cat:food"),
      textUpdate(person, "hungry"),
      callbackUpdate(person, "f:ans:chat"),
      callbackUpdate(person, "f:area:verdun"),
      callbackUpdate(person, "f:send"),
    );
    const [request] = await database.db.select().from(requests);
    expect(request?.deliveredAt).toBeNull();
    await bot.send(callbackUpdate(person, `rq:withdraw:${request?.id}`));
    const [after] = await database.db.select().from(requests);
    expect(after?.status).toBe("withdrawn");
    const counters = await readCounters(database.db, "2026-11-18", "2026-11-18", "org-a");
    expect(counters.filter((r) => r.metric.startsWith("request."))).toEqual([
      { day: "2026-11-18", metric: "request.category", key: "food", value: 1 },
      { day: "2026-11-18", metric: "request.hour", key: "14", value: 1 },
      { day: "2026-11-18", metric: "request.nobody_on_call", key: "", value: 1 },
      { day: "2026-11-18", metric: "request.outcome", key: "withdrawn", value: 1 },
    ]);
  });
});
