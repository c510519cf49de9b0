import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { seedPgliteDataDir } from "../support/database";
import {
  type FakeBotApi,
  type FakeUser,
  type Payload,
  type RecordedCall,
  startFakeBotApi,
} from "./fake-bot-api";

/**
 * What the end-to-end tests share: `npm` run as a child in its own process group, with a clean
 * environment, against the fake Bot API and a throwaway data directory; waiting for the bot's calls; a
 * clean stop on SIGTERM and the checks every run's logs must pass; each test run once on the embedded
 * database and once on a PostgreSQL database of its own.
 */

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi";
const TEST_TIMEOUT_MS = 180_000;
const START_TIMEOUT_MS = 90_000;
const REPLY_TIMEOUT_MS = 15_000;
const ADMIN_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 10_000;

/** What the bot calls while starting, before its first getUpdates. */
export const STARTUP_METHODS: readonly string[] = [
  "getMe",
  "deleteWebhook",
  "setMyCommands",
  "setMyDescription",
  "setMyShortDescription",
];

export type Database = "pglite" | "postgres";

/** directory/example-montreal.yaml as parsed YAML: each test states the part it reads. */
export const exampleDirectory = (): unknown =>
  parse(readFileSync(path.join(REPO_ROOT, "directory/example-montreal.yaml"), "utf8"));

/** How the bot's HTML messages show a text from the directory or from a person. */
export const escapeHtml = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback port nothing listens on (for a server to take, or to see a connection refused). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// --- Child processes ----------------------------------------------------------------------------------

type Exit = { code: number | null; signal: NodeJS.Signals | null };
type GroupMember = { pid: number; ppid: number; args: string };

/** An npm command in its own process group, its output kept. */
export class NpmProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  readonly child: ChildProcess;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    // Its own process group, so npm, the shell, tsx and the node running the script can be stopped together.
    this.child = spawn("npm", args, { cwd: REPO_ROOT, env, detached: true, stdio: "pipe" });
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Sends a signal to every process of the group (npm, its shell, tsx, the node running the script). */
  signalGroup(signal: NodeJS.Signals): void {
    if (!this.child.pid) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }

  /** The live processes of the group, read from /proc (zombies left for init to reap do not count). */
  members(): GroupMember[] {
    const group = this.child.pid;
    if (!group) return [];
    const members: GroupMember[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing parenthesis.
        const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(pgrp) !== group || state === "Z") continue;
        const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
        members.push({ pid: Number(entry), ppid: Number(ppid), args });
      } catch {
        // The process ended while we were reading it.
      }
    }
    return members;
  }

  /** Last resort for afterEach: SIGTERM the whole group, then SIGKILL whatever is left of it. */
  async kill(): Promise<void> {
    if (this.members().length === 0) return;
    this.signalGroup("SIGTERM");
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (this.members().length > 0 && Date.now() < deadline) await sleep(100);
    if (this.members().length > 0) this.signalGroup("SIGKILL");
  }

  logs(): string {
    return `${this.stdout}\n${this.stderr}`;
  }

  /** Waits until stdout or stderr shows `pattern`; fails with the output if the process exits first. */
  async waitForOutput(pattern: RegExp, what: string, timeoutMs = START_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = pattern.exec(this.logs());
      if (found) return found[0];
      if (!this.running || Date.now() > deadline)
        throw new Error(`no ${what} in the output (exit ${JSON.stringify(this.exit)})\n${this.describe()}`);
      await sleep(100);
    }
  }

  /** The JSON log lines pino wrote to stdout (npm's own banner lines are skipped). */
  jsonLogs(): Payload[] {
    return this.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Payload);
  }

  describe(): string {
    return `--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }
}

export function childEnv(dataDir: string, apiRoot: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Only what this run sets: nothing from the developer's shell may change the mode or the database.
  for (const name of [
    "DATABASE_URL",
    "PSEUDONYM_KEY",
    "ENCRYPTION_KEY",
    "BOT_MODE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "PORT",
    "DEFAULT_LOCALE",
    "TEST_DATABASE_URL",
  ])
    delete env[name];
  return {
    ...env,
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
    ...extra,
  };
}

// --- The bot ------------------------------------------------------------------------------------------

type User = Pick<FakeUser, "id" | "firstName" | "username">;

/** `npm start` against the fake Bot API `api`, on `database`. */
export class Bot extends NpmProcess {
  constructor(
    readonly api: FakeBotApi,
    readonly database: Database,
    env: NodeJS.ProcessEnv,
  ) {
    super(["start"], env);
  }

  /** Waits for a recorded call, but fails at once (with the logs) if the bot process dies meanwhile. */
  async waitForCall(
    predicate: (call: RecordedCall, index: number) => boolean,
    what: string,
    timeoutMs = REPLY_TIMEOUT_MS,
  ): Promise<RecordedCall> {
    const died = this.exited.then((exit) => {
      throw new Error(
        `the bot exited (${JSON.stringify(exit)}) while waiting for ${what}\n${this.describe()}`,
      );
    });
    try {
      return await Promise.race([this.api.waitFor(predicate, timeoutMs), died]);
    } catch (error) {
      if (this.running)
        throw new Error(`${(error as Error).message} (waiting for ${what})\n${this.describe()}`);
      throw error;
    } finally {
      died.catch(() => {});
    }
  }

  /** The process actually running src/main.ts: the deepest one of the group that names it. */
  botPid(): number | undefined {
    const running = this.members().filter((m) => m.args.includes("src/main.ts"));
    return running.find((m) => !running.some((other) => other.ppid === m.pid))?.pid;
  }

  /**
   * The bot called nothing but its startup methods, getUpdates and `methods`: any other, the fake does not
   * know, and the bot may have carried on after it failed without a word.
   */
  expectNoCallsBut(methods: readonly string[]): void {
    const known = [...STARTUP_METHODS, "getUpdates", ...methods];
    const unknown = this.api.calls.filter((c) => !known.includes(c.method));
    expect(unknown.map((c) => c.method)).toEqual([]);
  }

  /**
   * A clean stop on SIGTERM sent to npm alone, as a container runtime or a process manager does: `exec` in
   * the start script lets it reach tsx and the bot, whose exit code comes back through npm; and nothing of
   * the group outlives it.
   */
  async expectCleanStop(): Promise<void> {
    process.kill(this.child.pid as number, "SIGTERM");
    const exit = await withTimeout(this.exited, STOP_TIMEOUT_MS, "npm start exiting after SIGTERM");
    expect(exit, this.describe()).toEqual({ code: 0, signal: null });
    // npm is gone, but the rest of the group may take a moment more to leave /proc.
    const deadline = Date.now() + 2_000;
    while (this.members().length > 0 && Date.now() < deadline) await sleep(50);
    expect(this.members(), "processes of npm start outlived it").toEqual([]);
  }

  /**
   * Once stopped, its logs: on the right database, no error, and nothing that says who wrote to it nor the
   * token's secret. (An id counts only whole: other numbers in the logs may contain its digits.)
   */
  expectLogsClean(users: readonly User[]): void {
    const logs = this.jsonLogs();
    expect(logs.find((line) => line.msg === "database ready")?.database).toBe(this.database);
    expect(
      logs.filter((line) => Number(line.level) >= 50),
      this.describe(),
    ).toEqual([]);
    const all = this.logs();
    for (const user of users) {
      expect(all).not.toMatch(new RegExp(`(?<![0-9])${user.id}(?![0-9])`));
      expect(all).not.toContain(user.firstName);
      expect(all).not.toContain(user.username);
    }
    expect(all).not.toContain(TOKEN.split(":")[1]);
  }
}

// --- One test's run -----------------------------------------------------------------------------------

/** A test's fake Bot API, data directory and database, and the npm commands it runs against them. */
export type Run = {
  readonly api: FakeBotApi;
  /** `npm run admin -- <args>`, which must succeed; the embedded database allows it only with the bot stopped. */
  admin(args: string[]): Promise<string>;
  /** `npm start`, once it long polls: its first getUpdates comes after it registered its profile. */
  startBot(extraEnv?: Record<string, string>): Promise<Bot>;
  /** `npm start` with `extraEnv` over the run's environment, without waiting for anything. */
  launch(extraEnv?: Record<string, string>): Bot;
  /** `admin invite` for `role` in `organisation`, with --username so no Telegram is needed: the code. */
  invite(role: "worker" | "peer" | "admin", organisation: string): Promise<string>;
};

/** The fake Bot API's bot (test/support/fake-telegram.ts BOT_INFO). */
export const BOT_USERNAME = "PercheTestBot";

/**
 * Declares `test` twice: in "<suite>, on the embedded database (PGlite)", and in "<suite>, on PostgreSQL"
 * when TEST_DATABASE_URL is set. Each time `scenario` gets a run of its own, which an afterEach stops and
 * removes whether the test passed or not (after a timeout, a finally would wait for the stuck scenario).
 */
export function onBothDatabases(
  suite: string,
  test: string,
  dataDirPrefix: string,
  scenario: (run: Run) => Promise<void>,
  options: {
    /** More environment for every npm command of the run (hours.test.ts sets the clock with it). */
    extraEnv?: Record<string, string>;
    /** For a scenario with more command-line runs than usual (each starts Node and the database). */
    timeoutMs?: number;
    /**
     * An empty DATA_DIR, for a scenario about the very first start (the bot initialises and migrates the
     * embedded database itself). Otherwise it holds the run's migrated template, as after a first start.
     */
    emptyDataDir?: boolean;
  } = {},
): void {
  const { extraEnv = {}, timeoutMs = TEST_TIMEOUT_MS, emptyDataDir = false } = options;
  describe(`${suite}, on the embedded database (PGlite)`, () => {
    const openRun = runsTornDownAfterEach(dataDirPrefix, { seeded: !emptyDataDir });
    it(test, async () => scenario(await openRun(extraEnv, "pglite")), timeoutMs);
  });

  describe.runIf(process.env.TEST_DATABASE_URL)(`${suite}, on PostgreSQL`, () => {
    const postgresTarget = postgresDatabase();
    const openRun = runsTornDownAfterEach(dataDirPrefix);
    it(
      test,
      async () => scenario(await openRun({ ...extraEnv, ...postgresTarget().env }, "postgres")),
      timeoutMs,
    );
  });
}

/**
 * A DATA_DIR for a run on the embedded database. Seeded, it holds a copy of the migrated template
 * (test/support/pglite-template.ts): what any start after the first finds, without the seconds an initdb
 * in WebAssembly costs each test (the first start from an empty one is first-start.test.ts's, and the
 * deployment recipe's).
 */
export function pgliteDataDir(prefix: string, seeded: boolean): string {
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix));
  return seeded ? seedPgliteDataDir(dataDir) : dataDir;
}

function runsTornDownAfterEach(
  dataDirPrefix: string,
  { seeded }: { seeded: boolean } = { seeded: false },
): (extraEnv: Record<string, string>, database: Database) => Promise<Run> {
  const processes = new Set<NpmProcess>();
  let api: FakeBotApi | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    for (const child of processes) await child.kill();
    processes.clear();
    await api?.close();
    api = undefined;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  return async (extraEnv, database) => {
    const fake = await startFakeBotApi(TOKEN);
    api = fake;
    dataDir = pgliteDataDir(dataDirPrefix, seeded && database === "pglite");
    const env = childEnv(dataDir, fake.apiRoot, extraEnv);
    const run: Run = {
      api: fake,
      async admin(args) {
        const child = new NpmProcess(["run", "admin", "--", ...args], env);
        processes.add(child);
        try {
          const exit = await withTimeout(
            child.exited,
            ADMIN_TIMEOUT_MS,
            `npm run admin -- ${args.join(" ")}`,
          );
          expect(exit, `npm run admin -- ${args.join(" ")}\n${child.describe()}`).toEqual({
            code: 0,
            signal: null,
          });
          return child.stdout;
        } finally {
          await child.kill();
          processes.delete(child);
        }
      },
      async invite(role, organisation) {
        const out = await run.admin([
          "invite",
          "--role",
          role,
          "--org",
          organisation,
          "--username",
          BOT_USERNAME,
        ]);
        const code = new RegExp(`^https://t\\.me/${BOT_USERNAME}\\?start=inv-(\\S+)$`, "m").exec(out)?.[1];
        expect(code, out).toBeDefined();
        return code as string;
      },
      launch(extraEnv = {}) {
        const bot = new Bot(fake, database, { ...env, ...extraEnv });
        processes.add(bot);
        return bot;
      },
      async startBot(extraEnv = {}) {
        const bot = run.launch(extraEnv);
        await bot.waitForCall((c) => c.method === "getUpdates", "getUpdates", START_TIMEOUT_MS);
        return bot;
      },
    };
    return run;
  };
}

// --- PostgreSQL ---------------------------------------------------------------------------------------

/** A test's own PostgreSQL database: its name, the server's admin URL, and the bot's environment for it. */
export type PostgresTarget = { name: string; adminUrl: string; url: string; env: Record<string, string> };

/**
 * Inside a describe: a database of its own on TEST_DATABASE_URL's server, created before its tests and
 * dropped after them. The name is random because other runs (CI) may use the same server at the same
 * time. Returns the environment for a run on it.
 */
export function postgresDatabase(): () => PostgresTarget {
  const adminUrl = process.env.TEST_DATABASE_URL ?? "";
  const name = `perche_e2e_${randomBytes(6).toString("hex")}`;
  let created = false;

  beforeAll(async () => {
    const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await sql`create database ${sql(name)}`;
      created = true;
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  afterAll(async () => {
    if (!created) return;
    const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      // Force: a bot that had to be killed may not have closed its connections.
      await sql`drop database if exists ${sql(name)} with (force)`;
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  return () => {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    // With DATABASE_URL the bot requires its keys: it generates them only on the embedded database.
    return {
      name,
      adminUrl,
      url: url.toString(),
      env: {
        DATABASE_URL: url.toString(),
        PSEUDONYM_KEY: randomBytes(32).toString("base64"),
        ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      },
    };
  };
}
