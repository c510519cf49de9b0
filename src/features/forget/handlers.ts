import { Composer, InlineKeyboard } from "grammy";
import { callbackData, parseCallbackData } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import { mainMenu } from "../../bot/keyboards";
import { errorFields } from "../../logger";
import { pseudonymFor } from "../../privacy/pseudonym";
import { alertsPseudonym } from "../alerts/subscriptions";
import { findActiveMember } from "../members/queries";
import { forgetPerson } from "./erase";

/**
 * `/oublier` `/forget`: asks once, erases everything, then offers to clear the chat itself. Telegram
 * lets a bot delete messages (its own and the person's, in a private chat) for 48 hours only: the
 * answer says so rather than promise a clean phone.
 */
export const forgetFeature = new Composer<BotContext>();

// How far back to try: more than any real conversation of two days with the bot.
const WIPE_MESSAGES = 400;
const DELETE_BATCH = 100;

forgetFeature.command(["oublier", "forget"], (ctx) =>
  ctx.reply(ctx.t("forget.ask"), {
    parse_mode: "HTML",
    reply_markup: new InlineKeyboard()
      .text(ctx.t("forget.yes"), callbackData.forget("yes"))
      .row()
      .text(ctx.t("forget.no"), callbackData.forget("no")),
  }),
);

forgetFeature.callbackQuery(/^fg:/, async (ctx) => {
  const action = parseCallbackData(ctx.callbackQuery.data);
  await ctx.answerCallbackQuery();
  if (action?.kind !== "forget" || !ctx.pseudonym) {
    await ctx.reply(ctx.t("common.staleButton"), { reply_markup: mainMenu(ctx.t) });
    return;
  }
  await ctx.editMessageReplyMarkup().catch(() => {});
  switch (action.step) {
    case "no":
    case "keep":
      await ctx.reply(ctx.t(action.step === "no" ? "forget.kept" : "forget.chatKept"), {
        reply_markup: mainMenu(ctx.t),
      });
      return;
    case "yes": {
      const keys = [ctx.deps.pseudonymKey, ...(ctx.deps.pseudonymRotation?.previousKeys ?? [])];
      await forgetPerson(ctx.deps, {
        pseudonyms: keys.map((key) => pseudonymFor(key, ctx.from.id)),
        alertsPseudonyms: keys.map((key) => alertsPseudonym(key, ctx.from.id)),
      });
      // The team account of a worker or peer is not theirs to erase alone: their coordinator removes it.
      const member = await findActiveMember(
        ctx.deps.db,
        pseudonymFor(ctx.deps.pseudonymKey, ctx.from.id, "member"),
      );
      await ctx.reply(
        [ctx.t("forget.done"), member ? ctx.t("forget.member") : ""].filter(Boolean).join("\n\n"),
        {
          parse_mode: "HTML",
          reply_markup: new InlineKeyboard()
            .text(ctx.t("forget.wipe"), callbackData.forget("wipe"))
            .row()
            .text(ctx.t("forget.keep"), callbackData.forget("keep")),
        },
      );
      return;
    }
    case "wipe": {
      const last = ctx.callbackQuery.message?.message_id ?? 0;
      await wipeChat(ctx, last);
      await ctx.reply(ctx.t("forget.wiped"), { parse_mode: "HTML", reply_markup: mainMenu(ctx.t) });
      return;
    }
  }
});

/** Deletes what Telegram still allows, newest first; older messages are simply left (Telegram refuses). */
async function wipeChat(ctx: BotContext, last: number): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined || last <= 0) return;
  for (let top = last; top > Math.max(0, last - WIPE_MESSAGES); top -= DELETE_BATCH) {
    const ids = Array.from({ length: Math.min(DELETE_BATCH, top) }, (_, i) => top - i);
    try {
      await ctx.api.deleteMessages(chatId, ids);
    } catch (error) {
      // Past 48 hours Telegram refuses: what could be deleted was; say nothing more than the answer does.
      ctx.deps.logger.debug({ updateId: ctx.update.update_id, error: errorFields(error) }, "wipe stopped");
      return;
    }
  }
}
