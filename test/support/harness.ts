import { Api } from "grammy";
import type { Update } from "grammy/types";
import type { BotDeps } from "../../src/bot/context";
import { createBot } from "../../src/bot/create-bot";
import { createTranslations } from "../../src/bot/i18n";
import { UpdateClaims } from "../../src/bot/update-claim";
import type { DatabaseHandle } from "../../src/db/client";
import { CatalogCache } from "../../src/directory/catalog-cache";
import type { DirectoryFile } from "../../src/directory/file-schema";
import { replaceDirectory } from "../../src/directory/store";
import { withAlertDelivery } from "../../src/features/alerts/delivery-hooks";
import { deliveryHooks } from "../../src/features/requests/delivery-hooks";
import { PercheMemory } from "../../src/features/requests/perche";
import { eraseEndedChatIds } from "../../src/features/requests/queries";
import { createLogger, prettyLine } from "../../src/logger";
import { callThrough, createOutboxDelivery } from "../../src/outbox/delivery";
import { createSealer } from "../../src/privacy/sealed";
import { fixtureDirectory, WEDNESDAY_2PM } from "./directory-fixture";
import { BOT_INFO, createFakeTelegram } from "./fake-telegram";

export const TEST_TOKEN = `123456789:${"T".repeat(35)}`;
export const TEST_PSEUDONYM_KEY = "test-pseudonym-key-0123456789abcdef0123456789";
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");

const translations = createTranslations();

/** A bot on a real database with a fake Telegram, a fixed clock and captured logs. */
export async function createHarness(
  database: DatabaseHandle,
  options: {
    now?: Date;
    directory?: DirectoryFile | null;
    /** The instance's name for its update claims (several instances on one database need one each). */
    instance?: string;
    retryUpdates?: boolean;
  } = {},
) {
  if (options.directory !== null)
    await replaceDirectory(database.db, options.directory ?? fixtureDirectory());
  const telegram = createFakeTelegram();
  const logs: string[] = [];
  // Each line twice, as JSON and as a terminal shows it: every check on the logs holds for both outputs.
  const logger = createLogger("debug", {
    write: (line: string) => {
      logs.push(line, prettyLine(line));
    },
  });
  let now = options.now ?? WEDNESDAY_2PM;
  const deps: BotDeps = {
    db: database.db,
    catalog: new CatalogCache(),
    translations,
    pseudonymKey: TEST_PSEUDONYM_KEY,
    sealer: createSealer(TEST_ENCRYPTION_KEY),
    perches: new PercheMemory(),
    defaultLocale: "fr",
    logger,
    now: () => now,
    updateClaims: new UpdateClaims(database.db, options.instance ?? "harness", logger),
  };
  const delivery = createOutboxDelivery({
    db: database.db,
    call: callThrough(new Api(TEST_TOKEN, { fetch: telegram.fetch })),
    ...withAlertDelivery(
      deliveryHooks(database.db, deps.sealer, () => now, translations, deps.catalog, deps.defaultLocale),
      database.db,
      deps.sealer,
      () => now,
      translations,
    ),
    sealer: deps.sealer,
    logger,
    now: () => now,
    sleep: async () => {},
    perChatIntervalMs: 0,
    maxPerSecond: 1_000_000,
  });
  const bot = createBot(TEST_TOKEN, deps, {
    botInfo: BOT_INFO,
    client: { fetch: telegram.fetch },
    ...(options.retryUpdates ? { retryUpdates: true } : {}),
  });
  return {
    bot,
    deps,
    telegram,
    logs,
    setNow(date: Date) {
      now = date;
    },
    async send(...updates: Update[]) {
      for (const update of updates) await bot.handleUpdate(update);
    },
    /** Runs the outbox until nothing is left to send, as the delivery loop would. */
    async deliver() {
      for (let round = 0; round < 100; round++) {
        const result = await delivery.runOnce();
        if (result.sent + result.retried + result.failed + result.unreachable === 0) break;
      }
      await eraseEndedChatIds(database.db);
    },
    /** The text of the last message sent to a chat. */
    lastText(chatId: number): string {
      const texts = telegram.textsTo(chatId);
      return texts[texts.length - 1] ?? "";
    },
    lastCall(chatId: number) {
      const calls = telegram.sentTo(chatId);
      return calls[calls.length - 1];
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** Labels of a reply keyboard (menu) or an inline keyboard in a sent payload. */
export function buttonTexts(payload: Record<string, unknown> | undefined): string[] {
  const markup = payload?.reply_markup as
    | { keyboard?: { text: string }[][]; inline_keyboard?: { text: string }[][] }
    | undefined;
  return [...(markup?.keyboard ?? []), ...(markup?.inline_keyboard ?? [])].flat().map((b) => b.text);
}

export function callbackDatas(payload: Record<string, unknown> | undefined): string[] {
  const markup = payload?.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? "");
}
