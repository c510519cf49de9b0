import type OpeningHours from "opening_hours";
import { dayNumber, isoDate, wallDate, wallFields } from "./clock";
import { parseOpeningHours, type Region } from "./hours-syntax";
import type { Site } from "./model";

/**
 * Opening hours for one site. The weekly rules (OSM syntax, with Quebec holidays) come from the
 * opening_hours library; cheque days, special dates and a worker's days are applied here. The rule for
 * those days ("overrides"), the same on every screen:
 *
 * - an opening belongs to the day it starts (a night past midnight belongs to its evening);
 * - an overridden day owns its whole calendar day: its own hours replace every opening that starts on
 *   it (its own night may run past midnight), and any opening that runs into it from the day before is
 *   cut at its midnight. So "Mo-Su 20:00-04:00" with the 24th closed is open until midnight on the 23rd,
 *   closed all the 24th, and opens again at 20:00 on the 25th; to keep the night that runs into a
 *   special date, write it in the date's hours ("00:00-04:00,10:00-20:00").
 *
 * Rules are read on the wall clock (minutes from the start of a day in the directory's zone; an
 * interval may end past 1440 when a night runs on), and every status is worked out on real instants:
 * a wall time the clocks skip (02:30 on the second Sunday of March) is the instant they jump, which the
 * wall clock reads 3:00; a wall time they repeat (01:30 on the first Sunday of November) is its first
 * passing. Nothing here depends on the process's own time zone.
 */
export type Interval = { from: number; to: number };
/**
 * An opening as a week view shows it: its ends as the wall clock reads them that day, and, on the days
 * the clocks change, `realMinutes` when it lasts more or less than its ends suggest.
 */
export type ShownInterval = Interval & { realMinutes?: number };
export type DayHours = { day: string; intervals: ShownInterval[]; allDay: boolean };

/**
 * Weekly hours parsed once, with the intervals the library gave by day number (see weeklyIntervals).
 * They depend on the text and the region only, so sites with the same hours share them.
 */
export type WeeklyHours = { weekly: OpeningHours; cache: Map<number, Interval[]> };

export type Schedule = WeeklyHours & {
  /** Whole-day replacements by day number: cheque-day hours, then special dates on top. */
  overrides: Map<number, Interval[]>;
  timeZone: string;
  /** statusAt's merged openings as instants, by the day number they are seen from (see spansFrom). */
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

/**
 * The openings of each day from `first` to `last`, as that day owns them: the weekly ones, or the
 * day's override; an opening that runs into an overridden day stops at its midnight (see the top).
 */
function intervalsByDay(schedule: Schedule, first: number, last: number): Interval[][] {
  const days = weeklyIntervals(schedule, first, last);
  for (let i = 0; i < days.length; i++) {
    const day = first + i;
    let intervals = schedule.overrides.get(day) ?? (days[i] as Interval[]);
    if (schedule.overrides.has(day + 1) && intervals.some((interval) => interval.to > DAY))
      intervals = intervals
        .map((interval) => ({ from: interval.from, to: Math.min(interval.to, DAY) }))
        .filter((interval) => interval.to > interval.from);
    days[i] = intervals;
  }
  return days;
}

export type Status =
  | { kind: "open"; until: Date }
  | { kind: "always-open" }
  | { kind: "closed"; opensAt: Date }
  | { kind: "closed-for-now" };

/** The real instant of a wall-clock time: `minutes` after the start of `day` in `timeZone` (see the top). */
export function instantAt(day: string, minutes: number, timeZone: string): Date {
  return new Date(instantOfWall(dayNumber(day), minutes, timeZone));
}

/**
 * The instant the wall clock of `timeZone` reads `minutes` after the start of `day`: its first passing
 * when the clocks repeat it, the instant they jump when they skip it. Time zones change their offset
 * at most once within a day either side.
 */
export function instantOfWall(day: number, minutes: number, timeZone: string): number {
  const asUtc = day * DAY_MS + minutes * 60_000;
  const before = asUtc - offsetMinutes(asUtc - DAY_MS, timeZone) * 60_000;
  const after = asUtc - offsetMinutes(asUtc + DAY_MS, timeZone) * 60_000;
  const readsWall = (instant: number) => instant + offsetMinutes(instant, timeZone) * 60_000 === asUtc;
  const candidates = [before, after].filter(readsWall);
  if (candidates.length > 0) return Math.min(...candidates);
  // Skipped: the clocks jump over this time between the two readings; find the minute they do.
  let low = Math.min(before, after);
  let high = Math.max(before, after);
  const lowOffset = offsetMinutes(low, timeZone);
  while (high - low > 60_000) {
    const middle = low + Math.floor((high - low) / 120_000) * 60_000;
    if (offsetMinutes(middle, timeZone) === lowOffset) low = middle;
    else high = middle;
  }
  return high;
}

/** Minutes the wall clock of `timeZone` is ahead of UTC at an instant (negative west of Greenwich). */
function offsetMinutes(instant: number, timeZone: string): number {
  const minute = Math.floor(instant / 60_000) * 60_000;
  const f = wallFields(new Date(minute), timeZone);
  return Math.round((Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute) - minute) / 60_000);
}

/**
 * What statusAt reads for one day: every opening from the day before to the end of the look-ahead, as
 * instants, merged where they touch (in wall minutes and again as instants: an opening ending at 2:00
 * and another starting at 3:00 touch on the night the clocks skip 2:00-3:00), each with its status made
 * once; and the instants the day starts and ends, between which the openings hold.
 */
type DaySpans = { spans: Span[]; dayStart: number; dayEnd: number };
type Span = { from: number; to: number; isEndless: boolean; status?: Status; next?: Status };
/** A status and the instants [from, until) over which it holds. */
export type TimedStatus = { status: Status; from: number; until: number };

const ALWAYS_OPEN: Status = Object.freeze({ kind: "always-open" });
const CLOSED_FOR_NOW: Status = Object.freeze({ kind: "closed-for-now" });

function spansFrom(schedule: Schedule, today: number): DaySpans {
  const known = schedule.spans.get(today);
  if (known) return known;
  const zone = schedule.timeZone;
  const first = today - 1;
  const wall: Interval[] = [];
  intervalsByDay(schedule, first, today + LOOKAHEAD_DAYS).forEach((intervals, index) => {
    const offset = (first + index - today) * DAY;
    for (const i of intervals) if (i.to > i.from) wall.push({ from: i.from + offset, to: i.to + offset });
  });
  wall.sort((a, b) => a.from - b.from);
  const merged: Interval[] = [];
  for (const interval of wall) {
    const previous = merged[merged.length - 1];
    if (previous && previous.to >= interval.from) previous.to = Math.max(previous.to, interval.to);
    else merged.push({ ...interval });
  }
  const instant = wallToInstant(today, zone);
  const windowEnd = (LOOKAHEAD_DAYS + 1) * DAY;
  const spans: Span[] = [];
  for (const interval of merged) {
    const from = instant(interval.from);
    const to = instant(interval.to);
    // Wholly inside the hour the clocks skip: it never happens.
    if (to <= from) continue;
    const previous = spans[spans.length - 1];
    if (previous && previous.to >= from) {
      previous.to = Math.max(previous.to, to);
      previous.isEndless ||= interval.to >= windowEnd;
    } else spans.push({ from, to, isEndless: interval.to >= windowEnd });
  }
  const result = { spans, dayStart: instant(0), dayEnd: instant(DAY) };
  // A handful of days is all a process looks at; the oldest seen is dropped.
  if (schedule.spans.size >= 8) schedule.spans.delete(schedule.spans.keys().next().value as number);
  schedule.spans.set(today, result);
  return result;
}

/**
 * Wall minutes from `day`'s midnight (negative for the day before) to instants. Most weeks run at one
 * UTC offset from end to end, and a minute is then a fixed instant from the day's start; otherwise each
 * time is looked up (see instantOfWall).
 */
function wallToInstant(day: number, timeZone: string): (minutes: number) => number {
  const offset = offsetMinutes((day - 2) * DAY_MS, timeZone);
  const steady = offsetMinutes((day + LOOKAHEAD_DAYS + 3) * DAY_MS, timeZone) === offset;
  if (steady) {
    const start = day * DAY_MS - offset * 60_000;
    return (minutes) => start + minutes * 60_000;
  }
  return (minutes) => instantOfWall(day, minutes, timeZone);
}

/**
 * The status at `now`, computed from the hours, with the instants over which it holds: within a day it
 * only changes at an opening's edges, so it holds from the last edge (or the day's start) to the next
 * (or the day's end).
 */
export function timedStatusAt(schedule: Schedule, now: Date): TimedStatus {
  const f = wallFields(now, schedule.timeZone);
  const today = Date.UTC(f.year, f.month - 1, f.day) / DAY_MS;
  const { spans, dayStart, dayEnd } = spansFrom(schedule, today);
  const t = now.getTime();
  let from = dayStart;
  let until = dayEnd;
  let status = CLOSED_FOR_NOW;
  for (const span of spans) {
    if (span.to <= t) {
      from = Math.max(from, span.to);
      continue;
    }
    if (span.from <= t) {
      from = Math.max(from, span.from);
      until = Math.min(until, span.to);
      span.status ??= span.isEndless ? ALWAYS_OPEN : { kind: "open", until: new Date(span.to) };
      status = span.status;
    } else {
      until = Math.min(until, span.from);
      span.next ??= { kind: "closed", opensAt: new Date(span.from) };
      status = span.next;
    }
    break;
  }
  return { status, from, until };
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
  const number = dayNumber(day);
  return shownDay(schedule, number, intervalsByDay(schedule, number, number)[0] ?? []);
}

export function weekHours(schedule: Schedule, now: Date, days = 7): DayHours[] {
  const today = dayNumber(wallDate(now, schedule.timeZone));
  return intervalsByDay(schedule, today, today + days - 1).map((intervals, index) =>
    shownDay(schedule, today + index, intervals),
  );
}

/** A day's openings with their ends as the wall clock reads them (see ShownInterval). */
function shownDay(schedule: Schedule, day: number, intervals: Interval[]): DayHours {
  const allDay = intervals.some((i) => i.from === 0 && i.to >= DAY);
  if (allDay) return { day: isoDate(day), intervals: [], allDay };
  const zone = schedule.timeZone;
  const instant = wallToInstant(day, zone);
  const wallMinutes = (at: number) => {
    const f = wallFields(new Date(at), zone);
    return (dayNumber(wallDate(new Date(at), zone)) - day) * DAY + f.hour * 60 + f.minute;
  };
  const shown: ShownInterval[] = [];
  for (const interval of intervals) {
    const from = instant(interval.from);
    const to = instant(interval.to);
    if (to <= from) continue;
    const read = { from: wallMinutes(from), to: wallMinutes(to) };
    const realMinutes = Math.round((to - from) / 60_000);
    shown.push(realMinutes === read.to - read.from ? read : { ...read, realMinutes });
  }
  return { day: isoDate(day), intervals: shown, allDay };
}

/**
 * The opening running at `now`, if any: the day it belongs to, and that day's hours written as a day's
 * override with this opening ended at `now`'s minute ("20:00-01:07"), or "off" when nothing is left.
 * This is how a worker's "closed now" ends a night that started the day before.
 */
export function endRunningOpening(schedule: Schedule, now: Date): { day: string; hours: string } | undefined {
  const zone = schedule.timeZone;
  const f = wallFields(now, zone);
  const today = Date.UTC(f.year, f.month - 1, f.day) / DAY_MS;
  const t = now.getTime();
  for (const day of [today, today - 1]) {
    const intervals = intervalsByDay(schedule, day, day)[0] ?? [];
    const instant = wallToInstant(day, zone);
    const running = intervals.findIndex((i) => instant(i.from) <= t && t < instant(i.to));
    if (running < 0) continue;
    const cut = (today - day) * DAY + f.hour * 60 + f.minute;
    const kept = intervals
      .map((i, index) => (index === running ? { from: i.from, to: cut } : i))
      .filter((i) => i.to > i.from);
    return { day: isoDate(day), hours: kept.length > 0 ? kept.map(dayRange).join(",") : "off" };
  }
  return undefined;
}

/** An interval as written in a day's hours: "20:00-01:07"; an end past midnight wraps (see parseDayRanges). */
function dayRange(interval: Interval): string {
  const clock = (minutes: number) =>
    `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  return `${clock(interval.from)}-${clock(interval.to > DAY ? interval.to - DAY : interval.to)}`;
}
