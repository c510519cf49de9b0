import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Chats, sentText } from "../chats";
import { type FakeBotApi, type FakeUser, startFakeBotApi, type Update } from "../fake-bot-api";
import {
  BOT_USERNAME,
  Bot,
  childEnv,
  NpmProcess,
  postgresDatabase,
  sleep,
  TOKEN,
  withTimeout,
} from "../support";
import { type FaultyBotApi, startFaultyBotApi } from "./faulty-bot-api";
import { expectNothingAbout } from "./harness";
import { formatTally, isClean, type Ledger, type Tally } from "./ledger";

/**
 * Several instances behind a load balancer, from outside: `npm start` twice in webhook mode on one
 * PostgreSQL (PGlite allows one process per data directory), each on its own port, with the faulty Bot
 * API before the fake one. The balancer hands each update to one instance, to both one after the other,
 * or to both at once, and as Telegram does it posts again for as long as an instance does not answer
 * 200. Everything listens on 127.0.0.1.
 */

export type Pattern = "a" | "b" | "a then b" | "b then a" | "at once";

const SCENARIO_TIMEOUT_MS = 150_000;
const START_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 20_000;
const REDELIVERY_MS = 60_000;
const RETRY_MS = 200;

export type TwoInstances = {
  readonly fake: FakeBotApi;
  readonly faulty: FaultyBotApi;
  readonly a: Bot;
  readonly b: Bot;
  /** `npm run admin -- <args>` against the shared database. */
  admin(args: string[]): Promise<string>;
  invite(role: "worker" | "peer" | "admin", organisation: string): Promise<string>;
  /** Hands `update` to the instances as `pattern` says; resolves once every instance asked took it. */
  deliver(update: Update, pattern: Pattern): Promise<void>;
  /** People's view, each of their updates handed out as `pattern(update)` says. */
  chats(pattern: (update: Update) => Pattern): Chats;
  /** Every delivery so far ended. */
  delivered(): Promise<void>;
  /** kill -9 on one instance's whole process group; the balancer stops posting to it. */
  kill9(bot: Bot): Promise<void>;
  /**
   * The end: waits for the ledger, stops both with SIGTERM (each must exit 0; one killed with kill9 is
   * left as it is), prints the ledger's line
   * and fails unless it is clean, or a chat got the same text twice (but texts matching `counted`,
   * which the scenario counts itself), or a log names anyone.
   */
  settle(
    ledger: Ledger,
    users: readonly FakeUser[],
    options?: { timeoutMs?: number; counted?: RegExp },
  ): Promise<Tally>;
};

/** Declares `scenario` on PostgreSQL (when TEST_DATABASE_URL is set), with two fresh instances. */
export function twoInstanceScenario(
  title: string,
  scenario: (run: TwoInstances) => Promise<void>,
  extraEnv: Record<string, string> = {},
): void {
  describe.runIf(process.env.TEST_DATABASE_URL)(`${title} (webhook ×2, postgres)`, () => {
    const target = postgresDatabase();
    let teardown: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await teardown?.();
      teardown = undefined;
    });
    it(
      "loses nothing, doubles nothing, misdelivers nothing",
      async () => {
        const { run, close } = await startTwoInstances(target(), extraEnv);
        teardown = close;
        await scenario(run);
      },
      SCENARIO_TIMEOUT_MS,
    );
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startTwoInstances(
  target: { url: string; env: Record<string, string> },
  extraEnv: Record<string, string>,
) {
  const fake = await startFakeBotApi(TOKEN);
  const faulty = await startFaultyBotApi(fake);
  const dirs = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), "perche-two-")));
  const processes = new Set<NpmProcess>();
  const deliveries = new Set<Promise<void>>();
  let stopped = false;
  const secret = randomBytes(24).toString("hex");
  const hookPath = `/telegram/${randomBytes(6).toString("hex")}`;
  const ports = [await freePort(), await freePort()] as [number, number];

  const start = async (index: 0 | 1) => {
    const env = childEnv(dirs[index] as string, faulty.apiRoot, {
      ...target.env,
      BOT_MODE: "webhook",
      WEBHOOK_URL: `https://perche.test${hookPath}`,
      WEBHOOK_SECRET: secret,
      PORT: String(ports[index]),
      ...extraEnv,
    });
    const bot = new Bot(fake, "postgres", env);
    processes.add(bot);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!bot.jsonLogs().some((line) => line.msg === "Perche is running")) {
      if (!bot.running) throw new Error(`npm start exited while starting\n${bot.describe()}`);
      if (Date.now() > deadline) throw new Error(`npm start did not start\n${bot.describe()}`);
      await sleep(50);
    }
    return bot;
  };
  const adminEnv = childEnv(dirs[0] as string, fake.apiRoot, target.env);
  const admin = async (args: string[]) => {
    const child = new NpmProcess(["run", "admin", "--", ...args], adminEnv);
    processes.add(child);
    try {
      const exit = await withTimeout(child.exited, 45_000, `npm run admin -- ${args.join(" ")}`);
      expect(exit, child.describe()).toEqual({ code: 0, signal: null });
      return child.stdout;
    } finally {
      await child.kill();
      processes.delete(child);
    }
  };
  // One after the other: two first starts at once on an empty database both load the example
  // directory, and one of them stops on the duplicate (start-up, not what is tested here).
  const a = await start(0);
  const b = await start(1);

  // Telegram's side, through the balancer: post to one instance until it answers 200.
  const dead = new Set<number>();
  const postUntilTaken = async (port: number, update: Update) => {
    const deadline = Date.now() + REDELIVERY_MS;
    while (!stopped && !dead.has(port) && Date.now() < deadline) {
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
        // Not listening or the connection broke: deliver again later.
      }
      await sleep(RETRY_MS);
    }
  };
  const [portA, portB] = ports;
  const deliver = async (update: Update, pattern: Pattern) => {
    switch (pattern) {
      case "a":
        return postUntilTaken(portA, update);
      case "b":
        return postUntilTaken(portB, update);
      case "a then b":
        await postUntilTaken(portA, update);
        return postUntilTaken(portB, update);
      case "b then a":
        await postUntilTaken(portB, update);
        return postUntilTaken(portA, update);
      case "at once":
        await Promise.all([postUntilTaken(portA, update), postUntilTaken(portB, update)]);
    }
  };
  const tracked = (update: Update, pattern: Pattern) => {
    const delivery = deliver(update, pattern).finally(() => deliveries.delete(delivery));
    deliveries.add(delivery);
    return delivery;
  };

  const run: TwoInstances = {
    fake,
    faulty,
    a,
    b,
    admin,
    async invite(role, organisation) {
      const out = await admin(["invite", "--role", role, "--org", organisation, "--username", BOT_USERNAME]);
      const code = new RegExp(`^https://t\\.me/${BOT_USERNAME}\\?start=inv-(\\S+)$`, "m").exec(out)?.[1];
      expect(code, out).toBeDefined();
      return code as string;
    },
    deliver: tracked,
    chats(pattern) {
      return new Chats(a, (update) => {
        void tracked(update, pattern(update));
      });
    },
    async delivered() {
      while (deliveries.size > 0) await Promise.all([...deliveries]);
    },
    async kill9(bot) {
      dead.add(bot === a ? portA : portB);
      bot.signalGroup("SIGKILL");
      await withTimeout(bot.exited, STOP_TIMEOUT_MS, "npm start exiting after kill -9");
      const deadline = Date.now() + 5_000;
      while (bot.members().length > 0 && Date.now() < deadline) await sleep(50);
    },
    async settle(ledger, users, { timeoutMs = 30_000, counted } = {}) {
      await ledger.waitForAll(fake, timeoutMs);
      await run.delivered();
      // The outbox of either instance may still be sending what the last updates queued.
      await sleep(1_000);
      const alive = [a, b].filter((bot) => bot.running);
      for (const bot of alive) process.kill(bot.child.pid as number, "SIGTERM");
      const exits = await Promise.all(
        alive.map((bot) => withTimeout(bot.exited, STOP_TIMEOUT_MS, "npm start exiting after SIGTERM")),
      );
      const tally = ledger.tally(fake.calls, faulty.unanswered);
      process.stdout.write(
        `${formatTally({ ...tally, scenario: `${tally.scenario} (webhook ×2, postgres)` })}\n`,
      );
      expect(tally.problems, `${a.describe()}\n${b.describe()}`).toEqual([]);
      expect(isClean(tally)).toBe(true);
      expect(exits).toEqual(alive.map(() => ({ code: 0, signal: null })));
      for (const user of users)
        expect(
          repeatedTo(fake, user).filter((text) => !counted?.test(text)),
          `texts ${user.firstName} got twice`,
        ).toEqual([]);
      for (const child of processes) expectNothingAbout(child, users);
      return tally;
    },
  };
  const close = async () => {
    stopped = true;
    for (const child of processes) await child.kill();
    await faulty.close();
    await fake.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  return { run, close };
}

/**
 * Texts a chat got more than once (no fault is injected in these scenarios, so none is unavoidable):
 * every prompt, confirmation and relay differs from the others.
 */
function repeatedTo(fake: FakeBotApi, user: FakeUser): string[] {
  const texts = fake.calls
    .filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === user.id)
    .map(sentText);
  return texts.filter((text, i) => texts.indexOf(text) !== i);
}
