import type OpeningHours from "opening_hours";
import { addDays, fromWallClock, toWallClock, wallDate, wallMidnight } from "./clock";
import { parseOpeningHours, type Region } from "./hours-syntax";
import type { Site } from "./model";

/**
 * Opening hours for one site, with cheque days and special dates folded in as dated rules appended after
 * the site's own hours (later OSM rules override earlier ones for the days they name). Parsed once.
 */
export type Schedule = { hours: OpeningHours; timeZone: string };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function datedRule(isoDate: string, hours: string): string {
  const [y, m, d] = isoDate.split("-") as [string, string, string];
  return `${y} ${MONTHS[Number(m) - 1]} ${d} ${hours}`;
}

export function compileHours(
  site: Pick<Site, "hours" | "chequeDayHours" | "specialDates">,
  chequeDays: string[],
): string {
  const rules = [site.hours.trim().replace(/;+\s*$/, "")];
  if (site.chequeDayHours) for (const day of chequeDays) rules.push(datedRule(day, site.chequeDayHours));
  // Special dates come last: a closure on a cheque day wins.
  for (const special of site.specialDates) rules.push(datedRule(special.day, special.hours));
  return rules.join("; ");
}

export function buildSchedule(
  site: Pick<Site, "hours" | "chequeDayHours" | "specialDates">,
  chequeDays: string[],
  region: Region,
  timeZone: string,
): Schedule {
  return { hours: parseOpeningHours(compileHours(site, chequeDays), region), timeZone };
}

// How far ahead to look for the next change; past this a site is "open around the clock" or "no
// opening known this week", which is all a person needs at the door.
const LOOKAHEAD_DAYS = 8;

export type Status =
  | { kind: "open"; until: Date }
  | { kind: "always-open" }
  | { kind: "closed"; opensAt: Date }
  | { kind: "closed-for-now" };

export function statusAt(schedule: Schedule, now: Date): Status {
  const wallNow = toWallClock(now, schedule.timeZone);
  const limit = new Date(wallNow.getTime() + LOOKAHEAD_DAYS * 86_400_000);
  const open = schedule.hours.getState(wallNow);
  const next = schedule.hours.getNextChange(wallNow, limit);
  if (open)
    return next ? { kind: "open", until: fromWallClock(next, schedule.timeZone) } : { kind: "always-open" };
  return next
    ? { kind: "closed", opensAt: fromWallClock(next, schedule.timeZone) }
    : { kind: "closed-for-now" };
}

export function isOpen(status: Status): boolean {
  return status.kind === "open" || status.kind === "always-open";
}

/** Wall-clock minutes since midnight, e.g. 75 for 01:15; an interval may end past 24:00 when a night runs on. */
export type Interval = { from: number; to: number };
export type DayHours = { day: string; intervals: Interval[]; allDay: boolean };

/**
 * The opening intervals that *start* on a day, with nights that run past midnight shown whole on the day
 * they start ("20:00-03:00" on Friday, not "00:00-03:00" on Saturday).
 */
export function hoursOnDay(schedule: Schedule, day: string): DayHours {
  const from = wallMidnight(addDays(day, -1));
  const to = wallMidnight(addDays(day, 2));
  const raw = schedule.hours.getOpenIntervals(from, to);
  const merged: [Date, Date][] = [];
  for (const [start, end] of raw) {
    const last = merged[merged.length - 1];
    if (last && last[1].getTime() === start.getTime()) last[1] = end;
    else merged.push([start, end]);
  }
  const dayStart = wallMidnight(day).getTime();
  const dayEnd = wallMidnight(addDays(day, 1)).getTime();
  let allDay = false;
  const intervals: Interval[] = [];
  for (const [start, end] of merged) {
    if (start.getTime() <= dayStart && end.getTime() >= dayEnd) allDay = true;
    else if (start.getTime() >= dayStart && start.getTime() < dayEnd)
      intervals.push({
        from: Math.round((start.getTime() - dayStart) / 60_000),
        to: Math.round((end.getTime() - dayStart) / 60_000),
      });
  }
  return { day, intervals: allDay ? [] : intervals, allDay };
}

export function weekHours(schedule: Schedule, now: Date, days = 7): DayHours[] {
  const today = wallDate(now, schedule.timeZone);
  return Array.from({ length: days }, (_, i) => hoursOnDay(schedule, addDays(today, i)));
}
