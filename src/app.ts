import { Api, type Bot } from "grammy";
import { callTimeout } from "./bot/api-limits";
import { registerBotProfile } from "./bot/commands";
import type { BotContext, BotDeps } from "./bot/context";
import { type CreateBotOptions, createBot } from "./bot/create-bot";
import { createTranslations } from "./bot/i18n";
import { holderName, UpdateClaims } from "./bot/update-claim";
import type { Config } from "./config";
import { type DatabaseHandle, openDatabase } from "./db/client";
import { CatalogCache } from "./directory/catalog-cache";
import { seedExampleIfEmpty } from "./directory/seed";
import { reportFinishedAlerts } from "./features/alerts/broadcast";
import { withAlertDelivery } from "./features/alerts/delivery-hooks";
import { sendStaleReminders } from "./features/reminders/job";
import { deliveryHooks } from "./features/requests/delivery-hooks";
import { PercheMemory } from "./features/requests/perche";
import { eraseEndedChatIds } from "./features/requests/queries";
import { runRequestTimers } from "./features/requests/timers";
import { inviteFirstCoordinator } from "./features/team/first-coordinator";
import { errorFields, type Logger } from "./logger";
import { callThrough, createOutboxDelivery, type OutboxDeliveryOptions } from "./outbox/delivery";
import { loadKeys } from "./privacy/keys";
import { PseudonymRotation } from "./privacy/pseudonym-rotation";
import { runRetention } from "./privacy/retention";
import { createSealer } from "./privacy/sealed";
import { startHealthServer, TelegramSuccess } from "./run/health";
import { startPolling } from "./run/polling";
import { reachTelegram } from "./run/reach-telegram";
import { startWebhook } from "./run/webhook";
import { LookupTally } from "./stats/lookup-tally";

// Lookup counts are written together this often (a crash loses at most this much of them).
const LOOKUP_FLUSH_MS = 5_000;

export type App = { bot: Bot<BotContext>; database: DatabaseHandle; stop(): Promise<void> };

/**
 * Composition root: config → database → directory → bot → polling | webhook. `signal` (SIGTERM or
 * SIGINT during start-up) ends start-up between steps and during its waits for Telegram; it then
 * rejects with the signal's reason, the database closed.
 */
export async function startApp(
  config: Config,
  logger: Logger,
  botOptions: CreateBotOptions = {},
  deliveryOptions: Partial<OutboxDeliveryOptions> = {},
  signal?: AbortSignal,
): Promise<App> {
  const database = await openDatabase(config);
  try {
    signal?.throwIfAborted();
    await database.migrate();
    signal?.throwIfAborted();
    logger.info({ database: database.kind }, "database ready");

    const keys = loadKeys({
      pseudonymKey: config.pseudonymKey,
      encryptionKey: config.encryptionKey,
      previousPseudonymKeys: config.previousPseudonymKeys,
      previousEncryptionKeys: config.previousEncryptionKeys,
      dataDir: config.dataDir,
      embedded: database.kind === "pglite",
    });
    if (keys.generatedInto)
      logger.warn({ file: keys.generatedInto }, "generated new keys; back this file up with the data");

    const seeded = await seedExampleIfEmpty(database.db);
    if (seeded.kind === "example-loaded")
      logger.warn(
        { sites: seeded.sites, highlight: true },
        "the directory was empty: loaded the EXAMPLE directory (invented sites and hours). Import your own with `npm run admin -- directory import FILE`",
      );

    const translations = createTranslations();
    const sealer = createSealer(keys.encryptionKey, keys.previousEncryptionKeys);
    const catalog = new CatalogCache();
    const now = () => new Date();
    const lookupTally = new LookupTally();
    const flushLookups = () =>
      lookupTally
        .flush(database.db)
        .catch((error: unknown) => logger.warn({ error: errorFields(error) }, "could not count lookups"));
    const lookupFlusher = setInterval(flushLookups, LOOKUP_FLUSH_MS);
    lookupFlusher.unref();
    // The outbox has its own Api: a short timeout (calls must end well before a row's lock does) and no
    // auto-retry (the outbox reschedules by itself).
    const delivery = createOutboxDelivery({
      db: database.db,
      call: callThrough(new Api(config.botToken, { apiRoot: config.telegramApiRoot, timeoutSeconds: 10 })),
      ...withAlertDelivery(
        deliveryHooks(database.db, sealer, now, translations, catalog, config.defaultLocale),
        database.db,
        sealer,
        now,
        translations,
      ),
      sealer,
      logger,
      ...deliveryOptions,
    });
    const deps: BotDeps = {
      db: database.db,
      catalog,
      translations,
      pseudonymKey: keys.pseudonymKey,
      sealer,
      outbox: delivery,
      perches: new PercheMemory(),
      retentionDays: config.retentionDays,
      ...(keys.previousPseudonymKeys.length > 0
        ? { pseudonymRotation: new PseudonymRotation(keys.previousPseudonymKeys) }
        : {}),
      defaultLocale: config.defaultLocale,
      logger,
      now,
      lookupTally,
      updateClaims: new UpdateClaims(database.db, holderName(config.mode), logger, config.updateLeaseSeconds),
    };
    const bot = createBot(config.botToken, deps, {
      client: { apiRoot: config.telegramApiRoot },
      retryUpdates: true,
      callTimeoutSeconds: config.telegramTimeoutSeconds,
      ...botOptions,
    });
    const telegramSuccess = new TelegramSuccess();
    bot.api.config.use(telegramSuccess.transformer);
    // getMe on an Api of its own, limited in time but not retried: reachTelegram retries, and says so.
    const probe = new Api(config.botToken, { apiRoot: config.telegramApiRoot, ...botOptions.client });
    probe.config.use(callTimeout(config.telegramTimeoutSeconds), telegramSuccess.transformer);
    bot.botInfo = await reachTelegram(probe, {
      apiRoot: config.telegramApiRoot,
      retryForSeconds: config.startupRetrySeconds,
      logger,
      ...(signal ? { signal } : {}),
    });
    signal?.throwIfAborted();
    await registerBotProfile(bot.api, translations, config.defaultLocale).catch((error: unknown) =>
      logger.warn({ error: errorFields(error) }, "could not register commands and descriptions"),
    );

    delivery.start();
    const timers = setInterval(() => {
      runRequestTimers(deps, {
        escalationMinutes: config.escalationMinutes,
        expiryHours: config.requestExpiryHours,
      }).catch((error: unknown) => logger.warn({ error: errorFields(error) }, "request timers failed"));
      // Reports are also sent as an alert's last message settles; this catches one whose last rows
      // were deleted (a subscriber who used /oublier) or whose check failed.
      reportFinishedAlerts(database.db, translations, now())
        .then((reported) => (reported > 0 ? deps.outbox?.wake() : undefined))
        .catch((error: unknown) => logger.warn({ error: errorFields(error) }, "alert reports failed"));
      // Coordinators' reminders about old site information, each at the moment they chose.
      sendStaleReminders(deps).catch((error: unknown) =>
        logger.warn({ error: errorFields(error) }, "stale-site reminders failed"),
      );
    }, 60_000);
    timers.unref();
    // Chat ids of ended requests are erased once their last message went out.
    const eraser = setInterval(() => {
      eraseEndedChatIds(database.db).catch((error: unknown) =>
        logger.warn({ error: errorFields(error) }, "could not erase chat ids"),
      );
    }, 30_000);
    eraser.unref();
    // Ended requests are deleted after RETENTION_DAYS, checked hourly and once at start.
    const sweepRetention = () =>
      Promise.all([
        runRetention(database.db, now(), { retentionDays: config.retentionDays }),
        deps.updateClaims?.sweep(),
      ])
        .then(([deleted]) => {
          if (deleted.requests > 0) logger.info(deleted, "deleted ended requests past retention");
        })
        .catch((error: unknown) => logger.warn({ error: errorFields(error) }, "retention sweep failed"));
    void sweepRetention();
    const retention = setInterval(sweepRetention, 60 * 60_000);
    retention.unref();

    const firstCoordinator = await inviteFirstCoordinator(database.db, now());
    if (firstCoordinator)
      logger.warn(
        { organisation: firstCoordinator.organisationId, highlight: true },
        `no coordinator yet: open https://t.me/${bot.botInfo.username}?start=inv-${firstCoordinator.code} in Telegram before ${firstCoordinator.expiresAt.toISOString().slice(0, 10)} to become a coordinator of ${firstCoordinator.organisationId} (single use; for another organisation: npm run admin -- invite --role coordinator --org ID)`,
      );

    signal?.throwIfAborted();
    const health =
      config.mode.kind === "polling" && config.mode.health
        ? await startHealthServer(config.mode.health, database.ping, telegramSuccess, logger)
        : undefined;
    const running =
      config.mode.kind === "webhook"
        ? await startWebhook(bot, config.mode, database.ping, logger)
        : await startPolling(bot, {
            logger,
            // Nothing more will arrive: stop as on SIGTERM, and say it failed (main.ts exits with 1).
            onFatal: () => {
              process.exitCode = 1;
              process.kill(process.pid, "SIGTERM");
            },
          });
    logger.info({ mode: config.mode.kind, bot: bot.botInfo.username }, "Perche is running");

    return {
      bot,
      database,
      async stop() {
        clearInterval(eraser);
        clearInterval(retention);
        clearInterval(timers);
        clearInterval(lookupFlusher);
        // Side by side: an outbox call in flight ends within its own timeout while updates finish.
        await Promise.all([running.stop(), delivery.stop()]);
        await health?.stop();
        await flushLookups();
        await eraseEndedChatIds(database.db).catch(() => {});
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}
