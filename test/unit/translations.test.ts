import i18next from "i18next";
import { describe, expect, it } from "vitest";
import { createTranslations, readLocaleResources, type Tree } from "../../src/bot/i18n";
import { SUPPORTED_LOCALES } from "../../src/config";
import { escapeHtml } from "../../src/text/html";
import { withHtml } from "../../src/text/translate";

/**
 * Perche compiles its locale files instead of calling i18next on every message (src/bot/i18n.ts). This
 * holds it to i18next's answers, configured as Perche configured it before, for every key of both
 * languages: escaped and unescaped values, plurals, values missing or empty, unknown keys.
 */
const resources = readLocaleResources();

function reference() {
  const instance = i18next.createInstance();
  void instance.init({
    resources: Object.fromEntries(
      Object.entries(resources).map(([lng, tree]) => [lng, { translation: tree }]),
    ),
    lng: "fr",
    fallbackLng: false,
    initAsync: false,
    returnNull: false,
    interpolation: { escapeValue: true, escape: escapeHtml },
  });
  return instance;
}

function keysOf(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) => {
    const full = prefix ? `${prefix}.${key}` : key;
    return typeof value === "string" ? [full] : keysOf(value, full);
  });
}

const placeholders = (text: string) =>
  [...text.matchAll(/\{\{-?\s*(\w+)\s*\}\}/g)].map((m) => m[1] as string);

const HOSTILE = `<b>Tom & "Jerry"</b> {{alias}} $t(help.title) 'x'`;

describe("compiled translations", () => {
  const i18n = reference();
  const ours = createTranslations(resources);

  for (const locale of SUPPORTED_LOCALES) {
    const expected = i18n.getFixedT(locale);
    const t = ours.forLocale(locale);
    const flat = keysOf(resources[locale]);
    // Plural variants are asked for by their base key.
    const keys = [...new Set(flat.map((k) => k.replace(/_(zero|one|two|few|many|other)$/, "")))];

    it(`says what i18next says for every ${locale} key, values escaped or given as HTML`, () => {
      let compared = 0;
      for (const key of keys) {
        const text = (flat.includes(key) ? key : `${key}_other`) as string;
        const names = placeholders(i18n.t(text, { lng: locale, interpolation: { skipOnVariables: true } }));
        const samples: Record<string, unknown>[] = [
          {},
          Object.fromEntries(names.map((n) => [n, HOSTILE])),
          Object.fromEntries(names.map((n, i) => [n, i % 2 ? 42 : null])),
          Object.fromEntries(names.map((n) => [n, undefined])),
          withHtml(Object.fromEntries(names.map((n) => [n, HOSTILE]))),
        ];
        for (const count of [0, 1, 2, 1.5, 21]) samples.push({ ...samples[1], count });
        for (const vars of samples) {
          expect([key, JSON.stringify(vars), t(key, vars)]).toEqual([
            key,
            JSON.stringify(vars),
            expected(key, vars),
          ]);
          compared += 1;
        }
        expect(t(key)).toBe(expected(key));
      }
      expect(compared).toBeGreaterThan(500);
    });

    it(`answers an unknown ${locale} key with the key itself, as i18next does`, () => {
      expect(t("directory.nope.never")).toBe(expected("directory.nope.never"));
      expect(t("directory.nope.never")).toBe("directory.nope.never");
    });
  }

  it("picks French plurals as French does: zero is singular", () => {
    const fr = ours.forLocale("fr");
    const en = ours.forLocale("en");
    expect(fr("alerts.write.reach", { count: 0 })).toBe("Elle ira à 0 personne abonnée. On envoie?");
    expect(fr("alerts.write.reach", { count: 2 })).toContain("2 personnes");
    expect(en("alerts.write.reach", { count: 0 })).toContain("0 subscribers");
    expect(en("alerts.write.reach", { count: 1 })).toBe("It will reach 1 subscriber. Send it?");
  });

  it("refuses a locale file that nests keys or formats values, rather than mistranslating it", () => {
    expect(() => createTranslations({ fr: { a: { b: "voir $t(a.c)" } }, en: { a: { b: "x" } } })).toThrow(
      /\$t/,
    );
    expect(() => createTranslations({ fr: { a: { b: "{{n, number}}" } }, en: { a: { b: "x" } } })).toThrow(
      /placeholder/,
    );
  });
});
