import { callbackData } from "../../bot/callback-data";
import type { Locale } from "../../config";
import { formatMinutes } from "../../directory/format";
import type { Translate } from "../../text/translate";
import { REMINDER_FREQUENCIES, REMINDER_TIMES, type ReminderSettings } from "./schedule";

/** /rappel's screen (pure): the current choice in words, and a button for each other choice. */

type Button = { text: string; callback_data: string };
type Reader = { t: Translate; locale: Locale };

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

export function describeSettings(settings: ReminderSettings, reader: Reader, staleAfterDays: number): string {
  const { t, locale } = reader;
  if (settings.everyWeeks === 0) return t("reminders.settings.off");
  const when = t(`reminders.settings.when${settings.everyWeeks}`, {
    day: t(`reminders.settings.day.${settings.weekday}`),
    time: formatMinutes(settings.atMinute, locale),
  });
  return t("reminders.settings.on", { when, days: t("reminders.message.days", { count: staleAfterDays }) });
}

export function settingsScreen(
  settings: ReminderSettings,
  reader: Reader,
  staleAfterDays: number,
): { text: string; parse_mode: "HTML"; reply_markup: { inline_keyboard: Button[][] } } {
  const { t, locale } = reader;
  const mark = (label: string, chosen: boolean) =>
    chosen ? t("reminders.settings.chosen", { label }) : label;
  const frequency = REMINDER_FREQUENCIES.map((n) => ({
    text: mark(t(`reminders.settings.every${n}`), settings.everyWeeks === n),
    callback_data: callbackData.reminderEvery(n),
  }));
  const days = WEEKDAYS.map((d) => ({
    text: mark(t(`reminders.settings.dayShort.${d}`), settings.weekday === d),
    callback_data: callbackData.reminderDay(d),
  }));
  const times = REMINDER_TIMES.map((m) => ({
    text: mark(formatMinutes(m, locale), settings.atMinute === m),
    callback_data: callbackData.reminderTime(m),
  }));
  // Off: only how often, which is how it comes back on.
  const rows =
    settings.everyWeeks === 0
      ? [frequency.slice(0, 2), frequency.slice(2)]
      : [frequency.slice(0, 2), frequency.slice(2), days.slice(0, 4), days.slice(4), times];
  return {
    text: [
      t("reminders.settings.title"),
      describeSettings(settings, reader, staleAfterDays),
      "",
      t("reminders.settings.hint"),
    ].join("\n"),
    parse_mode: "HTML",
    reply_markup: { inline_keyboard: rows },
  };
}
