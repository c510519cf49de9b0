import type { ConversationFlavor } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { Locale } from "../config";
import type { Database } from "../db/executor";
import type { CatalogCache } from "../directory/catalog-cache";
import type { PercheMemory } from "../features/requests/perche";
import type { Logger } from "../logger";
import type { PseudonymRotation } from "../privacy/pseudonym-rotation";
import type { Sealer } from "../privacy/sealed";
import type { LookupTally } from "../stats/lookup-tally";
import type { Translate } from "../text/translate";
import type { Translations } from "./i18n";
import type { PersonSnapshot } from "./snapshot";
import type { UpdateClaims } from "./update-claim";

/** What every handler may use; built once in main (or in a test) and hung on each context. */
export type BotDeps = {
  db: Database;
  catalog: CatalogCache;
  translations: Translations;
  pseudonymKey: string;
  sealer: Sealer;
  defaultLocale: Locale;
  logger: Logger;
  now: () => Date;
  /** RETENTION_DAYS, as promised in /confidentialite. */
  retentionDays?: number;
  /** Who was offered contact today (memory only). */
  perches?: PercheMemory;
  /** While a pseudonym key is being rotated out: people's rows move to their new pseudonym on sight. */
  pseudonymRotation?: PseudonymRotation;
  /** Wakes the outbox delivery loop after a commit that queued messages. */
  outbox?: { wake(): void };
  /** Lookup counts kept in memory and flushed together; without it, each lookup writes its count. */
  lookupTally?: LookupTally;
  /** Which updates this instance took in hand (several instances on one database): see update-claim.ts. */
  updateClaims?: UpdateClaims;
};

export type ContextExtras = {
  deps: BotDeps;
  locale: Locale;
  t: Translate;
  /** The person's pseudonym, when the update comes from a person. Never their id. */
  pseudonym: string | undefined;
  /** Read once as the update starts (language, conversation, member, requests, directory version). */
  snapshot?: PersonSnapshot;
};

/** Inside a conversation: the same extras, installed again by the conversation's plugins. */
export type InnerContext = Context & ContextExtras;

export type BotContext = ConversationFlavor<Context & ContextExtras>;
