import type { Update } from "grammy/types";
import type { BotDeps } from "../src/bot/context";
import { createBot } from "../src/bot/create-bot";
import { createTranslations } from "../src/bot/i18n";
import type { Database } from "../src/db/executor";
import { CatalogCache } from "../src/directory/catalog-cache";
import { createInvitation } from "../src/features/members/queries";
import { PercheMemory } from "../src/features/requests/perche";
import { createLogger } from "../src/logger";
import { createSealer } from "../src/privacy/sealed";
import { LookupTally } from "../src/stats/lookup-tally";
import { WEDNESDAY_2PM } from "../test/support/directory-fixture";
import { callbackUpdate, type Person, textUpdate } from "../test/support/updates";
import { STUB_BOT_INFO, type StubFetch } from "./telegram-stub";

export const BENCH_TOKEN = `123456789:${"B".repeat(35)}`;
const PSEUDONYM_KEY = "bench-pseudonym-key-0123456789abcdef0123456789";
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

export const translations = createTranslations();

/** The real bot (createBot, every middleware) with BotDeps built as main builds them, on a stub Telegram. */
export function buildPerche(db: Database, fetch: StubFetch, now: () => Date = () => WEDNESDAY_2PM) {
  const deps: BotDeps = {
    db,
    catalog: new CatalogCache(),
    translations,
    pseudonymKey: PSEUDONYM_KEY,
    sealer: createSealer(ENCRYPTION_KEY),
    perches: new PercheMemory(),
    defaultLocale: "fr",
    logger: createLogger("silent"),
    now,
    lookupTally: new LookupTally(),
  };
  const bot = createBot(BENCH_TOKEN, deps, { botInfo: STUB_BOT_INFO, client: { fetch } });
  let flusher: NodeJS.Timeout | undefined;
  return {
    bot,
    deps,
    /** Writes the lookup counts every 5 s, as src/app.ts does. */
    startFlushing() {
      flusher = setInterval(() => void deps.lookupTally?.flush(db).catch(() => {}), 5_000);
    },
    async stopFlushing() {
      clearInterval(flusher);
      await deps.lookupTally?.flush(db);
    },
  };
}

export type Perche = ReturnType<typeof buildPerche>;

/** Joins org-a as a worker the way a person does (invitation link, alias), then goes on call. */
export async function joinAsWorker(perche: Perche, someone: Person, alias: string): Promise<void> {
  const code = await createInvitation(perche.deps.db, {
    organisationId: "org-a",
    role: "worker",
    expiresAt: new Date("2026-12-01T00:00:00Z"),
  });
  for (const update of [
    textUpdate(someone, `/start inv-${code}`),
    textUpdate(someone, alias),
    callbackUpdate(someone, "oc:on"),
  ])
    await perche.bot.handleUpdate(update);
}

/** The six updates of asking for help: talk, housing, own words, answer here, Centre-Sud, send. */
export function requestFlowSteps(someone: Person): (() => Update)[] {
  return [
    () => textUpdate(someone, "/parler"),
    () => callbackUpdate(someone, "f:cat:housing"),
    () => textUpdate(someone, "J'ai besoin d'un endroit pour dormir ce soir"),
    () => callbackUpdate(someone, "f:ans:chat"),
    () => callbackUpdate(someone, "f:area:centre-sud"),
    () => callbackUpdate(someone, "f:send"),
  ];
}
