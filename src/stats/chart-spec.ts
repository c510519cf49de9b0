import type { Locale } from "../config";
import type { CyclePeriod, RhythmPoint } from "./report";

/**
 * The /stats chart as a declarative Vega-Lite spec, built from the points and the reader's words. Pure:
 * no rendering here (src/stats/chart.ts does that), so tests can read what the chart says.
 *
 * What it answers: what happens before, on and after cheque day, this month against the months before.
 * One panel per measure (lookups, requests, minutes to claim), each with its own scale since lookups far
 * outnumber requests; the x axis is the day relative to cheque day, the cheque day marked by a rule; this
 * month in orange with round points, the months before in grey with square ones (told apart without colour too).
 */

export type ChartWords = {
  /** What and whose: "Organisme A : le mois autour du jour du chèque". */
  title: string;
  /** The period and how to read it. */
  subtitle: string;
  xAxis: string;
  /** The label of day 0 on the x axis. */
  chequeDay: string;
  legend: string;
  periods: Record<CyclePeriod, string>;
  measures: Record<Measure, string>;
};

export const MEASURES = ["lookups", "requests", "claimMinutes"] as const;
export type Measure = (typeof MEASURES)[number];

export const CHART_COLOURS = { current: "#d35400", before: "#7f8c8d", chequeDay: "#f1c40f" } as const;
export const CHART_FONT = "DejaVu Sans";
/** The width of one panel's plot, in SVG units; the PNG is drawn at CHART_PNG_WIDTH pixels wide. */
const PANEL_WIDTH = 720;
const PANEL_HEIGHT = 110;
const X_TICKS = [-7, 0, 7, 14, 21];

// Numbers as each language writes them: "2,5" and a narrow space between thousands in French.
const NUMBER_LOCALES: Record<
  Locale,
  { decimal: string; thousands: string; grouping: number[]; currency: [string, string] }
> = {
  fr: { decimal: ",", thousands: "\u202f", grouping: [3], currency: ["", "\u00a0$"] },
  en: { decimal: ".", thousands: ",", grouping: [3], currency: ["$", ""] },
};

type Datum = { offset: number; measure: string; period: string; value: number };

function data(points: readonly RhythmPoint[], words: ChartWords): Datum[] {
  const values: Datum[] = [];
  for (const point of points)
    for (const measure of MEASURES) {
      const value = point[measure];
      if (value === undefined) continue;
      values.push({
        offset: point.offset,
        measure: words.measures[measure],
        period: words.periods[point.period],
        value: Math.round(value * 100) / 100,
      });
    }
  return values;
}

/** A Vega-Lite spec: JSON, checked by Vega-Lite when compiled. */
export function rhythmSpec(
  points: readonly RhythmPoint[],
  words: ChartWords,
  locale: Locale,
): Record<string, unknown> {
  const periods = [words.periods.current, words.periods.before];
  const x = {
    field: "offset",
    type: "quantitative",
    scale: { domain: [-7, 24], nice: false },
    axis: {
      values: X_TICKS,
      title: words.xAxis,
      // The cheque day is named; the others keep their sign ("+7"), formatted in the reader's locale.
      labelExpr: `datum.value === 0 ? ${JSON.stringify(words.chequeDay)} : (datum.value > 0 ? '+' + datum.label : datum.label)`,
    },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    padding: 12,
    title: { text: words.title, subtitle: words.subtitle, anchor: "start" },
    config: {
      locale: { number: NUMBER_LOCALES[locale] },
      font: CHART_FONT,
      view: { stroke: null },
      title: { fontSize: 17, subtitleFontSize: 13, subtitleColor: "#444", offset: 14 },
      axis: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: "normal", gridColor: "#eee" },
      legend: { labelFontSize: 13, titleFontSize: 12, orient: "top", symbolSize: 120, labelLimit: 0 },
    },
    data: { values: data(points, words) },
    // One panel per measure, stacked, with its own scale and its name as the panel's title; the colour and
    // shape of the periods are shared, so there is one legend.
    vconcat: MEASURES.map((measure, index) => ({
      title: { text: words.measures[measure], fontSize: 13, fontWeight: "bold", anchor: "start", offset: 6 },
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      transform: [{ filter: { field: "measure", equal: words.measures[measure] } }],
      layer: [
        {
          mark: { type: "rule", color: CHART_COLOURS.chequeDay, strokeWidth: 6, opacity: 0.5 },
          encoding: { x: { datum: 0, type: "quantitative", scale: { domain: [-7, 24] } } },
        },
        {
          mark: { type: "line", point: true, strokeWidth: 2.5 },
          encoding: {
            // Only the bottom panel names the days; the ones above share its ticks.
            x: index === MEASURES.length - 1 ? x : { ...x, axis: { ...x.axis, title: null, labels: false } },
            y: { field: "value", type: "quantitative", title: null, axis: { tickCount: 3, format: ",~r" } },
            color: {
              field: "period",
              type: "nominal",
              title: words.legend,
              scale: { domain: periods, range: [CHART_COLOURS.current, CHART_COLOURS.before] },
            },
            // Told apart without colour too: the months before drawn with squares.
            shape: {
              field: "period",
              type: "nominal",
              title: words.legend,
              scale: { domain: periods, range: ["circle", "square"] },
            },
          },
        },
      ],
    })),
    resolve: { scale: { y: "independent" } },
    spacing: 22,
  };
}
