import type { BotDeps } from "./context";
import type { Translations } from "./i18n";

/**
 * The buttons of the menus that stay on screen (the main menu, the "near me" menu, a peer helper's row).
 * They arrive as plain text, so they are matched here, in both languages: a keyboard drawn in one language
 * stays on screen after the person switches to the other. Shared by the router (which feature owns a
 * tap) and by every dialogue (a menu tap keeps its meaning in the middle of one), so no feature has to
 * import another's.
 */
export const MENU_LABELS = {
  supplies: "common.menu.supplies",
  open: "common.menu.open",
  near: "common.menu.near",
  emergency: "common.menu.emergency",
  back: "common.menu.back",
  talk: "requests.menuButton",
  relay: "peers.menu.relay",
  backup: "peers.menu.backup",
} as const;

export type MenuLabel = keyof typeof MENU_LABELS;

const LABELS = Object.keys(MENU_LABELS) as MenuLabel[];

// A translator's texts never change while it lives: the labels of a Translations are read once and kept.
const labelsByTranslations = new WeakMap<Translations, Map<string, MenuLabel>>();

function labelMap(translations: Translations): Map<string, MenuLabel> {
  let map = labelsByTranslations.get(translations);
  if (!map) {
    map = new Map();
    for (const locale of ["fr", "en"] as const) {
      const t = translations.forLocale(locale);
      for (const label of LABELS) {
        const text = t(MENU_LABELS[label]);
        if (!map.has(text)) map.set(text, label);
      }
    }
    labelsByTranslations.set(translations, map);
  }
  return map;
}

/** Which menu button this text is, in either language; undefined for anything typed. */
export function menuLabelOf(deps: Pick<BotDeps, "translations">, text: string): MenuLabel | undefined {
  return labelMap(deps.translations).get(text);
}

/** A tap on a menu keyboard (in either language), which must keep its meaning inside a dialogue. */
export function isMenuText(ctx: { deps: Pick<BotDeps, "translations"> }, text: string): boolean {
  return menuLabelOf(ctx.deps, text) !== undefined;
}
