import type { Locale } from "../../config";
import type { Catalog } from "../../directory/catalog";
import type { ChartWords } from "../../stats/chart-spec";
import { peakDays, type RhythmPoint, type Summary, type Tally } from "../../stats/report";
import { type Translate, withHtml } from "../../text/translate";

/** The /stats text: figures only, in the reader's language, short lines for a phone. */

const TOP_MATERIALS = 5;
const TOP_SITE_TYPES = 4;
const TOP_HOURS = 3;

type Reader = { t: Translate; locale: Locale; catalog: Catalog | undefined };

function list(entries: Tally, label: (key: string) => string, limit = entries.length): string {
  return entries
    .slice(0, limit)
    .map((e) => `${label(e.key)} ${e.value}`)
    .join(", ");
}

/** A translation, or the key itself when the code knows a value the texts do not (yet). */
function labelOr(t: Translate, path: string, fallback: string): string {
  const text = t(path);
  return text === path ? fallback : text;
}

function duration(t: Translate, minutes: number): string {
  return minutes < 90
    ? t("stats.minutes", { count: Math.max(1, Math.round(minutes)) })
    : t("stats.hours", { count: Math.round(minutes / 6) / 10 });
}

export function outcomeLabel(t: Translate, key: string): string {
  if (key.startsWith("closed:")) {
    const outcome = key.slice("closed:".length);
    return labelOr(t, `requests.outcomes.${outcome}`, outcome);
  }
  return labelOr(t, `stats.outcomes.${key}`, key);
}

export function dayLabel(day: string, locale: Locale): string {
  return new Intl.DateTimeFormat(`${locale}-CA`, { day: "numeric", month: "short", timeZone: "UTC" }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

export function summaryText(
  summary: Summary,
  range: { from: string; to: string; organisation: string },
  { t, locale, catalog }: Reader,
): string {
  const lines = [
    t("stats.title", {
      from: dayLabel(range.from, locale),
      to: dayLabel(range.to, locale),
      organisation: range.organisation,
    }),
    "",
  ];
  if (summary.lookups === 0 && summary.requests === 0 && summary.claims === 0) {
    lines.push(t("stats.nothing"));
    return lines.join("\n");
  }
  lines.push(t("stats.lookups", { count: summary.lookups }));
  const material = (id: string) => catalog?.materialsById.get(id)?.label[locale] ?? id;
  if (summary.lookupsByMaterial.length > 0)
    lines.push(t("stats.topMaterials", { list: list(summary.lookupsByMaterial, material, TOP_MATERIALS) }));
  if (summary.lookupsBySiteType.length > 0)
    lines.push(
      t("stats.siteTypes", {
        list: list(summary.lookupsBySiteType, (k) => labelOr(t, `directory.types.${k}`, k), TOP_SITE_TYPES),
      }),
    );
  lines.push("", t("stats.requests", { count: summary.requests }));
  if (summary.byCategory.length > 0)
    lines.push(
      t("stats.byCategory", {
        list: list(summary.byCategory, (k) => labelOr(t, `requests.categories.${k}`, k)),
      }),
    );
  if (summary.byOutcome.length > 0)
    lines.push(t("stats.byOutcome", { list: list(summary.byOutcome, (k) => outcomeLabel(t, k)) }));
  lines.push(
    summary.medianClaimMinutes === undefined || summary.p90ClaimMinutes === undefined
      ? t("stats.noClaim")
      : t("stats.claimTime", {
          median: duration(t, summary.medianClaimMinutes),
          p90: duration(t, summary.p90ClaimMinutes),
        }),
  );
  lines.push(t("stats.nobodyOnCall", { count: summary.nobodyOnCall }));
  if (summary.byHour.length > 0)
    lines.push(
      t("stats.busiestHours", {
        list: summary.byHour
          .slice(0, TOP_HOURS)
          .map((e) => t("stats.hour", { hour: Number(e.key), count: e.value }))
          .join(", "),
      }),
    );
  return lines.join("\n");
}

/** Every word the chart shows, in the reader's language. */
export function chartWords(
  t: Translate,
  range: { from: string; to: string; organisation: string },
  locale: Locale,
): ChartWords {
  return {
    // Values as they are: the chart is SVG, which Vega escapes itself (HTML escaping would show "&amp;").
    title: t("stats.chart.title", withHtml({ organisation: range.organisation })),
    subtitle: t(
      "stats.chart.subtitle",
      withHtml({ from: dayLabel(range.from, locale), to: dayLabel(range.to, locale) }),
    ),
    xAxis: t("stats.chart.xAxis"),
    chequeDay: t("stats.chart.chequeDay"),
    legend: t("stats.chart.legend"),
    periods: { current: t("stats.chart.current"), before: t("stats.chart.before") },
    measures: {
      lookups: t("stats.chart.lookups"),
      requests: t("stats.chart.requests"),
      claimMinutes: t("stats.chart.claimMinutes"),
    },
  };
}

/** What the chart shows, then its busiest days in words, for whoever cannot see the picture. */
export function rhythmCaption(t: Translate, points: RhythmPoint[]): string {
  const day = (offset: number) => t("stats.peaks.day", { day: offset > 0 ? `+${offset}` : String(offset) });
  const lines = [t("stats.caption")];
  for (const series of ["lookups", "requests"] as const) {
    const peaks = peakDays(points, series);
    if (peaks.length > 0) lines.push(t(`stats.peaks.${series}`, { days: peaks.map(day).join(", ") }));
  }
  return lines.join("\n");
}
