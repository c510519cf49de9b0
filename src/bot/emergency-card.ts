import { emergencyText, viewOf } from "../directory/format";
import type { BotContext } from "./context";
import { mainMenu } from "./keyboards";
import { LAST_RESORT_EMERGENCY_NUMBER } from "./last-resort";
import { answerOnly } from "./update-claim";

/**
 * The emergency card, shown from anywhere: an overdose word (features/emergency.ts), /urgence in a group
 * (create-bot.ts), the menu's 🚨 button (features/directory). Kept here so none of them imports another.
 */
/** 911 first, then naloxone, the Good Samaritan law and the crisis lines. Works even if the database is down. */
export async function showEmergency(ctx: BotContext): Promise<void> {
  const catalog = await ctx.deps.catalog.getOrLastKnown(ctx.deps.db).catch(() => undefined);
  const text = catalog
    ? emergencyText(viewOf(ctx, catalog))
    : ctx.t("emergency.card", { number: LAST_RESORT_EMERGENCY_NUMBER });
  // Sent whatever another instance does with the update, and never waiting on the database.
  await answerOnly(ctx, () => ctx.reply(text, { parse_mode: "HTML", reply_markup: mainMenu(ctx.t) }));
}
