import { addDays } from "../../directory/clock";
import { DAY_RANGES_PATTERN, parseDayRanges } from "../../directory/hours";
import { checkOpeningHours } from "../../directory/hours-syntax";

/**
 * What workers type, read generously: a day ("2026-12-03", "3 déc", "Dec 3", "3/12", "demain") and
 * hours ("10:00-14:00", "10h-14h", "10 h à 14 h", "9h30-12h et 13h-16h"). Pure.
 */

export type DayParse = { ok: true; day: string } | { ok: false; error: "format" | "past" | "tooFar" };

/** How far ahead a worker may close a site or set hours: a year, so a typo cannot hide a site for years. */
export const MAX_DAYS_AHEAD = 365;

const MONTHS: [number, string[]][] = [
  [1, ["jan", "janv", "janvier", "january"]],
  [2, ["fev", "fevr", "fevrier", "feb", "february"]],
  [3, ["mar", "mars", "march"]],
  [4, ["avr", "avril", "apr", "april"]],
  [5, ["mai", "may"]],
  [6, ["juin", "jun", "june"]],
  [7, ["juil", "juillet", "jul", "july"]],
  [8, ["aout", "aug", "august"]],
  [9, ["sep", "sept", "septembre", "september"]],
  [10, ["oct", "octobre", "october"]],
  [11, ["nov", "novembre", "november"]],
  [12, ["dec", "decembre", "december"]],
];
const MONTH_BY_WORD = new Map(MONTHS.flatMap(([n, words]) => words.map((w) => [w, n] as const)));

function plain(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[’']/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function isoDay(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  return date.toISOString().slice(0, 10);
}

type DateParts = { year?: number; month?: number; day?: number };

/** Each written form of a date and how to read its parts. */
const DATE_FORMS: [RegExp, (m: RegExpExecArray) => DateParts][] = [
  [/^(\d{4})-(\d{1,2})-(\d{1,2})$/, (m) => ({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) })],
  // Day first, as written in Quebec: 3/12 is the 3rd of December.
  [
    /^(\d{1,2}) ?\/ ?(\d{1,2})(?: ?\/ ?(\d{4}))?$/,
    (m) => ({ day: Number(m[1]), month: Number(m[2]), ...(m[3] ? { year: Number(m[3]) } : {}) }),
  ],
  [
    /^(\d{1,2})(?:er)? ([a-z]+)\.?(?: (\d{4}))?$/,
    (m) => ({
      day: Number(m[1]),
      month: MONTH_BY_WORD.get(m[2] ?? ""),
      ...(m[3] ? { year: Number(m[3]) } : {}),
    }),
  ],
  [
    /^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$/,
    (m) => ({
      month: MONTH_BY_WORD.get(m[1] ?? ""),
      day: Number(m[2]),
      ...(m[3] ? { year: Number(m[3]) } : {}),
    }),
  ],
];

function readDate(value: string): DateParts | undefined {
  for (const [pattern, read] of DATE_FORMS) {
    const match = pattern.exec(value);
    if (match) return read(match);
  }
  return undefined;
}

/**
 * A day from `today` (YYYY-MM-DD in the directory's zone): not before `earliest` (today, or yesterday
 * while a night that started yesterday is running), at most a year ahead.
 */
export function parseDay(text: string, today: string, earliest = today): DayParse {
  const value = plain(text).replace(/\.$/, "");
  if (value.length > 40) return { ok: false, error: "format" };
  const relative: Record<string, number> = {
    hier: -1,
    yesterday: -1,
    aujourdhui: 0,
    auj: 0,
    today: 0,
    demain: 1,
    tomorrow: 1,
    "apres-demain": 2,
    "apres demain": 2,
  };
  const shift = relative[value];
  if (shift !== undefined)
    return addDays(today, shift) < earliest
      ? { ok: false, error: "past" }
      : { ok: true, day: addDays(today, shift) };

  const thisYear = Number(today.slice(0, 4));
  const found = readDate(value);
  if (!found) return { ok: false, error: "format" };
  const { year, month, day } = found;
  if (!month || !day) return { ok: false, error: "format" };
  let iso = isoDay(year ?? thisYear, month, day);
  if (!iso) return { ok: false, error: "format" };
  // Without a year, a day already gone this year means next year's.
  if (year === undefined && iso < earliest) iso = isoDay(thisYear + 1, month, day);
  if (!iso) return { ok: false, error: "format" };
  if (iso < earliest) return { ok: false, error: "past" };
  if (iso > addDays(today, MAX_DAYS_AHEAD)) return { ok: false, error: "tooFar" };
  return { ok: true, day: iso };
}

const TIME = String.raw`\d{1,2}(?: ?[:h] ?\d{2}| ?h)?`;
const RANGE = `${TIME} ?(?:-|–|a|to) ?${TIME}`;
const RANGES_AT_END = new RegExp(`(?:^| )(${RANGE}(?: ?(?:,|et|and|;) ?${RANGE}){0,5})$`);

function normaliseTime(time: string): string | undefined {
  const match = /^(\d{1,2})(?: ?[:h] ?(\d{2})| ?h)?$/.exec(time.trim());
  if (!match) return undefined;
  const hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  if (hour > 24 || minute > 59 || (hour === 24 && minute > 0)) return undefined;
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

/** "10h à 14h et 18h-20h" → "10:00-14:00,18:00-20:00", checked by the hours engine; undefined if not hours. */
export function parseHours(text: string): string | undefined {
  const value = plain(text);
  if (!new RegExp(`^${RANGE}(?: ?(?:,|et|and|;) ?${RANGE}){0,5}$`).test(value)) return undefined;
  const ranges: string[] = [];
  for (const part of value.split(/ ?(?:,|;| et | and ) ?/)) {
    const match = new RegExp(`^(${TIME}) ?(?:-|–|a|to) ?(${TIME})$`).exec(part.trim());
    const from = normaliseTime(match?.[1] ?? "");
    const to = normaliseTime(match?.[2] ?? "");
    if (!from || !to || from === to) return undefined;
    ranges.push(`${from}-${to}`);
  }
  const result = ranges.join(",");
  if (!DAY_RANGES_PATTERN.test(result) || checkOpeningHours(result) !== undefined) return undefined;
  try {
    parseDayRanges(result);
  } catch {
    return undefined;
  }
  return result;
}

export type DayHoursParse =
  | { ok: true; day: string; hours: string }
  | { ok: false; error: "format" | "past" | "tooFar" | "hours" };

/** "10:00-14:00" (today) or "3 déc 10h-14h" / "demain 9h-12h": a day, then the hours. */
export function parseDayAndHours(text: string, today: string): DayHoursParse {
  const value = plain(text);
  if (value.length > 80) return { ok: false, error: "format" };
  const match = RANGES_AT_END.exec(value);
  if (!match?.[1]) return { ok: false, error: "hours" };
  const hours = parseHours(match[1]);
  if (!hours) return { ok: false, error: "hours" };
  const prefix = value.slice(0, match.index).trim();
  if (!prefix) return { ok: true, day: today, hours };
  const day = parseDay(prefix, today);
  return day.ok ? { ok: true, day: day.day, hours } : day;
}
