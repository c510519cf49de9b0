import type { BurstResult } from "./burst";
import type { ChartResult } from "./chart";
import type { DirectoryScaleResult } from "./directory-scale";
import type { MixedResult } from "./mixed";
import type { StartupResult } from "./startup";

/** `ok` undefined: shown for comparison, not judged (PGlite against targets set for PostgreSQL). */
export type Check = { driver: string; target: string; value: string; ok: boolean | undefined };

export type Report = {
  date: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  totalSeconds: number;
  drivers: { driver: string; mixed: MixedResult; burst: BurstResult }[];
  directory: DirectoryScaleResult;
  startup: StartupResult[];
  chart: ChartResult;
  checks: Check[];
};

const table = (header: string[], rows: (string | number)[][]) =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");

const name = (driver: string) =>
  driver === "postgres" ? "PostgreSQL" : driver === "pglite" ? "PGlite" : driver;

/** The results as Markdown: what `npm run bench` prints and writes to bench-results/results.md. */
export function renderMarkdown(report: Report): string {
  const { machine } = report;
  const parts: string[] = [];
  parts.push(
    `# Perche benchmark${report.quick ? " (--quick)" : ""}`,
    `${report.date} · ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, ${machine.platform}, Node ${machine.node} · ${report.totalSeconds} s`,
  );
  const traffic: (string | number)[][] = [];
  for (const { driver, mixed } of report.drivers) {
    const row = (label: string, run: MixedResult["floor"], extra = "") => [
      name(driver),
      label,
      run.updates,
      run.updatesPerSecond,
      run.latencyMs.p50,
      run.latencyMs.p95,
      run.latencyMs.p99,
      run.errors,
      extra,
    ];
    traffic.push(
      row(
        `mixed (${mixed.people.toLocaleString("en")} people)`,
        mixed.mixed,
        `peak RSS ${mixed.mixed.peakRssMb} MB, 2nd half ${mixed.mixed.rssGrowthSecondHalfPct} % RSS / ${mixed.mixed.heapGrowthSecondHalfPct} % heap`,
      ),
      row(
        "directory only",
        mixed.directoryOnly,
        `${Math.round((mixed.directoryOnly.updatesPerSecond / mixed.floor.updatesPerSecond) * 100)} % of the floor`,
      ),
      row("floor (bare grammY, 1 SELECT)", mixed.floor),
      row(`mixed at ${mixed.paced.targetPerSecond}/s`, mixed.paced, "latency from arrival"),
    );
  }
  parts.push(
    "## 1–2. Traffic through the real middleware stack, and the floor",
    "Saturated runs keep 32 updates in flight; times in ms per update.",
    table(["database", "run", "updates", "updates/s", "p50", "p95", "p99", "errors", ""], traffic),
  );
  const kinds = report.drivers[0]?.mixed.roundTrips.map((r) => r.kind) ?? [];
  parts.push(
    "### SQL round trips per update (statements sent to the database, BEGIN/COMMIT included)",
    'Request flows are run whole, one update at a time: "request flow step" is each step before the last, "request flow: send" the last.',
    table(
      ["kind", ...report.drivers.map((d) => `${name(d.driver)} mean / max (writes)`)],
      kinds.map((kind) => [
        kind,
        ...report.drivers.map((d) => {
          const r = d.mixed.roundTrips.find((x) => x.kind === kind);
          return r ? `${r.mean} / ${r.max} (${r.writesMean})` : "–";
        }),
      ]),
    ),
  );
  parts.push(
    "### CPU time per update (µs, this process, one update at a time; with PGlite it includes the database's)",
    table(
      ["kind", ...report.drivers.map((d) => name(d.driver))],
      kinds.map((kind) => [
        kind,
        ...report.drivers.map((d) => {
          const r = d.mixed.roundTrips.find((x) => x.kind === kind);
          return r?.cpuMicros === undefined ? "–" : String(r.cpuMicros);
        }),
      ]),
    ),
  );
  parts.push(
    "## 3. Directory scale",
    `${report.directory.sites.toLocaleString("en")} generated sites, catalog built in ${report.directory.buildCatalogMs} ms; ${report.directory.queries} queries each, ms.`,
    table(
      ["query", "p50", "p99", "max"],
      [
        ["nearest 5 sites with their status", ...Object.values(report.directory.nearestSites)],
        [
          "first page (6) of the sites with a material, by openness, and their count",
          ...Object.values(report.directory.sitesWithMaterial),
        ],
      ],
    ),
  );
  parts.push(
    "## 4. Cheque-day burst (simulated clock, Telegram's limits enforced)",
    table(
      [
        "database",
        "requests",
        "workers",
        "notices",
        "delivered",
        "simulated s",
        "allowed s",
        "% of allowed rate",
        "429s",
        "lost",
        "duplicated",
        "real s",
      ],
      report.drivers.map(({ driver, burst }) => [
        name(driver),
        burst.requests,
        burst.workers,
        burst.notifications,
        burst.delivered,
        burst.simulatedSeconds,
        burst.allowedSeconds,
        burst.rateOfAllowedPct,
        burst.tooManyRequests,
        burst.lost,
        burst.duplicated,
        burst.realSeconds,
      ]),
    ),
  );
  parts.push(
    "## 5. Start-up (spawn to the first answer): `npm start` (tsx) and the bundle (`node dist/bin/main.js`)",
    table(
      ["database", "way", "first start (creates it), ms", "restart (exists), ms", "peak RSS, MB"],
      report.startup.map((s) => [name(s.database), s.path, s.firstStartMs, s.restartMs, s.peakRssMb]),
    ),
  );
  parts.push(
    "## 6. The /stats chart (Vega-Lite → SVG → PNG, 1,200 px wide)",
    table(
      [
        "first render (loads Vega and resvg), ms",
        "warm render p50 / p95, ms",
        "resident memory before → after, MB",
        "PNG, KB",
      ],
      [
        [
          report.chart.firstMs,
          `${report.chart.warmMs.p50} / ${report.chart.warmMs.p95}`,
          `${report.chart.rssBeforeMb} → ${report.chart.rssAfterMb}`,
          report.chart.pngKb,
        ],
      ],
    ),
  );
  parts.push(
    "## Targets",
    table(
      ["database", "target", "measured", ""],
      report.checks.map((c) => [
        name(c.driver),
        c.target,
        c.value,
        c.ok === undefined ? "(not judged)" : c.ok ? "✅" : "❌",
      ]),
    ),
  );
  return `${parts.join("\n\n")}\n`;
}
