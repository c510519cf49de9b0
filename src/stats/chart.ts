import { type Colour, createRaster, encodePng, fillRect, type Raster } from "./png";

/**
 * The month's rhythm as a picture: one bar per day relative to the cheque day, lookups in the top panel
 * and requests in the bottom one (each with its own scale, since lookups far outnumber requests), day 0
 * shaded. The only text drawn is numbers (a tiny built-in font); words go in the photo's caption, in the
 * reader's language.
 */

export type RhythmPoint = { offset: number; lookups: number; requests: number };

export const CHART_COLOURS = {
  background: [255, 255, 255],
  axis: [120, 120, 120],
  text: [40, 40, 40],
  chequeDay: [255, 240, 190],
  lookups: [230, 126, 34],
  requests: [41, 128, 185],
} as const satisfies Record<string, Colour>;

const WIDTH = 720;
const HEIGHT = 420;
const LEFT = 56;
const RIGHT = 12;
const PANELS = { lookups: { top: 24, bottom: 190 }, requests: { top: 222, bottom: 380 } } as const;
const SCALE = 2;

// 3×5 glyphs, one string per row, "#" for ink.
const GLYPHS: Record<string, string[]> = {
  "0": ["###", "#.#", "#.#", "#.#", "###"],
  "1": [".#.", "##.", ".#.", ".#.", "###"],
  "2": ["###", "..#", "###", "#..", "###"],
  "3": ["###", "..#", "###", "..#", "###"],
  "4": ["#.#", "#.#", "###", "..#", "..#"],
  "5": ["###", "#..", "###", "..#", "###"],
  "6": ["###", "#..", "###", "#.#", "###"],
  "7": ["###", "..#", ".#.", ".#.", ".#."],
  "8": ["###", "#.#", "###", "#.#", "###"],
  "9": ["###", "#.#", "###", "..#", "###"],
  "-": ["...", "...", "###", "...", "..."],
  "+": ["...", ".#.", "###", ".#.", "..."],
  ".": ["...", "...", "...", "...", ".#."],
};

function drawText(raster: Raster, text: string, x: number, y: number, colour: Colour): void {
  let cursor = x;
  for (const char of text) {
    const glyph = GLYPHS[char];
    if (glyph)
      glyph.forEach((row, dy) => {
        for (let dx = 0; dx < row.length; dx++)
          if (row[dx] === "#") fillRect(raster, cursor + dx * SCALE, y + dy * SCALE, SCALE, SCALE, colour);
      });
    cursor += 4 * SCALE;
  }
}

const textWidth = (text: string) => text.length * 4 * SCALE - SCALE;

/** "12", "3.5", "0.25": enough to read a scale, in the glyphs we have. */
export function scaleLabel(value: number): string {
  if (value >= 10) return String(Math.round(value));
  if (value >= 1) return String(Math.round(value * 10) / 10);
  return String(Math.round(value * 100) / 100);
}

export type Chart = {
  raster: Raster;
  /** The x of the middle of a day's bar, for tests and for anyone placing marks. */
  columnOf(offset: number): number;
};

export function rhythmChart(points: RhythmPoint[]): Chart {
  const raster = createRaster(WIDTH, HEIGHT, CHART_COLOURS.background);
  const slot = (WIDTH - LEFT - RIGHT) / Math.max(1, points.length);
  const barWidth = Math.max(1, Math.floor(slot * 0.7));
  const left = (index: number) => LEFT + index * slot + (slot - barWidth) / 2;
  const chequeIndex = points.findIndex((p) => p.offset === 0);
  if (chequeIndex >= 0)
    fillRect(
      raster,
      LEFT + chequeIndex * slot,
      PANELS.lookups.top,
      slot,
      PANELS.requests.bottom - PANELS.lookups.top,
      CHART_COLOURS.chequeDay,
    );

  for (const series of ["lookups", "requests"] as const) {
    const { top, bottom } = PANELS[series];
    const height = bottom - top;
    const max = Math.max(0, ...points.map((p) => p[series]));
    points.forEach((point, index) => {
      const h = max > 0 ? Math.round((point[series] / max) * height) : 0;
      // A day with any activity shows at least a sliver, so "little" never looks like "none".
      const shown = point[series] > 0 ? Math.max(2, h) : 0;
      fillRect(raster, left(index), bottom - shown, barWidth, shown, CHART_COLOURS[series]);
    });
    // Axes, and the scale's top value at the top left of the panel.
    fillRect(raster, LEFT - 2, top, 1, height + 1, CHART_COLOURS.axis);
    fillRect(raster, LEFT - 2, bottom, WIDTH - LEFT - RIGHT + 2, 1, CHART_COLOURS.axis);
    fillRect(raster, LEFT - 6, top, 4, 1, CHART_COLOURS.axis);
    const label = scaleLabel(max);
    drawText(raster, label, LEFT - 8 - textWidth(label), top - 4, CHART_COLOURS.text);
    // A small swatch of the series' colour, matched by the caption's words.
    fillRect(raster, LEFT - 8 - 12, top + 14, 12, 12, CHART_COLOURS[series]);
  }

  // Day labels under the bottom panel: the cheque day and every week from it.
  points.forEach((point, index) => {
    if (point.offset % 7 !== 0) return;
    const label = point.offset > 0 ? `+${point.offset}` : String(point.offset);
    const centre = LEFT + index * slot + slot / 2;
    fillRect(raster, centre, PANELS.requests.bottom, 1, 5, CHART_COLOURS.axis);
    drawText(raster, label, centre - textWidth(label) / 2, PANELS.requests.bottom + 10, CHART_COLOURS.text);
  });

  return {
    raster,
    columnOf(offset) {
      const index = points.findIndex((p) => p.offset === offset);
      return Math.round(left(index) + barWidth / 2);
    },
  };
}

export function rhythmPng(points: RhythmPoint[]): Buffer {
  return encodePng(rhythmChart(points).raster);
}
