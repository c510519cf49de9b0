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
