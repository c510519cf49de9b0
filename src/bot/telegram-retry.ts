import { HttpError, type Transformer } from "grammy";

/**
 * Retries a Bot API call in place, so that one failing call does not replay the whole update (which would
 * send its earlier messages again): a 429 after its `retry_after` (up to `maxRetryAfterSeconds`, a few
 * times), a 5xx or a network error after a short pause that grows to 3 s at most, for `giveUpAfterMs`.
 * The pauses stay short on purpose: once Telegram is back, a person waits 3 s at most for the answer
 * (@grammyjs/auto-retry doubles from 3 s, so an answer could come 12 s or more after an outage ended).
 * A network error may hide a message Telegram took: sending it again is the one duplicate that cannot be
 * avoided. What is still failing after that is thrown to the error boundary.
 */
export type TelegramRetryOptions = {
  maxRetryAfterSeconds?: number;
  maxRateLimits?: number;
  giveUpAfterMs?: number;
};

const MAX_PAUSE_MS = 3_000;
const FIRST_PAUSE_MS = 500;

export const pauseAfter = (failures: number) => Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** failures);

export function telegramRetry(options: TelegramRetryOptions = {}): Transformer {
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 30;
  const maxRateLimits = options.maxRateLimits ?? 3;
  const giveUpAfterMs = options.giveUpAfterMs ?? 20_000;
  return async (prev, method, payload, signal) => {
    const started = Date.now();
    let failures = 0;
    let rateLimits = 0;
    for (;;) {
      const late = () => Date.now() - started >= giveUpAfterMs;
      let result: Awaited<ReturnType<typeof prev>>;
      try {
        result = await prev(method, payload, signal);
      } catch (error) {
        // A call that timed out may have been taken: sending it again could send a message twice.
        if (!(error instanceof HttpError) || error.name === "CallTimeoutError" || signal?.aborted || late())
          throw error;
        await pause(pauseAfter(failures++), signal);
        continue;
      }
      if (result.ok) return result;
      const retryAfter = result.parameters?.retry_after;
      if (typeof retryAfter === "number") {
        if (retryAfter > maxRetryAfter || rateLimits++ >= maxRateLimits) return result;
        await pause(retryAfter * 1000, signal);
        continue;
      }
      if (result.error_code >= 500 && !late()) {
        await pause(pauseAfter(failures++), signal);
        continue;
      }
      return result;
    }
  };
}

/** grammY's own AbortSignal type (a polyfill's) is not the platform's: only what is used here. */
type Abortable = {
  aborted: boolean;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
};

function pause(ms: number, signal: Abortable | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      signal?.removeEventListener("abort", aborted);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const aborted = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", aborted);
      reject(new Error("aborted while waiting to retry"));
    };
    signal?.addEventListener("abort", aborted);
  });
}
