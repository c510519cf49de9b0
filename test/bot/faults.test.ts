import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import type { Update } from "grammy/types";
import postgres from "postgres";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createBot } from "../../src/bot/create-bot";
import type { DatabaseHandle } from "../../src/db/client";
import { type Database, rowsOf } from "../../src/db/executor";
import { requests } from "../../src/db/schema";
import { retryUntilHandled, startPolling } from "../../src/run/polling";
import { startWebhook } from "../../src/run/webhook";
import { DRIVERS, TEST_DATABASE_URL, useDatabase } from "../support/database";
import { BOT_INFO } from "../support/fake-telegram";
import { createHarness, type Harness, TEST_TOKEN } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Faults on the bot's own paths: replies sent while handling an update (through the auto-retry
 * transformer, inside a conversation too), the database down when an update arrives (webhook and
 * polling), getUpdates failing or refused, a restart in the middle of a conversation, and two instances
 * on one database. Each asserts what the person sees: nothing lost, at most one duplicate where the
 * fault makes it unavoidable. The outbox's faults are in test/db/faults.test.ts, SIGTERM in
 * test/e2e/faults.test.ts. Already proven elsewhere and not repeated: a 400 "can't parse entities" on a
 * reply and a closed database handle (safety.test.ts), a restart that resumes a conversation, a claim
 * raced by two instances and one 'send' handled twice (requests.test.ts).
 */

type Fault =
  | { kind: "telegram"; error_code: number; description: string; retry_after?: number }
  | { kind: "unreachable" }
  | { kind: "accepted-then-timeout" }
  /** The call waits until `until` resolves; `reached` is called as it starts waiting. */
  | { kind: "held"; reached: () => void; until: Promise<void> };

const NALOXONE = "<b>Naloxone</b>";
const OOPS = "Oups, ça n'a pas marché de mon côté";
const KEPT = "Je le garde et je te réponds dès que ça revient";

/** A database whose every call throws while `down` is set, as with PostgreSQL stopped. */
function switchableDatabase(db: Database) {
  const state = { down: false };
  const proxy = new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (state.down) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        return value.apply(target, args);
      };
    },
  }) as Database;
  return { db: proxy, state };
}

describe.each(DRIVERS)("faults on the bot's paths, on $name", ({ name, open }) => {
  let database: DatabaseHandle;
  let harness: Harness;
  let nextId = 9_100_000;
  const person = (): Person => ({ id: nextId++, languageCode: "fr", firstName: "Pinson" });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    harness = await createHarness(database);
    await resetRequests(database);
  });

  /**
   * A second bot on the harness's database and fake Telegram, whose calls meet the faults planned for
   * them first. Calls that fail never reach the fake, so `harness.telegram` holds what Telegram accepted.
   */
  function faultyBot(options: { db?: Database; retryUpdates?: boolean } = {}) {
    const planned: { method: string; fault: Fault }[] = [];
    const updates: Update[] = [];
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const method = url.split("/").pop() ?? "";
      const index = planned.findIndex((p) => p.method === method);
      const fault = index >= 0 ? planned.splice(index, 1)[0]?.fault : undefined;
      if (fault?.kind === "unreachable") throw new TypeError("fetch failed");
      if (fault?.kind === "telegram") {
        const { kind: _, retry_after, ...body } = fault;
        const parameters = retry_after === undefined ? {} : { parameters: { retry_after } };
        return new Response(JSON.stringify({ ok: false, ...body, ...parameters }), {
          status: fault.error_code,
          headers: { "content-type": "application/json" },
        });
      }
      // Long polling: the queued updates from the offset on, or a short wait and nothing.
      if (method === "getUpdates") {
        const offset = Number((JSON.parse(String(init?.body ?? "{}")) as { offset?: number }).offset ?? 0);
        const due = updates.filter((u) => u.update_id >= offset);
        if (due.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        return new Response(JSON.stringify({ ok: true, result: due }), {
          headers: { "content-type": "application/json" },
        });
      }
      if (fault?.kind === "held") {
        fault.reached();
        await fault.until;
      }
      const response = await harness.telegram.fetch(input, init);
      if (fault?.kind === "accepted-then-timeout") throw new DOMException("timed out", "TimeoutError");
      return response;
    }) as typeof globalThis.fetch;
    const deps = { ...harness.deps, db: options.db ?? harness.deps.db };
    const bot = createBot(TEST_TOKEN, deps, {
      botInfo: BOT_INFO,
      client: { fetch },
      ...(options.retryUpdates ? { retryUpdates: true } : {}),
    });
    return {
      bot,
      plan(method: string, fault: Fault) {
        planned.push({ method, fault });
      },
      queueUpdate(update: Update) {
        updates.push(update);
      },
    };
  }

  const textsTo = (someone: Person) => harness.telegram.textsTo(someone.id);

  /** Serves a bot's webhook on a free port; `poster(update)` posts that update as Telegram would, again and again. */
  async function serveWebhook(bot: ReturnType<typeof faultyBot>["bot"]) {
    const secret = "s".repeat(32);
    const running = await startWebhook(
      bot,
      { url: "https://perche.example.org/telegram", secret, port: 0, host: "127.0.0.1" },
      async () => {},
      harness.deps.logger,
    );
    const base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
    return {
      poster: (update: Update) => () =>
        fetch(`${base}/telegram`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
          body: JSON.stringify(update),
        }),
      stop: () => running.stop(),
    };
  }

  describe("a reply sent while handling an update", () => {
    it.each<[string, Fault]>([
      [
        "a 429 with retry_after",
        { kind: "telegram", error_code: 429, description: "Too Many Requests", retry_after: 1 },
      ],
      ["a 502", { kind: "telegram", error_code: 502, description: "Bad Gateway" }],
      ["Telegram unreachable", { kind: "unreachable" }],
    ])("arrives once after %s", async (_, fault) => {
      const { bot, plan } = faultyBot();
      const someone = person();
      plan("sendMessage", fault);
      await bot.handleUpdate(textUpdate(someone, "naloxone"));
      const texts = textsTo(someone);
      expect(texts).toHaveLength(1);
      expect(texts[0]).toContain(NALOXONE);
    });

    it("arrives twice at most when Telegram took it but the answer timed out", async () => {
      const { bot, plan } = faultyBot();
      const someone = person();
      plan("sendMessage", { kind: "accepted-then-timeout" });
      await bot.handleUpdate(textUpdate(someone, "naloxone"));
      const texts = textsTo(someone);
      expect(texts).toHaveLength(2);
      expect(texts.every((t) => t.includes(NALOXONE))).toBe(true);
    });

    it.each<[string, number, string]>([
      ["403 (the person blocked the bot)", 403, "Forbidden: bot was blocked by the user"],
      ["400 (chat not found)", 400, "Bad Request: chat not found"],
      ["401 (the token revoked)", 401, "Unauthorized"],
      ["409 (a conflict)", 409, "Conflict: terminated by other getUpdates request"],
    ])("ends the update without crashing after %s, logging only its code", async (_, code, description) => {
      const { bot, plan } = faultyBot();
      const someone = person();
      plan("sendMessage", { kind: "telegram", error_code: code, description });
      plan("sendMessage", { kind: "telegram", error_code: code, description });
      await bot.handleUpdate(textUpdate(someone, "naloxone"));
      expect(textsTo(someone)).toEqual([]);
      const logs = harness.logs.join("\n");
      expect(logs).toContain("update failed");
      expect(logs).toContain("could not tell the person about the error");
      expect(logs).toContain(`"code":${code}`);
      expect(logs).not.toContain(String(someone.id));
      expect(logs.toLowerCase()).not.toContain("naloxone");
      // Nothing is stuck: the next message of that chat is answered.
      await bot.handleUpdate(textUpdate(someone, "naloxone"));
      expect(textsTo(someone)[0]).toContain(NALOXONE);
    });

    it("keeps a request sent when its confirmation meets a 429, and confirms it once", async () => {
      await joinTeam(harness, database, person(), "Marc", { onCall: true });
      const { bot, plan } = faultyBot();
      const someone = person();
      for (const update of [
        textUpdate(someone, "/parler"),
        callbackUpdate(someone, "f:cat:food"),
        textUpdate(someone, "quelque chose de chaud"),
        callbackUpdate(someone, "f:ans:chat"),
        callbackUpdate(someone, "f:skip"),
      ])
        await bot.handleUpdate(update);
      plan("sendMessage", {
        kind: "telegram",
        error_code: 429,
        description: "Too Many Requests",
        retry_after: 1,
      });
      await bot.handleUpdate(callbackUpdate(someone, "f:send"));
      expect(textsTo(someone).filter((t) => t.startsWith("✅ C'est envoyé."))).toHaveLength(1);
      expect(await database.db.select().from(requests)).toHaveLength(1);
    });
  });

  describe("the database down when an update arrives", () => {
    it("webhook: answers 500 so Telegram delivers the update again, tells the person once that it is kept, and handles it when the database is back", async () => {
      const switchable = switchableDatabase(harness.deps.db);
      const { bot } = faultyBot({ db: switchable.db, retryUpdates: true });
      const webhook = await serveWebhook(bot);
      try {
        const someone = person();
        const post = webhook.poster(textUpdate(someone, "naloxone"));

        switchable.state.down = true;
        // A blip costs a redelivery and no message; the third failure in a row says it waits.
        expect((await post()).status).toBe(500);
        expect((await post()).status).toBe(500);
        expect(textsTo(someone)).toHaveLength(0);
        expect((await post()).status).toBe(500);
        expect((await post()).status).toBe(500);
        expect(textsTo(someone)).toHaveLength(1);
        expect(textsTo(someone)[0]).toContain(KEPT);
        expect(textsTo(someone)[0]).toContain("911");

        switchable.state.down = false;
        expect((await post()).status).toBe(200);
        expect(textsTo(someone)).toHaveLength(2);
        expect(textsTo(someone)[1]).toContain(NALOXONE);
      } finally {
        await webhook.stop();
      }
    });

    if (name === "PostgreSQL")
      it("webhook: loses no update when PostgreSQL kills the bot's connections (pg_terminate_backend)", async () => {
        const [current] = rowsOf<{ name: string }>(
          await database.db.execute(sql`select current_database() as name`),
        );
        const admin = postgres(TEST_DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
        const { bot } = faultyBot({ retryUpdates: true });
        const webhook = await serveWebhook(bot);
        try {
          const someone = person();
          const post = webhook.poster(textUpdate(someone, "naloxone"));
          const killed = await admin`select pg_terminate_backend(pid) from pg_stat_activity
            where datname = ${current?.name ?? ""} and pid <> pg_backend_pid()`;
          expect(killed.length).toBeGreaterThan(0);
          // Telegram sends the update again after each 5xx, for hours; each dead connection fails one
          // query before the pool replaces it, so a few deliveries may be needed.
          const statuses: number[] = [];
          while (statuses.length < 12 && statuses.at(-1) !== 200) statuses.push((await post()).status);
          expect(statuses.at(-1), JSON.stringify({ statuses, logs: harness.logs.slice(-5) })).toBe(200);
          expect(statuses.every((status) => status === 200 || status === 500)).toBe(true);
          const diagnosis = JSON.stringify({ statuses, texts: textsTo(someone).map((t) => t.slice(0, 40)) });
          expect(
            textsTo(someone).filter((t) => t.includes(NALOXONE)),
            diagnosis,
          ).toHaveLength(1);
          expect(textsTo(someone).filter((t) => t.includes(OOPS)).length).toBeLessThanOrEqual(1);
        } finally {
          await webhook.stop();
          await admin.end();
        }
      });

    it("polling: keeps the update, retrying with pauses growing to 3 s, tells the person once that it is kept, and handles it when the database is back", async () => {
      const switchable = switchableDatabase(harness.deps.db);
      const { bot } = faultyBot({ db: switchable.db, retryUpdates: true });
      await bot.init();
      const pauses: number[] = [];
      const handle = retryUntilHandled((update) => bot.handleUpdate(update), {
        logger: harness.deps.logger,
        sleep: async (ms) => {
          pauses.push(ms);
          if (pauses.length === 4) switchable.state.down = false;
        },
      });
      const someone = person();
      switchable.state.down = true;
      await handle(textUpdate(someone, "naloxone"));
      expect(pauses).toEqual([500, 1000, 2000, 3000]);
      expect(textsTo(someone)).toHaveLength(2);
      expect(textsTo(someone)[0]).toContain(KEPT);
      expect(textsTo(someone)[1]).toContain(NALOXONE);
    });

    it("polling: sends a request made while the database was down once it is back, once", async () => {
      await joinTeam(harness, database, person(), "Marc", { onCall: true });
      const switchable = switchableDatabase(harness.deps.db);
      const { bot } = faultyBot({ db: switchable.db, retryUpdates: true });
      await bot.init();
      const handle = retryUntilHandled((update) => bot.handleUpdate(update), {
        logger: harness.deps.logger,
        sleep: async () => {
          switchable.state.down = false;
        },
      });
      const someone = person();
      for (const update of [
        textUpdate(someone, "/parler"),
        callbackUpdate(someone, "f:cat:food"),
        textUpdate(someone, "quelque chose de chaud"),
        callbackUpdate(someone, "f:ans:chat"),
        callbackUpdate(someone, "f:skip"),
      ])
        await handle(update);
      switchable.state.down = true;
      await handle(callbackUpdate(someone, "f:send"));
      expect(textsTo(someone).filter((t) => t.startsWith("✅ C'est envoyé."))).toHaveLength(1);
      expect(await database.db.select().from(requests)).toHaveLength(1);
      await harness.deliver();
      expect(
        harness.telegram.calls.filter((c) => String(c.payload.text ?? "").startsWith("🆕")),
      ).toHaveLength(1);
    });
  });

  it.each<[string, Fault]>([
    [
      "a 429 with retry_after",
      { kind: "telegram", error_code: 429, description: "Too Many Requests", retry_after: 1 },
    ],
    ["a 502", { kind: "telegram", error_code: 502, description: "Bad Gateway" }],
    ["Telegram unreachable", { kind: "unreachable" }],
  ])("polling: gets the update after %s on getUpdates, and answers it once", async (_, fault) => {
    const { bot, plan, queueUpdate } = faultyBot();
    const someone = person();
    plan("getUpdates", fault);
    queueUpdate(textUpdate(someone, "naloxone"));
    const running = await startPolling(bot, { logger: harness.deps.logger });
    try {
      await vi.waitFor(() => expect(textsTo(someone)).toHaveLength(1), { timeout: 10_000 });
    } finally {
      await running.stop();
    }
    expect(textsTo(someone)[0]).toContain(NALOXONE);
  });

  it.each([
    [401, "Unauthorized"],
    [409, "Conflict: terminated by other getUpdates request"],
  ])(
    "polling: stops and reports a %i from getUpdates instead of failing silently",
    async (code, description) => {
      const { bot, plan } = faultyBot();
      plan("getUpdates", { kind: "telegram", error_code: code, description });
      const onFatal = vi.fn();
      const running = await startPolling(bot, { logger: harness.deps.logger, onFatal });
      try {
        await vi.waitFor(() => expect(onFatal).toHaveBeenCalledTimes(1));
        expect(onFatal.mock.calls[0]?.[0]).toMatchObject({ error_code: code });
        expect(harness.logs.join("\n")).toContain("polling stopped: Telegram refused getUpdates");
      } finally {
        await running.stop();
      }
    },
  );

  it("says plainly that nothing was sent when the conversation was lost in a restart (state expired or dropped)", async () => {
    await joinTeam(harness, database, person(), "Marc", { onCall: true });
    const someone = person();
    await harness.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:food"),
      textUpdate(someone, "quelque chose de chaud"),
    );
    // The process stops; while it is down the abandoned state is swept (or a new version drops it).
    await database.db.execute(sql`delete from conversation_state`);
    const restarted = await createHarness(database, { directory: null });
    await restarted.send(callbackUpdate(someone, "f:ans:chat"));
    expect(restarted.lastText(someone.id)).toBe(
      "Rien n'a été envoyé : cette demande est restée en suspens trop longtemps. Tu peux recommencer quand tu veux.",
    );
    await restarted.send(callbackUpdate(someone, "f:send"));
    expect(await database.db.select().from(requests)).toEqual([]);
    // And the person can start again at once.
    await restarted.send(textUpdate(someone, "/parler"));
    expect(restarted.telegram.calls.length).toBeGreaterThan(2);
  });

  it("webhook: hands back to Telegram an update whose conversation another instance moved on, and loses none of it", async () => {
    await joinTeam(harness, database, person(), "Marc", { onCall: true });
    const a = faultyBot({ retryUpdates: true });
    const b = faultyBot({ retryUpdates: true });
    const [webhookA, webhookB] = [await serveWebhook(a.bot), await serveWebhook(b.bot)];
    try {
      const someone = person();
      await harness.send(textUpdate(someone, "/parler"));
      // Instance B reads the conversation, takes the words as the subject, and is slow to answer...
      let release = () => {};
      const reached = new Promise<void>((resolve) => {
        b.plan("sendMessage", {
          kind: "held",
          reached: resolve,
          until: new Promise((resume) => {
            release = resume;
          }),
        });
      });
      const words = webhookB.poster(textUpdate(someone, "mes mots"));
      const first = words();
      await reached;
      // ...while instance A handles the category tapped just before, and saves the conversation first.
      expect((await webhookA.poster(callbackUpdate(someone, "f:cat:food"))()).status).toBe(200);
      release();
      expect((await first).status).toBe(500);
      // Telegram delivers the words again: they land on the step A left the conversation at.
      expect((await words()).status).toBe(200);
      for (const update of [callbackUpdate(someone, "f:ans:chat"), callbackUpdate(someone, "f:skip")])
        expect((await webhookA.poster(update)()).status).toBe(200);
      const summary = textsTo(someone).at(-1) ?? "";
      expect(summary).toContain("Sujet : 🍲 Manger");
      expect(summary).toContain("Message : mes mots");
      expect(textsTo(someone).some((t) => t.includes(OOPS))).toBe(false);
    } finally {
      await webhookA.stop();
      await webhookB.stop();
    }
  });

  it("relays a message handled by two instances at once a single time", async () => {
    const marc = await joinTeam(harness, database, person(), "Marc", { onCall: true });
    const someone = person();
    await harness.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:food"),
      textUpdate(someone, "quelque chose de chaud"),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:skip"),
      callbackUpdate(someone, "f:send"),
    );
    await harness.deliver();
    const [request] = await database.db.select().from(requests).where(eq(requests.status, "open"));
    await harness.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
    await harness.deliver();
    harness.telegram.clear();

    const other = await createHarness(database, { directory: null });
    const update = textUpdate(someone, "une seule fois, même à deux");
    await Promise.all([harness.send(update), other.send(update)]);
    await Promise.all([harness.deliver(), other.deliver()]);
    const relayed = [...harness.telegram.calls, ...other.telegram.calls].filter(
      (c) =>
        c.payload.chat_id === marc.id && String(c.payload.text ?? "").endsWith("une seule fois, même à deux"),
    );
    expect(relayed).toHaveLength(1);
  });
});
