import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Chats } from "../chats";
import { type FakeBotApi, type FakeUser, startFakeBotApi, type Update } from "../fake-bot-api";
import {
  BOT_USERNAME,
  Bot,
  childEnv,
  type Database,
  NpmProcess,
  type PostgresTarget,
  pgliteDataDir,
  postgresDatabase,
  sleep,
  TOKEN,
  withTimeout,
} from "../support";
import { type FaultyBotApi, startFaultyBotApi } from "./faulty-bot-api";
import { formatTally, isClean, type Ledger, type Tally } from "./ledger";
import { startTcpProxy, type TcpProxy, terminateBackends } from "./tcp-proxy";

/**
 * The outside-in fault suite's run: `npm start` as the README says, in polling or webhook mode, on PGlite
 * or PostgreSQL, with the faulty Bot API between it and the fake one, and (on PostgreSQL) the TCP proxy
 * between it and the database. A run can start the bot several times (after a kill -9), deliver updates
 * as Telegram does in its mode, and end with the ledger's line. Everything listens on 127.0.0.1.
 */

export type Mode = "polling" | "webhook";
export type Setting = { mode: Mode; database: Database };

export const EVERY_SETTING: readonly Setting[] = [
  { mode: "polling", database: "pglite" },
  { mode: "webhook", database: "pglite" },
  { mode: "polling", database: "postgres" },
  { mode: "webhook", database: "postgres" },
];

// A bound for a stuck scenario, not a measure of speed: a PGlite run restarts the bot five times.
const SCENARIO_TIMEOUT_MS = 300_000;
const START_TIMEOUT_MS = 45_000;
const ADMIN_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 20_000;
/** How long "Telegram" keeps redelivering a webhook update the bot did not take (it tries for hours). */
const WEBHOOK_REDELIVERY_MS = 90_000;
const WEBHOOK_RETRY_MS = 300;
/**
 * A call answered this shortly before a kill -9 may not have been recorded by the process: the outbox marks
 * a message sent just after its answer, and on a loaded machine that write can take over a second.
 */
const KILLED_BEFORE_RECORDING_MS = 2_000;

export type OutsideRun = {
  readonly setting: Setting;
  readonly fake: FakeBotApi;
  readonly faulty: FaultyBotApi;
  /** On PostgreSQL: the proxy the bot reaches the database through. */
  readonly proxy: TcpProxy | undefined;
  /** `npm run admin -- <args>` (straight to the database); on PGlite only while no bot runs. */
  admin(args: string[]): Promise<string>;
  invite(role: "worker" | "peer" | "admin", organisation: string): Promise<string>;
  /** `npm start` (with `extraEnv` added), once it says it is running. */
  start(extraEnv?: Record<string, string>): Promise<Bot>;
  /** Hands an update to the bot as Telegram would: queued for getUpdates, or POSTed until it takes it. */
  deliver(update: Update): void;
  /** Every webhook delivery so far ended (taken with 200, or given up). */
  delivered(): Promise<void>;
  /** People's view of `bot`, their updates delivered as above. */
  chats(bot: Bot): Chats;
  /** kill -9 on the whole process group, as the kernel's OOM killer or a power cut does. */
  kill9(bot: Bot): Promise<void>;
  /** pg_terminate_backend on the bot's sessions (PostgreSQL only): how many were ended. */
  terminateBackends(): Promise<number>;
  /**
   * The end of a scenario: waits for every entry of the ledgers (up to `timeoutMs` each), stops the bot
   * with SIGTERM (it must exit 0), counts, prints each ledger's line, and fails unless all are clean; the
   * logs of every process of the run must hold none of `users`' ids, names and usernames, and no crash.
   */
  settle(
    ledgers: Ledger | readonly Ledger[],
    bot: Bot,
    users: readonly FakeUser[],
    timeoutMs?: number,
  ): Promise<Tally[]>;
};

/**
 * Declares `scenario` once per setting, as "<title> (<mode>, <database>)"; the PostgreSQL ones only when
 * TEST_DATABASE_URL is set. Each gets a run of its own, torn down after it whether it passed or not.
 */
export function outsideScenario(
  title: string,
  settings: readonly Setting[],
  scenario: (run: OutsideRun) => Promise<void>,
): void {
  for (const setting of settings) {
    const declare =
      setting.database === "postgres" ? describe.runIf(process.env.TEST_DATABASE_URL) : describe;
    declare(`${title} (${setting.mode}, ${setting.database})`, () => {
      const target = setting.database === "postgres" ? postgresDatabase() : undefined;
      const open = runsTornDownAfterEach();
      it(
        "loses nothing, doubles nothing, misdelivers nothing",
        async () => {
          await scenario(await open(setting, target?.()));
        },
        SCENARIO_TIMEOUT_MS,
      );
    });
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function runsTornDownAfterEach(): (
  setting: Setting,
  target: PostgresTarget | undefined,
) => Promise<OutsideRun> {
  let teardown: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await teardown?.();
    teardown = undefined;
  });

  return async (setting, target) => {
    const processes = new Set<NpmProcess>();
    const fake = await startFakeBotApi(TOKEN);
    const faulty = await startFaultyBotApi(fake);
    const proxy = target ? await startTcpProxy(hostAndPort(target.url)) : undefined;
    // On PGlite, the migrated template, as after a first start (the first start is first-start.test.ts's).
    const dataDir = pgliteDataDir("perche-outside-", setting.database === "pglite");
    const deliveries = new Set<Promise<void>>();
    let stopped = false;
    teardown = async () => {
      stopped = true;
      for (const child of processes) await child.kill();
      await faulty.close();
      await fake.close();
      await proxy?.close();
      rmSync(dataDir, { recursive: true, force: true });
    };

    const port = setting.mode === "webhook" ? await freePort() : 0;
    const secret = randomBytes(24).toString("hex");
    const hookPath = `/telegram/${randomBytes(6).toString("hex")}`;
    const modeEnv: Record<string, string> =
      setting.mode === "webhook"
        ? {
            BOT_MODE: "webhook",
            WEBHOOK_URL: `https://perche.test${hookPath}`,
            WEBHOOK_SECRET: secret,
            PORT: String(port),
          }
        : { BOT_MODE: "polling" };
    const botEnv = childEnv(dataDir, faulty.apiRoot, {
      ...(target ? { ...target.env, DATABASE_URL: proxy?.via(target.url) ?? target.url } : {}),
      ...modeEnv,
    });
    const adminEnv = childEnv(dataDir, fake.apiRoot, target ? target.env : {});

    // Telegram's side of a webhook: POST the update, and again a little later for as long as the bot
    // does not answer 200.
    const postUntilTaken = async (update: Update) => {
      const deadline = Date.now() + WEBHOOK_REDELIVERY_MS;
      while (!stopped && Date.now() < deadline) {
        try {
          const answer = await fetch(`http://127.0.0.1:${port}${hookPath}`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
            body: JSON.stringify(update),
            signal: AbortSignal.timeout(70_000),
          });
          await answer.text();
          if (answer.status === 200) return;
        } catch {
          // Not listening (stopped, killed, restarting) or the connection broke: deliver again later.
        }
        await sleep(WEBHOOK_RETRY_MS);
      }
    };

    const run: OutsideRun = {
      setting,
      fake,
      faulty,
      proxy,
      async admin(args) {
        const child = new NpmProcess(["run", "admin", "--", ...args], adminEnv);
        processes.add(child);
        try {
          const exit = await withTimeout(
            child.exited,
            ADMIN_TIMEOUT_MS,
            `npm run admin -- ${args.join(" ")}`,
          );
          expect(exit, child.describe()).toEqual({ code: 0, signal: null });
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
      async start(extraEnv = {}) {
        const bot = new Bot(fake, setting.database, { ...botEnv, ...extraEnv });
        processes.add(bot);
        const deadline = Date.now() + START_TIMEOUT_MS;
        while (!bot.jsonLogs().some((line) => line.msg === "Perche is running")) {
          if (!bot.running) throw new Error(`npm start exited while starting\n${bot.describe()}`);
          if (Date.now() > deadline) throw new Error(`npm start did not start\n${bot.describe()}`);
          await sleep(50);
        }
        return bot;
      },
      deliver(update) {
        if (setting.mode === "polling") return fake.queueUpdate(update);
        const delivery = postUntilTaken(update).finally(() => deliveries.delete(delivery));
        deliveries.add(delivery);
      },
      async delivered() {
        while (deliveries.size > 0) await Promise.all([...deliveries]);
      },
      chats(bot) {
        return new Chats(bot, (update) => run.deliver(update));
      },
      async kill9(bot) {
        // What Telegram answered just before may not be recorded yet: sent again, it is unavoidable.
        faulty.killedAfter(KILLED_BEFORE_RECORDING_MS);
        bot.signalGroup("SIGKILL");
        await withTimeout(bot.exited, STOP_TIMEOUT_MS, "npm start exiting after kill -9");
        const deadline = Date.now() + 5_000;
        while (bot.members().length > 0 && Date.now() < deadline) await sleep(50);
      },
      async terminateBackends() {
        if (!target) throw new Error("pg_terminate_backend needs PostgreSQL");
        return terminateBackends(target.adminUrl, target.name);
      },
      async settle(ledgers, bot, users, timeoutMs = 30_000) {
        const all = Array.isArray(ledgers) ? ledgers : [ledgers];
        for (const ledger of all) await ledger.waitForAll(fake, timeoutMs);
        await run.delivered();
        process.kill(bot.child.pid as number, "SIGTERM");
        const exit = await withTimeout(bot.exited, STOP_TIMEOUT_MS, "npm start exiting after SIGTERM");
        const tallies = all.map((ledger) => ledger.tally(fake.calls, faulty.unanswered));
        for (const tally of tallies)
          process.stdout.write(
            `${formatTally({ ...tally, scenario: `${tally.scenario} (${setting.mode}, ${setting.database})` })}\n`,
          );
        const warnings = bot
          .jsonLogs()
          .filter((line) => Number(line.level) >= 40)
          .map((line) => JSON.stringify(line));
        expect(
          tallies.flatMap((tally) =>
            tally.problems.map((problem: string) => `${tally.scenario}: ${problem}`),
          ),
          warnings.join("\n"),
        ).toEqual([]);
        expect(tallies.every(isClean)).toBe(true);
        expect(exit, bot.describe()).toEqual({ code: 0, signal: null });
        for (const child of processes) expectNothingAbout(child, users);
        return tallies;
      },
    };
    return run;
  };
}

function hostAndPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || "127.0.0.1", port: Number(parsed.port || 5432) };
}

/** A process's output names nobody (an id counts only whole), never crashed, and holds no token. */
export function expectNothingAbout(child: NpmProcess, users: readonly FakeUser[]): void {
  const all = child.logs();
  for (const user of users) {
    expect(all).not.toMatch(new RegExp(`(?<![0-9])${user.id}(?![0-9])`));
    expect(all).not.toContain(user.firstName);
    if (user.username) expect(all).not.toContain(user.username);
  }
  expect(all).not.toContain(TOKEN.split(":")[1]);
  // Node's own report of an unhandled error prints the error whole: it must never be reached.
  expect(all, child.describe()).not.toMatch(/Unhandled|triggerUncaughtException|node:internal\/process/);
}
