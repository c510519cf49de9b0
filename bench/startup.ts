import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { startTinyBotApi } from "./fake-bot-api";
import { round } from "./stats";

/**
 * Section 5: `npm start` spawned against a local fake Bot API with one update waiting; the time from the
 * spawn to the bot's first answer. Each database is started twice: the first start creates it (initdb,
 * migrations, the example directory), the second finds it there, as a restart does.
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi";
const START_TIMEOUT_MS = 90_000;

export type StartupResult = { database: "pglite" | "postgres"; firstStartMs: number; restartMs: number };

async function timeOneStart(env: NodeJS.ProcessEnv): Promise<number> {
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
  const child = spawn("npm", ["start"], {
    cwd: REPO_ROOT,
    env: { ...env, TELEGRAM_API_ROOT: api.apiRoot },
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
    return performance.now() - started;
  } catch (error) {
    throw new Error(`npm start did not answer: ${String(error)}\n${stderr.slice(-2000)}`);
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

export async function runStartup(databaseUrl: string | undefined): Promise<StartupResult[]> {
  const results: StartupResult[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), "perche-bench-"));
  try {
    const env = baseEnv(dataDir);
    const first = await timeOneStart(env);
    const again = await timeOneStart(env);
    results.push({ database: "pglite", firstStartMs: round(first, 0), restartMs: round(again, 0) });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (databaseUrl) {
    const name = `perche_bench_${randomBytes(6).toString("hex")}`;
    const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const pgDataDir = mkdtempSync(path.join(tmpdir(), "perche-bench-"));
    try {
      await admin.unsafe(`create database ${name}`);
      const url = new URL(databaseUrl);
      url.pathname = `/${name}`;
      const env = { ...baseEnv(pgDataDir), DATABASE_URL: url.href };
      const first = await timeOneStart(env);
      const again = await timeOneStart(env);
      results.push({ database: "postgres", firstStartMs: round(first, 0), restartMs: round(again, 0) });
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
      rmSync(pgDataDir, { recursive: true, force: true });
    }
  }
  return results;
}
