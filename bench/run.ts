import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BurstResult } from "./burst";
import { runChart } from "./chart";
import { BENCH_DATABASE_URL } from "./database";
import { runDirectoryScale } from "./directory-scale";
import { type IntentResult, runIntent } from "./intent";
import type { MixedResult } from "./mixed";
import { type Check, renderMarkdown } from "./report";
import { runStartup } from "./startup";

/**
 * `npm run bench [-- --quick]`: every section on PGlite, and on PostgreSQL when BENCH_DATABASE_URL (or
 * TEST_DATABASE_URL) is set; results in bench-results/ as JSON and Markdown, the table printed.
 * Each driver's traffic runs in a child process so its memory is its own.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "bench-results");
const USAGE = `npm run bench [-- --quick]

Measures Perche on PGlite, and on PostgreSQL when BENCH_DATABASE_URL (or TEST_DATABASE_URL) names a
server (a database of its own is created there and dropped). Prints a Markdown table and writes it, with
the JSON, to bench-results/.

  --quick     fewer people, updates and sites: about a minute and a half instead of several
  --startup   only the start-up section (npm start against the bundle), printed, nothing written
  --help      this text
`;
const options = process.argv.slice(2);
if (options.includes("--help") || options.includes("-h")) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const unknown = options.filter((option) => option !== "--quick" && option !== "--startup");
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown option ${unknown.join(" ")}\n\n${USAGE}`);
  process.exit(2);
}
const quick = options.includes("--quick");
const startupOnly = options.includes("--startup");

type DriverResult = { driver: "pglite" | "postgres"; mixed: MixedResult; burst: BurstResult };

function runDriver(driver: "pglite" | "postgres"): Promise<DriverResult> {
  const out = path.join(OUT, `${driver}.partial.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      // The same Node flags as this process, which package.json gives as `npm start` gives them to the bot.
      [...process.execArgv, path.join(ROOT, "bench/driver.ts"), driver, out, ...(quick ? ["--quick"] : [])],
      { cwd: ROOT, env: { ...process.env, TZ: "UTC" }, stdio: ["ignore", "inherit", "inherit"] },
    );
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`the ${driver} run failed (exit ${code})`));
      resolve(JSON.parse(readFileSync(out, "utf8")) as DriverResult);
    });
  });
}

async function main() {
  if (startupOnly) {
    process.stdout.write(`${JSON.stringify(await runStartup(BENCH_DATABASE_URL), null, 2)}\n`);
    return;
  }
  mkdirSync(OUT, { recursive: true });
  const started = Date.now();
  const drivers: DriverResult[] = [];
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  for (const driver of ["pglite", ...(BENCH_DATABASE_URL ? ["postgres" as const] : [])] as const) {
    log(`${driver}: mixed traffic, floor, cheque-day burst…`);
    drivers.push(await runDriver(driver));
  }
  log("directory scale…");
  const directory = runDirectoryScale(quick ? 2000 : 10_000, quick ? 300 : 1000);
  log("reading typed words for intent…");
  const intent = await runIntent(quick ? 50 : 500);
  log("start-up…");
  const startup = await runStartup(BENCH_DATABASE_URL);
  log("the /stats chart…");
  const chart = await runChart();
  const result = {
    date: new Date().toISOString(),
    quick,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    totalSeconds: Math.round((Date.now() - started) / 1000),
    drivers,
    directory,
    intent,
    startup,
    chart,
  };
  const checks = targetChecks(result.drivers, directory, intent);
  const markdown = renderMarkdown({ ...result, checks });
  writeFileSync(path.join(OUT, "results.json"), `${JSON.stringify({ ...result, checks }, null, 2)}\n`);
  writeFileSync(path.join(OUT, "results.md"), markdown);
  process.stdout.write(markdown);
  log(`written to ${path.relative(process.cwd(), OUT)}/results.{json,md}`);
}

/** The targets, each with the figure it was judged on. */
function targetChecks(
  drivers: DriverResult[],
  directory: ReturnType<typeof runDirectoryScale>,
  intent: IntentResult,
): Check[] {
  const checks: Check[] = [];
  for (const { driver, mixed, burst } of drivers) {
    const lookups = mixed.roundTrips.filter((r) => r.kind.startsWith("directory"));
    const worstLookup = Math.max(...lookups.map((r) => r.max));
    const lookupWrites = Math.max(...lookups.map((r) => r.writesMean));
    // Every step of asking for help, "send" included: the target holds for the costliest.
    const flow = mixed.roundTrips.filter((r) => r.kind.startsWith("request flow"));
    const worstFlow = flow.length > 0 ? Math.max(...flow.map((r) => r.max)) : undefined;
    const ratio = mixed.directoryOnly.updatesPerSecond / mixed.floor.updatesPerSecond;
    // The issue sets the speed and memory targets for PostgreSQL on loopback; PGlite's figures are shown
    // beside them, not judged (its database runs inside the bot's own process and memory).
    const judged = (ok: boolean) => (driver === "postgres" ? ok : undefined);
    checks.push(
      { driver, target: "lookup: at most 2 round trips", value: `${worstLookup}`, ok: worstLookup <= 2 },
      { driver, target: "lookup: no write", value: `${lookupWrites} writes/update`, ok: lookupWrites === 0 },
      {
        driver,
        target: "request-flow update (send included): at most 8 round trips",
        value: `${worstFlow ?? "?"}`,
        ok: (worstFlow ?? 99) <= 8,
      },
      {
        driver,
        target: "directory traffic ≥ 50 % of the floor",
        value: `${Math.round(ratio * 100)} %`,
        ok: judged(ratio >= 0.5),
      },
      {
        driver,
        target: "mixed traffic ≥ 1,500 updates/s",
        value: `${mixed.mixed.updatesPerSecond}/s`,
        ok: judged(mixed.mixed.updatesPerSecond >= 1500),
      },
      {
        driver,
        target: "p99 ≤ 20 ms at 1,000 updates/s",
        value: `${mixed.paced.latencyMs.p99} ms at ${mixed.paced.targetPerSecond}/s`,
        ok: judged(mixed.paced.latencyMs.p99 <= 20 && mixed.paced.targetPerSecond >= 1000),
      },
      {
        driver,
        target: "memory ≤ 200 MB (PostgreSQL mode), < 5 % growth over the second half",
        value: `${mixed.mixed.peakRssMb} MB, ${mixed.mixed.rssGrowthSecondHalfPct} %`,
        ok: judged(mixed.mixed.peakRssMb <= 200 && mixed.mixed.rssGrowthSecondHalfPct < 5),
      },
      {
        driver,
        target: "burst ≥ 90 % of Telegram's allowed rate, 0 lost, 0 duplicated",
        value: `${burst.rateOfAllowedPct} %, ${burst.lost} lost, ${burst.duplicated} duplicated`,
        ok: burst.rateOfAllowedPct >= 90 && burst.lost === 0 && burst.duplicated === 0,
      },
    );
  }
  checks.push({
    driver: "—",
    target: `nearest open sites among ${directory.sites.toLocaleString("en")}: p99 ≤ 2 ms`,
    value: `${directory.nearestSites.p99} ms`,
    ok: directory.nearestSites.p99 <= 2,
  });
  checks.push({
    driver: "—",
    target: `reading ${intent.phrases} typed phrases for intent: ≤ 20 µs CPU per word`,
    value: `${intent.microsecondsPerWord} µs`,
    ok: intent.microsecondsPerWord <= 20,
  });
  return checks;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
