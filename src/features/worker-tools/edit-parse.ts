import { parseOpeningHours, type Region } from "../../directory/hours-syntax";

/**
 * What a coordinator types or builds when editing a site (part 10): weekly hours in the file's syntax,
 * a phone number, the site's note. Pure; each refusal is a key of `tools.edit.errors` with its values,
 * so the coordinator is told what is wrong, not just "invalid".
 */

/** The file's own limits (src/directory/file-schema.ts): what the bot saves, an import takes back. */
export const MAX_HOURS_TEXT = 500;
export const MAX_SITE_NOTE = 600;

export type Refusal = { error: string; values?: Record<string, string | number> };
export type Parsed<T> = ({ ok: true } & T) | ({ ok: false } & Refusal);

// A year and a week: a rule that opens once a year ("Dec 24 10:00-14:00") still opens.
const NEVER_OPEN_HORIZON_MS = 372 * 86_400_000;

/** Weekly hours as typed: the file's opening_hours syntax, valid, and open at least once in a year. */
export function parseWeeklyHours(typed: string, region: Region, now: Date): Parsed<{ hours: string }> {
  const hours = typed.replace(/\s+/g, " ").trim();
  if (hours.length === 0) return { ok: false, error: "hoursEmpty" };
  if (hours.length > MAX_HOURS_TEXT)
    return { ok: false, error: "tooLong", values: { max: MAX_HOURS_TEXT, length: hours.length } };
  let parsed: ReturnType<typeof parseOpeningHours>;
  try {
    parsed = parseOpeningHours(hours, region);
  } catch {
    // Name the rule that is wrong, so a long line is not read again from the start.
    const wrong = hours
      .split(";")
      .map((rule) => rule.trim())
      .find((rule) => rule.length > 0 && !readsAlone(rule, region));
    return wrong
      ? { ok: false, error: "hoursSyntaxAt", values: { part: wrong.slice(0, 80) } }
      : { ok: false, error: "hoursSyntax" };
  }
  const openings = parsed.getOpenIntervals(now, new Date(now.getTime() + NEVER_OPEN_HORIZON_MS));
  if (openings.length === 0) return { ok: false, error: "neverOpen" };
  // The library reads "Mo-Fr 9-17" or "Sa 10h-14h" as it means them; the listing keeps them written as
  // the file writes hours ("Mo-Fr 09:00-17:00"), and the preview shows the coordinator that form.
  return { ok: true, hours: prettified(parsed) ?? hours };
}

function prettified(parsed: ReturnType<typeof parseOpeningHours>): string | undefined {
  try {
    const value = parsed.prettifyValue();
    return value.length > 0 && value.length <= MAX_HOURS_TEXT ? value : undefined;
  } catch {
    return undefined;
  }
}

function readsAlone(rule: string, region: Region): boolean {
  try {
    parseOpeningHours(rule, region);
    return true;
  } catch {
    return false;
  }
}

/** Words that mean "no phone" / "no note" in either language. */
const NONE = new Set(["aucun", "aucune", "rien", "none", "no", "non", "-", "enlever", "remove"]);

export function meansNone(typed: string): boolean {
  return NONE.has(typed.trim().toLowerCase());
}

/** The file's phone pattern: digits, spaces, dashes, dots, parentheses, a leading +. */
const PHONE_PATTERN = /^\+?[0-9][0-9 ().-]{1,24}$/;

/**
 * A phone as people will dial it: a short line (211, 811, 988) or a full number with its area code.
 * Seven digits alone cannot be dialled in Montreal (ten-digit dialling), so they are refused with why.
 * `required`: the site is a phone line or a mobile unit, which people reach only by phone.
 */
export function parsePhone(typed: string, required: boolean): Parsed<{ phone: string | null }> {
  const phone = typed.replace(/\s+/g, " ").trim();
  if (meansNone(phone)) return required ? { ok: false, error: "phoneRequired" } : { ok: true, phone: null };
  if (!PHONE_PATTERN.test(phone)) return { ok: false, error: "phoneFormat" };
  const digits = phone.replace(/\D/g, "").length;
  if (digits === 7) return { ok: false, error: "phoneAreaCode" };
  if (digits < 3 || (digits > 4 && digits < 10) || digits > 15) return { ok: false, error: "phoneFormat" };
  return { ok: true, phone };
}

/** One language of the site's note: plain text, within the file's limit. */
export function parseNoteText(typed: string): Parsed<{ text: string }> {
  const text = typed.trim();
  if (text.length === 0) return { ok: false, error: "textOnly" };
  if (text.length > MAX_SITE_NOTE)
    return { ok: false, error: "tooLong", values: { max: MAX_SITE_NOTE, length: text.length } };
  return { ok: true, text };
}

// --- Hours built with buttons -----------------------------------------------------------------------

/** Monday first, as the opening_hours syntax names the days. */
export const WEEK_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"] as const;

/** One step of the builder: some days, one opening ("09:00" to "17:00"; an end before the start runs on past midnight). */
export type BuiltOpening = { days: number[]; from: string; to: string };

export const TIME_PATTERN = /^([01]?\d|2[0-4])[:hH ]?([0-5]\d)?$/;

/** "9", "9h", "9h30", "09:30", "24:00" → "09:30"; undefined when it is not a time of day. */
export function parseTime(typed: string): string | undefined {
  const match = TIME_PATTERN.exec(typed.trim());
  if (!match) return undefined;
  const hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  if (hour === 24 && minute !== 0) return undefined;
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

/**
 * The openings as the file's syntax: days with the same openings share one rule, and a day's several
 * openings are joined with commas (in opening_hours a later rule for the same day replaces an earlier
 * one, so "Mo 09:00-12:00; Mo 13:00-17:00" would lose the morning). Days in no opening are closed.
 */
export function buildWeeklyHours(openings: readonly BuiltOpening[], holidaysClosed: boolean): string {
  const byDay = WEEK_DAYS.map((_, day) =>
    [
      ...new Set(
        openings
          .filter((o) => o.days.includes(day))
          .map((o) => `${o.from}-${o.to}`)
          .sort(),
      ),
    ].join(","),
  );
  const rules: string[] = [];
  const done = new Set<number>();
  for (let day = 0; day < 7; day++) {
    const ranges = byDay[day];
    if (!ranges || done.has(day)) continue;
    const same = byDay.flatMap((r, d) => (r === ranges ? [d] : []));
    for (const d of same) done.add(d);
    rules.push(`${dayList(same)} ${ranges}`);
  }
  if (rules.length > 0 && holidaysClosed) rules.push("PH off");
  return rules.join("; ");
}

/** [0,1,2,3,4,6] → "Mo-Fr,Su": runs of three or more days as a range. */
function dayList(days: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < days.length; ) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === (days[j] as number) + 1) j++;
    const first = WEEK_DAYS[days[i] as number];
    const last = WEEK_DAYS[days[j] as number];
    if (j - i >= 2) parts.push(`${first}-${last}`);
    else for (let k = i; k <= j; k++) parts.push(WEEK_DAYS[days[k] as number] as string);
    i = j + 1;
  }
  return parts.join(",");
}
