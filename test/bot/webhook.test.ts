import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { startWebhook } from "../../src/run/webhook";
import { createPgliteDatabase } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { FRENCH, textUpdate } from "../support/updates";

const SECRET = "s".repeat(32);

describe("webhook mode", () => {
  let database: DatabaseHandle;
  let bot: Harness;
  let base: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    database = await createPgliteDatabase();
    bot = await createHarness(database);
    const running = await startWebhook(
      bot.bot,
      { url: "https://perche.example.org/telegram", secret: SECRET, port: 0, host: "127.0.0.1" },
      database.ping,
      bot.deps.logger,
    );
    stop = running.stop;
    base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await stop();
    await database.close().catch(() => {});
  });

  const post = (body: string, secret?: string) =>
    fetch(`${base}/telegram`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}),
      },
      body,
    });

  it("registers the webhook with its secret and only the update kinds it uses", () => {
    const call = bot.telegram.calls.find((c) => c.method === "setWebhook");
    expect(call?.payload).toMatchObject({
      url: "https://perche.example.org/telegram",
      secret_token: SECRET,
      allowed_updates: ["message", "callback_query"],
    });
  });

  it("handles an update that carries the secret", async () => {
    const response = await post(JSON.stringify(textUpdate(FRENCH, "naloxone")), SECRET);
    expect(response.status).toBe(200);
    expect(bot.lastText(FRENCH.id)).toContain("<b>Naloxone</b>");
  });

  it("refuses a missing or wrong secret with 401 and handles nothing", async () => {
    bot.telegram.clear();
    expect((await post(JSON.stringify(textUpdate(FRENCH, "naloxone")))).status).toBe(401);
    expect(
      (await post(JSON.stringify(textUpdate(FRENCH, "naloxone")), "wrong-secret-wrong-secret")).status,
    ).toBe(401);
    expect(bot.telegram.calls).toHaveLength(0);
  });

  it("answers a malformed body with 400", async () => {
    expect((await post("{not json", SECRET)).status).toBe(400);
  });

  it("answers 404 elsewhere", async () => {
    expect((await fetch(`${base}/other`)).status).toBe(404);
  });

  it("reports health from the database: 200 while it answers, 503 when it does not", async () => {
    const healthy = await fetch(`${base}/healthz`);
    expect([healthy.status, await healthy.text()]).toEqual([200, "ok"]);
    await database.close();
    const down = await fetch(`${base}/healthz`);
    expect(down.status).toBe(503);
  });
});
