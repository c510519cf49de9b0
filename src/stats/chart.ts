import { createRequire } from "node:module";
import type { Locale } from "../config";
import { CHART_FONT, type ChartWords, rhythmSpec } from "./chart-spec";
import type { RhythmPoint } from "./report";

/**
 * Renders the /stats chart: the Vega-Lite spec (chart-spec.ts) compiled to Vega, drawn as SVG by Vega
 * without a browser or canvas, then rasterised by resvg with the DejaVu fonts shipped as a package —
 * nothing read from the machine's fonts and nothing fetched, so the picture is the same everywhere.
 * Vega and resvg are loaded on the first chart only: a bot that never draws one does not carry them.
 */

export const CHART_PNG_WIDTH = 1200;

const require = createRequire(import.meta.url);
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((file) =>
  require.resolve(`dejavu-fonts-ttf/ttf/${file}`),
);

export async function rhythmSvg(
  points: readonly RhythmPoint[],
  words: ChartWords,
  locale: Locale,
): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const { spec } = vegaLite.compile(
    rhythmSpec(points, words, locale) as unknown as Parameters<typeof vegaLite.compile>[0],
  );
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function rhythmPng(
  points: readonly RhythmPoint[],
  words: ChartWords,
  locale: Locale,
): Promise<Buffer> {
  const svg = await rhythmSvg(points, words, locale);
  const { Resvg } = await import("@resvg/resvg-js");
  const image = new Resvg(svg, {
    fitTo: { mode: "width", value: CHART_PNG_WIDTH },
    background: "white",
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: CHART_FONT },
  }).render();
  return image.asPng();
}
