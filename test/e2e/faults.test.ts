import { expect } from "vitest";
import { messageUpdate } from "./fake-bot-api";
import { onBothDatabases } from "./support";

/**
 * SIGTERM in the middle of an update, with the real process: the update in hand is finished (its answer
 * goes out and is taken) before the process exits, cleanly and within 10 s. Once per database.
 */

const PERSON = { id: 5_830_274_119, firstName: "Ottoline", username: "ottoline_e2e", languageCode: "fr" };
const STOP_WITHIN_MS = 10_000;

onBothDatabases(
  "npm start stopped with SIGTERM",
  "finishes the update in hand, then exits cleanly within 10 s",
  "perche-e2e-faults-",
  async (run) => {
    const bot = await run.startBot();
    // Telegram takes the answer but keeps it waiting: the update is in the middle of its handling.
    const release = run.api.holdNext("sendMessage");
    run.api.queueUpdate(messageUpdate(PERSON, "naloxone"));
    const answer = await bot.waitForCall((c) => c.method === "sendMessage", "the answer to naloxone");

    const stoppedAt = Date.now();
    process.kill(bot.child.pid as number, "SIGTERM");
    await expect
      .poll(() => bot.jsonLogs().some((line) => String(line.msg).startsWith("stopping")), { timeout: 5_000 })
      .toBe(true);
    // Stopping, but not gone a second later: it waits for the update it is handling.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(bot.running, bot.describe()).toBe(true);
    release();

    const exit = await Promise.race([
      bot.exited,
      new Promise((resolve) => setTimeout(() => resolve("still running"), STOP_WITHIN_MS)),
    ]);
    expect(Date.now() - stoppedAt).toBeLessThan(STOP_WITHIN_MS + 500);
    expect(exit, bot.describe()).toEqual({ code: 0, signal: null });
    expect(answer.result?.text).toContain("Naloxone");
    bot.expectLogsClean([PERSON]);
  },
);
