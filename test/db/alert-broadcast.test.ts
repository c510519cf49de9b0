import { eq, sql } from "drizzle-orm";
import { Api } from "grammy";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTranslations } from "../../src/bot/i18n";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { alertSubscribers, alertSubscriptions, alerts, members, outbox } from "../../src/db/schema";
import { CatalogCache } from "../../src/directory/catalog-cache";
import { replaceDirectory } from "../../src/directory/store";
import { alertMessage, sendAlert } from "../../src/features/alerts/broadcast";
import { withAlertDelivery } from "../../src/features/alerts/delivery-hooks";
import { deliveryHooks } from "../../src/features/requests/delivery-hooks";
import { createLogger } from "../../src/logger";
import { callThrough, createOutboxDelivery, type OutboxDeliveryOptions } from "../../src/outbox/delivery";
import { createSealer } from "../../src/privacy/sealed";
import { DRIVERS } from "../support/database";
import { fixtureDirectory } from "../support/directory-fixture";
import { TEST_ENCRYPTION_KEY } from "../support/harness";

const SUBSCRIBERS = 200;
const FIRST_CHAT = 700_000;
const AUTHOR_CHAT = 999;
const BLOCKED = new Set([FIRST_CHAT + 7, FIRST_CHAT + 70, FIRST_CHAT + 170]);

/**
 * Telegram's limits, enforced: more than 30 sendMessage calls in one second overall, or a second one to
 * a chat within a second, is answered 429 with retry_after. A blocked chat answers 403. Time is fake.
 */
function limitedTelegram(clock: () => number) {
  const delivered: { chatId: number; text: string; at: number }[] = [];
  let tooMany = 0;
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const params = JSON.parse(String(init?.body)) as { chat_id: number; text: string };
    const at = clock();
    const reply = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    if (!url.endsWith("/sendMessage")) return reply(400, { ok: false, error_code: 400, description: "?" });
    const lastSecond = delivered.filter((d) => d.at > at - 1000);
    if (lastSecond.length >= 30 || lastSecond.some((d) => d.chatId === params.chat_id)) {
      tooMany += 1;
      return reply(429, {
        ok: false,
        error_code: 429,
        description: "Too Many Requests: retry after 1",
        parameters: { retry_after: 1 },
      });
    }
    if (BLOCKED.has(params.chat_id))
      return reply(403, {
        ok: false,
        error_code: 403,
        description: "Forbidden: bot was blocked by the user",
      });
    delivered.push({ chatId: params.chat_id, text: params.text, at });
    return reply(200, {
      ok: true,
      result: { message_id: delivered.length, date: 0, chat: { id: params.chat_id } },
    });
  }) as typeof globalThis.fetch;
  return {
    call: callThrough(new Api("123:TEST", { fetch })),
    delivered,
    tooMany: () => tooMany,
    textsTo: (chatId: number) => delivered.filter((d) => d.chatId === chatId).map((d) => d.text),
  };
}

function fakeClock() {
  let ms = Date.now() + 60_000;
  return {
    ms: () => ms,
    now: () => new Date(ms),
    sleep: async (wait: number) => {
      ms += wait;
    },
    advance(wait: number) {
      ms += wait;
    },
  };
}

describe.each(DRIVERS)("alert broadcast under Telegram's rate limits, on $name", ({ open }) => {
  let handle: DatabaseHandle;
  let clock: ReturnType<typeof fakeClock>;
  let telegram: ReturnType<typeof limitedTelegram>;
  let authorId: number;
  const translations = createTranslations();
  const sealer = createSealer(TEST_ENCRYPTION_KEY);
  const catalog = new CatalogCache();
  const logger = createLogger("silent");

  beforeAll(async () => {
    handle = await open();
    await replaceDirectory(handle.db, fixtureDirectory());
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await handle.db.delete(outbox);
    await handle.db.delete(alerts);
    await handle.db.delete(alertSubscribers);
    await handle.db.delete(members);
    clock = fakeClock();
    telegram = limitedTelegram(clock.ms);
    const [author] = await handle.db
      .insert(members)
      .values({
        organisationId: "org-a",
        role: "worker",
        alias: "Marc",
        pseudonym: "author",
        chatIdEnc: sealer.seal(String(AUTHOR_CHAT)),
        locale: "fr",
      })
      .returning();
    authorId = author?.id ?? 0;
    // Every third subscriber speaks English; areas alternate between all of Montreal and each neighbourhood.
    const subscribers = await handle.db
      .insert(alertSubscribers)
      .values(
        Array.from({ length: SUBSCRIBERS }, (_, i) => ({
          pseudonym: `subscriber-${i}`,
          chatIdEnc: sealer.seal(String(FIRST_CHAT + i)),
          locale: i % 3 === 0 ? ("en" as const) : ("fr" as const),
          createdAt: clock.now(),
        })),
      )
      .returning({ id: alertSubscribers.id });
    await handle.db.insert(alertSubscriptions).values(
      subscribers.map((s, i) => ({
        subscriberId: s.id,
        placeId: [null, "verdun", "centre-sud"][i % 3] ?? null,
        createdAt: clock.now(),
      })),
    );
  });

  function delivery(options: Partial<OutboxDeliveryOptions> = {}) {
    return createOutboxDelivery({
      db: handle.db,
      call: telegram.call,
      ...withAlertDelivery(
        deliveryHooks(handle.db, sealer, clock.now, translations, catalog, "fr"),
        handle.db,
        sealer,
        clock.now,
        translations,
      ),
      sealer,
      logger,
      now: clock.now,
      sleep: clock.sleep,
      ...options,
    });
  }

  async function pending(): Promise<number> {
    const [row] = rowsOf<{ n: number }>(
      await handle.db.execute(sql`select count(*)::int as n from outbox where status = 'pending'`),
    );
    return row?.n ?? 0;
  }

  /** Runs rounds until nothing is pending; when every row waits on a retry_after, time moves on. */
  async function drain(outboxDelivery: ReturnType<typeof delivery>, maxRounds = 2000) {
    for (let round = 0; round < maxRounds; round++) {
      if ((await pending()) === 0) return;
      const done = await outboxDelivery.runOnce();
      if (done.sent + done.retried + done.failed + done.unreachable === 0) clock.advance(1000);
    }
    throw new Error("the outbox did not drain");
  }

  async function send(token: string, fr: string, en: string, placeId: string | null = null) {
    return sendAlert(
      handle.db,
      translations,
      await catalog.get(handle.db),
      { token, memberId: authorId, placeId, textFr: fr, textEn: en },
      clock.now(),
    );
  }

  async function expected(fr: string, en: string) {
    const directory = await catalog.get(handle.db);
    const text = (locale: "fr" | "en", body: string) =>
      alertMessage(translations.forLocale(locale), locale, directory, {
        placeId: null,
        organisationId: "org-a",
        text: body,
      });
    return { fr: text("fr", fr), en: text("en", en) };
  }

  function assertEveryoneGotBothInOrder(
    first: { fr: string; en: string },
    second: { fr: string; en: string },
  ) {
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const chat = FIRST_CHAT + i;
      const locale = i % 3 === 0 ? "en" : "fr";
      expect([chat, telegram.textsTo(chat)]).toEqual([
        chat,
        BLOCKED.has(chat) ? [] : [first[locale], second[locale]],
      ]);
    }
  }

  it("delivers two alerts back to back to 200 subscribers within the limits, each once and in order, and reports each", async () => {
    expect(await send("one", "Alerte un", "Alert one")).toMatchObject({ kind: "sent", count: 200 });
    expect(await send("two", "Alerte deux", "Alert two")).toMatchObject({ kind: "sent", count: 200 });
    await drain(delivery());
    // The outbox's own pacing (25 a second, one a second per chat) never trips the limits.
    expect(telegram.tooMany()).toBe(0);
    assertEveryoneGotBothInOrder(
      await expected("Alerte un", "Alert one"),
      await expected("Alerte deux", "Alert two"),
    );
    expect(telegram.textsTo(AUTHOR_CHAT)).toEqual([
      "📣 Alerte envoyée : reçue par 197 sur 200 (3 plus joignables).",
      "📣 Alerte envoyée : reçue par 197 sur 200 (3 plus joignables).",
    ]);
    // Those who blocked the bot are unsubscribed; nothing is left to send.
    expect(await handle.db.$count(alertSubscribers)).toBe(SUBSCRIBERS - BLOCKED.size);
    expect(await pending()).toBe(0);
  });

  it("loses nothing and sends nothing twice when a too-eager sender is answered 429, across a restart", async () => {
    await send("one", "Alerte un", "Alert one");
    await send("two", "Alerte deux", "Alert two");
    // Twice the allowed rate and no spacing per chat: Telegram answers 429 often.
    const eager = { maxPerSecond: 60, perChatIntervalMs: 0 };
    // A first process sends part of it, then stops; a second one takes over from the outbox.
    const first = delivery(eager);
    for (let round = 0; round < 5; round++) await first.runOnce();
    expect(telegram.delivered.length).toBeGreaterThan(0);
    expect(await pending()).toBeGreaterThan(0);
    await drain(delivery(eager));
    expect(telegram.tooMany()).toBeGreaterThan(0);
    assertEveryoneGotBothInOrder(
      await expected("Alerte un", "Alert one"),
      await expected("Alerte deux", "Alert two"),
    );
    expect(telegram.textsTo(AUTHOR_CHAT)).toEqual([
      "📣 Alerte envoyée : reçue par 197 sur 200 (3 plus joignables).",
      "📣 Alerte envoyée : reçue par 197 sur 200 (3 plus joignables).",
    ]);
    const [one, two] = await handle.db.select().from(alerts).orderBy(alerts.id);
    expect([one?.recipientCount, two?.recipientCount]).toEqual([200, 200]);
    expect(one?.reportedAt).not.toBeNull();
    expect(two?.reportedAt).not.toBeNull();
  });

  it("targets a neighbourhood's subscribers and all of Montreal's, and records one alert for one draft sent twice", async () => {
    const first = await send("same-draft", "Verdun seulement", "Verdun only", "verdun");
    const again = await send("same-draft", "Verdun seulement", "Verdun only", "verdun");
    // Subscribers 0, 3, 6… hold all of Montreal; 1, 4, 7… Verdun; 2, 5, 8… Centre-Sud.
    const reached = Array.from({ length: SUBSCRIBERS }, (_, i) => i).filter((i) => i % 3 !== 2);
    expect(first).toMatchObject({ kind: "sent", count: reached.length });
    expect(again).toEqual({ kind: "already" });
    expect(await handle.db.$count(alerts)).toBe(1);
    expect(
      await handle.db.$count(outbox, eq(outbox.alertId, first.kind === "sent" ? first.alertId : 0)),
    ).toBe(reached.length);
    await drain(delivery());
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const got = telegram.textsTo(FIRST_CHAT + i).length;
      expect([i, got]).toEqual([i, i % 3 === 2 || BLOCKED.has(FIRST_CHAT + i) ? 0 : 1]);
    }
    const blockedReached = [...BLOCKED].filter((chat) => (chat - FIRST_CHAT) % 3 !== 2).length;
    expect(telegram.textsTo(AUTHOR_CHAT)).toEqual([
      `📣 Alerte envoyée : reçue par ${reached.length - blockedReached} sur ${reached.length} (${blockedReached} plus joignables).`,
    ]);
  });
});
