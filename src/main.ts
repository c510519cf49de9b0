import { type App, startApp } from "./app";
import { configFromEnvironment } from "./config";
import { DataDirBusyError } from "./db/data-dir-lock";
import { createLogger, errorFields } from "./logger";
import { installCrashHandlers } from "./run/crash";
import { TokenRefusedError } from "./run/reach-telegram";

// Reads the configuration once and installs the signal handlers.
const parsed = configFromEnvironment();
if (!parsed.ok) {
  for (const line of parsed.errors) process.stderr.write(`${line}\n`);
  process.exit(1);
}
const { config } = parsed;
const logger = createLogger(config.logLevel, undefined, config.logFormat);

// Stopping waits up to 8 s for the updates in hand (src/run/polling.ts WORK_IN_HAND_LIMIT_MS), leaves the
// rest unconfirmed for Telegram to deliver again, then stops the outbox and closes the database. Past
// this, something is stuck: exit anyway.
const SHUTDOWN_GRACE_MS = 20_000;

// Until the bot runs, an uncaught exception has nothing to finish: exit for the supervisor.
let stopForRestart: () => void = () => process.exit(1);
installCrashHandlers(process, logger, () => stopForRestart());

// The handlers are in place before start-up, which can wait on Telegram for minutes: a signal then
// ends start-up (startApp rejects, its database closed) and the process exits with 0.
const startup = new AbortController();
let app: App | undefined;
let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping: finishing the updates in hand");
  setTimeout(() => {
    logger.error("did not stop within 20 s; exiting");
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref();
  if (app === undefined) startup.abort(new Error(`${signal} during start-up`));
  else void stopApp(app);
};
const stopApp = (running: App) =>
  running.stop().then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      logger.error({ error: errorFields(error) }, "error while stopping");
      process.exit(1);
    },
  );
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

try {
  app = await startApp(config, logger, {}, {}, startup.signal);
  // A signal that came as start-up finished its last step: stop what just started.
  if (stopping) void stopApp(app);
  stopForRestart = () => {
    process.exitCode = 1;
    shutdown("uncaughtException");
  };
} catch (error) {
  if (startup.signal.aborted) process.exit(process.exitCode ?? 0);
  if (error instanceof DataDirBusyError || error instanceof TokenRefusedError)
    process.stderr.write(`${error.message}\n`);
  else {
    const e = error as Error;
    // Start-up errors carry no personal data (no update was handled yet), and the message is what an
    // operator needs; connection strings are redacted by postgres.js itself.
    logger.fatal({ error: { ...errorFields(e), message: e.message } }, "could not start");
  }
  process.exit(1);
}
