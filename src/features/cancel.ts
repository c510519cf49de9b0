import { Composer } from "grammy";
import type { BotContext } from "../bot/context";
import { mainMenu } from "../bot/keyboards";

/** /annuler /cancel leaves whatever dialogue is going on, at any step, and says so. */
export const cancelFeature = new Composer<BotContext>();

cancelFeature.command(["annuler", "cancel"], async (ctx) => {
  const active = Object.keys(ctx.conversation.active()).length > 0;
  if (active) await ctx.conversation.exitAll();
  await ctx.reply(ctx.t(active ? "team.cancel.done" : "team.cancel.nothing"), {
    reply_markup: mainMenu(ctx.t),
  });
});
