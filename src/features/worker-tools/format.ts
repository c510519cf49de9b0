import { InlineKeyboard } from "grammy";
import { callbackData } from "../../bot/callback-data";
import type { Locale } from "../../config";
import { type Catalog, siteStatus } from "../../directory/catalog";
import { addDays, wallDate } from "../../directory/clock";
import {
  formatDay,
  formatInstantTime,
  formatInterval,
  formatTimeRanges,
  statusLine,
  type View,
  workerNoteLine,
} from "../../directory/format";
import { endRunningOpening, hoursOnDay } from "../../directory/hours";
import type { Site } from "../../directory/model";
import { escapeHtml } from "../../text/html";
import { type Translate, withHtml } from "../../text/translate";
import type { DirectoryChange } from "./use-cases";

/** Pure text and keyboards for the worker tools: catalog, `now`, locale and `t` in, HTML out. */

/** "14 h 10" today, "mer. 18 nov. 14 h 10" another day. */
export function whenText(instant: Date, view: View): string {
  const zone = view.catalog.directory.info.timezone;
  const time = formatInstantTime(instant, zone, view.locale);
  return wallDate(instant, zone) === wallDate(view.now, zone)
    ? time
    : `${formatDay(wallDate(instant, zone), view.locale)} ${time}`;
}

/** "aujourd'hui", "demain" or "jeu. 3 déc.". */
export function dayText(day: string, view: View): string {
  const today = wallDate(view.now, view.catalog.directory.info.timezone);
  if (day === today) return view.t("directory.day.today");
  if (day === addDays(today, 1)) return view.t("directory.day.tomorrow");
  return formatDay(day, view.locale);
}

export function materialName(catalog: Catalog, materialId: string, locale: Locale): string {
  return catalog.materialsById.get(materialId)?.label[locale] ?? materialId;
}

export function sitesKeyboard(sites: Site[], locale: Locale): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const site of sites) keyboard.text(site.name[locale], callbackData.toolsSite(site.id)).row();
  return keyboard;
}

/** The site panel: how it stands now, and one button per change. */
export function panel(
  site: Site,
  view: View,
  { withSiteList, canEdit }: { withSiteList: boolean; canEdit: boolean },
): { text: string; keyboard: InlineKeyboard } {
  const { t, locale, catalog } = view;
  const schedule = catalog.schedules.get(site.id);
  const today = wallDate(view.now, catalog.directory.info.timezone);
  const todayHours = schedule ? hoursOnDay(schedule, today) : undefined;
  const hoursText = !todayHours
    ? undefined
    : todayHours.allDay
      ? t("directory.card.allDay")
      : todayHours.intervals.length === 0
        ? t("directory.card.closed")
        : todayHours.intervals.map((i) => formatInterval(i, locale, t)).join(", ");
  const out = site.stockOuts.map((s) =>
    t("tools.panel.outItem", {
      material: materialName(catalog, s.materialId, locale),
      since: whenText(s.since, view),
    }),
  );
  const text = [
    t("tools.panel.title", { site: site.name[locale] }),
    statusLine(siteStatus(catalog, site, view.now), view),
    hoursText ? t("tools.panel.today", withHtml({ hours: hoursText })) : undefined,
    out.length ? t("tools.panel.outList", withHtml({ list: out.join(", ") })) : undefined,
    workerNoteLine(site, view),
    "",
    t("tools.panel.hint"),
  ]
    .filter((line) => line !== undefined)
    .join("\n");

  const keyboard = new InlineKeyboard();
  site.materials.forEach((materialId, i) => {
    const isOut = site.stockOuts.some((s) => s.materialId === materialId);
    const material = materialName(catalog, materialId, locale);
    const data = callbackData.toolsStock(site.id, materialId, !isOut);
    // Telegram refuses callback data over 64 bytes; ids that long cannot have a button.
    if (Buffer.byteLength(data) > 64) return;
    keyboard.text(t(isOut ? "tools.panel.back" : "tools.panel.out", withHtml({ material })), data);
    if (i % 2 === 1) keyboard.row();
  });
  // An opening running (perhaps a night that started yesterday): the first button ends it. Otherwise,
  // today already set by a worker: it puts back the usual hours; else it closes today.
  const isRunning = schedule !== undefined && endRunningOpening(schedule, view.now) !== undefined;
  const setToday = (site.workerDays ?? []).some((d) => d.day === today);
  const [firstLabel, firstData] = isRunning
    ? ["hours.closeNow.button", callbackData.toolsCloseNow(site.id)]
    : setToday
      ? ["tools.panel.resetToday", callbackData.toolsResetToday(site.id)]
      : ["tools.panel.closeToday", callbackData.toolsCloseToday(site.id)];
  keyboard
    .row()
    .text(t(firstLabel), firstData)
    .text(t("tools.panel.closeDay"), callbackData.toolsInput(site.id, "close-day"))
    .row()
    .text(t("tools.panel.hours"), callbackData.toolsInput(site.id, "hours"))
    .text(t("tools.panel.note"), callbackData.toolsInput(site.id, "note"));
  if (site.workerNote && site.workerNote.expiresAt > view.now)
    keyboard.row().text(t("tools.panel.removeNote"), callbackData.toolsNoteRemove(site.id));
  // What people read is still right: the card's "checked on" moves to today.
  keyboard.row().text(t("tools.panel.stillTrue"), callbackData.toolsVerify(site.id));
  // What the file says (usual hours, phone, note, materials) is a coordinator's to change.
  if (canEdit) keyboard.text(t("tools.panel.edit"), callbackData.toolsEdit(site.id));
  if (withSiteList) keyboard.row().text(t("tools.panel.otherSites"), callbackData.toolsList());
  return { text, keyboard };
}

/** What the confirmation says, from the change as recorded. */
export function describeChange(
  change: Pick<DirectoryChange, "kind" | "target" | "after">,
  view: View,
  absoluteDays = false,
): Record<string, string> {
  const { catalog, locale, t } = view;
  const after = (change.after ?? {}) as Record<string, string>;
  if (change.target.startsWith("stock:"))
    return {
      material: materialName(catalog, change.target.slice(6), locale),
      time: after.since ? whenText(new Date(after.since), view) : "",
    };
  if (change.target.startsWith("day:"))
    return {
      // A log is read later: "tomorrow" there would mean the wrong day.
      day: absoluteDays
        ? formatDay(change.target.slice(4), view.locale)
        : dayText(change.target.slice(4), view),
      hours: after.hours ? formatTimeRanges(after.hours, locale, t) : "",
    };
  if (change.target.startsWith("field:"))
    return {
      hours: after.hours ?? "",
      phone: after.phone ?? t("tools.edit.nothing"),
      text: after[locale] ?? "",
      materials:
        (after.materials ?? "")
          .split(",")
          .filter(Boolean)
          .map((id) => materialName(catalog, id, locale))
          .join(", ") || t("tools.edit.nothing"),
    };
  return {
    text: after[locale] ?? "",
    until: after.expiresAt ? whenText(new Date(after.expiresAt), view) : "",
  };
}

export function siteLabel(catalog: Catalog, siteId: string, locale: Locale): string {
  return catalog.sitesById.get(siteId)?.name[locale] ?? siteId;
}

/** One line of the admins' log; notes are cut short, every value escaped. */
export function journalLine(change: DirectoryChange, view: View): string {
  const { t, catalog, locale } = view;
  const details = describeChange(change, view, true);
  const before = (change.before ?? {}) as Record<string, string>;
  const noteText = change.kind === "note_removed" ? (before[locale] ?? "") : (details.text ?? "");
  // Twenty lines go in one message of at most 4,096 characters: long values are cut short.
  const cut = (value = "") => (value.length > 60 ? `${value.slice(0, 59)}…` : value);
  // A phone or a listing note taken off has nothing to show: its own line says so.
  const removed = (change.kind === "site_phone" || change.kind === "site_note") && change.after === null;
  const what = t(`tools.journal.${change.kind}${removed ? "_removed" : ""}`, {
    ...details,
    text: cut(noteText),
    hours: cut(details.hours),
    materials: cut(details.materials),
  });
  const line = t(
    "tools.journal.line",
    withHtml({
      when: escapeHtml(whenText(change.at, view)),
      alias: escapeHtml(change.memberAlias),
      site: escapeHtml(siteLabel(catalog, change.siteId, locale)),
      what,
    }),
  );
  return change.undoneAt
    ? `${line} ${t("tools.journal.undone", { when: whenText(change.undoneAt, view) })}`
    : line;
}

export type Translator = { t: Translate; locale: Locale };
