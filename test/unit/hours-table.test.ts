import OpeningHours from "opening_hours";
import { describe, expect, it } from "vitest";
import { createTranslations } from "../../src/bot/i18n";
import { buildCatalog } from "../../src/directory/catalog";
import { fromDirectoryFile } from "../../src/directory/file-model";
import { formatInterval, statusLine, type View } from "../../src/directory/format";
import { buildSchedule, hoursOnDay, statusAt } from "../../src/directory/hours";
import { MONTREAL_REGION } from "../../src/directory/hours-syntax";
import type { SpecialDate, WorkerDay } from "../../src/directory/model";
import { fixtureDirectory } from "../support/directory-fixture";

/**
 * What a person reads, in both languages, for (hours, special dates, a worker's days, an instant in
 * Montreal). Instants are written with the offset the wall clock in Montreal has then, so "01:15-05:00"
 * on 1 November is the second 1:15 of the night the clocks fall back. The suite runs in UTC.
 */
const ZONE = "America/Toronto";
const translations = createTranslations();
const catalog = buildCatalog(fromDirectoryFile(fixtureDirectory()));
const view = (locale: "fr" | "en", now: Date): View => ({
  t: translations.forLocale(locale),
  locale,
  now,
  catalog,
});

type Site = {
  hours: string;
  special?: SpecialDate[];
  worker?: { day: string; hours: string }[];
  cheque?: { hours: string; days: string[] };
};

function texts(site: Site, at: Date): [string, string] {
  const schedule = buildSchedule(
    {
      hours: site.hours,
      specialDates: site.special ?? [],
      chequeDayHours: site.cheque?.hours,
      workerDays: (site.worker ?? []).map((d): WorkerDay => ({ ...d, setAt: at })),
    },
    site.cheque?.days ?? [],
    MONTREAL_REGION,
    ZONE,
  );
  const status = statusAt(schedule, at);
  return [statusLine(status, view("fr", at)), statusLine(status, view("en", at))];
}

const OPEN = (fr: string, en: string): [string, string] => [`🟢 Ouvert jusqu'à ${fr}`, `🟢 Open until ${en}`];
const OPENS = (dayFr: string, timeFr: string, dayEn: string, timeEn: string): [string, string] => [
  `🔴 Fermé · ouvre ${dayFr} à ${timeFr}`,
  `🔴 Closed · opens ${dayEn} at ${timeEn}`,
];
const ALWAYS: [string, string] = ["🟢 Ouvert 24 h/24", "🟢 Open 24/7"];

/**
 * The two nights the clocks change, every 15 minutes from 00:00 to 04:00 on the wall clock. Each site
 * lists what it says from each instant on (the first instant of each night is the first segment's).
 */
type Night = { name: string; first: string; last: string; sites: [Site, [string, [string, string]][]][] };
const NIGHTS: Night[] = [
  {
    name: "the clocks fall back (1 November 2026, 2:00 EDT → 1:00 EST)",
    first: "2026-11-01T00:00-04:00",
    last: "2026-11-01T04:00-05:00",
    sites: [
      [
        { hours: "Sa 20:00-01:30" },
        [
          ["2026-11-01T00:00-04:00", OPEN("1 h 30", "1:30")],
          // The first 1:30 closes it; the second 1:00-1:59 must not say "open until 1:30" again.
          ["2026-11-01T01:30-04:00", OPENS("samedi", "20 h", "Saturday", "20:00")],
        ],
      ],
      [
        { hours: "Sa 22:00-02:30" },
        [
          ["2026-11-01T00:00-04:00", OPEN("2 h 30", "2:30")],
          ["2026-11-01T02:30-05:00", OPENS("samedi", "22 h", "Saturday", "22:00")],
        ],
      ],
      [
        { hours: "Mo-Su 20:00-04:00" },
        [
          ["2026-11-01T00:00-04:00", OPEN("4 h", "4:00")],
          ["2026-11-01T04:00-05:00", OPENS("aujourd'hui", "20 h", "today", "20:00")],
        ],
      ],
      [
        { hours: "Su 01:30-05:00" },
        [
          ["2026-11-01T00:00-04:00", OPENS("aujourd'hui", "1 h 30", "today", "1:30")],
          ["2026-11-01T01:30-04:00", OPEN("5 h", "5:00")],
        ],
      ],
      [{ hours: "24/7" }, [["2026-11-01T00:00-04:00", ALWAYS]]],
    ],
  },
  {
    name: "the clocks spring forward (8 March 2026, 2:00 EST → 3:00 EDT)",
    first: "2026-03-08T00:00-05:00",
    last: "2026-03-08T04:00-04:00",
    sites: [
      [
        { hours: "Sa 20:00-01:30" },
        [
          ["2026-03-08T00:00-05:00", OPEN("1 h 30", "1:30")],
          ["2026-03-08T01:30-05:00", OPENS("samedi", "20 h", "Saturday", "20:00")],
        ],
      ],
      [
        // 2:30 never shows on the wall: the clock jumps from 1:59 to 3:00, and that is when it closes.
        { hours: "Sa 22:00-02:30" },
        [
          ["2026-03-08T00:00-05:00", OPEN("3 h", "3:00")],
          ["2026-03-08T03:00-04:00", OPENS("samedi", "22 h", "Saturday", "22:00")],
        ],
      ],
      [
        { hours: "Mo-Su 20:00-04:00" },
        [
          ["2026-03-08T00:00-05:00", OPEN("4 h", "4:00")],
          ["2026-03-08T04:00-04:00", OPENS("aujourd'hui", "20 h", "today", "20:00")],
        ],
      ],
      [
        { hours: "Su 02:30-05:00" },
        [
          ["2026-03-08T00:00-05:00", OPENS("aujourd'hui", "3 h", "today", "3:00")],
          ["2026-03-08T03:00-04:00", OPEN("5 h", "5:00")],
        ],
      ],
      [{ hours: "24/7" }, [["2026-03-08T00:00-05:00", ALWAYS]]],
    ],
  },
];

const QUARTER = 15 * 60_000;

describe.each(NIGHTS)("statuses on the night $name", (night) => {
  const instants: Date[] = [];
  for (let t = Date.parse(night.first); t <= Date.parse(night.last); t += QUARTER) instants.push(new Date(t));
  const rows = night.sites.flatMap(([site, segments]) =>
    instants.map((at) => {
      const segment = segments.filter(([from]) => Date.parse(from) <= at.getTime()).at(-1);
      return { site, at, expected: segment?.[1] };
    }),
  );

  it("covers every quarter hour from 00:00 to 04:00 on the wall clock", () => {
    expect(instants.length).toBe(night.first.startsWith("2026-11") ? 21 : 13);
  });

  it.each(rows)("$site.hours at $at: $expected", ({ site, at, expected }) => {
    expect(texts(site, at)).toEqual(expected);
  });
});

type Row = { site: Site; at: string; expected: [string, string] };
const OVERNIGHT_CLOSED_24: Site = {
  hours: "Mo-Su 20:00-04:00",
  special: [{ day: "2026-12-24", hours: "off" }],
};
const OVERNIGHT_SHORT_24: Site = {
  hours: "Mo-Su 20:00-04:00",
  special: [{ day: "2026-12-24", hours: "12:00-18:00" }],
};
const ROWS: [string, Row[]][] = [
  [
    "a closed special date on an overnight site",
    [
      { site: OVERNIGHT_CLOSED_24, at: "2026-12-23T23:30-05:00", expected: OPEN("minuit", "midnight") },
      {
        site: OVERNIGHT_CLOSED_24,
        at: "2026-12-24T00:00-05:00",
        expected: OPENS("demain", "20 h", "tomorrow", "20:00"),
      },
      {
        site: OVERNIGHT_CLOSED_24,
        at: "2026-12-24T02:00-05:00",
        expected: OPENS("demain", "20 h", "tomorrow", "20:00"),
      },
      {
        site: OVERNIGHT_CLOSED_24,
        at: "2026-12-24T03:59-05:00",
        expected: OPENS("demain", "20 h", "tomorrow", "20:00"),
      },
      {
        site: OVERNIGHT_CLOSED_24,
        at: "2026-12-24T04:00-05:00",
        expected: OPENS("demain", "20 h", "tomorrow", "20:00"),
      },
      // The night of the 24th is gone too, so nothing runs into Christmas morning.
      {
        site: OVERNIGHT_CLOSED_24,
        at: "2026-12-25T02:00-05:00",
        expected: OPENS("aujourd'hui", "20 h", "today", "20:00"),
      },
      { site: OVERNIGHT_CLOSED_24, at: "2026-12-22T23:30-05:00", expected: OPEN("4 h", "4:00") },
    ],
  ],
  [
    "special hours on an overnight site",
    [
      { site: OVERNIGHT_SHORT_24, at: "2026-12-23T23:30-05:00", expected: OPEN("minuit", "midnight") },
      {
        site: OVERNIGHT_SHORT_24,
        at: "2026-12-24T00:00-05:00",
        expected: OPENS("aujourd'hui", "12 h", "today", "12:00"),
      },
      {
        site: OVERNIGHT_SHORT_24,
        at: "2026-12-24T02:00-05:00",
        expected: OPENS("aujourd'hui", "12 h", "today", "12:00"),
      },
      { site: OVERNIGHT_SHORT_24, at: "2026-12-24T17:59-05:00", expected: OPEN("18 h", "18:00") },
      {
        site: OVERNIGHT_SHORT_24,
        at: "2026-12-24T18:00-05:00",
        expected: OPENS("demain", "20 h", "tomorrow", "20:00"),
      },
      {
        // The date's hours can keep the night that runs into it.
        site: {
          hours: "Mo-Su 20:00-04:00",
          special: [{ day: "2026-12-24", hours: "00:00-04:00,12:00-18:00" }],
        },
        at: "2026-12-24T02:00-05:00",
        expected: OPEN("4 h", "4:00"),
      },
    ],
  ],
  [
    "a worker's closures",
    [
      // "Closed today" tapped at 1:00 on the 24th: the night that started on the 23rd ends at midnight.
      {
        site: { hours: "Mo-Su 20:00-04:00", worker: [{ day: "2026-12-24", hours: "off" }] },
        at: "2026-12-24T01:00-05:00",
        expected: OPENS("demain", "20 h", "tomorrow", "20:00"),
      },
      // "Closed now" at 1:07 on the 24th: the night of the 23rd ends at 1:07, the 24th opens as usual.
      {
        site: { hours: "Mo-Su 20:00-04:00", worker: [{ day: "2026-12-23", hours: "20:00-01:07" }] },
        at: "2026-12-24T01:06-05:00",
        expected: OPEN("1 h 07", "1:07"),
      },
      {
        site: { hours: "Mo-Su 20:00-04:00", worker: [{ day: "2026-12-23", hours: "20:00-01:07" }] },
        at: "2026-12-24T01:07-05:00",
        expected: OPENS("aujourd'hui", "20 h", "today", "20:00"),
      },
      // A worker's day wins over the file's special date for that day.
      {
        site: {
          hours: "Mo-Su 20:00-04:00",
          special: [{ day: "2026-12-24", hours: "off" }],
          worker: [{ day: "2026-12-24", hours: "20:00-02:00" }],
        },
        at: "2026-12-24T21:00-05:00",
        expected: OPEN("2 h", "2:00"),
      },
    ],
  ],
  [
    "weekday ranges, nights and midnight",
    [
      // Su-Tu wraps round the week: Sunday, Monday, Tuesday.
      { site: { hours: "Su-Tu 10:00-18:00" }, at: "2026-11-16T12:00-05:00", expected: OPEN("18 h", "18:00") },
      {
        site: { hours: "Su-Tu 10:00-18:00" },
        at: "2026-11-15T09:59-05:00",
        expected: OPENS("aujourd'hui", "10 h", "today", "10:00"),
      },
      { site: { hours: "Su-Tu 10:00-18:00" }, at: "2026-11-15T10:00-05:00", expected: OPEN("18 h", "18:00") },
      { site: { hours: "Su-Tu 10:00-18:00" }, at: "2026-11-17T17:59-05:00", expected: OPEN("18 h", "18:00") },
      {
        site: { hours: "Su-Tu 10:00-18:00" },
        at: "2026-11-17T18:00-05:00",
        expected: OPENS("dimanche", "10 h", "Sunday", "10:00"),
      },
      {
        site: { hours: "Su-Tu 10:00-18:00" },
        at: "2026-11-18T12:00-05:00",
        expected: OPENS("dimanche", "10 h", "Sunday", "10:00"),
      },
      // Fr,Sa 22:00-06:00: Friday's and Saturday's nights, each until 6:00 the next morning.
      {
        site: { hours: "Fr,Sa 22:00-06:00" },
        at: "2026-11-20T21:59-05:00",
        expected: OPENS("aujourd'hui", "22 h", "today", "22:00"),
      },
      { site: { hours: "Fr,Sa 22:00-06:00" }, at: "2026-11-20T22:00-05:00", expected: OPEN("6 h", "6:00") },
      { site: { hours: "Fr,Sa 22:00-06:00" }, at: "2026-11-21T03:00-05:00", expected: OPEN("6 h", "6:00") },
      {
        site: { hours: "Fr,Sa 22:00-06:00" },
        at: "2026-11-21T06:00-05:00",
        expected: OPENS("aujourd'hui", "22 h", "today", "22:00"),
      },
      { site: { hours: "Fr,Sa 22:00-06:00" }, at: "2026-11-22T05:59-05:00", expected: OPEN("6 h", "6:00") },
      {
        site: { hours: "Fr,Sa 22:00-06:00" },
        at: "2026-11-22T06:00-05:00",
        expected: OPENS("vendredi", "22 h", "Friday", "22:00"),
      },
      // An end written -00:00 or 24:00 is midnight, which belongs to the day that ends.
      {
        site: { hours: "Mo-Fr 18:00-00:00" },
        at: "2026-11-18T23:59-05:00",
        expected: OPEN("minuit", "midnight"),
      },
      {
        site: { hours: "Mo-Fr 18:00-00:00" },
        at: "2026-11-19T00:00-05:00",
        expected: OPENS("aujourd'hui", "18 h", "today", "18:00"),
      },
      {
        site: { hours: "Mo-Fr 18:00-24:00" },
        at: "2026-11-18T23:59-05:00",
        expected: OPEN("minuit", "midnight"),
      },
      {
        site: { hours: "Mo-Fr 18:00-24:00" },
        at: "2026-11-19T00:00-05:00",
        expected: OPENS("aujourd'hui", "18 h", "today", "18:00"),
      },
      {
        site: { hours: "Mo-Fr 18:00-24:00" },
        at: "2026-11-20T23:59-05:00",
        expected: OPEN("minuit", "midnight"),
      },
      {
        site: { hours: "Mo-Fr 18:00-24:00" },
        at: "2026-11-21T00:00-05:00",
        expected: OPENS("lundi", "18 h", "Monday", "18:00"),
      },
      { site: { hours: "24/7" }, at: "2026-11-18T03:00-05:00", expected: ALWAYS },
      // Split days: the last minute before each closing and the first after each opening.
      {
        site: { hours: "Mo-Fr 09:00-12:00,13:00-17:00" },
        at: "2026-11-18T08:59-05:00",
        expected: OPENS("aujourd'hui", "9 h", "today", "9:00"),
      },
      {
        site: { hours: "Mo-Fr 09:00-12:00,13:00-17:00" },
        at: "2026-11-18T09:00-05:00",
        expected: OPEN("12 h", "12:00"),
      },
      {
        site: { hours: "Mo-Fr 09:00-12:00,13:00-17:00" },
        at: "2026-11-18T11:59-05:00",
        expected: OPEN("12 h", "12:00"),
      },
      {
        site: { hours: "Mo-Fr 09:00-12:00,13:00-17:00" },
        at: "2026-11-18T12:00-05:00",
        expected: OPENS("aujourd'hui", "13 h", "today", "13:00"),
      },
      {
        site: { hours: "Mo-Fr 09:00-12:00,13:00-17:00" },
        at: "2026-11-18T13:00-05:00",
        expected: OPEN("17 h", "17:00"),
      },
      {
        site: { hours: "Mo-Fr 09:00-12:00,13:00-17:00" },
        at: "2026-11-18T16:59-05:00",
        expected: OPEN("17 h", "17:00"),
      },
      {
        site: { hours: "Mo-Fr 09:00-12:00,13:00-17:00" },
        at: "2026-11-18T17:00-05:00",
        expected: OPENS("demain", "9 h", "tomorrow", "9:00"),
      },
    ],
  ],
  [
    "cheque days",
    [
      // Tuesday 1 December 2026 is a cheque day: 8:00-20:00 instead of 9:00-17:00.
      {
        site: { hours: "Mo-Fr 09:00-17:00", cheque: { hours: "08:00-20:00", days: ["2026-12-01"] } },
        at: "2026-12-01T07:59-05:00",
        expected: OPENS("aujourd'hui", "8 h", "today", "8:00"),
      },
      {
        site: { hours: "Mo-Fr 09:00-17:00", cheque: { hours: "08:00-20:00", days: ["2026-12-01"] } },
        at: "2026-12-01T08:00-05:00",
        expected: OPEN("20 h", "20:00"),
      },
      {
        site: { hours: "Mo-Fr 09:00-17:00", cheque: { hours: "08:00-20:00", days: ["2026-12-01"] } },
        at: "2026-12-01T19:59-05:00",
        expected: OPEN("20 h", "20:00"),
      },
      {
        site: { hours: "Mo-Fr 09:00-17:00", cheque: { hours: "08:00-20:00", days: ["2026-12-01"] } },
        at: "2026-12-01T20:00-05:00",
        expected: OPENS("demain", "9 h", "tomorrow", "9:00"),
      },
      {
        site: { hours: "Mo-Fr 09:00-17:00", cheque: { hours: "08:00-20:00", days: ["2026-12-01"] } },
        at: "2026-12-02T17:00-05:00",
        expected: OPENS("demain", "9 h", "tomorrow", "9:00"),
      },
      // Cheque-day-only hours: open on cheque days and no other.
      {
        site: { hours: "off", cheque: { hours: "10:00-16:00", days: ["2026-12-01", "2026-12-31"] } },
        at: "2026-12-01T12:00-05:00",
        expected: OPEN("16 h", "16:00"),
      },
      {
        site: { hours: "off", cheque: { hours: "10:00-16:00", days: ["2026-12-01", "2026-12-31"] } },
        at: "2026-11-30T12:00-05:00",
        expected: OPENS("demain", "10 h", "tomorrow", "10:00"),
      },
      {
        site: { hours: "off", cheque: { hours: "10:00-16:00", days: ["2026-12-01", "2026-12-31"] } },
        at: "2026-12-01T16:00-05:00",
        expected: ["🔴 Fermé pour l'instant", "🔴 Closed for now"],
      },
      // A cheque day owns its day like a special date: the night before stops at midnight.
      {
        site: { hours: "Mo-Su 20:00-04:00", cheque: { hours: "10:00-22:00", days: ["2026-12-01"] } },
        at: "2026-12-01T02:00-05:00",
        expected: OPENS("aujourd'hui", "10 h", "today", "10:00"),
      },
    ],
  ],
];

describe.each(ROWS)("statuses for %s", (_, rows) => {
  it.each(rows)("$site.hours at $at", ({ site, at, expected }) => {
    expect(texts(site, new Date(at))).toEqual(expected);
  });
});

/**
 * Quebec's public holidays as the opening_hours library counts them (its "Quebec" region), written out
 * here and checked against the library, so a change in the library shows up as a failing test.
 */
const QUEBEC_HOLIDAYS_2026: [string, string][] = [
  ["2026-01-01", "Nouvel An"],
  ["2026-04-03", "Vendredi saint"],
  ["2026-04-06", "Lundi de Pâques"],
  ["2026-05-18", "Journée nationale des patriotes"],
  ["2026-06-24", "Fête nationale du Québec"],
  ["2026-07-01", "Fête du Canada"],
  ["2026-09-07", "Fête du travail"],
  ["2026-10-12", "Action de grâce"],
  ["2026-12-25", "Noël"],
];

describe("Quebec public holidays", () => {
  it("are the ones the opening_hours library counts for Quebec", () => {
    const holidays = new OpeningHours(
      "PH",
      { lat: 45.5, lon: -73.57, address: { country_code: "ca", state: "Quebec" } },
      { mode: 0, tag_key: undefined, map_value: undefined, warnings_severity: 4, locale: "en" },
    );
    const counted = holidays
      .getOpenIntervals(new Date(2026, 0, 1), new Date(2027, 0, 1))
      .map(([start, , , comment]) => [start.toISOString().slice(0, 10), comment]);
    expect(counted).toEqual(QUEBEC_HOLIDAYS_2026);
  });

  it.each(QUEBEC_HOLIDAYS_2026)("%s (%s): PH off closes, PH-only hours open", (day) => {
    const noon = new Date(`${day}T12:00-05:00`);
    const dayBefore = new Date(noon.getTime() - 86_400_000);
    expect(texts({ hours: "Mo-Su 09:00-17:00; PH off" }, noon)).toEqual(
      OPENS("demain", "9 h", "tomorrow", "9:00"),
    );
    expect(texts({ hours: "Mo-Su 09:00-17:00; PH off" }, dayBefore)).toEqual(OPEN("17 h", "17:00"));
    expect(texts({ hours: "PH 10:00-16:00" }, noon)).toEqual(OPEN("16 h", "16:00"));
    expect(texts({ hours: "PH 10:00-16:00" }, dayBefore)).toEqual(
      OPENS("demain", "10 h", "tomorrow", "10:00"),
    );
  });
});

describe("the week view on the days the clocks change", () => {
  const t = translations.forLocale("fr");
  const en = translations.forLocale("en");
  const shown = (hours: string, day: string) =>
    hoursOnDay(buildSchedule({ hours, specialDates: [] }, [], MONTREAL_REGION, ZONE), day).intervals;

  it("shows a night across the spring change as the wall reads it, four hours long", () => {
    const [night] = shown("Sa 22:00-02:30", "2026-03-07");
    expect(night && formatInterval(night, "fr", t)).toBe("22 h à 3 h (4 h : changement d'heure)");
    expect(night && formatInterval(night, "en", en)).toBe("22:00–3:00 (4 h: the clocks change)");
  });

  it("shows a night across the autumn change nine hours long", () => {
    const [night] = shown("Sa 20:00-04:00", "2026-10-31");
    expect(night && formatInterval(night, "fr", t)).toBe("20 h à 4 h (9 h : changement d'heure)");
    expect(night && formatInterval(night, "en", en)).toBe("20:00–4:00 (9 h: the clocks change)");
  });

  it("leaves other nights as they are written", () => {
    const [night] = shown("Sa 20:00-04:00", "2026-11-07");
    expect(night && formatInterval(night, "fr", t)).toBe("20 h à 4 h");
    expect(shown("Su 02:00-02:45", "2026-03-08")).toEqual([]);
  });
});
