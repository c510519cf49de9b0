import { errorFields, type Logger } from "../logger";

/**
 * The last net under the whole process, and what it does:
 * - a promise rejected with nobody to catch it (a bug: every promise is awaited or caught) is logged and
 *   the bot keeps running. Whatever that promise was doing is not confirmed to Telegram, so an update it
 *   carried comes again;
 * - an exception nobody caught leaves the process in an unknown state: it is logged, then the bot stops
 *   as on SIGTERM (the updates in hand are finished, the database is closed) and exits with 1, so that its
 *   supervisor (systemd, Docker, Kubernetes) starts it again.
 * Either way the log carries the error's name and code only: Node's own report prints the error whole,
 * and a grammY error holds the update (a person's id, names, username, what they wrote).
 */
export function installCrashHandlers(
  target: Pick<NodeJS.Process, "on">,
  logger: Logger,
  stopForRestart: () => void,
): void {
  target.on("unhandledRejection", (reason: unknown) => {
    logger.error({ error: errorFields(innermost(reason)) }, "unhandled rejection: kept running");
  });
  target.on("uncaughtException", (error: unknown) => {
    logger.fatal({ error: errorFields(innermost(error)) }, "uncaught exception: stopping, exit code 1");
    stopForRestart();
  });
}

/** grammY's BotError carries the real error in `error` (and the update in `ctx`, never to be logged). */
function innermost(error: unknown): unknown {
  const wrapped = error as { error?: unknown; ctx?: unknown } | undefined;
  return error instanceof Error && wrapped?.ctx !== undefined && wrapped.error !== undefined
    ? wrapped.error
    : error;
}
