import { autoRetry } from "@grammyjs/auto-retry";
import { HttpError, type Transformer } from "grammy";

/**
 * What keeps a Bot API call from waiting without end. grammY's own limit is 500 s per call, and
 * auto-retry retries a network error for ever (its maxRetryAttempts counts 429s and 5xx only), so
 * during a Telegram outage a person would wait as long as the outage lasted. Here:
 * - every call but getUpdates ends after `timeoutSeconds` (getUpdates long-polls for 30 s and has
 *   the client's own limit, LONG_POLL_LIMIT_SECONDS);
 * - a 429 or a 5xx is retried 3 times, waiting at most 30 s each (auto-retry);
 * - a network error is retried twice, 1 then 2 s later, unless the call timed out: Telegram may have
 *   received it, and sending again could send a message twice. getUpdates, on which nobody waits, is
 *   retried for as long as the network is down, at most 30 s apart, so polling resumes soon after an
 *   outage (auto-retry's own pauses grow to an hour), quietly (the runner would print each error).
 */

export const DEFAULT_CALL_TIMEOUT_SECONDS = 10;
/** The limit of the client itself, which getUpdates (30 s of long polling) has to fit under. */
export const LONG_POLL_LIMIT_SECONDS = 60;
const NETWORK_RETRY_PAUSES_MS = [1_000, 2_000];
const LONG_POLL_MAX_PAUSE_MS = 30_000;
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
  return [
    callTimeout(timeoutSeconds),
    autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30, rethrowHttpErrors: true }),
    retryNetworkErrors(networkRetryPause),
  ];
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

/** How long to wait before retrying `method` after its `attempt`-th network error (from 0); none: give up. */
export function networkRetryPause(method: string, attempt: number): number | undefined {
  if (LONG_POLLING.has(method)) return Math.min(1_000 * 2 ** attempt, LONG_POLL_MAX_PAUSE_MS);
  return NETWORK_RETRY_PAUSES_MS[attempt];
}

export function retryNetworkErrors(
  pauseAfter: (method: string, attempt: number) => number | undefined,
): Transformer {
  return async (prev, method, payload, signal) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (error) {
        const pause = pauseAfter(method, attempt);
        const retry =
          error instanceof HttpError &&
          !(error instanceof CallTimeoutError) &&
          pause !== undefined &&
          !signal?.aborted;
        if (!retry) throw error;
        await pauseUnlessAborted(pause, signal as AbortSignal | undefined);
      }
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
