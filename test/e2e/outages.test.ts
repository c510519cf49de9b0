import { expect } from "vitest";
import { freeLoopbackPort, onBothDatabases, type Run, TOKEN } from "./support";

/**
 * `npm start` when Telegram is out of reach, slow, or refuses the token: one line that says what failed
 * and what to check, bounded retries each logged, and an exit code a service manager can act on.
 * SIGTERM is honoured during start-up too.
 */

// The embedded database initialises before the first call to Telegram: a minute on a busy machine.
const START_MS = 90_000;

onBothDatabases(
  "npm start with the Bot API unreachable",
  "says it cannot reach Telegram and what to check, retries with each retry logged, then exits with 1",
  "perche-e2e-unreachable-",
  async (run: Run) => {
    const port = await freeLoopbackPort();
    const bot = run.launch({ TELEGRAM_API_ROOT: `http://127.0.0.1:${port}`, STARTUP_RETRY_SECONDS: "4" });
    expect(await bot.exited, bot.describe()).toEqual({ code: 1, signal: null });
    const messages = bot.jsonLogs().map((line) => String(line.msg));
    const first = messages.filter((msg) => msg.startsWith("cannot reach Telegram"));
    expect(first, bot.describe()).toEqual([
      `cannot reach Telegram at http://127.0.0.1:${port}: no connection (ECONNREFUSED). Check this machine's network (DNS, firewall, proxy) and TELEGRAM_API_ROOT; retrying for up to 4 s`,
    ]);
    expect(messages.filter((msg) => msg.startsWith("Telegram still unreachable")).length).toBeGreaterThan(0);
    const last = bot.jsonLogs().at(-1);
    expect(last?.msg).toBe("could not start");
    expect(String(last?.error?.message)).toMatch(
      /^gave up reaching Telegram at http:\/\/127\.0\.0\.1:\d+ after \d+ attempts/,
    );
    expect(bot.logs()).not.toContain(TOKEN.split(":")[1]);
  },
);

onBothDatabases(
  "npm start with a token Telegram refuses",
  "says the token was refused and what to check, at once and without retrying, and exits with 1",
  "perche-e2e-refused-",
  async (run: Run) => {
    const refused = "654321:ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrq";
    const bot = run.launch({ BOT_TOKEN: refused });
    expect(await bot.exited, bot.describe()).toEqual({ code: 1, signal: null });
    expect(bot.stderr).toContain(
      "Telegram refused BOT_TOKEN: check the token from @BotFather (and TELEGRAM_API_ROOT if set)",
    );
    // The fake answered 401 without recording anything: no retry means no second request reached it,
    // and nothing after getMe was tried.
    expect(bot.logs()).not.toContain("retrying");
    expect(bot.jsonLogs().some((line) => line.msg === "Perche is running")).toBe(false);
    expect(bot.logs()).not.toContain(refused.split(":")[1]);
  },
);

onBothDatabases(
  "npm start with a slow Bot API",
  "gives up on a getMe that gets no answer in time, says so, asks again and starts when Telegram answers",
  "perche-e2e-slow-",
  async (run: Run) => {
    const release = run.api.holdNext("getMe");
    const bot = run.launch({ TELEGRAM_TIMEOUT_SECONDS: "1" });
    try {
      await bot.waitForOutput(
        /cannot reach Telegram at http:\/\/127\.0\.0\.1:\d+: no answer within 1 s/,
        "the slow getMe",
        START_MS,
      );
      await bot.waitForCall((c) => c.method === "getUpdates", "getUpdates once Telegram answers", START_MS);
    } finally {
      release();
    }
    expect(run.api.calls.filter((c) => c.method === "getMe").length).toBeGreaterThanOrEqual(2);
    await bot.expectCleanStop();
    expect(bot.jsonLogs().map((line) => line.msg)).toContain("Perche is running");
  },
);

onBothDatabases(
  "npm start stopped while it waits for Telegram",
  "exits with 0 on SIGTERM during start-up, without ever polling",
  "perche-e2e-startup-sigterm-",
  async (run: Run) => {
    const release = run.api.holdNext("getMe");
    try {
      const bot = run.launch({ TELEGRAM_TIMEOUT_SECONDS: "60" });
      await bot.waitForCall((c) => c.method === "getMe", "getMe", START_MS);
      await bot.expectCleanStop();
      expect(run.api.calls.map((c) => c.method)).toEqual(["getMe"]);
      expect(bot.jsonLogs().map((line) => line.msg)).toContain("stopping: finishing the updates in hand");
    } finally {
      release();
    }
  },
);
