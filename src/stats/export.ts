import { addDays } from "../directory/clock";
import { type CounterRow, dayFromCheque } from "./report";

/** `admin stats`: which days, and the counters written as a table, CSV or JSON. */

export const STATS_FORMATS = ["text", "csv", "json"] as const;
export type StatsFormat = (typeof STATS_FORMATS)[number];

export const DEFAULT_DAYS = 30;
// Three years and a day: enough for any comparison a coordinator makes, small enough to print.
export const MAX_DAYS = 3 * 366;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

export type RangeResult = { ok: true; from: string; to: string } | { ok: false; error: string };

/** The range asked for; without --to it ends today, without --from it covers the 30 days up to --to. */
export function statsRange(options: { from?: string; to?: string }, today: string): RangeResult {
  for (const [name, value] of Object.entries(options))
    if (value !== undefined && !isRealDate(value))
      return { ok: false, error: `--${name} must be a date written YYYY-MM-DD (got "${value}").` };
  const to = options.to ?? today;
  const from = options.from ?? addDays(to, -(DEFAULT_DAYS - 1));
  if (from > to) return { ok: false, error: `--from (${from}) is after --to (${to}).` };
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
  if (days > MAX_DAYS)
    return { ok: false, error: `${days} days is too long a range: at most ${MAX_DAYS} days (three years).` };
  return { ok: true, from, to };
}

export type ExportRow = {
  day: string;
  day_from_cheque: number | null;
  metric: string;
  key: string;
  value: number;
};

export function exportRows(rows: CounterRow[], sortedChequeDays: readonly string[]): ExportRow[] {
  return rows.map((r) => ({
    day: r.day,
    day_from_cheque: dayFromCheque(r.day, sortedChequeDays),
    metric: r.metric,
    key: r.key,
    value: r.value,
  }));
}

const COLUMNS = ["day", "day_from_cheque", "metric", "key", "value"] as const;

function csvField(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function formatExport(
  rows: ExportRow[],
  format: StatsFormat,
  range: { from: string; to: string; organisationId?: string },
): string {
  if (format === "json") return `${JSON.stringify(rows, null, 2)}\n`;
  if (format === "csv")
    return `${[COLUMNS.join(","), ...rows.map((r) => COLUMNS.map((c) => csvField(r[c])).join(","))].join("\n")}\n`;
  const scope = range.organisationId ? `${range.organisationId} and the directory` : "all organisations";
  const title = `Counts from ${range.from} to ${range.to} (${scope}). "cheque" is the day relative to cheque day.`;
  if (rows.length === 0) return `${title}\nNothing was counted in this range.\n`;
  const cells = [
    ["day", "cheque", "metric", "key", "value"],
    ...rows.map((r) => [
      r.day,
      r.day_from_cheque === null ? "" : String(r.day_from_cheque),
      r.metric,
      r.key || "-",
      String(r.value),
    ]),
  ];
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0))) ?? [];
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 1 || i === 4 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${title}\n${cells.map(line).join("\n")}\n`;
}
