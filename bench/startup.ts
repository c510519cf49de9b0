import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { startTinyBotApi } from "./fake-bot-api";
import { round } from "./stats";

/**
 * Section 5: the bot spawned against a local fake Bot API with one update waiting; the time from the
 * spawn to the bot's first answer, and the bot process's peak resident memory by then. Two ways to run
 * it: `npm start` (TypeScript through tsx, the newcomer's command) and the bundle (`npm run build`, then
 * `node dist/bin/main.js` with the same flags, as the Dockerfile and the systemd unit run it). Each
 * database is started twice: the first start creates it (initdb, migrations, the example directory),
 * the second finds it there, as a restart does.
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi";
const START_TIMEOUT_MS = 90_000;

export type StartupPath = "tsx" | "bundle";
export type StartupResult = {
  database: "pglite" | "postgres";
  path: StartupPath;
  firstStartMs: number;
  restartMs: number;
  /** The larger of the two starts' peak resident memory (VmHWM) of the process running the bot. */
  peakRssMb: number;
};

// The bundle runs with the Node flags of `npm start` (test/unit/node-flags.test.ts holds them equal).
const PACKAGE = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
};
const NODE_FLAGS = (PACKAGE.scripts.start ?? "").split(/\s+/).filter((word) => word.startsWith("--max-"));
const COMMANDS: Record<StartupPath, [string, string[]]> = {
  tsx: ["npm", ["start"]],
  bundle: [process.execPath, [...NODE_FLAGS, "dist/bin/main.js"]],
};

/** The peak resident memory of the process of `group` running the bot, in MB. */
function peakRssMb(group: number): number {
  let peak = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== group) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (!/main\.(ts|js)/.test(args)) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
      peak = Math.max(peak, Number(hwm ?? 0) / 1024);
    } catch {
      // The process ended while we were reading it.
    }
  }
  return peak;
}

async function timeOneStart(
  env: NodeJS.ProcessEnv,
  way: StartupPath,
): Promise<{ ms: number; peakRssMb: number }> {
  const chatId = 77_000_001;
  const api = await startTinyBotApi([
    {
      update_id: 1,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: "private", first_name: "Bench" },
        from: { id: chatId, is_bot: false, first_name: "Bench", language_code: "fr" },
        text: "/start",
        entities: [{ type: "bot_command", offset: 0, length: 6 }],
      },
    },
  ]);
  const started = performance.now();
  const [command, args] = COMMANDS[way];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...env, TZ: "UTC", TELEGRAM_API_ROOT: api.apiRoot },
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      api.firstAnswer,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${START_TIMEOUT_MS} ms`)),
          START_TIMEOUT_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    const ms = performance.now() - started;
    return { ms, peakRssMb: child.pid === undefined ? 0 : peakRssMb(child.pid) };
  } catch (error) {
    throw new Error(`${way}: the bot did not answer: ${String(error)}\n${stderr.slice(-2000)}`);
  } finally {
    await stop(child);
    await api.close();
  }
}

/** SIGTERM to the process group this bench started, then SIGKILL after 10 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

function baseEnv(dataDir: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    "DATABASE_URL",
    "BOT_MODE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "PORT",
    "TEST_DATABASE_URL",
  ])
    delete env[name];
  return {
    ...env,
    BOT_TOKEN: TOKEN,
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    PSEUDONYM_KEY: "bench-startup-pseudonym-key-0123456789abcdef",
    ENCRYPTION_KEY: Buffer.alloc(32, 3).toString("base64"),
  };
}

/** A first start and a restart on one database, one way. */
async function startTwice(
  env: NodeJS.ProcessEnv,
  database: StartupResult["database"],
  way: StartupPath,
): Promise<StartupResult> {
  const first = await timeOneStart(env, way);
  const again = await timeOneStart(env, way);
  return {
    database,
    path: way,
    firstStartMs: round(first.ms, 0),
    restartMs: round(again.ms, 0),
    peakRssMb: round(Math.max(first.peakRssMb, again.peakRssMb), 0),
  };
}

export async function runStartup(databaseUrl: string | undefined): Promise<StartupResult[]> {
  const build = spawnSync("npm", ["run", "-s", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
  if (build.status !== 0) throw new Error("npm run build failed");
  const results: StartupResult[] = [];
  for (const way of ["tsx", "bundle"] as const) {
    const dataDir = mkdtempSync(path.join(tmpdir(), "perche-bench-"));
    try {
      results.push(await startTwice(baseEnv(dataDir), "pglite", way));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (databaseUrl) {
    const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      // A database of its own for each way, so that each first start creates one.
      for (const way of ["tsx", "bundle"] as const) {
        const name = `perche_bench_${randomBytes(6).toString("hex")}`;
        const pgDataDir = mkdtempSync(path.join(tmpdir(), "perche-bench-"));
        try {
          await admin.unsafe(`create database ${name}`);
          const url = new URL(databaseUrl);
          url.pathname = `/${name}`;
          results.push(await startTwice({ ...baseEnv(pgDataDir), DATABASE_URL: url.href }, "postgres", way));
        } finally {
          await admin.unsafe(`drop database if exists ${name} with (force)`);
          rmSync(pgDataDir, { recursive: true, force: true });
        }
      }
    } finally {
      await admin.end();
    }
  }
  return results;
}
