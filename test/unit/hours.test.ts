import { describe, expect, it } from "vitest";
import { wallDate, wallFields } from "../../src/directory/clock";
import {
  buildSchedule,
  endRunningOpening,
  hoursOnDay,
  instantAt,
  statusAt,
  timedStatusAt,
} from "../../src/directory/hours";
import { MONTREAL_REGION } from "../../src/directory/hours-syntax";
import type { Site } from "../../src/directory/model";

const ZONE = "America/Toronto";
type Hours = Pick<Site, "hours" | "chequeDayHours" | "specialDates" | "workerDays">;
const schedule = (hours: string, extra: Partial<Hours> = {}, chequeDays: string[] = []) =>
  buildSchedule({ hours, specialDates: [], ...extra }, chequeDays, MONTREAL_REGION, ZONE);

describe("hours in Montreal, whatever the machine's zone", () => {
  it("runs in UTC, so the tests below prove the zone is handled explicitly", () => {
    expect(new Date("2026-01-01T00:00:00Z").getTimezoneOffset()).toBe(0);
  });

  it("converts an instant to the Montreal wall clock and back, in winter and in summer", () => {
    expect(wallFields(new Date("2026-01-15T14:30:00Z"), ZONE)).toMatchObject({ hour: 9, minute: 30 });
    expect(instantAt("2026-01-15", 9 * 60 + 30, ZONE)).toEqual(new Date("2026-01-15T14:30:00Z"));
    expect(wallFields(new Date("2026-07-15T14:30:00Z"), ZONE)).toMatchObject({ hour: 10, minute: 30 });
    expect(instantAt("2026-07-15", 10 * 60 + 30, ZONE)).toEqual(new Date("2026-07-15T14:30:00Z"));
  });

  it("opens at 9:00 local time on both sides of the spring change", () => {
    const weekdays = schedule("Mo-Fr 09:00-17:00");
    // Friday 6 March 2026, EST (UTC-5).
    expect(statusAt(weekdays, new Date("2026-03-06T13:59:00Z")).kind).toBe("closed");
    expect(statusAt(weekdays, new Date("2026-03-06T14:00:00Z")).kind).toBe("open");
    // Monday 9 March 2026, EDT (UTC-4).
    expect(statusAt(weekdays, new Date("2026-03-09T12:59:00Z")).kind).toBe("closed");
    expect(statusAt(weekdays, new Date("2026-03-09T13:00:00Z"))).toEqual({
      kind: "open",
      until: new Date("2026-03-09T21:00:00Z"),
    });
  });

  it("closes a night that spans the spring change at 3:00 summer time", () => {
    const saturdayNight = schedule("Sa 20:00-03:00");
    // 01:30 EST on Sunday 8 March 2026; clocks jump from 2:00 to 3:00 at 07:00 UTC.
    expect(statusAt(saturdayNight, new Date("2026-03-08T06:30:00Z"))).toEqual({
      kind: "open",
      until: new Date("2026-03-08T07:00:00Z"),
    });
  });

  it("closes a night that spans the autumn change at 3:00 winter time", () => {
    const saturdayNight = schedule("Sa 20:00-03:00");
    // 01:30 EDT on Sunday 1 November 2026, before the clocks fall back at 06:00 UTC.
    expect(statusAt(saturdayNight, new Date("2026-11-01T05:30:00Z"))).toEqual({
      kind: "open",
      until: new Date("2026-11-01T08:00:00Z"),
    });
  });

  it("gives the next opening after a weekend across the autumn change", () => {
    const weekdays = schedule("Mo-Fr 09:00-17:00");
    expect(statusAt(weekdays, new Date("2026-10-31T16:00:00Z"))).toEqual({
      kind: "closed",
      opensAt: new Date("2026-11-02T14:00:00Z"),
    });
  });

  it("follows Quebec holidays: closed on Saint-Jean-Baptiste day with PH off", () => {
    const weekdays = schedule("Mo-Fr 09:00-17:00; PH off");
    expect(statusAt(weekdays, new Date("2026-06-24T16:00:00Z")).kind).toBe("closed");
    expect(statusAt(weekdays, new Date("2026-06-23T16:00:00Z")).kind).toBe("open");
  });

  it("does not close on holidays unless the hours say so", () => {
    expect(statusAt(schedule("Mo-Fr 09:00-17:00"), new Date("2026-06-24T16:00:00Z")).kind).toBe("open");
  });

  it("uses cheque-day hours on cheque days only", () => {
    const site = schedule("Mo-Fr 09:00-17:00", { chequeDayHours: "08:00-20:00" }, ["2026-12-01"]);
    expect(statusAt(site, new Date("2026-12-02T00:30:00Z")).kind).toBe("open"); // Tue 1 Dec, 19:30
    expect(statusAt(site, new Date("2026-12-03T00:30:00Z")).kind).toBe("closed"); // Wed 2 Dec, 19:30
  });

  it("lets a special date win over a cheque day", () => {
    const site = schedule(
      "Mo-Fr 09:00-17:00",
      { chequeDayHours: "08:00-20:00", specialDates: [{ day: "2026-12-01", hours: "off" }] },
      ["2026-12-01"],
    );
    expect(statusAt(site, new Date("2026-12-01T16:00:00Z")).kind).toBe("closed");
  });

  it("applies special hours on their date", () => {
    const site = schedule("Mo-Fr 09:00-17:00", {
      specialDates: [{ day: "2026-12-24", hours: "10:00-14:00" }],
    });
    expect(statusAt(site, new Date("2026-12-24T20:00:00Z")).kind).toBe("closed"); // 15:00
    expect(statusAt(site, new Date("2026-12-24T16:00:00Z"))).toEqual({
      kind: "open",
      until: new Date("2026-12-24T19:00:00Z"),
    });
  });

  it("says a 24/7 line is always open", () => {
    expect(statusAt(schedule("24/7"), new Date("2026-11-18T07:00:00Z"))).toEqual({ kind: "always-open" });
  });

  it("says closed-for-now when nothing opens within a week", () => {
    expect(statusAt(schedule("off"), new Date("2026-11-18T07:00:00Z"))).toEqual({ kind: "closed-for-now" });
  });

  it("shows a night past midnight whole on the day it starts", () => {
    const nights = schedule("Fr-Sa 20:00-03:00");
    expect(hoursOnDay(nights, "2026-11-20")).toEqual({
      day: "2026-11-20",
      intervals: [{ from: 1200, to: 1620 }],
      allDay: false,
    });
    // Saturday: the night from Friday is not repeated as 00:00-03:00.
    expect(hoursOnDay(nights, "2026-11-21").intervals).toEqual([{ from: 1200, to: 1620 }]);
    expect(hoursOnDay(nights, "2026-11-22").intervals).toEqual([]);
    expect(hoursOnDay(schedule("24/7"), "2026-11-22").allDay).toBe(true);
  });

  it("knows the Montreal date at 23:30 local, when UTC is already tomorrow", () => {
    expect(wallDate(new Date("2026-11-19T04:30:00Z"), ZONE)).toBe("2026-11-18");
  });

  it("ends the night before a special date at its midnight, and ends the special day at its own closing time", () => {
    const lateSite = schedule("Mo-Su 10:00-02:00", {
      specialDates: [{ day: "2026-12-31", hours: "10:00-20:00" }],
    });
    // 23:00 on 30 December: the 31st owns its day, so the night stops at midnight.
    expect(statusAt(lateSite, new Date("2026-12-31T04:00:00Z"))).toEqual({
      kind: "open",
      until: new Date("2026-12-31T05:00:00Z"),
    });
    expect(statusAt(lateSite, new Date("2026-12-31T06:00:00Z"))).toEqual({
      kind: "closed",
      opensAt: new Date("2026-12-31T15:00:00Z"),
    });
    // 01:00 on 1 January: the 31st closed at 20:00, so no night runs on.
    expect(statusAt(lateSite, new Date("2027-01-01T06:00:00Z"))).toEqual({
      kind: "closed",
      opensAt: new Date("2027-01-01T15:00:00Z"),
    });
    expect(hoursOnDay(lateSite, "2026-12-30").intervals).toEqual([{ from: 600, to: 1440 }]);
    expect(hoursOnDay(lateSite, "2026-12-31").intervals).toEqual([{ from: 600, to: 1200 }]);
    // The night that runs into a special date stays when the date's hours say so.
    const keptNight = schedule("Mo-Su 10:00-02:00", {
      specialDates: [{ day: "2026-12-31", hours: "00:00-02:00,10:00-20:00" }],
    });
    expect(statusAt(keptNight, new Date("2026-12-31T06:00:00Z"))).toEqual({
      kind: "open",
      until: new Date("2026-12-31T07:00:00Z"),
    });
    expect(hoursOnDay(lateSite, "2027-01-01").intervals).toEqual([{ from: 600, to: 1560 }]);
  });

  it("lets a special night run past midnight", () => {
    const site = schedule("Mo-Fr 09:00-17:00", {
      specialDates: [{ day: "2026-12-31", hours: "20:00-02:00" }],
    });
    expect(statusAt(site, new Date("2027-01-01T06:30:00Z"))).toEqual({
      kind: "open",
      until: new Date("2027-01-01T07:00:00Z"),
    });
  });

  it("shows the morning end of a run that began days earlier on its own day", () => {
    const weekend = schedule("Fr 20:00-24:00; Sa,Su 00:00-24:00; Mo 00:00-08:00");
    expect(hoursOnDay(weekend, "2026-11-20")).toEqual({
      day: "2026-11-20",
      intervals: [{ from: 1200, to: 1440 }],
      allDay: false,
    });
    expect(hoursOnDay(weekend, "2026-11-21").allDay).toBe(true);
    expect(hoursOnDay(weekend, "2026-11-23").intervals).toEqual([{ from: 0, to: 480 }]);
    const sundayMorning = schedule("Mo-Sa 00:00-24:00; Su 00:00-12:00");
    expect(hoursOnDay(sundayMorning, "2026-11-22").intervals).toEqual([{ from: 0, to: 720 }]);
    expect(statusAt(sundayMorning, new Date("2026-11-22T15:00:00Z"))).toEqual({
      kind: "open",
      until: new Date("2026-11-22T17:00:00Z"),
    });
  });

  it("gives the same hours when the process runs in another zone", () => {
    const previous = process.env.TZ;
    try {
      process.env.TZ = "Asia/Kolkata";
      const weekdays = schedule("Mo-Fr 09:00-17:00");
      expect(hoursOnDay(weekdays, "2026-03-09").intervals).toEqual([{ from: 540, to: 1020 }]);
      expect(statusAt(weekdays, new Date("2026-03-09T13:00:00Z"))).toEqual({
        kind: "open",
        until: new Date("2026-03-09T21:00:00Z"),
      });
    } finally {
      process.env.TZ = previous;
    }
  });
});

describe("a status kept between two edges", () => {
  const PATTERNS = [
    "Mo-Fr 09:00-17:00; PH off",
    "Mo-Su 20:00-03:00",
    "Sa 20:00-03:00",
    "Su 01:00-04:00",
    "Fr 20:00-24:00; Sa,Su 00:00-24:00; Mo 00:00-08:00",
    "24/7",
    "off",
  ];
  const SPECIAL = { specialDates: [{ day: "2026-11-02", hours: "01:30-02:30" }] };
  // Minute by minute over the autumn change (1 November 2026, 06:00 UTC) and the spring one (8 March),
  // then jumps back and forth: the clock of a test moves backwards as often as forwards.
  const sweep = (from: string, minutes: number, step: number) =>
    Array.from(
      { length: Math.floor(minutes / step) },
      (_, i) => new Date(Date.parse(from) + i * step * 60_000),
    );
  const instants = [
    ...sweep("2026-10-31T20:00:00Z", 36 * 60, 7),
    ...sweep("2026-03-07T20:00:00Z", 36 * 60, 7),
    ...sweep("2026-11-18T21:55:00Z", 10, 1),
    ...sweep("2026-11-18T21:55:00Z", 10, 1).reverse(),
    new Date("2026-11-18T21:59:59.999Z"),
    new Date("2026-11-18T22:00:00Z"),
    new Date("2026-11-18T21:59:59.999Z"),
    new Date("2026-11-25T15:00:00Z"),
    new Date("2026-11-18T15:00:00Z"),
    new Date("2026-11-01T05:30:00Z"),
    new Date("2026-11-01T06:30:00Z"),
    new Date("2026-11-01T05:30:00Z"),
  ];

  it("gives what a fresh schedule works out, across edges, backwards and over the clock changes", () => {
    for (const hours of PATTERNS) {
      const kept = schedule(hours, SPECIAL);
      for (const now of instants)
        expect({ hours, now, status: statusAt(kept, now) }).toEqual({
          hours,
          now,
          status: statusAt(schedule(hours, SPECIAL), now),
        });
    }
  });

  it("holds exactly from one edge to the next", () => {
    const weekdays = schedule("Mo-Fr 09:00-17:00");
    // Wednesday 18 November, 14:00 in Montreal: open from 9:00 to 17:00.
    expect(timedStatusAt(weekdays, new Date("2026-11-18T19:00:00Z"))).toEqual({
      status: { kind: "open", until: new Date("2026-11-18T22:00:00Z") },
      from: Date.parse("2026-11-18T14:00:00Z"),
      until: Date.parse("2026-11-18T22:00:00Z"),
    });
    // 20:00: closed until Thursday 9:00, but a new day starts at midnight.
    expect(timedStatusAt(weekdays, new Date("2026-11-19T01:00:00Z"))).toMatchObject({
      status: { kind: "closed", opensAt: new Date("2026-11-19T14:00:00Z") },
      from: Date.parse("2026-11-18T22:00:00Z"),
      until: Date.parse("2026-11-19T05:00:00Z"),
    });
    expect(statusAt(weekdays, new Date("2026-11-18T21:59:59.999Z")).kind).toBe("open");
    expect(statusAt(weekdays, new Date("2026-11-18T22:00:00Z")).kind).toBe("closed");
    expect(statusAt(weekdays, new Date("2026-11-18T21:59:59.999Z")).kind).toBe("open");
  });

  it("holds between real instants on the day the clocks change, a 25-hour day", () => {
    const nights = schedule("Sa 20:00-03:00");
    // 01:30 EDT, before the clocks fall back: the night runs from Sunday's midnight (EDT) to 3:00 EST.
    expect(timedStatusAt(nights, new Date("2026-11-01T05:30:00Z"))).toEqual({
      status: { kind: "open", until: new Date("2026-11-01T08:00:00Z") },
      from: Date.parse("2026-11-01T04:00:00Z"),
      until: Date.parse("2026-11-01T08:00:00Z"),
    });
    // After 3:00 EST: closed until Saturday, and the status holds until Monday's midnight (EST).
    expect(timedStatusAt(nights, new Date("2026-11-01T09:00:00Z"))).toMatchObject({
      from: Date.parse("2026-11-01T08:00:00Z"),
      until: Date.parse("2026-11-02T05:00:00Z"),
    });
  });
});

describe("a worker's closed now", () => {
  const at = (instant: string) => new Date(instant);

  it("ends a night that started yesterday on yesterday's hours, at this minute", () => {
    expect(endRunningOpening(schedule("Mo-Su 20:00-04:00"), at("2026-11-20T01:07:40-05:00"))).toEqual({
      day: "2026-11-19",
      hours: "20:00-01:07",
    });
  });

  it("ends only the running opening of a split day", () => {
    expect(
      endRunningOpening(schedule("Mo-Fr 09:00-12:00,13:00-17:00"), at("2026-11-18T10:30-05:00")),
    ).toEqual({ day: "2026-11-18", hours: "09:00-10:30,13:00-17:00" });
  });

  it("ends a 24/7 day now, and the next day opens at midnight", () => {
    const now = at("2026-11-18T14:00-05:00");
    const ended = endRunningOpening(schedule("24/7"), now);
    expect(ended).toEqual({ day: "2026-11-18", hours: "00:00-14:00" });
    const closed = schedule("24/7", {
      workerDays: [{ day: "2026-11-18", hours: ended?.hours ?? "", setAt: now }],
    });
    expect(statusAt(closed, now)).toEqual({ kind: "closed", opensAt: at("2026-11-19T00:00-05:00") });
  });

  it("leaves nothing when the opening began this minute, and finds nothing when closed", () => {
    expect(endRunningOpening(schedule("Mo-Fr 09:00-17:00"), at("2026-11-18T09:00:30-05:00"))).toEqual({
      day: "2026-11-18",
      hours: "off",
    });
    expect(endRunningOpening(schedule("Mo-Fr 09:00-17:00"), at("2026-11-18T17:00-05:00"))).toBeUndefined();
  });

  it("ends the night at the second 1:15 of the autumn change, which has already passed once", () => {
    const now = at("2026-11-01T01:15-05:00");
    const ended = endRunningOpening(schedule("Mo-Su 20:00-04:00"), now);
    expect(ended).toEqual({ day: "2026-10-31", hours: "20:00-01:15" });
    const closed = schedule("Mo-Su 20:00-04:00", {
      workerDays: [{ day: "2026-10-31", hours: ended?.hours ?? "", setAt: now }],
    });
    expect(statusAt(closed, now).kind).toBe("closed");
  });
});
