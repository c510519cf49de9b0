import { SCHEDULE_DAYS, type ScheduleDay } from "./schema";

/**
 * Between an OpenStreetMap opening_hours string and HSDS weekly schedules (one row per set of days
 * and opening). Only the plain weekly part translates: days, times, `off`, `24/7`. Holidays (`PH`),
 * months, weeks, open ends and comments have no HSDS field: a string using any of them besides `PH`
 * gives no rows (the Perche profile keeps the exact string either way).
 */

export type WeeklyRow = { days: ScheduleDay[]; opens: string; closes: string };

const OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"] as const;
const DAY = "(?:Mo|Tu|We|Th|Fr|Sa|Su)";
const DAY_ITEM = `${DAY}(?:-${DAY})?`;
const RULE = new RegExp(`^(${DAY_ITEM}(?:,${DAY_ITEM})*)\\s+(.+)$`);
const RANGE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/** The weekly openings of `hours`, or undefined when the string says more than HSDS can. */
export function weeklyRows(hours: string): WeeklyRow[] | undefined {
  const week: string[][] = OSM_DAYS.map(() => []);
  for (const rule of hours
    .split(";")
    .map((r) => r.trim())
    .filter(Boolean)) {
    if (rule === "24/7") {
      week.fill(["00:00-24:00"]);
      continue;
    }
    if (/^PH(\s|$)/.test(rule)) continue; // holidays: the profile keeps them
    const match = RULE.exec(rule);
    const days = match ? parseDays(match[1] ?? "") : [0, 1, 2, 3, 4, 5, 6];
    const ranges = parseRanges(match ? (match[2] ?? "") : rule);
    if (!ranges) return undefined;
    // A later rule replaces the earlier ones for its days, as opening_hours reads it.
    for (const day of days) week[day] = ranges;
  }
  return rowsOf(week);
}

function parseDays(spec: string): number[] {
  const days: number[] = [];
  for (const item of spec.split(",")) {
    const [from, to = from] = item.split("-").map((d) => OSM_DAYS.indexOf(d as (typeof OSM_DAYS)[number]));
    const start = from ?? 0;
    const end = to ?? start;
    // Sa-Mo wraps around the week.
    for (let day = start; ; day = (day + 1) % 7) {
      days.push(day);
      if (day === end) break;
    }
  }
  return days;
}

function parseRanges(spec: string): string[] | undefined {
  const trimmed = spec.trim();
  if (trimmed === "off" || trimmed === "closed") return [];
  const ranges = trimmed.split(",").map((r) => r.trim());
  const valid = ranges.every((range) => {
    const m = RANGE.exec(range);
    return m && Number(m[1]) <= 24 && Number(m[3]) <= 48 && Number(m[2]) < 60 && Number(m[4]) < 60;
  });
  return valid ? ranges : undefined;
}

function rowsOf(week: string[][]): WeeklyRow[] {
  const groups = new Map<string, number[]>();
  week.forEach((ranges, day) => {
    if (ranges.length === 0) return;
    const key = ranges.join(",");
    groups.set(key, [...(groups.get(key) ?? []), day]);
  });
  return [...groups].flatMap(([key, days]) =>
    key.split(",").map((range) => {
      const [opens = "", closes = ""] = range.split("-");
      return { days: days.map((d) => SCHEDULE_DAYS[d] as ScheduleDay), opens, closes };
    }),
  );
}

/** An opening_hours string for weekly rows; days without a row are closed. */
export function hoursFromRows(rows: WeeklyRow[]): string {
  const week: string[][] = SCHEDULE_DAYS.map(() => []);
  for (const row of rows)
    for (const day of row.days) {
      const ranges = week[SCHEDULE_DAYS.indexOf(day)] ?? [];
      const range = `${row.opens}-${row.closes}`;
      if (!ranges.includes(range)) ranges.push(range);
    }
  for (const ranges of week) ranges.sort();
  if (week.every((ranges) => ranges.length === 1 && ranges[0] === "00:00-24:00")) return "24/7";
  const groups = new Map<string, number[]>();
  week.forEach((ranges, day) => {
    if (ranges.length === 0) return;
    const key = ranges.join(",");
    groups.set(key, [...(groups.get(key) ?? []), day]);
  });
  return [...groups].map(([ranges, days]) => `${daySpec(days)} ${ranges}`).join("; ");
}

/** Mo-Fr for a run of three days or more, Sa,Su for two, Mo,We,Fr for scattered days. */
function daySpec(days: number[]): string {
  const runs: number[][] = [];
  for (const day of days) {
    const last = runs.at(-1);
    if (last && last.at(-1) === day - 1) last.push(day);
    else runs.push([day]);
  }
  return runs
    .map((run) => {
      const first = OSM_DAYS[run[0] ?? 0];
      const last = OSM_DAYS[run.at(-1) ?? 0];
      if (run.length >= 3) return `${first}-${last}`;
      return run.map((d) => OSM_DAYS[d]).join(",");
    })
    .join(",");
}
