import type OpeningHours from "opening_hours";
import { dayNumber, isoDate, wallDate, wallFields } from "./clock";
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

/**
 * Weekly hours parsed once, with the intervals the library gave by day number (see weeklyIntervals).
 * They depend on the text and the region only, so sites with the same hours share them.
 */
export type WeeklyHours = { weekly: OpeningHours; cache: Map<number, Interval[]> };

export type Schedule = WeeklyHours & {
  /** Whole-day replacements by day number: cheque-day hours, then special dates on top. */
  overrides: Map<number, Interval[]>;
  timeZone: string;
  /** statusAt's merged openings, by the day number they are seen from (see spansFrom). */
  spans: Map<number, DaySpans>;
  /** The last status given, with the instants between which it holds (see statusAt). */
  last?: TimedStatus;
};

const DAY = 1440;
const DAY_MS = 86_400_000;
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

/**
 * `parsed`: weekly hours already parsed in this region, by text. Parsing is the dearest part of building
 * a catalog, and a directory repeats a few texts ("Mo-Fr 09:00-17:00") many times.
 */
export function buildSchedule(
  site: Pick<Site, "hours" | "chequeDayHours" | "specialDates" | "workerDays">,
  chequeDays: string[],
  region: Region,
  timeZone: string,
  parsed: Map<string, WeeklyHours> = new Map(),
): Schedule {
  const overrides = new Map<number, Interval[]>();
  if (site.chequeDayHours) {
    const ranges = parseDayRanges(site.chequeDayHours);
    for (const day of chequeDays) overrides.set(dayNumber(day), ranges);
  }
  for (const special of site.specialDates)
    overrides.set(dayNumber(special.day), parseDayRanges(special.hours));
  // What a worker set from the street is newer than the file.
  for (const day of site.workerDays ?? []) overrides.set(dayNumber(day.day), parseDayRanges(day.hours));
  let weekly = parsed.get(site.hours);
  if (!weekly) {
    weekly = { weekly: parseOpeningHours(site.hours, region), cache: new Map() };
    parsed.set(site.hours, weekly);
  }
  return { ...weekly, overrides, timeZone, spans: new Map() };
}

/** The day number of a Date's local calendar day (the opening_hours library works in local time). */
function localDayNumber(date: Date): number {
  return Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) / DAY_MS;
}

/** A wall-clock Date for the opening_hours library (it reads local getters). */
function libraryDate(day: number): Date {
  const utc = new Date(day * DAY_MS);
  return new Date(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate());
}

/**
 * The weekly intervals of each day from `first` to `last` (day numbers), each attributed to the day it
 * starts. A run that crosses midnight is cut there; the piece after midnight stays with the evening it
 * came from when that evening started it and it ends by noon (a night that runs on), and belongs to its
 * own day otherwise (24/7, or a weekend that runs into Monday morning).
 */
function weeklyIntervals(schedule: Schedule, first: number, last: number): Interval[][] {
  const result: Interval[][] = [];
  let firstMissing: number | undefined;
  let lastMissing = first;
  for (let day = first; day <= last; day++) {
    const cached = schedule.cache.get(day);
    result.push(cached ?? []);
    if (!cached) {
      firstMissing ??= day;
      lastMissing = day;
    }
  }
  if (firstMissing === undefined) return result;

  const from = firstMissing - 2;
  const to = lastMissing + 3;
  // Merge what the library returns into runs, as minutes from `from`'s midnight.
  const runs: Interval[] = [];
  for (const [start, end] of schedule.weekly.getOpenIntervals(libraryDate(from), libraryDate(to))) {
    const s = (localDayNumber(start) - from) * DAY + start.getHours() * 60 + start.getMinutes();
    const e = (localDayNumber(end) - from) * DAY + end.getHours() * 60 + end.getMinutes();
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
  for (let day = firstMissing; day <= lastMissing; day++) {
    if (schedule.cache.has(day)) continue;
    const intervals = byDay.get(day - from) ?? [];
    schedule.cache.set(day, intervals);
    result[day - first] = intervals;
  }
  // Keep the cache to about a month of days.
  if (schedule.cache.size > 40)
    for (const key of [...schedule.cache.keys()].slice(0, schedule.cache.size - 40))
      schedule.cache.delete(key);
  return result;
}

/** The intervals starting on each day from `first` to `last`, with cheque days and special dates applied. */
function intervalsByDay(schedule: Schedule, first: number, last: number): Interval[][] {
  const days = weeklyIntervals(schedule, first, last);
  for (let i = 0; i < days.length; i++) {
    const override = schedule.overrides.get(first + i);
    if (override) days[i] = override;
  }
  return days;
}

export type Status =
  | { kind: "open"; until: Date }
  | { kind: "always-open" }
  | { kind: "closed"; opensAt: Date }
  | { kind: "closed-for-now" };

/** The real instant of a wall-clock time: `minutes` after the start of `day` in `timeZone`. */
export function instantAt(day: string, minutes: number, timeZone: string): Date {
  return new Date(instantOfDay(dayNumber(day), minutes, timeZone));
}

function instantOfDay(day: number, minutes: number, timeZone: string): number {
  const asUtc = day * DAY_MS + minutes * 60_000;
  let guess = asUtc - offsetMinutes(new Date(asUtc), timeZone) * 60_000;
  guess = asUtc - offsetMinutes(new Date(guess), timeZone) * 60_000;
  return guess;
}

function offsetMinutes(instant: Date, timeZone: string): number {
  const f = wallFields(instant, timeZone);
  return Math.round(
    (Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute) -
      Math.floor(instant.getTime() / 60_000) * 60_000) /
      60_000,
  );
}

/**
 * What statusAt reads for one day: every opening from the day before to the end of the look-ahead, as
 * minutes from that day's midnight, merged where they touch, each with its status made once. `start`
 * is the instant of the day's midnight when the whole day runs at one UTC offset (a wall minute is then
 * a fixed instant); undefined on the days the clocks change.
 */
type DaySpans = { spans: Span[]; start: number | undefined };
type Span = Interval & { status?: Status; next?: Status };
/** A status and the instants [from, until) over which it holds. */
export type TimedStatus = { status: Status; from: number; until: number };

const ALWAYS_OPEN: Status = Object.freeze({ kind: "always-open" });
const CLOSED_FOR_NOW: Status = Object.freeze({ kind: "closed-for-now" });

function spansFrom(schedule: Schedule, today: number): DaySpans {
  const known = schedule.spans.get(today);
  if (known) return known;
  const first = today - 1;
  const spans: Span[] = [];
  intervalsByDay(schedule, first, today + LOOKAHEAD_DAYS).forEach((intervals, index) => {
    const offset = (first + index - today) * DAY;
    for (const i of intervals) if (i.to > i.from) spans.push({ from: i.from + offset, to: i.to + offset });
  });
  spans.sort((a, b) => a.from - b.from);
  const merged: Span[] = [];
  for (const span of spans) {
    const previous = merged[merged.length - 1];
    if (previous && previous.to >= span.from) previous.to = Math.max(previous.to, span.to);
    else merged.push({ ...span });
  }
  const result = { spans: merged, start: regularDayStart(today, schedule.timeZone) };
  // A handful of days is all a process looks at; the oldest seen is dropped.
  if (schedule.spans.size >= 8) schedule.spans.delete(schedule.spans.keys().next().value as number);
  schedule.spans.set(today, result);
  return result;
}

/** The instant a day starts when it runs 24 hours at one UTC offset; undefined when the clocks change. */
function regularDayStart(day: number, timeZone: string): number | undefined {
  const start = instantOfDay(day, 0, timeZone);
  const end = instantOfDay(day + 1, 0, timeZone);
  const sameOffset =
    offsetMinutes(new Date(start), timeZone) === offsetMinutes(new Date(end - 60_000), timeZone);
  return end - start === DAY_MS && sameOffset ? start : undefined;
}

/**
 * The status at `now`, computed from the hours, with the instants over which it holds: on one day it
 * only changes at an opening's edges, so it holds from the last edge (or midnight) to the next (or
 * midnight). On the days the clocks change it is said to hold for this instant only.
 */
export function timedStatusAt(schedule: Schedule, now: Date): TimedStatus {
  const zone = schedule.timeZone;
  const f = wallFields(now, zone);
  const today = Date.UTC(f.year, f.month - 1, f.day) / DAY_MS;
  const nowMinutes = f.hour * 60 + f.minute;
  const { spans, start } = spansFrom(schedule, today);
  const windowEnd = (LOOKAHEAD_DAYS + 1) * DAY;
  let lastEdge = 0;
  let nextEdge = DAY;
  let status = CLOSED_FOR_NOW;
  for (const span of spans) {
    if (span.to <= nowMinutes) {
      lastEdge = Math.max(lastEdge, span.to);
      continue;
    }
    if (span.from <= nowMinutes) {
      lastEdge = Math.max(lastEdge, span.from);
      nextEdge = Math.min(nextEdge, span.to);
      span.status ??=
        span.to >= windowEnd
          ? ALWAYS_OPEN
          : { kind: "open", until: new Date(instantOfDay(today, span.to, zone)) };
      status = span.status;
    } else {
      nextEdge = Math.min(nextEdge, span.from);
      span.next ??= { kind: "closed", opensAt: new Date(instantOfDay(today, span.from, zone)) };
      status = span.next;
    }
    break;
  }
  const t = now.getTime();
  // On a regular day wall minute m is the instant start + m minutes; `now` itself must agree.
  const minuteStart = start === undefined ? Number.NaN : start + nowMinutes * 60_000;
  if (minuteStart <= t && t < minuteStart + 60_000)
    return {
      status,
      from: (start as number) + lastEdge * 60_000,
      until: (start as number) + nextEdge * 60_000,
    };
  return { status, from: t, until: t + 1 };
}

/**
 * Whether a site is open, and until when, or when it opens next. A site's status only changes at the
 * edges of its openings, and screens ask for the same sites again and again: the last answer is kept on
 * the schedule with the instants it holds for, and given again while `now` stays between them; any
 * other instant, earlier (a test's clock going back) or later, is worked out afresh.
 */
export function statusAt(schedule: Schedule, now: Date): Status {
  const t = now.getTime();
  const last = schedule.last;
  if (last && last.from <= t && t < last.until) return last.status;
  const timed = timedStatusAt(schedule, now);
  schedule.last = timed;
  return timed.status;
}

export function isOpen(status: Status): boolean {
  return status.kind === "open" || status.kind === "always-open";
}

/** The openings that start on a day; "24 h/24" when the day is open from midnight to midnight and beyond. */
export function hoursOnDay(schedule: Schedule, day: string): DayHours {
  const intervals = intervalsByDay(schedule, dayNumber(day), dayNumber(day))[0] ?? [];
  const allDay = intervals.some((i) => i.from === 0 && i.to >= DAY);
  return { day, intervals: allDay ? [] : intervals.filter((i) => i.to > i.from), allDay };
}

export function weekHours(schedule: Schedule, now: Date, days = 7): DayHours[] {
  const today = dayNumber(wallDate(now, schedule.timeZone));
  return intervalsByDay(schedule, today, today + days - 1).map((intervals, index) => {
    const allDay = intervals.some((i) => i.from === 0 && i.to >= DAY);
    return {
      day: isoDate(today + index),
      intervals: allDay ? [] : intervals.filter((i) => i.to > i.from),
      allDay,
    };
  });
}
