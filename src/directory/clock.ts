/**
 * "Now in Montreal" made explicit: the wall-clock fields and date of an instant in the directory's zone,
 * whatever the process's own zone is.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export type WallFields = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
};

// formatToParts is the dearest call of a lookup (each site's status asks it several times): results are
// kept per zone and second, which is all a WallFields holds, with the day's YYYY-MM-DD ready. Bounded:
// emptied when it fills. The memo hands out its own frozen object, so no caller can change what the
// next one reads.
const MEMO_LIMIT = 4096;
type Wall = { fields: Readonly<WallFields>; date: string };
const wallMemo = new Map<string, Map<number, Wall>>();
let wallMemoSize = 0;
const dayMemo = new Map<string, string>();

// A screen asks for the same `now` once per site: the last answer is checked first.
let lastWall: { second: number; timeZone: string; wall: Wall } | undefined;

function wall(instant: Date, timeZone: string): Wall {
  const second = Math.floor(instant.getTime() / 1000);
  if (lastWall && lastWall.second === second && lastWall.timeZone === timeZone) return lastWall.wall;
  const found = memoisedWall(instant, second, timeZone);
  lastWall = { second, timeZone, wall: found };
  return found;
}

function memoisedWall(instant: Date, second: number, timeZone: string): Wall {
  let zone = wallMemo.get(timeZone);
  const known = zone?.get(second);
  if (known) return known;
  const fields = Object.freeze(computeWallFields(instant, timeZone));
  const computed = {
    fields,
    date: `${fields.year}-${String(fields.month).padStart(2, "0")}-${String(fields.day).padStart(2, "0")}`,
  };
  if (wallMemoSize >= MEMO_LIMIT) {
    wallMemo.clear();
    wallMemoSize = 0;
    zone = undefined;
  }
  if (!zone) {
    zone = new Map();
    wallMemo.set(timeZone, zone);
  }
  zone.set(second, computed);
  wallMemoSize++;
  return computed;
}

export function wallFields(instant: Date, timeZone: string): Readonly<WallFields> {
  return wall(instant, timeZone).fields;
}

function computeWallFields(instant: Date, timeZone: string): WallFields {
  const fields: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? 1970,
    month: fields.month ?? 1,
    day: fields.day ?? 1,
    hour: fields.hour ?? 0,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

/** YYYY-MM-DD of the wall-clock day in `timeZone`. */
export function wallDate(instant: Date, timeZone: string): string {
  return wall(instant, timeZone).date;
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(isoDate: string, days: number): string {
  const key = `${isoDate}|${days}`;
  const known = dayMemo.get(key);
  if (known !== undefined) return known;
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  const result = new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
  if (dayMemo.size >= MEMO_LIMIT) dayMemo.clear();
  dayMemo.set(key, result);
  return result;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a YYYY-MM-DD date: day arithmetic without strings. */
export function dayNumber(isoDate: string): number {
  return (
    Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10))) /
    DAY_MS
  );
}

/** The YYYY-MM-DD date of a day number. */
export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
