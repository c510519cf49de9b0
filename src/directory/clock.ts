/**
 * "Now in Montreal" made explicit. The opening_hours library reads Dates through their local getters, so
 * we hand it a "wall clock" Date whose local fields equal the time on the wall in the directory's zone,
 * and convert its answers back. The process runs with TZ=UTC (npm scripts and tests) so the local zone
 * has no DST gaps of its own; the helpers below still never depend on it.
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

export function wallFields(instant: Date, timeZone: string): WallFields {
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

/** A Date whose *local* getters read the wall clock of `timeZone` at `instant`. */
export function toWallClock(instant: Date, timeZone: string): Date {
  const f = wallFields(instant, timeZone);
  return new Date(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, instant.getMilliseconds());
}

/** The real instant for a wall-clock Date produced by toWallClock or by the opening_hours library. */
export function fromWallClock(wall: Date, timeZone: string): Date {
  const asUtc = Date.UTC(
    wall.getFullYear(),
    wall.getMonth(),
    wall.getDate(),
    wall.getHours(),
    wall.getMinutes(),
    wall.getSeconds(),
    wall.getMilliseconds(),
  );
  // Two passes settle the offset, including around DST changes.
  let guess = asUtc - offsetMs(new Date(asUtc), timeZone);
  guess = asUtc - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

function offsetMs(instant: Date, timeZone: string): number {
  const f = wallFields(instant, timeZone);
  const wallAsUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return wallAsUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** YYYY-MM-DD of the wall-clock day in `timeZone`. */
export function wallDate(instant: Date, timeZone: string): string {
  const f = wallFields(instant, timeZone);
  return `${f.year}-${String(f.month).padStart(2, "0")}-${String(f.day).padStart(2, "0")}`;
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(isoDate: string, days: number): string {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The wall-clock Date at midnight starting a YYYY-MM-DD day. */
export function wallMidnight(isoDate: string): Date {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d, 0, 0, 0, 0);
}
