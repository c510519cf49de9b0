import { InlineKeyboard, Keyboard } from "grammy";
import type { Locale } from "../config";
import type { Catalog, SiteWithStatus } from "../directory/catalog";
import { type Translate, withHtml } from "../text/translate";
import { callbackData } from "./callback-data";

/** The menu that stays on screen: one tap to everything, emergency included. */
export function mainMenu(t: Translate): Keyboard {
  return new Keyboard()
    .text(t("common.menu.supplies"))
    .text(t("common.menu.open"))
    .row()
    .text(t("common.menu.near"))
    .text(t("common.menu.emergency"))
    .row()
    .text(t("requests.menuButton"))
    .resized()
    .persistent()
    .placeholder(t("common.menu.placeholder"));
}

/** Near me: the location button (phones), every neighbourhood and métro station, and the way back. */
export function nearMenu(t: Translate, catalog: Catalog, locale: Locale): Keyboard {
  const keyboard = new Keyboard().requestLocation(t("common.menu.sendLocation")).row();
  const names = catalog.directory.places.map((p) =>
    // Button labels are plain text: no HTML escaping, or "&" would come back as "&amp;" and not match.
    p.kind === "metro" ? t("directory.near.metro", withHtml({ name: p.name[locale] })) : p.name[locale],
  );
  names.forEach((name, index) => {
    keyboard.text(name);
    if (index % 2 === 1) keyboard.row();
  });
  if (names.length % 2 === 1) keyboard.row();
  return keyboard.text(t("common.menu.back")).text(t("common.menu.emergency")).resized();
}

export function suppliesMenu(catalog: Catalog, locale: Locale): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  catalog.directory.materials.forEach((m, index) => {
    keyboard.text(m.label[locale], callbackData.material(m.id));
    if (index % 2 === 1) keyboard.row();
  });
  return keyboard;
}

export const PAGE_SIZE = 6;

/** One button per listed site, then "show more" when the list goes on. */
export function siteButtons(
  entries: SiteWithStatus[],
  locale: Locale,
  more?: { data: string; count: number; label: string },
): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const { site } of entries) keyboard.text(`ℹ️ ${site.name[locale]}`, callbackData.site(site.id)).row();
  if (more && more.count > 0) keyboard.text(more.label, more.data);
  return keyboard;
}

export function languageMenu(t: Translate): InlineKeyboard {
  return new InlineKeyboard()
    .text("Français", callbackData.language("fr"))
    .text("English", callbackData.language("en"))
    .row()
    .text(t("language.auto"), callbackData.language("auto"));
}
