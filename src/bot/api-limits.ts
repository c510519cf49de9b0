import { HttpError, type Transformer } from "grammy";
import { telegramRetry } from "./telegram-retry";

/**
 * What keeps a Bot API call from waiting without end. grammY's own limit is 500 s per call, and
 * @grammyjs/auto-retry retries a network error for ever (its maxRetryAttempts counts 429s and 5xx only),
 * so during a Telegram outage a person would wait as long as the outage lasted. Here:
 * - every call but getUpdates ends after `timeoutSeconds` (getUpdates long-polls through polling.ts's
 *   own Api, under the client's limit, LONG_POLL_LIMIT_SECONDS);
 * - a 429, a 5xx or a network error is retried in place for a short while (telegram-retry.ts), unless
 *   the call timed out: Telegram may have received it, and sending it again could send a message twice.
 */

export const DEFAULT_CALL_TIMEOUT_SECONDS = 10;
/** The limit of the client itself, which getUpdates (30 s of long polling) has to fit under. */
export const LONG_POLL_LIMIT_SECONDS = 60;
const LONG_POLLING = new Set(["getUpdates"]);

/** A call that got no answer within its limit; an HttpError so callers treat it as the network failing. */
export class CallTimeoutError extends HttpError {
  constructor(
    readonly method: string,
    readonly seconds: number,
  ) {
    super(`'${method}' got no answer within ${seconds} s`, new Error("timeout"));
    this.name = "CallTimeoutError";
  }
}

/** The transformers, innermost first, for `api.config.use(...botApiLimits(seconds))`. */
export function botApiLimits(timeoutSeconds = DEFAULT_CALL_TIMEOUT_SECONDS): Transformer[] {
  return [callTimeout(timeoutSeconds), telegramRetry()];
}

export function callTimeout(seconds: number): Transformer {
  return async (prev, method, payload, signal) => {
    if (LONG_POLLING.has(method)) return prev(method, payload, signal);
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal?.addEventListener("abort", abort);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, seconds * 1000);
    try {
      // grammY types its signal with the abort-controller shim; Node's own is what it receives.
      return await prev(method, payload, controller.signal as Parameters<typeof prev>[2]);
    } catch (error) {
      if (timedOut) throw new CallTimeoutError(method, seconds);
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", abort);
    }
  };
}

/** A pause that ends early (and the call with it) when the caller aborts: stopping never waits for it. */
export function pauseUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      if (signal?.aborted) reject(signal.reason);
      else resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}
