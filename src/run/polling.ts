import { run } from "@grammyjs/runner";
import { type Bot, BotError } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../bot/context";
import { RetryUpdateError } from "../bot/retry-update";
import { errorFields, type Logger } from "../logger";
import { ALLOWED_UPDATES } from "./allowed-updates";

export type Running = { stop(): Promise<void> };

export type PollingOptions = {
  logger: Logger;
  /** Called when polling ends by itself: Telegram refused the token (401) or another poller runs (409). */
  onFatal?: (error: unknown) => void;
  sleep?: (ms: number) => Promise<void>;
};

/** Long polling through the runner; updates of one chat are handled in order (see createBot). */
export async function startPolling(bot: Bot<BotContext>, options: PollingOptions): Promise<Running> {
  // A webhook left from an earlier webhook deployment would make getUpdates fail with 409.
  await bot.api.deleteWebhook({ drop_pending_updates: false });
  let isStopping = false;
  // A pause between retries ends at once on stop, so that stopping never waits for it.
  const wakers = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });
  // The runner has already confirmed the update to Telegram: it is kept here until the database is back.
  const handleUpdate = retryUntilHandled(bot.handleUpdate.bind(bot), {
    sleep: options.sleep ?? pause,
    isStopping: () => isStopping,
    logger: options.logger,
  });
  const handle = run(
    {
      init: () => bot.init(),
      api: bot.api,
      errorHandler: (error: BotError<BotContext>) => bot.errorHandler(error),
      handleUpdate,
    },
    { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } },
  );
  // The runner stops by itself only on 401 or 409; without this the rejection would go unhandled.
  void handle.task()?.catch((error: unknown) => {
    options.logger.fatal({ error: errorFields(error) }, "polling stopped: Telegram refused getUpdates");
    options.onFatal?.(error);
  });
  return {
    async stop() {
      isStopping = true;
      for (const wake of [...wakers]) wake();
      if (handle.isRunning()) await handle.stop();
      // The runner's stop ends the polling but not the updates in hand: wait for them (main.ts gives up
      // after 10 s), so none is cut off with the database closed under it.
      while (handle.size() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}

/** Handles an update again, with growing pauses, for as long as it fails for a reason a retry cures. */
export function retryUntilHandled(
  handle: (update: Update) => Promise<void>,
  options: { sleep?: (ms: number) => Promise<void>; isStopping?: () => boolean; logger: Logger },
): (update: Update) => Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (update) => {
    for (let waitMs = 1000; ; waitMs = Math.min(waitMs * 2, 30_000)) {
      try {
        return await handle(update);
      } catch (error) {
        // grammY wraps what the error boundary rethrows in a BotError.
        const cause = error instanceof BotError ? error.error : error;
        if (!(cause instanceof RetryUpdateError) || options.isStopping?.()) throw error;
        options.logger.warn(
          { updateId: update.update_id, retryInMs: waitMs },
          `${cause.reason}: update kept`,
        );
        await sleep(waitMs);
      }
    }
  };
}
