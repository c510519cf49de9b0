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
// kept per zone and second, which is all a WallFields holds. Bounded: emptied when it fills.
const MEMO_LIMIT = 4096;
const wallMemo = new Map<string, WallFields>();
const dayMemo = new Map<string, string>();

export function wallFields(instant: Date, timeZone: string): WallFields {
  const key = `${timeZone}|${Math.floor(instant.getTime() / 1000)}`;
  const known = wallMemo.get(key);
  if (known) return { ...known };
  const computed = computeWallFields(instant, timeZone);
  if (wallMemo.size >= MEMO_LIMIT) wallMemo.clear();
  wallMemo.set(key, computed);
  return { ...computed };
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
  const f = wallFields(instant, timeZone);
  return `${f.year}-${String(f.month).padStart(2, "0")}-${String(f.day).padStart(2, "0")}`;
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
