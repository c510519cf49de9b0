import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildCatalog,
  firstByOpenness,
  nearestSites,
  openAndUpcoming,
  withStatus,
} from "../../src/directory/catalog";
import { fromDirectoryFile } from "../../src/directory/file-model";
import { parseDayRanges, type Status } from "../../src/directory/hours";
import { parseOpeningHours } from "../../src/directory/hours-syntax";
import type { Directory, Site } from "../../src/directory/model";
import { fixtureDirectory } from "../support/directory-fixture";

/**
 * The fast status (kept between edges on shared schedules, read through the near-me grid and the
 * smallest-page selection) against a plain computation made here from the opening_hours library alone:
 * the library's open intervals on the wall clock (the suite runs in UTC, so its Dates are wall times),
 * cut into each day's openings, the days' overrides applied by the README's rule, and each wall time
 * turned into the first instant at which the Montreal wall clock reads it or later, found by trying
 * every minute. Random hours among the directory file's patterns, random instants over 2026 (both clock
 * changes), and every minute around each edge near them.
 */
const ZONE = "America/Toronto";
const DAY = 1440;
const DAY_MS = 86_400_000;
const LOOKAHEAD_DAYS = 8;

const HOURS = [
  // directory/example-montreal.yaml
  "Mo-Fr 09:00-17:00; PH off",
  "Mo-Su 10:00-02:00",
  "Mo-Sa 19:00-01:00",
  "Mo-Fr 09:00-21:00; Sa,Su 12:00-20:00; PH 12:00-18:00",
  "Mo-Fr 08:00-16:00; PH off",
  "Mo-Fr 09:00-15:00; Sa 10:00-14:00",
  "Mo,We,Fr 11:30-13:30; PH off",
  "24/7",
  "Mo-Su 08:00-22:00",
  // the nights, weeks and edges the issue names
  "Sa 20:00-01:30",
  "Sa 22:00-02:30",
  "Su 01:30-05:00",
  "Su 02:30-05:00",
  "Mo-Su 20:00-04:00",
  "Fr,Sa 22:00-06:00",
  "Su-Tu 10:00-18:00",
  "Mo-Fr 18:00-24:00",
  "Mo-Fr 09:00-12:00,13:00-17:00",
  "PH 10:00-16:00",
  "off",
];
const DAY_HOURS = [
  "off",
  "10:00-14:00",
  "20:00-02:00",
  "00:00-04:00,12:00-18:00",
  "01:00-03:30",
  "00:00-24:00",
];

// --- The plain computation ------------------------------------------------------------------------

const wallFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: ZONE,
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});

/** Wall minutes since 1970-01-01 00:00 on the Montreal clock at an instant. */
function wallMinutesAt(instant: number): number {
  const p = Object.fromEntries(
    wallFormat.formatToParts(new Date(instant)).map((x) => [x.type, Number(x.value)]),
  ) as Record<string, number>;
  return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0) / 60_000;
}

const firstReading = new Map<number, number>();
/** The first minute at which the wall clock reads `wall` or later (Montreal is 4 or 5 hours behind UTC). */
function instantReading(wall: number): number {
  let known = firstReading.get(wall);
  if (known === undefined) {
    for (let x = wall + 240; x <= wall + 300; x++)
      if (wallMinutesAt(x * 60_000) >= wall) {
        known = x * 60_000;
        break;
      }
    if (known === undefined) throw new Error("no instant reads this wall time");
    firstReading.set(wall, known);
  }
  return known;
}

type PlainSite = { hours: string; chequeHours?: string; days: Map<number, string> };
type Opening = { day: number; from: number; to: number };

const parsed = new Map<string, ReturnType<typeof parseOpeningHours>>();

/** Each day's openings in wall minutes since 1970: a run from the evening to by noon is that evening's. */
function weeklyOpenings(hours: string, first: number, last: number): Opening[] {
  let library = parsed.get(hours);
  if (!library) {
    library = parseOpeningHours(hours);
    parsed.set(hours, library);
  }
  const runs: { from: number; to: number }[] = [];
  for (const [start, end] of library.getOpenIntervals(
    new Date((first - 2) * DAY_MS),
    new Date((last + 3) * DAY_MS),
  )) {
    const run = { from: start.getTime() / 60_000, to: end.getTime() / 60_000 };
    const previous = runs.at(-1);
    if (previous && previous.to >= run.from) previous.to = Math.max(previous.to, run.to);
    else runs.push(run);
  }
  const openings: Opening[] = [];
  for (const run of runs) {
    const startDay = Math.floor(run.from / DAY);
    if (run.from > startDay * DAY && run.to <= (startDay + 1) * DAY + 720) {
      openings.push({ day: startDay, ...run });
      continue;
    }
    for (let day = startDay; day * DAY < run.to; day++)
      openings.push({ day, from: Math.max(run.from, day * DAY), to: Math.min(run.to, (day + 1) * DAY) });
  }
  return openings.filter((o) => o.day >= first && o.day <= last);
}

type PlainSpan = { from: number; to: number; isEndless: boolean };

function plainSpans(site: PlainSite, today: number): PlainSpan[] {
  const first = today - 1;
  const last = today + LOOKAHEAD_DAYS;
  let openings = weeklyOpenings(site.hours, first, last);
  for (let day = first; day <= last; day++) {
    const hours = site.days.get(day);
    if (hours === undefined) continue;
    openings = openings.filter((o) => o.day !== day);
    for (const i of parseDayRanges(hours))
      openings.push({ day, from: day * DAY + i.from, to: day * DAY + i.to });
  }
  // An overridden day owns its day: what runs into it from before stops at its midnight.
  openings = openings.map((o) => {
    let to = o.to;
    for (const day of site.days.keys()) if (day > o.day && day * DAY < to) to = day * DAY;
    return { ...o, to };
  });
  const windowEnd = (today + LOOKAHEAD_DAYS + 1) * DAY;
  const spans = openings
    .map((o) => ({ from: instantReading(o.from), to: instantReading(o.to), isEndless: o.to >= windowEnd }))
    .filter((s) => s.to > s.from)
    .sort((a, b) => a.from - b.from);
  const merged: PlainSpan[] = [];
  for (const span of spans) {
    const previous = merged.at(-1);
    if (previous && previous.to >= span.from) {
      previous.to = Math.max(previous.to, span.to);
      previous.isEndless ||= span.isEndless;
    } else merged.push({ ...span });
  }
  return merged;
}

const spanMemo = new Map<string, PlainSpan[]>();
function spansFor(site: PlainSite, key: string, today: number): PlainSpan[] {
  const memoKey = `${key}|${today}`;
  let spans = spanMemo.get(memoKey);
  if (!spans) {
    spans = plainSpans(site, today);
    spanMemo.set(memoKey, spans);
  }
  return spans;
}

function plainStatus(site: PlainSite, key: string, at: number): Status {
  const today = Math.floor(wallMinutesAt(at) / DAY);
  const spans = spansFor(site, key, today);
  const running = spans.find((s) => s.from <= at && at < s.to);
  if (running)
    return running.isEndless ? { kind: "always-open" } : { kind: "open", until: new Date(running.to) };
  const next = spans.find((s) => s.from > at);
  return next ? { kind: "closed", opensAt: new Date(next.from) } : { kind: "closed-for-now" };
}

function rank(status: Status): number {
  if (status.kind === "always-open") return -2e15;
  if (status.kind === "open") return -status.until.getTime();
  if (status.kind === "closed") return status.opensAt.getTime();
  return 9e15;
}

// --- The sites and instants -----------------------------------------------------------------------

const YEAR_START = Date.parse("2026-01-01T05:00:00Z");
const YEAR_END = Date.parse("2027-01-01T05:00:00Z");
// The two nights the clocks change, where instants are drawn more often.
const CHANGES = [Date.parse("2026-03-08T07:00:00Z"), Date.parse("2026-11-01T06:00:00Z")];

const dayOffset = fc.integer({ min: -2, max: 3 });
const siteArbitrary = fc.record({
  hours: fc.constantFrom(...HOURS),
  chequeHours: fc.option(fc.constantFrom(...DAY_HOURS), { nil: undefined }),
  special: fc.array(fc.tuple(dayOffset, fc.constantFrom(...DAY_HOURS)), { maxLength: 2 }),
  worker: fc.array(fc.tuple(dayOffset, fc.constantFrom(...DAY_HOURS)), { maxLength: 2 }),
  lat: fc.double({ min: 45.42, max: 45.68, noNaN: true }),
  lon: fc.double({ min: -73.95, max: -73.5, noNaN: true }),
});
const instantArbitrary = fc.oneof(
  fc.integer({ min: YEAR_START / 60_000, max: YEAR_END / 60_000 }).map((m) => m * 60_000),
  fc
    .tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -36 * 60, max: 36 * 60 }))
    .map(([change, minutes]) => change + minutes * 60_000),
);

const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const template = fromDirectoryFile(fixtureDirectory()).sites[0] as Site;

describe("the fast status equals the plain computation from opening_hours", () => {
  it("runs in UTC, which the plain computation relies on", () => {
    expect(new Date(2026, 6, 1).getTimezoneOffset()).toBe(0);
  });

  it("for every site, page and near-me answer, minute by minute around every edge", () => {
    fc.assert(
      fc.property(
        fc.array(siteArbitrary, { minLength: 2, maxLength: 6 }),
        fc.array(instantArbitrary, { minLength: 1, maxLength: 4 }),
        (drawn, bases) => {
          // Overrides are drawn around the first instant, so they meet the nights being checked.
          const around = Math.floor(wallMinutesAt(bases[0] as number) / DAY);
          const chequeDays = [around - 1, around + 1].map(isoDay);
          const plain: PlainSite[] = [];
          const sites: Site[] = drawn.map((d, i) => {
            const days = new Map<number, string>();
            if (d.chequeHours) for (const day of [around - 1, around + 1]) days.set(day, d.chequeHours);
            for (const [offset, hours] of d.special) days.set(around + offset, hours);
            for (const [offset, hours] of d.worker) days.set(around + offset, hours);
            plain.push({ hours: d.hours, days });
            const special = new Map(d.special.map(([offset, hours]) => [around + offset, hours]));
            const worker = new Map(d.worker.map(([offset, hours]) => [around + offset, hours]));
            return {
              ...template,
              id: `site-${i}`,
              isCrisisLine: false,
              location: { lat: d.lat, lon: d.lon },
              hours: d.hours,
              chequeDayHours: d.chequeHours,
              specialDates: [...special].map(([day, hours]) => ({ day: isoDay(day), hours })),
              workerDays: [...worker].map(([day, hours]) => ({
                day: isoDay(day),
                hours,
                setAt: new Date(0),
              })),
              stockOuts: [],
            };
          });
          const base = fromDirectoryFile(fixtureDirectory());
          const directory: Directory = { ...base, chequeDays, sites };
          const catalog = buildCatalog(directory);
          const keys = plain.map((p, i) => `${JSON.stringify([p.hours, [...p.days]])}#${i}`);

          // Each drawn instant, then every minute from 2 before to 2 after each edge within 12 hours.
          const instants: number[] = [];
          for (const at of bases) {
            instants.push(at);
            const today = Math.floor(wallMinutesAt(at) / DAY);
            for (const [i, site] of plain.entries())
              for (const span of spansFor(site, keys[i] as string, today))
                for (const edge of [span.from, span.to])
                  if (Math.abs(edge - at) <= 12 * 3_600_000)
                    for (let m = -2; m <= 2; m++) instants.push(edge + m * 60_000);
          }

          for (const at of instants) {
            const now = new Date(at);
            const expected = sites.map((_, i) => plainStatus(plain[i] as PlainSite, keys[i] as string, at));
            const entries = withStatus(catalog, sites, now);
            expect(entries.map((e) => e.status)).toEqual(expected);
            // The smallest page: the three most open, equal ones in the directory's order.
            const page = firstByOpenness(entries, 3).map((e) => e.site.id);
            const sorted = sites
              .map((site, i) => ({ id: site.id, key: rank(expected[i] as Status) }))
              .sort((a, b) => a.key - b.key)
              .slice(0, 3)
              .map((e) => e.id);
            expect(page).toEqual(sorted);
            // Near me: the grid's sites carry the same statuses.
            for (const near of nearestSites(catalog, { lat: 45.52, lon: -73.56 }, now, 3))
              expect(near.status).toEqual(expected[sites.indexOf(near.site)]);
            const { open, upcoming } = openAndUpcoming(catalog, now);
            expect(open.map((e) => e.site.id)).toEqual(
              sites
                .filter((_, i) => ["open", "always-open"].includes(expected[i]?.kind ?? ""))
                .map((s) => s.id),
            );
            expect(upcoming.map((e) => e.site.id)).toEqual(
              sites.filter((_, i) => expected[i]?.kind === "closed").map((s) => s.id),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
