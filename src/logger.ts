import pino, { type DestinationStream, type Logger } from "pino";
import { type PrettyOptions, prettyFactory } from "pino-pretty";

export type { Logger };
export type LogFormat = "auto" | "pretty" | "json";

const REDACTED_PATHS = [
  "token",
  "botToken",
  "*.token",
  "*.botToken",
  "text",
  "*.text",
  "from",
  "*.from",
  "chat",
  "*.chat",
  "location",
  "*.location",
  "secret",
  "*.secret",
  "databaseUrl",
  "*.databaseUrl",
];

/**
 * Structured logs with listed fields only. Message text, names, usernames, ids, locations and tokens
 * are never passed to the logger; the redaction below is a second net in case a payload slips in.
 *
 * `pretty` lines are made from the JSON line pino has already redacted, in this thread and written
 * synchronously (no transport worker, so nothing is lost when the process exits at once); `auto` is
 * pretty on a terminal and JSON otherwise (a service manager, a pipe, a log collector).
 */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  format: LogFormat = "json",
): Logger {
  const pretty =
    format === "pretty" || (format === "auto" && destination === undefined && process.stdout.isTTY);
  let stream = destination;
  if (pretty) {
    const out = destination ?? pino.destination({ dest: 1, sync: true });
    const toLine = prettyFactory(prettyOptions(destination === undefined && process.stdout.isTTY === true));
    stream = { write: (line: string) => out.write(toLine(line)) };
  }
  return pino({ level, base: undefined, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } }, stream);
}

/** One JSON log line as the pretty output shows it (the tests hold both outputs to the same rules). */
export const prettyLine: (jsonLine: string) => string = prettyFactory(prettyOptions(false));

function prettyOptions(colorize: boolean): PrettyOptions {
  return {
    colorize,
    translateTime: "SYS:HH:MM:ss",
    ignore: "highlight",
    singleLine: true,
    // A line the operator must not miss (the example directory, the first coordinator's link) stands
    // apart from the others, framed and bold.
    messageFormat: (log, messageKey, _level, { colors }) => {
      const message = String(log[messageKey] ?? "");
      if (log.highlight !== true) return message;
      const rule = "━".repeat(Math.min(message.length, 100));
      return colors.bold(`\n${rule}\n${message}\n${rule}\n`);
    },
  };
}

/**
 * What may be logged about an error: its name and its code (SQL state, Telegram error code). Messages
 * are left out on purpose: a database error quotes the query's parameters, a Telegram error can quote
 * what was sent.
 */
export function errorFields(error: unknown): { name: string; code?: string | number } {
  if (!(error instanceof Error)) return { name: typeof error };
  const e = error as Error & { code?: unknown; error_code?: unknown; cause?: unknown };
  const code = e.error_code ?? e.code ?? (e.cause as { code?: unknown } | undefined)?.code;
  return { name: e.name, ...(typeof code === "string" || typeof code === "number" ? { code } : {}) };
}
