import { type Api, GrammyError, HttpError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { CallTimeoutError, pauseUnlessAborted } from "../bot/api-limits";
import type { Logger } from "../logger";

/**
 * Start-up's first call to Telegram (getMe), which tells a wrong token from a network that is down.
 * A refused token stops at once: waiting does not mend it. Anything else (no connection, no answer in
 * time, a 5xx or a 429) is said in one line with what to check, then retried with growing pauses, each
 * logged, for `retryForSeconds` (0: for ever); then start-up gives up and the process exits with 1, so
 * the service manager's restart policy and its status show it.
 */

export class TokenRefusedError extends Error {
  constructor() {
    super("Telegram refused BOT_TOKEN: check the token from @BotFather (and TELEGRAM_API_ROOT if set)");
    this.name = "TokenRefusedError";
  }
}

export class TelegramUnreachableError extends Error {
  constructor(where: string, attempts: number, seconds: number, reason: string) {
    super(
      `gave up reaching Telegram at ${where} after ${attempts} attempts over ${seconds} s (last: ${reason}); exiting with 1 (STARTUP_RETRY_SECONDS sets how long to try, 0 for ever)`,
    );
    this.name = "TelegramUnreachableError";
  }
}

export type ReachOptions = {
  apiRoot: string;
  /** 0: keep trying for ever. */
  retryForSeconds: number;
  logger: Logger;
  signal?: AbortSignal;
  /** Test seams: the clock and the pause between attempts. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

const FIRST_PAUSE_MS = 1_000;
const MAX_PAUSE_MS = 30_000;

export async function reachTelegram(api: Api, options: ReachOptions): Promise<UserFromGetMe> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? pauseUnlessAborted;
  const where = publicOrigin(options.apiRoot);
  const started = now();
  for (
    let attempt = 1, pauseMs = FIRST_PAUSE_MS;
    ;
    attempt++, pauseMs = Math.min(pauseMs * 2, MAX_PAUSE_MS)
  ) {
    options.signal?.throwIfAborted();
    try {
      return await api.getMe(options.signal as Parameters<Api["getMe"]>[0]);
    } catch (error) {
      options.signal?.throwIfAborted();
      if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404))
        throw new TokenRefusedError();
      const reason = describeFailure(error);
      const elapsedMs = now() - started;
      if (options.retryForSeconds > 0 && elapsedMs + pauseMs > options.retryForSeconds * 1000)
        throw new TelegramUnreachableError(where, attempt, Math.round(elapsedMs / 1000), reason);
      const until = options.retryForSeconds > 0 ? `for up to ${options.retryForSeconds} s` : "for ever";
      if (attempt === 1)
        options.logger.error(
          { reason, retryInMs: pauseMs },
          `cannot reach Telegram at ${where}: ${reason}. Check this machine's network (DNS, firewall, proxy) and TELEGRAM_API_ROOT; retrying ${until}`,
        );
      else
        options.logger.warn(
          { attempt, reason, retryInMs: pauseMs },
          `Telegram still unreachable: ${reason}; attempt ${attempt + 1} in ${pauseMs / 1000} s`,
        );
      await sleep(pauseMs, options.signal);
    }
  }
}

/** What went wrong, in words an operator can act on; never a message that could quote a payload. */
export function describeFailure(error: unknown): string {
  if (error instanceof CallTimeoutError) return `no answer within ${error.seconds} s`;
  if (error instanceof GrammyError)
    return error.error_code === 429 ? "Telegram asks to wait (429)" : `Telegram answered ${error.error_code}`;
  if (error instanceof HttpError) {
    const code = causeCode(error.error);
    return code ? `no connection (${code})` : "no connection";
  }
  return error instanceof Error ? error.name : "unknown error";
}

function causeCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** The Bot API server's scheme, host and port: a path or credentials in TELEGRAM_API_ROOT stay out of logs. */
function publicOrigin(apiRoot: string): string {
  try {
    return new URL(apiRoot).origin;
  } catch {
    return "TELEGRAM_API_ROOT";
  }
}
