import { Api, type Bot, BotError, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../bot/context";
import { RetryUpdateError } from "../bot/retry-update";
import { pauseAfter } from "../bot/telegram-retry";
import { errorFields, type Logger } from "../logger";
import { ALLOWED_UPDATES } from "./allowed-updates";

export type Running = {
  /**
   * Stops taking updates and waits for those in hand, up to `withinMs`: what is still unfinished then is
   * left unconfirmed, for Telegram to deliver again to the next process.
   */
  stop(withinMs?: number): Promise<void>;
};

export type PollingOptions = {
  logger: Logger;
  /** Called when polling ends by itself: Telegram refused the token (401) or another poller runs (409). */
  onFatal?: (error: unknown) => void;
  sleep?: (ms: number) => Promise<void>;
};

/** How long a long poll waits at Telegram for an update. */
const LONG_POLL_SECONDS = 25;
/** With updates in hand and nothing new, how soon to ask again (new updates wait at most this long). */
const REPOLL_MS = 250;
/** By default, how long stopping waits for the updates in hand. */
export const WORK_IN_HAND_LIMIT_MS = 8_000;

/**
 * Long polling that confirms an update to Telegram only once it was handled. Telegram forgets every
 * update below the `offset` of a getUpdates call, so the offset never passes an update still in hand:
 * a kill -9 at any point leaves the unfinished ones (and at most the few finished since the last call) at
 * Telegram, which delivers them again to the next process; handling one twice makes no second request,
 * relay or notice (those are keyed on the update id). Updates are handled side by side, one chat in
 * order (see createBot's sequentialize); the ones a slow update holds back are asked for again and
 * skipped. A failed getUpdates is tried again after 0.5 s, doubling to 3 s at most and back to 0.5 s
 * after a success, so the bot answers within a few seconds of Telegram coming back.
 */
export async function startPolling(bot: Bot<BotContext>, options: PollingOptions): Promise<Running> {
  // A webhook left from an earlier webhook deployment would make getUpdates fail with 409.
  await bot.api.deleteWebhook({ drop_pending_updates: false });
  // The loop retries getUpdates itself: no transformer (retries, waits) between it and Telegram.
  const api = new Api(bot.token, { ...bot.api.options, timeoutSeconds: LONG_POLL_SECONDS + 15 });
  const { logger } = options;
  let isStopping = false;
  const aborting = new AbortController();
  const wakers = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...wakers]) wake();
  };
  // Ends early on stop (and, for `untilSettled`, when an update in hand is done).
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
  const sleep = options.sleep ?? pause;

  const handleUpdate = retryUntilHandled(bot.handleUpdate.bind(bot), {
    sleep,
    isStopping: () => isStopping,
    logger,
  });
  /** Updates being handled. */
  const inHand = new Map<number, Promise<void>>();
  /** Updates given up at stop: never confirmed, so that the next process gets them. */
  const leftOver = new Set<number>();
  /** The update id after the highest taken in hand (undefined before the first). */
  let next: number | undefined;
  const confirmable = () => {
    const open = [...inHand.keys(), ...leftOver];
    return open.length > 0 ? Math.min(...open) : next;
  };

  const take = (update: Update) => {
    const id = update.update_id;
    const work = handleUpdate(update)
      .catch((error: unknown) => {
        if (isStopping && isRetryable(error)) {
          leftOver.add(id);
          return;
        }
        logger.error({ updateId: id, error: errorFields(causeOf(error)) }, "update failed");
      })
      .finally(() => {
        inHand.delete(id);
        wakeAll();
      });
    inHand.set(id, work);
  };

  const loop = (async () => {
    let failures = 0;
    while (!isStopping) {
      let updates: Update[];
      try {
        updates = await api.getUpdates(
          {
            ...(confirmable() !== undefined ? { offset: confirmable() } : {}),
            limit: 100,
            // With updates in hand Telegram answers at once anyway (they are still unconfirmed).
            timeout: inHand.size > 0 ? 0 : LONG_POLL_SECONDS,
            allowed_updates: [...ALLOWED_UPDATES],
          },
          aborting.signal as unknown as Parameters<Api["getUpdates"]>[1],
        );
        failures = 0;
      } catch (error) {
        if (isStopping) break;
        if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 409)) {
          logger.fatal({ error: errorFields(error) }, "polling stopped: Telegram refused getUpdates");
          options.onFatal?.(error);
          return;
        }
        const retryInMs = pauseAfter(failures++);
        logger.warn({ error: errorFields(error), retryInMs }, "getUpdates failed");
        await pause(retryInMs);
        continue;
      }
      let fresh = 0;
      for (const update of updates) {
        // Below `next`: in hand or done already, sent again only because a slower one holds the offset.
        if (next !== undefined && update.update_id < next) continue;
        next = update.update_id + 1;
        fresh++;
        take(update);
      }
      if (fresh === 0 && inHand.size > 0) await pause(REPOLL_MS);
    }
  })();

  return {
    async stop(withinMs = WORK_IN_HAND_LIMIT_MS) {
      isStopping = true;
      aborting.abort();
      wakeAll();
      await loop;
      const deadline = Date.now() + withinMs;
      while (inHand.size > 0 && Date.now() < deadline)
        await Promise.race([Promise.all(inHand.values()), pause(deadline - Date.now())]);
      if (inHand.size > 0) {
        for (const id of inHand.keys()) leftOver.add(id);
        logger.warn(
          { updates: inHand.size },
          "stopped with updates in hand: Telegram will deliver them again",
        );
      }
      // Confirms what was handled since the last getUpdates, so the next process does not handle it again.
      const offset = confirmable();
      if (offset !== undefined)
        await api
          .getUpdates({ offset, limit: 1, timeout: 0, allowed_updates: [...ALLOWED_UPDATES] })
          .catch((error: unknown) =>
            logger.warn({ error: errorFields(error) }, "could not confirm the last updates"),
          );
    },
  };
}

const causeOf = (error: unknown) => (error instanceof BotError ? error.error : error);
const isRetryable = (error: unknown) => causeOf(error) instanceof RetryUpdateError;

/**
 * Handles an update again, with pauses from 0.5 s growing to 3 s, for as long as it fails for a reason a
 * retry cures (the database or Telegram out of reach, a conversation another instance moved on), unless
 * stopping. The short pauses are what brings the bot back within a few seconds of an outage's end.
 */
export function retryUntilHandled(
  handle: (update: Update) => Promise<void>,
  options: { sleep?: (ms: number) => Promise<void>; isStopping?: () => boolean; logger: Logger },
): (update: Update) => Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (update) => {
    for (let failures = 0; ; failures++) {
      try {
        return await handle(update);
      } catch (error) {
        const cause = causeOf(error);
        if (!(cause instanceof RetryUpdateError) || options.isStopping?.()) throw error;
        const retryInMs = pauseAfter(failures);
        options.logger.warn({ updateId: update.update_id, retryInMs }, `${cause.reason}: update kept`);
        await sleep(retryInMs);
      }
    }
  };
}
