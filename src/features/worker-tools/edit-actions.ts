import { InlineKeyboard } from "grammy";
import { callbackData, type EditField } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import type { Bilingual } from "../../db/schema";
import { type Catalog, regionOf } from "../../directory/catalog";
import { wallDate } from "../../directory/clock";
import { PHONE_ONLY_TYPES } from "../../directory/file-schema";
import { viewOf, weekLines } from "../../directory/format";
import { buildSchedule } from "../../directory/hours";
import type { Region } from "../../directory/hours-syntax";
import type { Site } from "../../directory/model";
import { escapedName, type FrenchArticle, nameInSentence } from "../../text/french-name";
import { escapeHtml } from "../../text/html";
import { withHtml } from "../../text/translate";
import { actorOf, type Outcome, type Staff, staffSite } from "./actions";
import { parseNoteText, parsePhone, parseWeeklyHours } from "./edit-parse";
import { materialName } from "./format";
import { applyChange, type ChangeRequest } from "./use-cases";

/**
 * A coordinator's edits of what the file says about a site (part 10): the menu, what the dialogue
 * starts from, the preview of new hours, and the save, which checks everything again at the moment it
 * runs (the site may have moved, a material gone, since the dialogue began). Results are plain data, so
 * the dialogue (editor.ts) gets them through `external`.
 */

export type SiteEdit =
  | { kind: "site_hours"; hours: string }
  | { kind: "site_phone"; phone: string | null }
  | { kind: "site_note"; note: Bilingual | null }
  | { kind: "site_materials"; materials: string[] };

/** Coordinators of the site's organisation; workers are told the listing is for coordinators. */
export async function coordinatorSite(
  ctx: BotContext,
  siteId: string,
): Promise<{ staff: Staff; site: Site } | Outcome> {
  const found = await staffSite(ctx, siteId);
  if ("kind" in found) return found;
  return found.staff.member.role === "admin" ? found : { kind: "not-coordinator" };
}

/** The menu of a site's listing: where each field stands, one button per field. */
export async function editMenu(ctx: BotContext, siteId: string): Promise<Outcome> {
  const found = await coordinatorSite(ctx, siteId);
  if ("kind" in found) return found;
  const { staff, site } = found;
  const t = ctx.t;
  const none = t("tools.edit.nothing");
  const materials = site.materials.map((id) => materialName(staff.catalog, id, ctx.locale));
  const text = t(
    "tools.edit.menu",
    withHtml({
      site: escapedName(nameInSentence(site, ctx.locale)),
      hours: escapeHtml(site.hours),
      phone: escapeHtml(site.phone ?? none),
      note: escapeHtml(site.note?.[ctx.locale] ?? t("tools.edit.noNote")),
      materials: escapeHtml(materials.length ? materials.join(", ") : none),
    }),
  );
  const field = (name: EditField) => callbackData.toolsEditField(site.id, name);
  const keyboard = new InlineKeyboard()
    .text(t("tools.edit.button.hours"), field("hours"))
    .text(t("tools.edit.button.phone"), field("phone"))
    .row()
    .text(t("tools.edit.button.note"), field("note"))
    .text(t("tools.edit.button.materials"), field("materials"))
    .row()
    .text(site.name[ctx.locale], callbackData.toolsSite(site.id));
  return { kind: "reply", text, keyboard: keyboard.inline_keyboard };
}

/** What the dialogue starts from: plain data only (it crosses the conversation's replay boundary). */
export type EditStart =
  | {
      kind: "ok";
      siteName: string;
      siteArticleFr: FrenchArticle | null;
      hours: string;
      phone: string | null;
      phoneRequired: boolean;
      note: Bilingual | null;
      materials: { id: string; label: string; on: boolean }[];
      region: Region;
    }
  | { kind: "refused"; outcome: Outcome };

export async function editStart(ctx: BotContext, siteId: string): Promise<EditStart> {
  const found = await coordinatorSite(ctx, siteId);
  if ("kind" in found) return { kind: "refused", outcome: found };
  const { staff, site } = found;
  return {
    kind: "ok",
    siteName: site.name[ctx.locale],
    siteArticleFr: site.articleFr ?? null,
    hours: site.hours,
    phone: site.phone ?? null,
    phoneRequired: PHONE_ONLY_TYPES.has(site.type),
    note: site.note ?? null,
    materials: staff.catalog.directory.materials.map((m) => ({
      id: m.id,
      label: m.label[ctx.locale],
      on: site.materials.includes(m.id),
    })),
    region: regionOf(staff.catalog.directory),
  };
}

/** The next seven days with these weekly hours, exactly as a card will show them (special days included). */
export async function hoursPreview(ctx: BotContext, siteId: string, hours: string): Promise<string> {
  const catalog = await ctx.deps.catalog.get(ctx.deps.db);
  const site = catalog?.sitesById.get(siteId);
  if (!catalog || !site) return "";
  return weekLines(previewSchedule(catalog, site, hours), viewOf(ctx, catalog)).join("\n");
}

function previewSchedule(catalog: Catalog, site: Site, hours: string) {
  const { directory } = catalog;
  return buildSchedule(
    { ...site, hours },
    directory.chequeDays,
    regionOf(directory),
    directory.info.timezone,
  );
}

/** The edit checked again against the directory as it is now; undefined when it no longer holds. */
function checked(edit: SiteEdit, site: Site, catalog: Catalog, now: Date): ChangeRequest | undefined {
  switch (edit.kind) {
    case "site_hours": {
      const parsed = parseWeeklyHours(edit.hours, regionOf(catalog.directory), now);
      return parsed.ok ? { kind: "site_hours", siteId: site.id, hours: parsed.hours } : undefined;
    }
    case "site_phone": {
      const parsed = parsePhone(edit.phone ?? "-", PHONE_ONLY_TYPES.has(site.type));
      return parsed.ok ? { kind: "site_phone", siteId: site.id, phone: parsed.phone } : undefined;
    }
    case "site_note": {
      if (edit.note === null) return { kind: "site_note", siteId: site.id, note: null };
      const fr = parseNoteText(edit.note.fr);
      const en = parseNoteText(edit.note.en);
      return fr.ok && en.ok
        ? { kind: "site_note", siteId: site.id, note: { fr: fr.text, en: en.text } }
        : undefined;
    }
    case "site_materials": {
      // In the directory's order, and only materials it still lists.
      const chosen = new Set(edit.materials);
      const materials = catalog.directory.materials.filter((m) => chosen.has(m.id)).map((m) => m.id);
      return { kind: "site_materials", siteId: site.id, materials };
    }
  }
}

export async function saveEdit(ctx: BotContext, siteId: string, edit: SiteEdit): Promise<Outcome> {
  const found = await coordinatorSite(ctx, siteId);
  if ("kind" in found) return found;
  const { staff, site } = found;
  const now = ctx.deps.now();
  const request = checked(edit, site, staff.catalog, now);
  if (!request) return { kind: "stale" };
  const back = new InlineKeyboard().text(site.name[ctx.locale], callbackData.toolsSite(site.id));
  const today = wallDate(now, staff.catalog.directory.info.timezone);
  const result = await applyChange(ctx.deps.db, actorOf(staff.member), request, now, today);
  if (result.kind === "unchanged")
    return { kind: "reply", text: ctx.t("tools.done.unchanged"), keyboard: back.inline_keyboard };
  const t = ctx.t;
  const removed = (edit.kind === "site_phone" || edit.kind === "site_note") && result.after === null;
  const materials =
    request.kind === "site_materials"
      ? request.materials.map((id) => materialName(staff.catalog, id, ctx.locale)).join(", ") ||
        t("tools.edit.nothing")
      : "";
  const text = t(`tools.edit.done.${edit.kind}${removed ? "_removed" : ""}`, {
    site: nameInSentence(site, ctx.locale),
    phone: request.kind === "site_phone" ? (request.phone ?? "") : "",
    materials,
  });
  const keyboard = new InlineKeyboard()
    .text(t("tools.undo.button"), callbackData.toolsUndo(result.changeId))
    .text(site.name[ctx.locale], callbackData.toolsSite(site.id))
    .row()
    .text(t("tools.panel.edit"), callbackData.toolsEdit(site.id));
  return { kind: "reply", text, keyboard: keyboard.inline_keyboard };
}
