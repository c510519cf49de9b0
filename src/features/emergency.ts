import { Composer } from "grammy";
import type { BotContext } from "../bot/context";
import { mainMenu } from "../bot/keyboards";
import { LAST_RESORT_EMERGENCY_NUMBER } from "../bot/last-resort";
import { mentionsEmergency } from "../directory/emergency-words";
import { emergencyText } from "./directory/format";
import { viewOf } from "./directory/screens";

/** 911 first, then naloxone, the Good Samaritan law and the crisis lines. Works even if the database is down. */
export async function showEmergency(ctx: BotContext): Promise<void> {
  const catalog = await ctx.deps.catalog.getOrLastKnown(ctx.deps.db).catch(() => undefined);
  const text = catalog
    ? emergencyText(viewOf(ctx, catalog))
    : ctx.t("emergency.card", { number: LAST_RESORT_EMERGENCY_NUMBER });
  await ctx.reply(text, { parse_mode: "HTML", reply_markup: mainMenu(ctx.t) });
}

export const emergencyFeature = new Composer<BotContext>();

emergencyFeature.command(["urgence", "emergency"], showEmergency);

// Any message mentioning an overdose gets the emergency card before anything else.
emergencyFeature.on("message:text").filter((ctx) => mentionsEmergency(ctx.message.text), showEmergency);
