import { type ConversationData, conversations, createConversation } from "@grammyjs/conversations";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type BotConfig, type BotError, Composer } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { conversationStorage } from "../conversations/storage";
import { BROADCAST_FLOW, broadcastFlow } from "../features/alerts/conversation";
import { alertsFeature } from "../features/alerts/handlers";
import { cancelFeature } from "../features/cancel";
import { directoryFeature } from "../features/directory/handlers";
import { emergencyFeature } from "../features/emergency";
import { fallbackFeature, passMediaFeature } from "../features/fallback";
import { forgetFeature } from "../features/forget/handlers";
import { infoFeature } from "../features/info";
import { inlineFeature } from "../features/inline/handler";
import { languageFeature } from "../features/language/handlers";
import { languageMiddleware } from "../features/language/middleware";
import { peerMenu, peersFeature } from "../features/peers/handlers";
import { referralFeature } from "../features/referral/handlers";
import { remindersFeature } from "../features/reminders/handlers";
import { REQUEST_FLOW, requestFlow } from "../features/requests/conversation";
import { ADD_TO_REQUEST, addToRequestFlow, requestsFeature } from "../features/requests/handlers";
import { statsFeature } from "../features/stats/handlers";
import { adminFeature } from "../features/team/admin";
import { teamGroupFeature } from "../features/team/group";
import { JOIN_TEAM, joinTeam } from "../features/team/join";
import { onCallFeature } from "../features/team/on-call";
import { TOOLS_INPUT, toolsInput } from "../features/worker-tools/conversation";
import { SITE_EDITOR, siteEditor } from "../features/worker-tools/editor";
import { toolsFeature } from "../features/worker-tools/handlers";
import { errorFields } from "../logger";
import { wellFormed } from "../text/split";
import { botApiLimits, DEFAULT_CALL_TIMEOUT_SECONDS, LONG_POLL_LIMIT_SECONDS } from "./api-limits";
import type { BotContext, BotDeps, InnerContext } from "./context";
import { showEmergency } from "./emergency-card";
import { localeFromTelegram } from "./i18n";
import { mainMenu } from "./keyboards";
import { LAST_RESORT_EMERGENCY_NUMBER } from "./last-resort";
import {
  isConversationConflict,
  isDatabaseDown,
  isTelegramDown,
  RetryUpdateError,
  ToldAboutOutage,
} from "./retry-update";
import { createRouter } from "./router";
import { ROUTES } from "./routes";
import { answersOnly, claimInsideConversations, claimingUpdates } from "./update-claim";

export type CreateBotOptions = {
  botInfo?: UserFromGetMe;
  client?: BotConfig<BotContext>["client"];
  /**
   * An update that failed because the database was down (after the person is told once) or because
   * another instance moved the conversation on is thrown back (a RetryUpdateError), so that it is
   * handled again. Off in tests that drive the bot update by update; on in the running app.
   */
  retryUpdates?: boolean;
  /** No Bot API call but getUpdates waits longer than this (TELEGRAM_TIMEOUT_SECONDS). */
  callTimeoutSeconds?: number;
};

/**
 * The one place that fixes middleware order:
 * sequence per chat → deps → error boundary → private chats only → language → emergency words,
 * /oublier, /annuler → dialogues → the router (src/bot/router.ts), which hands each update to its feature.
 */
export function createBot(token: string, deps: BotDeps, options: CreateBotOptions = {}): Bot<BotContext> {
  const bot = new Bot<BotContext>(token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: { timeoutSeconds: LONG_POLL_LIMIT_SECONDS, ...options.client },
  });

  // A person waits for the answer: every call is bounded in time and in retries (see api-limits).
  const limits = botApiLimits(options.callTimeoutSeconds ?? DEFAULT_CALL_TIMEOUT_SECONDS);
  bot.api.config.use(...limits);
  const toldAboutOutage = new ToldAboutOutage();
  const handleError = (error: BotError<BotContext>) =>
    handleUpdateError(error, options.retryUpdates ? toldAboutOutage : undefined);

  // Updates of one chat are handled in order; different chats run side by side.
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));

  bot.use((ctx, next) => {
    ctx.deps = deps;
    return next();
  });

  // Telegram sends valid Unicode, but a forged or corrupted update may not: made well-formed once here,
  // so nothing stored or sent on can carry a lone surrogate (Telegram refuses those).
  bot.use((ctx, next) => {
    if (ctx.message?.text) ctx.message.text = wellFormed(ctx.message.text);
    if (ctx.message?.caption) ctx.message.caption = wellFormed(ctx.message.caption);
    return next();
  });

  const protectedBot = bot.errorBoundary(handleError);
  // Part 11: an update that reaches two instances is handled by one of them (src/bot/update-claim.ts).
  protectedBot.use(claimingUpdates(options.retryUpdates === true));

  // Inline queries come from any chat (or none): answered before the private/group split.
  const inline = protectedBot.filter((ctx) => ctx.inlineQuery !== undefined);
  inline.use(languageMiddleware);
  inline.use(inlineFeature);

  // Lookups happen in private, so nobody in a group sees what a person searches for; the emergency
  // card reveals nothing about anyone, so it answers everywhere.
  const group = protectedBot.drop((ctx) => ctx.chat?.type === "private" || ctx.inlineQuery !== undefined);
  group.use(languageMiddleware);
  group.command(["urgence", "emergency"], showEmergency);
  group.use(teamGroupFeature);
  group.use(groupFeature);

  const person = protectedBot.filter((ctx) => ctx.chat?.type === "private");
  person.use(languageMiddleware);
  person.use(peerMenu);
  // Before any dialogue: an overdose word always gets the card, whatever step the person is at.
  person.use(emergencyFeature);
  // Before any dialogue too: "forget me" must work whatever step the person is at.
  person.use(forgetFeature);
  person.use(
    conversations<BotContext, InnerContext>({
      storage: conversationStorage<BotContext, ConversationData>(
        deps.db,
        deps.sealer,
        deps.now,
        deps.updateClaims,
      ),
      // Contexts inside a conversation get no plugins otherwise: give them the same extras.
      plugins: [
        (ctx, next) => {
          ctx.deps = deps;
          return next();
        },
        claimInsideConversations,
        languageMiddleware,
        peerMenu,
        // bot.api's transformers do not reach a conversation's own Api: without this, a 429 on "✅ sent"
        // told the person it had failed after the request went out. A retry recorded in one update
        // waits again when that update is replayed; it is rare and bounded.
        (ctx, next) => {
          ctx.api.config.use(...limits);
          return next();
        },
      ],
    }),
  );
  // /annuler leaves whatever dialogue is going on: it comes before them, like the card and /oublier.
  person.use(cancelFeature);
  person.use(createConversation(joinTeam, JOIN_TEAM));
  person.use(createConversation(requestFlow, REQUEST_FLOW));
  person.use(createConversation(addToRequestFlow, ADD_TO_REQUEST));
  person.use(createConversation(broadcastFlow, BROADCAST_FLOW));
  person.use(createConversation(toolsInput, TOOLS_INPUT));
  person.use(createConversation(siteEditor, SITE_EDITOR));
  // Everything no dialogue took: one router decides who it is for and which feature answers it
  // (src/bot/router.ts, the table in src/bot/routes.ts). Each feature is mounted there and only there.
  person.use(
    createRouter(ROUTES, {
      info: infoFeature,
      passMedia: passMediaFeature,
      language: languageFeature,
      onCall: onCallFeature,
      admin: adminFeature,
      peers: peersFeature,
      referral: referralFeature,
      stats: statsFeature,
      requests: requestsFeature,
      alerts: alertsFeature,
      tools: toolsFeature,
      reminders: remindersFeature,
      // The directory's answers change nothing: its calls take no claim (update-claim.ts).
      directory: answersOnly(directoryFeature),
      fallback: answersOnly(fallbackFeature),
    }),
  );

  // Last net: grammY's default handler would print the whole error, payload included.
  bot.catch((error) =>
    deps.logger.error({ updateId: error.ctx.update.update_id, error: errorFields(error.error) }, "unhandled"),
  );

  return bot;
}

const groupFeature = new Composer<BotContext>();
groupFeature.on("message::bot_command", async (ctx) => {
  const t = ctx.deps.translations.forLocale(
    localeFromTelegram(ctx.from?.language_code, ctx.deps.defaultLocale),
  );
  await ctx.reply(t("common.privateOnly", { username: ctx.me.username }));
});

/**
 * Logs what went wrong by update id only (never text or ids) and still answers the person: an error
 * must never look like silence, and the emergency number goes with it.
 */
async function handleUpdateError(
  error: BotError<BotContext>,
  outage: ToldAboutOutage | undefined,
): Promise<void> {
  const { ctx } = error;
  const updateId = ctx.update.update_id;
  // Another instance has this update in hand (src/bot/update-claim.ts): it is asked for again later.
  if (error.error instanceof RetryUpdateError) throw error.error;
  // Another instance moved this conversation on: the replay of a redelivery picks up from there.
  if (outage !== undefined && isConversationConflict(error.error))
    throw new RetryUpdateError("conversation conflict");
  // Telegram still failing after the retries in place: what was done is kept (requests and relays are
  // keyed on the update id), and the update is handled again until its answers go out. Telling the
  // person "it failed, try again" would be untrue when the request went out, and would fail too.
  if (outage !== undefined && isTelegramDown(error.error)) {
    ctx.deps.logger.warn({ updateId, error: errorFields(error.error) }, "Telegram unavailable: update kept");
    throw new RetryUpdateError("telegram down");
  }
  const databaseDown = outage !== undefined && (await isDatabaseDown(error.error, ctx.deps.db));
  if (databaseDown) {
    // Kept and handled again: the person hears that it waits (not "try again"), once, if it lasts.
    if (outage?.shouldTell(updateId)) {
      ctx.deps.logger.error(
        { updateId, error: errorFields(error.error) },
        "database unavailable: update kept",
      );
      await tellThePerson(ctx, "faults.kept");
    }
    throw new RetryUpdateError("database down");
  }
  ctx.deps.logger.error({ updateId, error: errorFields(error.error) }, "update failed");
  await tellThePerson(ctx, "common.error");
}

async function tellThePerson(ctx: BotContext, key: "common.error" | "faults.kept"): Promise<void> {
  if (ctx.chat?.type !== "private") return;
  try {
    const t =
      ctx.t ??
      ctx.deps.translations.forLocale(localeFromTelegram(ctx.from?.language_code, ctx.deps.defaultLocale));
    const number =
      ctx.deps.catalog.lastKnown()?.directory.info.emergencyNumber ?? LAST_RESORT_EMERGENCY_NUMBER;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
    await ctx.reply(t(key, { number }), { reply_markup: mainMenu(t) });
  } catch (replyError) {
    ctx.deps.logger.warn(
      { updateId: ctx.update.update_id, error: errorFields(replyError) },
      "could not tell the person about the error",
    );
  }
}
