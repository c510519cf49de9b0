import { describe, expect, it } from "vitest";
import { dayNumber } from "../../src/directory/clock";
import {
  buildSchedule,
  endRunningOpening,
  hoursOnDay,
  parseDayRanges,
  statusAt,
  type WeeklyHours,
  weekHours,
} from "../../src/directory/hours";
import { MONTREAL_REGION } from "../../src/directory/hours-syntax";
import type { Site } from "../../src/directory/model";

/**
 * Rules of src/directory/hours.ts that the other hours tests let a mutant break (npm run mutation,
 * README "Mutation testing"): day ranges as written, the night that runs on, the days the clocks skip
 * an hour, the week's look-ahead, and how much a schedule keeps.
 */
const ZONE = "America/Toronto";
type Hours = Pick<Site, "hours" | "chequeDayHours" | "specialDates" | "workerDays">;
const schedule = (hours: string, extra: Partial<Hours> = {}) =>
  buildSchedule({ hours, specialDates: [], ...extra }, [], MONTREAL_REGION, ZONE);
const special = (day: string, hours: string) => ({ specialDates: [{ day, hours }] });
const at = (instant: string) => new Date(instant);
const isoDay = (number: number) => new Date(number * 86_400_000).toISOString().slice(0, 10);

describe("a day's hours as written", () => {
  it("reads minutes, spaces, a closed day and a range that ends where it starts", () => {
    expect(parseDayRanges(" off ")).toEqual([]);
    expect(parseDayRanges("10:30-14:15")).toEqual([{ from: 630, to: 855 }]);
    expect(parseDayRanges(" 10:00 - 14:00 ,18:00-02:00")).toEqual([
      { from: 600, to: 840 },
      { from: 1080, to: 1560 },
    ]);
    expect(parseDayRanges("00:00-00:00")).toEqual([{ from: 0, to: 1440 }]);
    expect(parseDayRanges("20:00-20:00")).toEqual([{ from: 1200, to: 2640 }]);
  });

  it.each(["x10:00-14:00", "10:00-14:00x", "10:00x-14:00", "10:00-x14:00", "10h-14h"])(
    "refuses %s",
    (text) => {
      expect(() => parseDayRanges(text)).toThrow(`not a time range: ${text}`);
    },
  );
});

describe("what a schedule keeps", () => {
  it("parses the same weekly hours once for every site that has them", () => {
    const parsed = new Map<string, WeeklyHours>();
    const a = buildSchedule(
      { hours: "Mo-Fr 09:00-17:00", specialDates: [] },
      [],
      MONTREAL_REGION,
      ZONE,
      parsed,
    );
    const b = buildSchedule(
      { hours: "Mo-Fr 09:00-17:00", specialDates: [] },
      [],
      MONTREAL_REGION,
      ZONE,
      parsed,
    );
    expect(b.weekly).toBe(a.weekly);
    expect([...parsed.keys()]).toEqual(["Mo-Fr 09:00-17:00"]);
  });

  it("keeps the last 40 days' weekly openings and the last 8 days' statuses", () => {
    const kept = schedule("Mo-Fr 09:00-17:00");
    const first = dayNumber("2026-11-02");
    for (let day = first; day < first + 60; day++) hoursOnDay(kept, isoDay(day));
    expect([...kept.cache.keys()]).toEqual(Array.from({ length: 40 }, (_, i) => first + 20 + i));

    const statuses = schedule("Mo-Fr 09:00-17:00");
    for (let day = first; day < first + 20; day++) statusAt(statuses, at(`${isoDay(day)}T17:00:00Z`));
    expect([...statuses.spans.keys()]).toEqual(Array.from({ length: 8 }, (_, i) => first + 12 + i));
  });
});

describe("the night that runs on", () => {
  it("keeps a night until noon with its evening, however late it ends", () => {
    const night = schedule("Sa 20:00-12:00");
    expect(hoursOnDay(night, "2026-11-21").intervals).toEqual([{ from: 1200, to: 2160 }]);
    expect(hoursOnDay(night, "2026-11-22").intervals).toEqual([]);
  });

  it("leaves the morning to its own day after a day open from midnight", () => {
    const days = schedule("Mo 00:00-24:00; Tu 00:00-06:00");
    expect(hoursOnDay(days, "2026-11-16")).toEqual({ day: "2026-11-16", intervals: [], allDay: true });
    expect(hoursOnDay(days, "2026-11-17").intervals).toEqual([{ from: 0, to: 360 }]);
  });

  it("cuts at midnight the night of a split day before a special date", () => {
    const split = schedule("Mo-Su 10:00-12:00,20:00-04:00", special("2026-11-19", "off"));
    expect(hoursOnDay(split, "2026-11-18").intervals).toEqual([
      { from: 600, to: 720 },
      { from: 1200, to: 1440 },
    ]);
  });
});

describe("the day the clocks skip an hour (8 March 2026)", () => {
  const oneAm = at("2026-03-08T01:00:00-05:00");

  it("never opens for an opening wholly inside the skipped hour", () => {
    expect(statusAt(schedule("off", special("2026-03-08", "02:15-02:45")), oneAm)).toEqual({
      kind: "closed-for-now",
    });
  });

  it("keeps open through the hour that does not exist", () => {
    expect(statusAt(schedule("off", special("2026-03-08", "00:00-02:00,03:00-05:00")), oneAm)).toEqual({
      kind: "open",
      until: at("2026-03-08T05:00:00-04:00"),
    });
    expect(statusAt(schedule("24/7", special("2026-03-08", "00:00-02:00,03:00-24:00")), oneAm)).toEqual({
      kind: "always-open",
    });
  });

  it("finds the next opening after the autumn change from a week before it", () => {
    // Monday 26 October, 18:00 daylight time; the clocks fall back on Sunday 1 November.
    expect(statusAt(schedule("Mo 09:00-17:00"), at("2026-10-26T18:00:00-04:00"))).toEqual({
      kind: "closed",
      opensAt: at("2026-11-02T09:00:00-05:00"),
    });
  });
});

describe("a status over the week", () => {
  it("is open until a closing eight days ahead, not around the clock", () => {
    expect(statusAt(schedule("24/7", special("2026-11-26", "off")), at("2026-11-18T12:00:00-05:00"))).toEqual(
      {
        kind: "open",
        until: at("2026-11-26T00:00:00-05:00"),
      },
    );
  });

  it("reads a day's hours written out of order", () => {
    const day = schedule("off", special("2026-11-18", "18:00-20:00,10:00-12:00"));
    expect(statusAt(day, at("2026-11-18T11:00:00-05:00"))).toEqual({
      kind: "open",
      until: at("2026-11-18T12:00:00-05:00"),
    });
  });
});

describe("the week view", () => {
  it("shows each day from today with its openings to the minute", () => {
    const week = weekHours(schedule("Mo-Fr 09:15-17:45"), at("2026-11-18T12:00:00-05:00"));
    expect(week.map((d) => d.day)).toEqual([
      "2026-11-18",
      "2026-11-19",
      "2026-11-20",
      "2026-11-21",
      "2026-11-22",
      "2026-11-23",
      "2026-11-24",
    ]);
    expect(week.map((d) => d.intervals)).toEqual([
      [{ from: 555, to: 1065 }],
      [{ from: 555, to: 1065 }],
      [{ from: 555, to: 1065 }],
      [],
      [],
      [{ from: 555, to: 1065 }],
      [{ from: 555, to: 1065 }],
    ]);
    expect(weekHours(schedule("24/7"), at("2026-11-18T12:00:00-05:00"), 2)).toEqual([
      { day: "2026-11-18", intervals: [], allDay: true },
      { day: "2026-11-19", intervals: [], allDay: true },
    ]);
  });

  it("says 24 h/24 for a day written open from midnight to midnight among other ranges", () => {
    expect(
      hoursOnDay(schedule("off", special("2026-11-18", "10:00-12:00,00:00-24:00")), "2026-11-18"),
    ).toEqual({
      day: "2026-11-18",
      intervals: [],
      allDay: true,
    });
  });
});

describe("a worker's closed now, at the very instant an opening starts", () => {
  it("leaves nothing of it", () => {
    expect(endRunningOpening(schedule("Mo-Fr 09:00-17:00"), at("2026-11-18T09:00:00.000-05:00"))).toEqual({
      day: "2026-11-18",
      hours: "off",
    });
  });
});
