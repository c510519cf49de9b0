import { startApp } from "./app";
import { configFromEnvironment } from "./config";
import { DataDirBusyError } from "./db/data-dir-lock";
import { createLogger, errorFields } from "./logger";
import { installCrashHandlers } from "./run/crash";

// Reads the configuration once and installs the signal handlers.
const parsed = configFromEnvironment();
if (!parsed.ok) {
  for (const line of parsed.errors) process.stderr.write(`${line}\n`);
  process.exit(1);
}
const { config } = parsed;
const logger = createLogger(config.logLevel);

// Stopping waits up to 8 s for the updates in hand (src/run/polling.ts WORK_IN_HAND_LIMIT_MS), leaves the
// rest unconfirmed for Telegram to deliver again, then stops the outbox and closes the database. Past
// this, something is stuck: exit anyway.
const SHUTDOWN_GRACE_MS = 20_000;

// Until the bot runs, an uncaught exception has nothing to finish: exit for the supervisor.
let stopForRestart: () => void = () => process.exit(1);
installCrashHandlers(process, logger, () => stopForRestart());

try {
  const app = await startApp(config, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: finishing the updates in hand");
    setTimeout(() => {
      logger.error("did not stop within 20 s; exiting");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.stop().then(
      () => process.exit(process.exitCode ?? 0),
      (error: unknown) => {
        logger.error({ error: errorFields(error) }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  stopForRestart = () => {
    process.exitCode = 1;
    shutdown("uncaughtException");
  };
} catch (error) {
  if (error instanceof DataDirBusyError) process.stderr.write(`${error.message}\n`);
  else {
    const e = error as Error & { error_code?: number };
    if (e.error_code === 401 || e.error_code === 404)
      process.stderr.write(
        "Telegram refused BOT_TOKEN: check the token from @BotFather (and TELEGRAM_API_ROOT if set)\n",
      );
    // Start-up errors carry no personal data (no update was handled yet), and the message is what an
    // operator needs; connection strings are redacted by postgres.js itself.
    else logger.fatal({ error: { ...errorFields(e), message: e.message } }, "could not start");
  }
  process.exit(1);
}
