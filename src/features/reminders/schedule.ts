import { REMINDER_MINUTES } from "../../bot/callback-data";
import type { REMINDER_EVERY_WEEKS } from "../../db/schema";
import { addDays, dayNumber, wallDate } from "../../directory/clock";
import { instantAt } from "../../directory/hours";

/**
 * When a coordinator's reminder about old site information is due (pure: `now` and the zone are
 * arguments). The coordinator picks a weekday and a time on the directory's wall clock, and how often:
 * every week, every 2 or 4 weeks, or never.
 *
 * - **The moment**: the latest time at or before `now` that reads that weekday and time. A moment the
 *   bot missed (it was down) is still the latest one at the next run, so it is sent then, once; more
 *   than LATE_LIMIT_MS late, it is marked handled and not sent.
 * - **Once per moment**: `handledUntil` is the latest moment already dealt with (a reminder sent, or
 *   nothing old to say), or the time the coordinator joined or changed the settings, so a moment from
 *   before a change is never caught up as "missed".
 * - **Never more than one a week**: the day a moment falls on must be at least 7 × N days (N = 1, 2 or
 *   4) after the day the last reminder went out, counted on the wall calendar (so a daylight-saving
 *   week of 167 or 169 hours counts as the week it is). The frequency counts from the last one sent,
 *   and a moment that comes too soon after one (a late catch-up, a weekday moved earlier) is skipped.
 */

export type EveryWeeks = (typeof REMINDER_EVERY_WEEKS)[number];
/** The frequencies as the buttons offer them. */
export const REMINDER_FREQUENCIES: readonly EveryWeeks[] = [1, 2, 4, 0];
/** The times offered as buttons, in minutes after midnight. */
export const REMINDER_TIMES = REMINDER_MINUTES;

export type ReminderSettings = {
  /** 0: never. */
  everyWeeks: EveryWeeks;
  /** ISO weekday: 1 Monday … 7 Sunday. */
  weekday: number;
  /** Minutes after midnight on the directory's wall clock. */
  atMinute: number;
};

export const DEFAULT_REMINDER: ReminderSettings = { everyWeeks: 1, weekday: 1, atMinute: 10 * 60 };

export type ReminderState = { handledUntil: Date; sentAt: Date | null };

/**
 * A due reminder: its moment, and the instant a previous reminder must have gone out before. `late`: the
 * bot was down longer than LATE_LIMIT_MS past the moment; it counts as handled, and nothing is sent (a
 * reminder chosen for 10:00 does not arrive in the night), the next one comes at its own moment.
 */
export type DueReminder = { moment: Date; sentBefore: Date; late: boolean };

/** How late a missed moment is still sent: a 16:00 reminder arrives by midnight at the latest. */
export const LATE_LIMIT_MS = 8 * 60 * 60_000;

/** ISO weekday (1 Monday … 7 Sunday) of a YYYY-MM-DD date; 1970-01-01 was a Thursday. */
export function isoWeekday(isoDate: string): number {
  return ((((dayNumber(isoDate) + 3) % 7) + 7) % 7) + 1;
}

/** The latest instant at or before `now` whose wall clock reads the settings' weekday and time. */
export function latestMoment(now: Date, settings: ReminderSettings, zone: string): Date {
  const today = wallDate(now, zone);
  const day = addDays(today, -((isoWeekday(today) - settings.weekday + 7) % 7));
  const moment = instantAt(day, settings.atMinute, zone);
  return moment <= now ? moment : instantAt(addDays(day, -7), settings.atMinute, zone);
}

export function dueReminder(
  now: Date,
  settings: ReminderSettings,
  state: ReminderState,
  zone: string,
): DueReminder | undefined {
  if (settings.everyWeeks === 0) return undefined;
  const moment = latestMoment(now, settings, zone);
  if (moment <= state.handledUntil) return undefined;
  // The start of the day after the last day a previous reminder may have gone out on.
  const sentBefore = instantAt(addDays(wallDate(moment, zone), 1 - 7 * settings.everyWeeks), 0, zone);
  if (state.sentAt && state.sentAt >= sentBefore) return undefined;
  return { moment, sentBefore, late: now.getTime() - moment.getTime() > LATE_LIMIT_MS };
}
