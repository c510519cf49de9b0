import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Structured logs with listed fields only. Message text, names, usernames, ids, locations and tokens
 * are never passed to the logger; the redaction below is a second net in case a payload slips in.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
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
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
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
