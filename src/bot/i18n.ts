import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Locale, SUPPORTED_LOCALES } from "../config";
import { NameInSentence } from "../text/french-name";
import { escapeHtml } from "../text/html";
import type { Translate } from "../text/translate";

export const LOCALES_DIR = fileURLToPath(new URL("../../locales", import.meta.url));

export type Tree = { [key: string]: string | Tree };

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

export type Translations = { forLocale(locale: Locale): Translate };

/**
 * Every message is translated, so translation is on every update's path: the locale files are compiled
 * once into templates instead of going through a general i18n library on each call (which was about
 * 15 % of the CPU of a directory answer). The behaviour is i18next's, for the subset the files use —
 * `{{value}}` (HTML-escaped), `{{- value}}` (as is), plural keys `_one`/`_other` (and `_zero`) chosen by
 * `count` — and test/unit/translations.test.ts checks every key against i18next itself. Anything else
 * (nesting, formats) is refused when the files are read, so it cannot silently mean something else.
 */
export function createTranslations(resources = readLocaleResources()): Translations {
  const byLocale = new Map<Locale, Translate>();
  for (const locale of SUPPORTED_LOCALES) {
    const templates = new Map<string, Template>();
    for (const [key, text] of flatten(resources[locale])) templates.set(key, compile(key, text));
    byLocale.set(
      locale,
      translator(templates, new Intl.PluralRules(locale), locale === "fr" ? frenchArticles : undefined),
    );
  }
  return {
    forLocale(locale) {
      return byLocale.get(locale) ?? (byLocale.get("fr") as Translate);
    },
  };
}

/** One message: literal text between placeholders, each placeholder escaped or not. */
type Template = { text: string; literals: string[]; names: string[]; raw: boolean[]; asWritten: string[] };

const PLACEHOLDER = /\{\{(.+?)\}\}/g;

function compile(key: string, text: string): Template {
  if (text.includes("$t("))
    throw new Error(`locales: ${key} nests another key ($t), which Perche does not support`);
  const literals: string[] = [];
  const names: string[] = [];
  const raw: boolean[] = [];
  const asWritten: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    let name = (match[1] as string).trim();
    const unescaped = name.startsWith("-");
    if (unescaped) name = name.slice(1).trim();
    if (!/^\w+$/.test(name))
      throw new Error(`locales: ${key} has a placeholder Perche does not support: ${match[0]}`);
    literals.push(text.slice(last, match.index));
    names.push(name);
    raw.push(unescaped);
    asWritten.push(match[0]);
    last = match.index + match[0].length;
  }
  literals.push(text.slice(last));
  return { text, literals, names, raw, asWritten };
}

/**
 * French grammar of names (part 7): "l'équipe de {{organisation}}" with "Le Relais du Faubourg" reads
 * "l'équipe du Relais du Faubourg", "à {{site}}" with "Le Relais, comptoir Ontario" reads "au Relais,
 * comptoir Ontario", "de La Maison" reads "de la Maison". Only where the message's own words put "de" or
 * "à" right before a name that starts with its article; every other value goes in as given.
 */
type Join = (before: string, value: string) => [string, string];

const CONTRACTIONS: [RegExp, RegExp, (preposition: string, article: string) => string][] = [
  [/(^|[\s(«'’])(de|à) $/i, /^(Le|Les) /, (p, a) => contract(p, a)],
  [/(^|[\s(«'’])(de|à) $/i, /^(La) /, (p) => `${p} la `],
  [/(^|[\s(«'’])(de|à) $/i, /^(L['’])/, (p, a) => `${p} l${a.slice(1)}`],
];

function contract(preposition: string, article: string): string {
  const capital = preposition[0] === preposition[0]?.toUpperCase();
  const word =
    preposition.toLowerCase() === "de" ? (article === "Le" ? "du" : "des") : article === "Le" ? "au" : "aux";
  return `${capital ? word[0]?.toUpperCase() + word.slice(1) : word} `;
}

const frenchArticles: Join = (before, value) => {
  for (const [end, start, join] of CONTRACTIONS) {
    const preposition = end.exec(before);
    const article = start.exec(value);
    if (!preposition || !article) continue;
    const word = preposition[2] as string;
    const head = before.slice(0, before.length - word.length - 1);
    const joined = join(word, article[1] as string);
    return [head + joined.trimEnd() + (joined.endsWith(" ") ? " " : ""), value.slice(article[0].length)];
  }
  // "de" before a vowel elides: "l'équipe d'Organisme A", "près d'Atwater" (never before h: it may be aspirated).
  const de = ELIDED_DE.exec(before);
  if (de && STARTS_WITH_VOWEL.test(value))
    return [`${before.slice(0, before.length - 3)}${de[2]?.[0]}'`, value];
  return [before, value];
};

const ELIDED_DE = /(^|[\s(«'’])(de) $/i;
const STARTS_WITH_VOWEL = /^[aeiouyàâäéèêëîïôöùûüœæ]/i;

function translator(templates: Map<string, Template>, plurals: Intl.PluralRules, join?: Join): Translate {
  return (key, vars) => {
    let template: Template | undefined;
    const count = vars?.count;
    if (count !== undefined && typeof count !== "string") {
      const n = Number(count);
      template =
        (n === 0 ? templates.get(`${key}_zero`) : undefined) ??
        templates.get(`${key}_${plurals.select(n)}`) ??
        templates.get(key);
    } else template = templates.get(key);
    // A missing key shows itself, as i18next does: visible in a test, never a crash in front of someone.
    if (!template) return key;
    if (template.names.length === 0) return template.text;
    const escaping = (vars?.interpolation as { escapeValue?: boolean } | undefined)?.escapeValue !== false;
    let out = template.literals[0] as string;
    for (let i = 0; i < template.names.length; i++) {
      const name = template.names[i] as string;
      if (vars && Object.hasOwn(vars, name)) {
        const value = vars[name];
        let text = value == null ? "" : String(value);
        const escapes = escaping && !template.raw[i];
        if (escapes) text = escapeHtml(text);
        if (join && value instanceof NameInSentence) {
          // Its article only where the sentence contracts it ("du Réseau"); elsewhere the name as written.
          const withArticle = escapes ? escapeHtml(value.withArticle()) : value.withArticle();
          const [before, rest] = join(out, withArticle);
          if (rest !== withArticle) [out, text] = [before, rest];
        } else if (join) [out, text] = join(out, text);
        out += text;
      } else {
        // Not given at all: left as written, as i18next does, so a forgotten value shows in tests.
        out += template.asWritten[i] as string;
      }
      out += template.literals[i + 1] as string;
    }
    return out;
  };
}

function flatten(tree: Tree, prefix = "", out = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(full, value);
    else flatten(value, full, out);
  }
  return out;
}

/** fr* → French, en* → English, anything else → the configured default. */
export function localeFromTelegram(languageCode: string | undefined, fallback: Locale): Locale {
  const code = languageCode?.toLowerCase() ?? "";
  if (code.startsWith("fr")) return "fr";
  if (code.startsWith("en")) return "en";
  return fallback;
}
