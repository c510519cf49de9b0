import { writeFileSync } from "node:fs";
import { runBurst } from "./burst";
import { BENCH_DATABASE_URL, type BenchDatabase, openBenchPglite, openBenchPostgres } from "./database";
import { runMixed } from "./mixed";

/**
 * One driver's sections (mixed traffic and floor, cheque-day burst) in a process of its own, so each
 * driver's memory is measured alone. Usage: driver.ts pglite|postgres OUT.json [--quick] [--only=mixed|burst]
 */
const [driver, out] = process.argv.slice(2);
const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);

let current: BenchDatabase | undefined;

async function open(): Promise<BenchDatabase> {
  if (driver === "postgres") {
    if (!BENCH_DATABASE_URL) throw new Error("BENCH_DATABASE_URL is not set");
    current = await openBenchPostgres(BENCH_DATABASE_URL);
  } else current = await openBenchPglite();
  return current;
}

// Interrupted: the PostgreSQL database this run created is dropped all the same.
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    void (current?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  });

async function main() {
  const result: Record<string, unknown> = { driver };
  if (only !== "burst") {
    const database = await open();
    try {
      result.mixed = await runMixed(database, {
        people: quick ? 1000 : 5000,
        updates: quick ? 3000 : 10_000,
        pacedSeconds: quick ? 3 : 5,
        concurrency: 32,
      });
    } finally {
      await database.close();
    }
  }
  if (only !== "mixed") {
    const database = await open();
    try {
      result.burst = await runBurst(database, { requests: quick ? 400 : 2000, workers: 10 });
    } finally {
      await database.close();
    }
  }
  if (out) writeFileSync(out, JSON.stringify(result, null, 2));
  else console.log(JSON.stringify(result, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
