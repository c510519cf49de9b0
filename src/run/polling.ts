import { run } from "@grammyjs/runner";
import type { Bot } from "grammy";
import type { BotContext } from "../bot/context";
import { ALLOWED_UPDATES } from "./allowed-updates";

export type Running = { stop(): Promise<void> };

/** Long polling through the runner; updates of one chat are handled in order (see createBot). */
export async function startPolling(bot: Bot<BotContext>): Promise<Running> {
  // A webhook left from an earlier webhook deployment would make getUpdates fail with 409.
  await bot.api.deleteWebhook({ drop_pending_updates: false });
  const handle = run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } });
  return {
    async stop() {
      if (handle.isRunning()) await handle.stop();
    },
  };
}
