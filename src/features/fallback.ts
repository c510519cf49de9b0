import { Composer, InlineKeyboard } from "grammy";
import type { BotContext } from "../bot/context";
import { onlyLooking } from "../bot/snapshot";
import { showMenu } from "./directory/screens";
import { REQUEST_FLOW } from "./requests/conversation";
import { mediaInMessage } from "./requests/media";

/** Stickers, photos, voice, documents...: a short friendly answer and the menu, never silence. */
export const fallbackFeature = new Composer<BotContext>();

const PASS_MEDIA = "md:pass";

/**
 * A voice note or a photo from someone with no request and on no team: they may not be able to type,
 * so rather than a dead end they are offered, once, to pass it to a worker. The offer answers their
 * message (Telegram sends that message back with the button's tap), so nothing is kept meanwhile.
 */
fallbackFeature.on(["message:voice", "message:photo"], async (ctx, next) => {
  if (!onlyLooking(ctx)) return next();
  await ctx.reply(ctx.t("intent.media.offer"), {
    reply_parameters: { message_id: ctx.message.message_id, allow_sending_without_reply: true },
    reply_markup: new InlineKeyboard().text(ctx.t("intent.media.button"), PASS_MEDIA),
  });
});

/**
 * "Yes" (registered before the directory, which answers any other button): the usual request flow, so they choose what it is about and how to be answered. Their note
 * reaches the worker who takes the request: once someone holds it, what they send is relayed.
 */
export const passMediaFeature = new Composer<BotContext>();

passMediaFeature.callbackQuery(PASS_MEDIA, async (ctx) => {
  await ctx.answerCallbackQuery();
  const original = ctx.callbackQuery.message?.reply_to_message;
  if (!original?.voice && !original?.photo) {
    await ctx.reply(ctx.t("intent.media.gone"));
    return;
  }
  const attachment = mediaInMessage(original);
  await ctx.reply(ctx.t(original.voice ? "intent.media.voiceFollows" : "intent.media.photoFollows"));
  // The note goes with the request: the worker who takes it receives it (requests/media.ts).
  await ctx.conversation.enter(REQUEST_FLOW, null, attachment);
});

fallbackFeature.on("message", (ctx) => showMenu(ctx, "common.unsupported"));
