import { describe, expect, it } from "vitest";
import { createTranslations } from "../../src/bot/i18n";
import type { Locale } from "../../src/config";
import { chartWords } from "../../src/features/stats/format";
import { CHART_PNG_WIDTH, rhythmPng, rhythmSvg } from "../../src/stats/chart";
import { CHART_COLOURS } from "../../src/stats/chart-spec";
import type { RhythmPoint } from "../../src/stats/report";
import { decodePng } from "../support/png";

const translations = createTranslations();
const RANGE = { from: "2026-09-04", to: "2026-12-02", organisation: "Organisme A" };
const wordsIn = (locale: Locale, organisation = RANGE.organisation) =>
  chartWords(translations.forLocale(locale), { ...RANGE, organisation }, locale);

// This month up to day +1; the months before over the whole cycle, with small fractional averages.
const POINTS: RhythmPoint[] = [
  ...Array.from({ length: 32 }, (_, i) => ({
    offset: i - 7,
    period: "before" as const,
    days: 2,
    lookups: i === 7 ? 12 : 4,
    requests: i === 12 ? 1.5 : 0.5,
    claimMinutes: i % 4 === 0 ? undefined : 8,
  })),
  ...Array.from({ length: 9 }, (_, i) => ({
    offset: i - 7,
    period: "current" as const,
    days: 1,
    lookups: i === 7 ? 15 : 5,
    requests: 1,
    claimMinutes: 6,
  })),
];

/** The words an SVG shows, entities decoded. */
const textsOf = (svg: string) =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    (m[1] as string)
      .replace(/&amp;/g, "&")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&#39;|&apos;/g, "'")
      .replace(/&quot;/g, '"'),
  );

describe("the /stats chart", () => {
  it.each([
    {
      locale: "fr" as const,
      texts: [
        "Organisme A : le mois autour du jour du chèque",
        "Par jour, du 4 sept. au 2 déc. : ce mois-ci comparé à la moyenne des mois d'avant",
        "Jours avant (−) et après (+) le jour du chèque",
        "chèque",
        "+7",
        "Période",
        "Ce mois-ci",
        "Mois d'avant (moyenne)",
        "Recherches par jour",
        "Demandes par jour",
        "Minutes avant la prise en charge (médiane)",
      ],
      decimal: "0,5",
      notDecimal: "0.5",
    },
    {
      locale: "en" as const,
      texts: [
        "Organisme A: the month around cheque day",
        "Per day, Sep 4 to Dec 2: this month against the average of the months before",
        "Days before (−) and after (+) cheque day",
        "cheque",
        "+7",
        "Period",
        "This month",
        "Months before (average)",
        "Lookups per day",
        "Requests per day",
        "Minutes to claim (median)",
      ],
      decimal: "0.5",
      notDecimal: "0,5",
    },
  ])("says in $locale what it shows: title, period, axis, legend and each panel's name", async (c) => {
    const texts = textsOf(await rhythmSvg(POINTS, wordsIn(c.locale), c.locale));
    for (const text of c.texts) expect(texts).toContain(text);
    // Numbers as the language writes them: the requests' scale has halves.
    expect(texts).toContain(c.decimal);
    expect(texts).not.toContain(c.notDecimal);
  });

  it("is a PNG of the documented width that decodes whole, with both periods drawn", async () => {
    const svg = await rhythmSvg(POINTS, wordsIn("fr"), "fr");
    const [, w, h] = svg.match(/<svg[^>]*width="(\d+)" height="(\d+)"/) ?? [];
    const image = decodePng(await rhythmPng(POINTS, wordsIn("fr"), "fr"));
    expect(image.width).toBe(CHART_PNG_WIDTH);
    expect(image.height).toBe(Math.round((Number(h) * CHART_PNG_WIDTH) / Number(w)));
    expect(image.count(CHART_COLOURS.current)).toBeGreaterThan(500);
    expect(image.count(CHART_COLOURS.before)).toBeGreaterThan(500);
  });

  it("draws a month with nothing in it, and a team name that looks like markup, as plain text", async () => {
    const organisation = `<script>alert("x")</script> & Cie`;
    const svg = await rhythmSvg([], wordsIn("en", organisation), "en");
    expect(svg).not.toContain("<script>");
    expect(textsOf(svg)).toContain(`${organisation}: the month around cheque day`);
    const image = decodePng(await rhythmPng([], wordsIn("en", organisation), "en"));
    expect(image.width).toBe(CHART_PNG_WIDTH);
  });
});
