import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Locale } from "../config";
import type { ChartWords } from "./chart-spec";
import type { RhythmPoint } from "./report";

/**
 * The /stats chart drawn in a short-lived child process. Vega, Vega-Lite and resvg hold about 80 MB of
 * resident memory once loaded and used (measured by `npm run bench`); drawn apart, that memory goes back
 * to the system when the chart is done, so a coordinator's /stats never leaves the bot heavier for the
 * people it serves. It costs the child's start (about a second). A chart that takes longer than
 * CHART_TIMEOUT_MS is given up: the caller still has the figures as text.
 */
export type ChartRequest = { points: readonly RhythmPoint[]; words: ChartWords; locale: Locale };

const CHART_TIMEOUT_MS = 30_000;
// From the source (tsx) beside this file; from the bundle (npm run build), beside dist/bin/main.js.
const RENDERER = fileURLToPath(
  new URL(import.meta.url.endsWith(".ts") ? "./chart-render.ts" : "./chart-render.js", import.meta.url),
);

/** The bot's heap limits, and tsx's loader for the TypeScript source (the bot may run under another). */
function rendererFlags(): string[] {
  const heap = process.execArgv.filter((flag) => /^--max-(old|semi)-space-size=/.test(flag));
  return RENDERER.endsWith(".ts") ? ["--import", "tsx", ...heap] : heap;
}

export function renderChartApart(request: ChartRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...rendererFlags(), RENDERER], {
      stdio: ["pipe", "pipe", "ignore"],
      // Nothing of the bot's environment (its token, its keys): the child only draws.
      env: { TZ: "UTC" },
    });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("the chart took too long"));
    }, CHART_TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new Error(`the chart process ended with code ${code}`));
    });
    child.stdin.end(JSON.stringify(request));
  });
}
