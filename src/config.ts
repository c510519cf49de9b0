import { z } from "zod";

/**
 * The one place that reads configuration. `parseConfig` is pure: it takes the environment as a plain
 * object and returns either a config or one line per problem, each naming the variable and what to do.
 * Secrets never appear in those lines.
 */

const LOCALES = ["fr", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const SUPPORTED_LOCALES: readonly Locale[] = LOCALES;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** auto: readable lines when stdout is a terminal, JSON lines otherwise (a service manager, a pipe). */
const LOG_FORMATS = ["auto", "pretty", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const port = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number between 1 and 65535` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be between 1 and 65535`)
    .max(65535, `${name} must be between 1 and 65535`);

const TOKEN_PATTERN = /^\d{3,}:[A-Za-z0-9_-]{30,}$/;

export const DEFAULT_RETENTION_DAYS = 30;

const ENCRYPTION_KEY_PATTERN = /^([A-Za-z0-9_-]{43}=?|[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64})$/;

/** "key1,key2" → ["key1", "key2"], each checked by `key`. */
function keyList(key: z.ZodString) {
  return z
    .string()
    .transform((text) =>
      text
        .split(",")
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .pipe(z.array(key))
    .default([]);
}

const base = z.object({
  BOT_TOKEN: z
    .string({ error: "BOT_TOKEN is required: create a bot with @BotFather and set BOT_TOKEN=<its token>" })
    .trim()
    .min(1, "BOT_TOKEN is required: create a bot with @BotFather and set BOT_TOKEN=<its token>")
    .regex(
      TOKEN_PATTERN,
      "BOT_TOKEN does not look like a @BotFather token (digits, a colon, then ~35 letters)",
    ),
  TELEGRAM_API_ROOT: z
    .url({ error: "TELEGRAM_API_ROOT must be a URL such as http://127.0.0.1:8081 (or leave it unset)" })
    .transform((url) => url.replace(/\/+$/, ""))
    .default("https://api.telegram.org"),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(
      /^postgres(ql)?:\/\//,
      "DATABASE_URL must start with postgres:// (or leave it unset to use the embedded database)",
    )
    .optional(),
  DATA_DIR: z.string().trim().min(1, "DATA_DIR must be a folder path (default ./data)").default("./data"),
  PSEUDONYM_KEY: z
    .string()
    .trim()
    .min(32, "PSEUDONYM_KEY must be at least 32 characters: generate one with `openssl rand -base64 32`")
    .optional(),
  ENCRYPTION_KEY: z
    .string()
    .trim()
    .regex(
      ENCRYPTION_KEY_PATTERN,
      "ENCRYPTION_KEY must be 32 bytes in base64 or hex: generate one with `openssl rand -base64 32`",
    )
    .optional(),
  // During a key rotation, the keys being replaced (comma-separated): still accepted, never used to write.
  PSEUDONYM_KEY_PREVIOUS: keyList(
    z.string().min(32, "PSEUDONYM_KEY_PREVIOUS must list keys of at least 32 characters, comma-separated"),
  ),
  ENCRYPTION_KEY_PREVIOUS: keyList(
    z
      .string()
      .regex(
        ENCRYPTION_KEY_PATTERN,
        "ENCRYPTION_KEY_PREVIOUS must list 32-byte keys in base64 or hex, comma-separated",
      ),
  ),
  ESCALATION_MINUTES: z.coerce
    .number({ error: "ESCALATION_MINUTES must be a number of minutes" })
    .int("ESCALATION_MINUTES must be a whole number of minutes")
    .min(1, "ESCALATION_MINUTES must be between 1 and 1440")
    .max(1440, "ESCALATION_MINUTES must be between 1 and 1440")
    .default(10),
  REQUEST_EXPIRY_HOURS: z.coerce
    .number({ error: "REQUEST_EXPIRY_HOURS must be a number of hours" })
    .int("REQUEST_EXPIRY_HOURS must be a whole number of hours")
    .min(1, "REQUEST_EXPIRY_HOURS must be between 1 and 720")
    .max(720, "REQUEST_EXPIRY_HOURS must be between 1 and 720")
    .default(72),
  RETENTION_DAYS: z.coerce
    .number({ error: "RETENTION_DAYS must be a number of days" })
    .int("RETENTION_DAYS must be a whole number of days")
    .min(1, "RETENTION_DAYS must be between 1 and 365")
    .max(365, "RETENTION_DAYS must be between 1 and 365")
    .default(DEFAULT_RETENTION_DAYS),
  DEFAULT_LOCALE: z.enum(LOCALES, { error: "DEFAULT_LOCALE must be fr or en" }).default("fr"),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}` })
    .default("info"),
  LOG_FORMAT: z
    .enum(LOG_FORMATS, { error: `LOG_FORMAT must be one of ${LOG_FORMATS.join(", ")}` })
    .default("auto"),
  TELEGRAM_TIMEOUT_SECONDS: z.coerce
    .number({ error: "TELEGRAM_TIMEOUT_SECONDS must be a number of seconds" })
    .int("TELEGRAM_TIMEOUT_SECONDS must be a whole number of seconds")
    .min(1, "TELEGRAM_TIMEOUT_SECONDS must be between 1 and 120")
    .max(120, "TELEGRAM_TIMEOUT_SECONDS must be between 1 and 120")
    .default(10),
  STARTUP_RETRY_SECONDS: z.coerce
    .number({ error: "STARTUP_RETRY_SECONDS must be a number of seconds (0: retry for ever)" })
    .int("STARTUP_RETRY_SECONDS must be a whole number of seconds (0: retry for ever)")
    .min(0, "STARTUP_RETRY_SECONDS must be between 0 (retry for ever) and 86400")
    .max(86_400, "STARTUP_RETRY_SECONDS must be between 0 (retry for ever) and 86400")
    .default(120),
  // Several instances: how long one keeps an update in hand before another may take it over (it died).
  UPDATE_LEASE_SECONDS: z.coerce
    .number({ error: "UPDATE_LEASE_SECONDS must be a number of seconds" })
    .int("UPDATE_LEASE_SECONDS must be a whole number of seconds")
    .min(5, "UPDATE_LEASE_SECONDS must be between 5 and 3600")
    .max(3_600, "UPDATE_LEASE_SECONDS must be between 5 and 3600")
    .default(60),
});

const polling = base.extend({
  BOT_MODE: z.literal("polling"),
  // Webhook mode serves /healthz on PORT already; polling mode has no server unless asked for one.
  HEALTH_PORT: port("HEALTH_PORT").optional(),
  HEALTH_HOST: z
    .string()
    .trim()
    .min(1, "HEALTH_HOST must be an address such as 127.0.0.1")
    .default("127.0.0.1"),
});
const webhook = base.extend({
  BOT_MODE: z.literal("webhook"),
  WEBHOOK_URL: z
    .url({
      protocol: /^https$/,
      error: "WEBHOOK_URL is required in webhook mode: the public https:// address Telegram will call",
    })
    .refine((value) => value.startsWith("https://"), "WEBHOOK_URL must start with https://"),
  WEBHOOK_SECRET: z
    .string({
      error:
        "WEBHOOK_SECRET is required in webhook mode: 16 to 256 letters, digits, _ or - (openssl rand -hex 32)",
    })
    .regex(
      /^[A-Za-z0-9_-]{16,256}$/,
      "WEBHOOK_SECRET must be 16 to 256 letters, digits, _ or - (openssl rand -hex 32)",
    ),
  PORT: port("PORT").default(8080),
});

/** Every variable the bot reads, in both modes (`.env.example` is held to this list by a test). */
export const CONFIG_VARIABLES: readonly string[] = [
  ...new Set([...Object.keys(polling.shape), ...Object.keys(webhook.shape)]),
];

const schema = z.discriminatedUnion("BOT_MODE", [polling, webhook], {
  error: "BOT_MODE must be polling or webhook",
});

export type Config = {
  botToken: string;
  telegramApiRoot: string;
  databaseUrl: string | undefined;
  dataDir: string;
  pseudonymKey: string | undefined;
  encryptionKey: string | undefined;
  /** Keys being rotated out: read, never written with. */
  previousPseudonymKeys: string[];
  previousEncryptionKeys: string[];
  defaultLocale: Locale;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: LogFormat;
  /** No Bot API call on a person's path (or at start-up) waits longer than this. */
  telegramTimeoutSeconds: number;
  /** How long start-up keeps trying to reach Telegram before exiting with 1; 0: for ever. */
  startupRetrySeconds: number;
  /** UPDATE_LEASE_SECONDS: an update in hand by an instance that died is taken over after this. */
  updateLeaseSeconds: number;
  /** Unclaimed this long: the workers on call are reminded; twice as long: the whole team is told. */
  escalationMinutes: number;
  /** Requests nobody closed end by themselves after this long. */
  requestExpiryHours: number;
  /** Ended requests and everything said in them are deleted this long after they end. */
  retentionDays: number;
  mode:
    | { kind: "polling"; health?: { port: number; host: string } }
    | { kind: "webhook"; url: string; secret: string; port: number };
};

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  // Empty strings count as unset: `FOO= npm start` should behave like leaving FOO out.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = schema.safeParse({ BOT_MODE: "polling", ...cleaned });
  if (!parsed.success) {
    const errors = [...new Set(parsed.error.issues.map((issue) => issue.message))];
    return { ok: false, errors };
  }
  const e = parsed.data;
  if (e.DATABASE_URL) {
    const missing = [
      ...(e.PSEUDONYM_KEY ? [] : ["PSEUDONYM_KEY"]),
      ...(e.ENCRYPTION_KEY ? [] : ["ENCRYPTION_KEY"]),
    ].map(
      (name) =>
        `${name} is required with DATABASE_URL: generate one with \`openssl rand -base64 32\` and keep it safe`,
    );
    if (missing.length > 0) return { ok: false, errors: missing };
  }
  return {
    ok: true,
    config: {
      botToken: e.BOT_TOKEN,
      telegramApiRoot: e.TELEGRAM_API_ROOT,
      databaseUrl: e.DATABASE_URL,
      dataDir: e.DATA_DIR,
      pseudonymKey: e.PSEUDONYM_KEY,
      encryptionKey: e.ENCRYPTION_KEY,
      previousPseudonymKeys: e.PSEUDONYM_KEY_PREVIOUS,
      previousEncryptionKeys: e.ENCRYPTION_KEY_PREVIOUS,
      defaultLocale: e.DEFAULT_LOCALE,
      logLevel: e.LOG_LEVEL,
      logFormat: e.LOG_FORMAT,
      telegramTimeoutSeconds: e.TELEGRAM_TIMEOUT_SECONDS,
      startupRetrySeconds: e.STARTUP_RETRY_SECONDS,
      updateLeaseSeconds: e.UPDATE_LEASE_SECONDS,
      escalationMinutes: e.ESCALATION_MINUTES,
      requestExpiryHours: e.REQUEST_EXPIRY_HOURS,
      retentionDays: e.RETENTION_DAYS,
      mode:
        e.BOT_MODE === "webhook"
          ? { kind: "webhook", url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET, port: e.PORT }
          : {
              kind: "polling",
              ...(e.HEALTH_PORT ? { health: { port: e.HEALTH_PORT, host: e.HEALTH_HOST } } : {}),
            },
    },
  };
}

/** What the admin command line needs: the database, never the bot token. */
export type StorageConfig = Pick<
  Config,
  | "databaseUrl"
  | "dataDir"
  | "pseudonymKey"
  | "encryptionKey"
  | "previousPseudonymKeys"
  | "previousEncryptionKeys"
  | "logLevel"
  | "logFormat"
>;

const storageSchema = base.pick({
  DATABASE_URL: true,
  DATA_DIR: true,
  PSEUDONYM_KEY: true,
  ENCRYPTION_KEY: true,
  PSEUDONYM_KEY_PREVIOUS: true,
  ENCRYPTION_KEY_PREVIOUS: true,
  LOG_LEVEL: true,
  LOG_FORMAT: true,
});

export function parseStorageConfig(
  env: Record<string, string | undefined>,
): { ok: true; config: StorageConfig } | { ok: false; errors: string[] } {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = storageSchema.safeParse(cleaned);
  if (!parsed.success)
    return { ok: false, errors: [...new Set(parsed.error.issues.map((issue) => issue.message))] };
  return {
    ok: true,
    config: {
      databaseUrl: parsed.data.DATABASE_URL,
      dataDir: parsed.data.DATA_DIR,
      pseudonymKey: parsed.data.PSEUDONYM_KEY,
      encryptionKey: parsed.data.ENCRYPTION_KEY,
      previousPseudonymKeys: parsed.data.PSEUDONYM_KEY_PREVIOUS,
      previousEncryptionKeys: parsed.data.ENCRYPTION_KEY_PREVIOUS,
      logLevel: parsed.data.LOG_LEVEL,
      logFormat: parsed.data.LOG_FORMAT,
    },
  };
}

/** The only reads of the process environment: main and the admin command line call these once. */
export const configFromEnvironment = (): ConfigResult => parseConfig(process.env);
export const storageConfigFromEnvironment = () => parseStorageConfig(process.env);
