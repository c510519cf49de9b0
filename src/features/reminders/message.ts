import { callbackData } from "../../bot/callback-data";
import type { Locale } from "../../config";
import type { Site } from "../../directory/model";
import { daysSinceVerified, isStale } from "../../directory/staleness";
import type { Translate } from "../../text/translate";

/** The reminder itself (pure): which sites it lists, and the short message with a row of buttons each. */

// Two buttons a site: the keyboard stays short enough to read on a phone. The rest: /lieux.
export const MAX_LISTED_SITES = 10;

export type OldSite = { site: Site; days: number };

/** The organisation's sites checked more than `staleAfterDays` ago, the oldest first. */
export function oldSitesOf(
  sites: readonly Site[],
  organisationId: string,
  today: string,
  staleAfterDays: number,
): OldSite[] {
  return sites
    .filter((s) => s.organisationId === organisationId && isStale(s.verifiedOn, today, staleAfterDays))
    .map((site) => ({ site, days: daysSinceVerified(site.verifiedOn, today) }))
    .sort((a, b) => b.days - a.days || a.site.id.localeCompare(b.site.id));
}

type Button = { text: string; callback_data: string };

export function reminderPayload(
  old: readonly OldSite[],
  reader: { t: Translate; locale: Locale },
  staleAfterDays: number,
): { text: string; parse_mode: "HTML"; reply_markup: { inline_keyboard: Button[][] } } {
  const { t, locale } = reader;
  const listed = old.slice(0, MAX_LISTED_SITES);
  // Numbered only when there are several: the buttons then say which site they are for.
  const numbered = listed.length > 1;
  const lines = listed.map(({ site, days }, index) => {
    const line = t("reminders.message.line", { site: site.name[locale], count: days });
    return numbered ? `${index + 1}. ${line}` : line;
  });
  const more = old.length - listed.length;
  const text = [
    t("reminders.message.intro", {
      count: old.length,
      days: t("reminders.message.days", { count: staleAfterDays }),
    }),
    "",
    ...lines,
    ...(more > 0 ? [t("reminders.message.more", { count: more })] : []),
    "",
    t("reminders.message.outro"),
  ].join("\n");
  const inline_keyboard = listed.map(({ site }, index) => {
    const number = { number: index + 1 };
    return [
      {
        text: numbered ? t("reminders.message.stillTrueNumbered", number) : t("reminders.message.stillTrue"),
        callback_data: callbackData.toolsVerify(site.id),
      },
      {
        text: numbered ? t("reminders.message.editNumbered", number) : t("reminders.message.edit"),
        // The site editor's menu (a coordinator's: the reminder goes to coordinators only).
        callback_data: callbackData.toolsEdit(site.id),
      },
    ];
  });
  return { text, parse_mode: "HTML", reply_markup: { inline_keyboard } };
}
