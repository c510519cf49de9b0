import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import i18next, { type i18n } from "i18next";
import { type Locale, SUPPORTED_LOCALES } from "../config";
import { escapeHtml } from "../text/html";
import type { Translate } from "../text/translate";

export const LOCALES_DIR = fileURLToPath(new URL("../../locales", import.meta.url));

type Tree = { [key: string]: string | Tree };

/** locales/<lang>/<file>.json becomes keys "<file>.<path>", so `directory.json` holds `directory.*`. */
export function readLocaleResources(dir = LOCALES_DIR): Record<Locale, Tree> {
  const resources = {} as Record<Locale, Tree>;
  for (const locale of SUPPORTED_LOCALES) {
    const tree: Tree = {};
    for (const file of readdirSync(path.join(dir, locale))
      .filter((f) => f.endsWith(".json"))
      .sort()) {
      tree[file.replace(/\.json$/, "")] = JSON.parse(
        readFileSync(path.join(dir, locale, file), "utf8"),
      ) as Tree;
    }
    resources[locale] = tree;
  }
  return resources;
}

export type Translations = { forLocale(locale: Locale): Translate; instance: i18n };

export function createTranslations(resources = readLocaleResources()): Translations {
  const instance = i18next.createInstance();
  void instance.init({
    resources: Object.fromEntries(
      Object.entries(resources).map(([lng, tree]) => [lng, { translation: tree }]),
    ),
    lng: "fr",
    fallbackLng: false,
    initAsync: false,
    returnNull: false,
    // Every message is sent as HTML: values are escaped unless a caller passes already-escaped HTML.
    interpolation: { escapeValue: true, escape: escapeHtml },
  });
  const cache = new Map<Locale, Translate>();
  return {
    instance,
    forLocale(locale) {
      let t = cache.get(locale);
      if (!t) {
        const fixed = instance.getFixedT(locale);
        t = (key, vars) => fixed(key, vars ?? {}) as string;
        cache.set(locale, t);
      }
      return t;
    },
  };
}

/** fr* → French, en* → English, anything else → the configured default. */
export function localeFromTelegram(languageCode: string | undefined, fallback: Locale): Locale {
  const code = languageCode?.toLowerCase() ?? "";
  if (code.startsWith("fr")) return "fr";
  if (code.startsWith("en")) return "en";
  return fallback;
}
