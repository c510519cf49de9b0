import { InlineKeyboard } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import { callbackData } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import type { Locale } from "../../config";
import type { Bilingual } from "../../db/schema";
import { type Catalog, siteStatus } from "../../directory/catalog";
import { addDays, wallDate } from "../../directory/clock";
import { formatDay, formatInstantTime, viewOf } from "../../directory/format";
import { endRunningOpening, instantAt } from "../../directory/hours";
import type { Site } from "../../directory/model";
import { placeOfSite } from "../../directory/serves";
import { nameInSentence } from "../../text/french-name";
import type { BroadcastPreset } from "../alerts/conversation";
import { currentMember } from "../members/current";
import type { Member } from "../members/queries";
import { describeChange, siteLabel, whenText } from "./format";
import { type Actor, applyChange, type ChangeRequest, markVerified, targetOf, undoChange } from "./use-cases";

/**
 * The steps shared by buttons and the typing dialogue: check who acts and on which site (at the moment
 * it runs, never trusting the button), make the change, and say what happened with an Undo button.
 * Results are plain data so a conversation can get them through `external`.
 */

export type Staff = { member: Member; catalog: Catalog; sites: Site[] };

export type Outcome =
  | { kind: "reply"; text: string; keyboard: InlineKeyboardButton[][] }
  | { kind: "not-staff" }
  // A worker at a coordinator's button (the listing's edits).
  | { kind: "not-coordinator" }
  | { kind: "stale" };

/** Workers and admins of an organisation, with that organisation's sites; peers and strangers get nothing. */
export async function staffOf(ctx: BotContext): Promise<Staff | undefined> {
  const member = await currentMember(ctx);
  if (!member || member.role === "peer") return undefined;
  const catalog = await ctx.deps.catalog.get(ctx.deps.db);
  if (!catalog) return undefined;
  const sites = catalog.directory.sites.filter((s) => s.organisationId === member.organisationId);
  return { member, catalog, sites };
}

export function actorOf(member: Member): Actor {
  return { memberId: member.id, alias: member.alias, organisationId: member.organisationId };
}

export type Intent =
  | { kind: "stock"; materialId: string; out: boolean }
  | { kind: "close-today" }
  | { kind: "close-now" }
  | { kind: "reset-today" }
  | { kind: "close-day"; day: string }
  | { kind: "hours"; day: string; hours: string }
  | { kind: "note"; text: Bilingual }
  | { kind: "note-remove" };

/** A note stays up until the end of the next day on the wall clock, so street notes never go stale. */
export function noteExpiry(now: Date, zone: string): Date {
  return instantAt(addDays(wallDate(now, zone), 2), 0, zone);
}

function requestFor(site: Site, intent: Intent, now: Date, catalog: Catalog): ChangeRequest | undefined {
  const zone = catalog.directory.info.timezone;
  switch (intent.kind) {
    case "stock":
      // A button for a material the site no longer lists is an old button.
      if (!site.materials.includes(intent.materialId)) return undefined;
      return {
        kind: intent.out ? "stock_out" : "stock_back",
        siteId: site.id,
        materialId: intent.materialId,
      };
    case "close-today":
      return { kind: "day_closed", siteId: site.id, day: wallDate(now, zone) };
    case "close-now": {
      // The running opening ends now, on the day it belongs to: yesterday's for a night past midnight.
      const schedule = catalog.schedules.get(site.id);
      const ended = schedule ? endRunningOpening(schedule, now) : undefined;
      if (!ended) return undefined;
      return ended.hours === "off"
        ? { kind: "day_closed", siteId: site.id, day: ended.day }
        : { kind: "day_hours", siteId: site.id, day: ended.day, hours: ended.hours };
    }
    case "reset-today":
      return { kind: "day_reset", siteId: site.id, day: wallDate(now, zone) };
    case "close-day":
      return { kind: "day_closed", siteId: site.id, day: intent.day };
    case "hours":
      return { kind: "day_hours", siteId: site.id, day: intent.day, hours: intent.hours };
    case "note":
      return { kind: "note_posted", siteId: site.id, text: intent.text, expiresAt: noteExpiry(now, zone) };
    case "note-remove":
      return { kind: "note_removed", siteId: site.id };
  }
}

export async function perform(ctx: BotContext, siteId: string, intent: Intent): Promise<Outcome> {
  const staff = await staffOf(ctx);
  if (!staff) return { kind: "not-staff" };
  const site = staff.sites.find((s) => s.id === siteId);
  const now = ctx.deps.now();
  if (!site) return { kind: "stale" };
  const view = viewOf(ctx, staff.catalog);
  const back = new InlineKeyboard().text(site.name[ctx.locale], callbackData.toolsSite(site.id));
  const before = siteStatus(staff.catalog, site, now);
  const request = requestFor(site, intent, now, staff.catalog);
  if (!request && intent.kind === "close-now")
    return {
      kind: "reply",
      text: ctx.t("hours.closeNow.notRunning", { site: nameInSentence(site, ctx.locale) }),
      keyboard: back.inline_keyboard,
    };
  if (!request) return { kind: "stale" };
  const result = await applyChange(ctx.deps.db, actorOf(staff.member), request, now);
  if (result.kind === "unchanged")
    return { kind: "reply", text: ctx.t("tools.done.unchanged"), keyboard: back.inline_keyboard };
  const details = describeChange(
    { kind: request.kind, target: targetOf(request), after: result.after },
    view,
  );
  const text =
    intent.kind === "close-now"
      ? ctx.t("hours.closeNow.done", {
          site: nameInSentence(site, ctx.locale),
          until: before.kind === "open" ? whenText(before.until, view) : ctx.t("directory.card.allDay"),
        })
      : ctx.t(`tools.done.${request.kind}`, { site: nameInSentence(site, ctx.locale), ...details });
  const keyboard = new InlineKeyboard()
    .text(ctx.t("tools.undo.button"), callbackData.toolsUndo(result.changeId))
    .text(site.name[ctx.locale], callbackData.toolsSite(site.id));
  // A closure is what /alertes promises to tell: offer its alert, seen before it goes (alerts/conversation).
  const closedDay = closureDay(intent, request);
  if (closedDay !== undefined)
    keyboard.row().text(ctx.t("tools.closureAlert.button"), callbackData.toolsAlert(site.id, closedDay));
  return { kind: "reply", text, keyboard: keyboard.inline_keyboard };
}

/** The day a closure closed (null: closed now, earlier than planned); undefined for any other change. */
function closureDay(intent: Intent, request: ChangeRequest): string | null | undefined {
  if (intent.kind === "close-now") return null;
  if ((intent.kind === "close-today" || intent.kind === "close-day") && request.kind === "day_closed")
    return request.day;
  return undefined;
}

export async function undo(ctx: BotContext, changeId: number): Promise<Outcome> {
  const staff = await staffOf(ctx);
  if (!staff) return { kind: "not-staff" };
  const result = await undoChange(ctx.deps.db, actorOf(staff.member), changeId, ctx.deps.now(), {
    coordinator: staff.member.role === "admin",
  });
  if (result.kind === "unknown") return { kind: "stale" };
  if (result.kind === "not-coordinator") return result;
  const site = siteLabel(staff.catalog, result.change.siteId, ctx.locale);
  const back = staff.sites.some((s) => s.id === result.change.siteId)
    ? new InlineKeyboard().text(site, callbackData.toolsSite(result.change.siteId)).inline_keyboard
    : [];
  const key = result.kind === "undone" ? "tools.undo.done" : `tools.undo.${result.kind}`;
  return { kind: "reply", text: ctx.t(key, { site }), keyboard: back };
}

/** The site behind a button, if the member is staff of its organisation; otherwise the refusal. */
export async function staffSite(
  ctx: BotContext,
  siteId: string,
): Promise<{ staff: Staff; site: Site } | Outcome> {
  const staff = await staffOf(ctx);
  if (!staff) return { kind: "not-staff" };
  const site = staff.sites.find((s) => s.id === siteId);
  return site ? { staff, site } : { kind: "stale" };
}

/** "✅ Still true": the site's information checked today, by this worker. */
export async function verify(ctx: BotContext, siteId: string): Promise<Outcome> {
  const found = await staffSite(ctx, siteId);
  if ("kind" in found) return found;
  const { staff, site } = found;
  const today = wallDate(ctx.deps.now(), staff.catalog.directory.info.timezone);
  if ((await markVerified(ctx.deps.db, actorOf(staff.member), site.id, today)) === "unknown")
    return { kind: "stale" };
  return {
    kind: "reply",
    text: ctx.t("tools.done.verified", { site: nameInSentence(site, ctx.locale) }),
    keyboard: new InlineKeyboard().text(site.name[ctx.locale], callbackData.toolsSite(site.id))
      .inline_keyboard,
  };
}

/** A closure's alert, in both languages, for the site's neighbourhood (or all of Montreal). */
export function closureAlert(
  ctx: BotContext,
  catalog: Catalog,
  site: Site,
  day: string | null,
): BroadcastPreset {
  const zone = catalog.directory.info.timezone;
  const text = (locale: Locale) => {
    const t = ctx.deps.translations.forLocale(locale);
    const name = site.name[locale];
    return day === null
      ? t("tools.closureAlert.now", { site: name, time: formatInstantTime(ctx.deps.now(), zone, locale) })
      : t("tools.closureAlert.day", { site: name, day: formatDay(day, locale) });
  };
  return { placeId: placeOfSite(catalog.directory, site) ?? null, textFr: text("fr"), textEn: text("en") };
}
