import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTranslations } from "../src/bot/i18n";
import { chartWords } from "../src/features/stats/format";
import { renderChartApart } from "../src/stats/chart-apart";
import type { RhythmPoint } from "../src/stats/report";
import { summarise } from "./stats";

/**
 * The /stats chart's cost: the first render (which loads Vega and resvg), then warm renders, and the
 * resident memory they add, measured in a child process of its own so the bot's other figures do not mix
 * with it (`node --import tsx bench/chart.ts --child` prints that JSON); then the chart drawn as the bot
 * draws it, in a short-lived process, with the bot's own memory before and after.
 */
export type ChartResult = {
  /** Drawn apart as the bot does (a child process per chart): its time, and the bot's memory around it. */
  apartMs: number;
  botRssBeforeMb: number;
  botRssAfterMb: number;
  firstMs: number;
  warmMs: { p50: number; p95: number };
  rssBeforeMb: number;
  rssAfterMb: number;
  pngKb: number;
};

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WARM_RENDERS = 20;

/** Three months of a team's counts, this month up to day +3: what a coordinator's /stats draws. */
function threeMonths(): RhythmPoint[] {
  const points: RhythmPoint[] = [];
  for (const period of ["before", "current"] as const)
    for (let offset = -7; offset <= (period === "current" ? 3 : 24); offset++)
      points.push({
        offset,
        period,
        days: period === "current" ? 1 : 2,
        // This month busier than usual on cheque day and after, with longer waits.
        lookups: (20 + (offset >= 0 && offset < 4 ? 30 - offset * 5 : 0)) * (period === "current" ? 1.25 : 1),
        requests: 2 + (offset >= 5 && offset < 10 ? 3 : 0) + (period === "current" ? 1.5 : 0.5),
        claimMinutes: offset % 3 === 0 ? undefined : 8 + (offset % 5) + (period === "current" ? 4 : 0),
      });
  return points;
}

async function measure(): Promise<Omit<ChartResult, "apartMs" | "botRssBeforeMb" | "botRssAfterMb">> {
  const mb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
  const t = createTranslations().forLocale("fr");
  const words = chartWords(t, { from: "2026-09-04", to: "2026-12-02", organisation: "Organisme A" }, "fr");
  const points = threeMonths();
  const rssBeforeMb = mb();
  let started = performance.now();
  const { rhythmPng } = await import("../src/stats/chart");
  const png = await rhythmPng(points, words, "fr");
  const firstMs = Math.round(performance.now() - started);
  const warm: number[] = [];
  for (let i = 0; i < WARM_RENDERS; i++) {
    started = performance.now();
    await rhythmPng(points, words, "fr");
    warm.push(performance.now() - started);
  }
  const summary = summarise(warm);
  return {
    firstMs,
    warmMs: { p50: Math.round(summary.p50), p95: Math.round(summary.p95) },
    rssBeforeMb,
    rssAfterMb: mb(),
    pngKb: Math.round(png.length / 1024),
  };
}

const APART_RENDERS = 3;

/** Both ways: in a child of its own (what the chart itself costs), then as the bot draws it, apart. */
export async function runChart(): Promise<ChartResult> {
  const inProcess = await measureInChild();
  const mb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
  const t = createTranslations().forLocale("fr");
  const words = chartWords(t, { from: "2026-09-04", to: "2026-12-02", organisation: "Organisme A" }, "fr");
  const botRssBeforeMb = mb();
  const times: number[] = [];
  for (let i = 0; i < APART_RENDERS; i++) {
    const started = performance.now();
    await renderChartApart({ points: threeMonths(), words, locale: "fr" });
    times.push(performance.now() - started);
  }
  return { ...inProcess, apartMs: Math.round(summarise(times).p50), botRssBeforeMb, botRssAfterMb: mb() };
}

function measureInChild(): Promise<Omit<ChartResult, "apartMs" | "botRssBeforeMb" | "botRssAfterMb">> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, path.join(ROOT, "bench/chart.ts"), "--child"],
      {
        cwd: ROOT,
        env: { ...process.env, TZ: "UTC" },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out) as ChartResult)
        : reject(new Error(`the chart run failed (exit ${code})`)),
    );
  });
}

if (process.argv.includes("--child")) process.stdout.write(`${JSON.stringify(await measure())}\n`);

// `node --import tsx bench/chart.ts --png FILE [fr|en]`: the picture the README shows, from the same
// three months of counts.
const pngAt = process.argv.indexOf("--png");
if (pngAt > 0) {
  const file = process.argv[pngAt + 1];
  const locale = process.argv[pngAt + 2] === "en" ? "en" : "fr";
  if (!file) throw new Error("--png needs a file name");
  const t = createTranslations().forLocale(locale);
  const words = chartWords(t, { from: "2026-09-04", to: "2026-12-02", organisation: "Organisme A" }, locale);
  const { rhythmPng } = await import("../src/stats/chart");
  writeFileSync(file, await rhythmPng(threeMonths(), words, locale));
}
