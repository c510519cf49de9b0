import type OpeningHours from "opening_hours";
import { addDays, wallDate, wallFields } from "./clock";
import { parseOpeningHours, type Region } from "./hours-syntax";
import type { Site } from "./model";

/**
 * Opening hours for one site. The weekly rules (OSM syntax, with Quebec holidays) come from the
 * opening_hours library; cheque days and special dates are applied here, as whole days: an opening
 * belongs to the day it starts, so "Mo-Su 10:00-02:00" with "31 Dec: 10:00-20:00" keeps the night of
 * the 30th open until 2:00 on the 31st, and closes the 31st at 20:00 with no 00:00-02:00 on 1 January.
 *
 * Times are minutes from the start of a day on the wall clock of the directory's zone; an interval may
 * end past 1440 when a night runs on. Nothing here depends on the process's own time zone.
 */
export type Interval = { from: number; to: number };
export type DayHours = { day: string; intervals: Interval[]; allDay: boolean };

export type Schedule = {
  weekly: OpeningHours;
  /** Whole-day replacements: cheque-day hours, then special dates on top. */
  overrides: Map<string, Interval[]>;
  timeZone: string;
  /** Weekly intervals by day, computed once per window (see weeklyIntervals). */
  cache: Map<string, Interval[]>;
};

const DAY = 1440;
// How far ahead to look for the next change: past this a site is "open around the clock" or "no opening
// known this week", which is all a person needs at the door.
const LOOKAHEAD_DAYS = 8;

/** "10:00-14:00,18:00-02:00" → intervals; an end at or before the start runs past midnight. */
export function parseDayRanges(value: string): Interval[] {
  if (value.trim() === "off") return [];
  return value.split(",").map((range) => {
    const match = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(range);
    if (!match) throw new Error(`not a time range: ${range}`);
    const [, h1, m1, h2, m2] = match;
    const from = Number(h1) * 60 + Number(m1);
    let to = Number(h2) * 60 + Number(m2);
    if (to <= from) to += DAY;
    return { from, to };
  });
}

export const DAY_RANGES_PATTERN = /^(off|\d{1,2}:\d{2}-\d{1,2}:\d{2}(,\d{1,2}:\d{2}-\d{1,2}:\d{2}){0,5})$/;

export function buildSchedule(
  site: Pick<Site, "hours" | "chequeDayHours" | "specialDates" | "workerDays">,
  chequeDays: string[],
  region: Region,
  timeZone: string,
): Schedule {
  const overrides = new Map<string, Interval[]>();
  if (site.chequeDayHours) {
    const ranges = parseDayRanges(site.chequeDayHours);
    for (const day of chequeDays) overrides.set(day, ranges);
  }
  for (const special of site.specialDates) overrides.set(special.day, parseDayRanges(special.hours));
  // What a worker set from the street is newer than the file.
  for (const day of site.workerDays ?? []) overrides.set(day.day, parseDayRanges(day.hours));
  return { weekly: parseOpeningHours(site.hours, region), overrides, timeZone, cache: new Map() };
}

function localDay(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

/** A wall-clock Date for the opening_hours library (it reads local getters). */
function libraryDate(day: string, minutes = 0): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d, Math.floor(minutes / 60), minutes % 60);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The weekly intervals of each day from `first` to `last`, each attributed to the day it starts. A run
 * that crosses midnight is cut there; the piece after midnight stays with the evening it came from when
 * that evening started it and it ends by noon (a night that runs on), and belongs to its own day
 * otherwise (24/7, or a weekend that runs into Monday morning).
 */
function weeklyIntervals(schedule: Schedule, first: string, last: string): Map<string, Interval[]> {
  const result = new Map<string, Interval[]>();
  const missing: string[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) {
    const cached = schedule.cache.get(day);
    if (cached) result.set(day, cached);
    else missing.push(day);
  }
  if (missing.length === 0) return result;

  const from = addDays(missing[0] as string, -2);
  const to = addDays(missing[missing.length - 1] as string, 3);
  // Merge what the library returns into runs, as minutes from `from`'s midnight.
  const runs: Interval[] = [];
  for (const [start, end] of schedule.weekly.getOpenIntervals(libraryDate(from), libraryDate(to))) {
    const s = daysBetween(from, localDay(start)) * DAY + start.getHours() * 60 + start.getMinutes();
    const e = daysBetween(from, localDay(end)) * DAY + end.getHours() * 60 + end.getMinutes();
    const last = runs[runs.length - 1];
    if (last && last.to >= s) last.to = Math.max(last.to, e);
    else runs.push({ from: s, to: e });
  }
  const byDay = new Map<number, Interval[]>();
  const add = (dayIndex: number, interval: Interval) => {
    const list = byDay.get(dayIndex) ?? [];
    list.push(interval);
    byDay.set(dayIndex, list);
  };
  for (const run of runs) {
    let cursor = run.from;
    while (cursor < run.to) {
      const dayIndex = Math.floor(cursor / DAY);
      const dayStart = dayIndex * DAY;
      const pieceEnd = Math.min(run.to, dayStart + DAY);
      const isNightTail =
        cursor === dayStart && run.from > dayStart - DAY && run.from < dayStart && pieceEnd <= dayStart + 720;
      if (isNightTail) {
        const evening = byDay.get(dayIndex - 1);
        const lastEvening = evening?.[evening.length - 1];
        if (lastEvening && lastEvening.to === DAY) lastEvening.to = DAY + (pieceEnd - dayStart);
        else add(dayIndex, { from: 0, to: pieceEnd - dayStart });
      } else {
        add(dayIndex, { from: cursor - dayStart, to: pieceEnd - dayStart });
      }
      cursor = pieceEnd;
    }
  }
  for (const day of missing) {
    const intervals = byDay.get(daysBetween(from, day)) ?? [];
    schedule.cache.set(day, intervals);
    result.set(day, intervals);
  }
  // Keep the cache to about a month of days.
  if (schedule.cache.size > 40)
    for (const key of [...schedule.cache.keys()].slice(0, schedule.cache.size - 40))
      schedule.cache.delete(key);
  return result;
}

/** The intervals starting on each day from `first` to `last`, with cheque days and special dates applied. */
export function intervalsByDay(schedule: Schedule, first: string, last: string): Map<string, Interval[]> {
  const weekly = weeklyIntervals(schedule, first, last);
  for (const day of weekly.keys()) {
    const override = schedule.overrides.get(day);
    if (override) weekly.set(day, override);
  }
  return weekly;
}

export type Status =
  | { kind: "open"; until: Date }
  | { kind: "always-open" }
  | { kind: "closed"; opensAt: Date }
  | { kind: "closed-for-now" };

/** The real instant of a wall-clock time: `minutes` after the start of `day` in `timeZone`. */
export function instantAt(day: string, minutes: number, timeZone: string): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const asUtc = Date.UTC(y, m - 1, d) + minutes * 60_000;
  let guess = asUtc - offsetMinutes(new Date(asUtc), timeZone) * 60_000;
  guess = asUtc - offsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

function offsetMinutes(instant: Date, timeZone: string): number {
  const f = wallFields(instant, timeZone);
  return Math.round(
    (Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute) -
      Math.floor(instant.getTime() / 60_000) * 60_000) /
      60_000,
  );
}

export function statusAt(schedule: Schedule, now: Date): Status {
  const today = wallDate(now, schedule.timeZone);
  const f = wallFields(now, schedule.timeZone);
  const nowMinutes = f.hour * 60 + f.minute;
  const first = addDays(today, -1);
  const last = addDays(today, LOOKAHEAD_DAYS);
  // Every interval of the window as minutes from today's midnight, merged where they touch.
  const spans: Interval[] = [];
  for (const [day, intervals] of intervalsByDay(schedule, first, last)) {
    const offset = daysBetween(today, day) * DAY;
    for (const i of intervals) if (i.to > i.from) spans.push({ from: i.from + offset, to: i.to + offset });
  }
  spans.sort((a, b) => a.from - b.from);
  const merged: Interval[] = [];
  for (const span of spans) {
    const previous = merged[merged.length - 1];
    if (previous && previous.to >= span.from) previous.to = Math.max(previous.to, span.to);
    else merged.push({ ...span });
  }
  const windowEnd = (LOOKAHEAD_DAYS + 1) * DAY;
  const current = merged.find((s) => s.from <= nowMinutes && nowMinutes < s.to);
  if (current) {
    return current.to >= windowEnd
      ? { kind: "always-open" }
      : { kind: "open", until: instantAt(today, current.to, schedule.timeZone) };
  }
  const next = merged.find((s) => s.from > nowMinutes);
  return next
    ? { kind: "closed", opensAt: instantAt(today, next.from, schedule.timeZone) }
    : { kind: "closed-for-now" };
}

export function isOpen(status: Status): boolean {
  return status.kind === "open" || status.kind === "always-open";
}

/** The openings that start on a day; "24 h/24" when the day is open from midnight to midnight and beyond. */
export function hoursOnDay(schedule: Schedule, day: string): DayHours {
  const intervals = intervalsByDay(schedule, day, day).get(day) ?? [];
  const allDay = intervals.some((i) => i.from === 0 && i.to >= DAY);
  return { day, intervals: allDay ? [] : intervals.filter((i) => i.to > i.from), allDay };
}

export function weekHours(schedule: Schedule, now: Date, days = 7): DayHours[] {
  const today = wallDate(now, schedule.timeZone);
  return Array.from({ length: days }, (_, i) => hoursOnDay(schedule, addDays(today, i)));
}
