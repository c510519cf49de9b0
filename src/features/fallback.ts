import { Composer } from "grammy";
import type { BotContext } from "../bot/context";
import { showMenu } from "./directory/screens";

/** Stickers, photos, voice, documents...: a short friendly answer and the menu, never silence. */
export const fallbackFeature = new Composer<BotContext>();

fallbackFeature.on("message", (ctx) => showMenu(ctx, "common.unsupported"));
