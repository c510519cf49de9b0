import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";

const TOKEN = `123456789:${"A".repeat(35)}`;

describe("configuration", () => {
  it("needs only BOT_TOKEN, with the documented defaults", () => {
    const result = parseConfig({ BOT_TOKEN: TOKEN });
    expect(result).toEqual({
      ok: true,
      config: {
        botToken: TOKEN,
        telegramApiRoot: "https://api.telegram.org",
        databaseUrl: undefined,
        dataDir: "./data",
        pseudonymKey: undefined,
        encryptionKey: undefined,
        previousPseudonymKeys: [],
        previousEncryptionKeys: [],
        defaultLocale: "fr",
        logLevel: "info",
        logFormat: "auto",
        telegramTimeoutSeconds: 10,
        startupRetrySeconds: 120,
        updateLeaseSeconds: 60,
        escalationMinutes: 10,
        requestExpiryHours: 72,
        retentionDays: 30,
        mode: { kind: "polling" },
      },
    });
  });

  it("serves health in polling mode only when HEALTH_PORT is set, on loopback unless told", () => {
    const health = (env: Record<string, string>) => {
      const result = parseConfig({ BOT_TOKEN: TOKEN, ...env });
      return result.ok && result.config.mode.kind === "polling" ? result.config.mode.health : result;
    };
    expect(health({ HEALTH_PORT: "8081" })).toEqual({ port: 8081, host: "127.0.0.1" });
    expect(health({ HEALTH_PORT: "8081", HEALTH_HOST: "0.0.0.0" })).toEqual({ port: 8081, host: "0.0.0.0" });
    expect(health({ HEALTH_PORT: "80000" })).toEqual({
      ok: false,
      errors: ["HEALTH_PORT must be between 1 and 65535"],
    });
  });

  it.each([
    ["TELEGRAM_TIMEOUT_SECONDS", "0", "TELEGRAM_TIMEOUT_SECONDS must be between 1 and 120"],
    ["TELEGRAM_TIMEOUT_SECONDS", "soon", "TELEGRAM_TIMEOUT_SECONDS must be a number of seconds"],
    ["STARTUP_RETRY_SECONDS", "-1", "STARTUP_RETRY_SECONDS must be between 0 (retry for ever) and 86400"],
    ["UPDATE_LEASE_SECONDS", "2", "UPDATE_LEASE_SECONDS must be between 5 and 3600"],
    ["UPDATE_LEASE_SECONDS", "3601", "UPDATE_LEASE_SECONDS must be between 5 and 3600"],
    ["UPDATE_LEASE_SECONDS", "soon", "UPDATE_LEASE_SECONDS must be a number of seconds"],
    ["LOG_FORMAT", "xml", "LOG_FORMAT must be one of auto, pretty, json"],
  ])("refuses %s=%s in one line", (name, value, error) => {
    expect(parseConfig({ BOT_TOKEN: TOKEN, [name]: value })).toEqual({ ok: false, errors: [error] });
  });

  it("says in one line what to do when BOT_TOKEN is missing", () => {
    expect(parseConfig({})).toEqual({
      ok: false,
      errors: ["BOT_TOKEN is required: create a bot with @BotFather and set BOT_TOKEN=<its token>"],
    });
  });

  it("never prints the secret it rejects", () => {
    const result = parseConfig({ BOT_TOKEN: "not-a-token-SECRETVALUE" });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("SECRETVALUE");
  });

  it("requires an https URL and a secret in webhook mode, without echoing the secret", () => {
    const result = parseConfig({ BOT_TOKEN: TOKEN, BOT_MODE: "webhook", WEBHOOK_SECRET: "short!SECRET" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.some((e) => e.startsWith("WEBHOOK_URL"))).toBe(true);
    expect(result.errors.some((e) => e.startsWith("WEBHOOK_SECRET"))).toBe(true);
    expect(JSON.stringify(result)).not.toContain("short!SECRET");
  });

  it("reads a full webhook configuration", () => {
    const result = parseConfig({
      BOT_TOKEN: TOKEN,
      BOT_MODE: "webhook",
      WEBHOOK_URL: "https://perche.example.org/telegram",
      WEBHOOK_SECRET: "a".repeat(32),
      PORT: "3000",
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
    });
    expect(result.ok && result.config.mode).toEqual({
      kind: "webhook",
      url: "https://perche.example.org/telegram",
      secret: "a".repeat(32),
      port: 3000,
    });
    expect(result.ok && result.config.telegramApiRoot).toBe("http://127.0.0.1:8081");
  });

  it("rejects an unknown mode, locale and log level by name", () => {
    const result = parseConfig({ BOT_TOKEN: TOKEN, BOT_MODE: "carrier-pigeon" });
    expect(result).toEqual({ ok: false, errors: ["BOT_MODE must be polling or webhook"] });
    const other = parseConfig({ BOT_TOKEN: TOKEN, DEFAULT_LOCALE: "de", LOG_LEVEL: "loud" });
    expect(other.ok === false && other.errors).toEqual([
      "DEFAULT_LOCALE must be fr or en",
      "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
    ]);
  });

  it("requires both keys with PostgreSQL", () => {
    const result = parseConfig({ BOT_TOKEN: TOKEN, DATABASE_URL: "postgres://localhost/perche" });
    expect(result.ok === false && result.errors.map((e) => e.split(" ")[0])).toEqual([
      "PSEUDONYM_KEY",
      "ENCRYPTION_KEY",
    ]);
    const withKeys = parseConfig({
      BOT_TOKEN: TOKEN,
      DATABASE_URL: "postgres://localhost/perche",
      PSEUDONYM_KEY: "p".repeat(40),
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    });
    expect(withKeys.ok).toBe(true);
  });

  it("refuses an encryption key of the wrong size without printing it", () => {
    const result = parseConfig({ BOT_TOKEN: TOKEN, ENCRYPTION_KEY: "tooshort-SECRET" });
    expect(result.ok === false && result.errors[0]).toMatch(/^ENCRYPTION_KEY must be 32 bytes/);
    expect(JSON.stringify(result)).not.toContain("tooshort-SECRET");
  });

  it("reads RETENTION_DAYS and refuses a retention that keeps nothing or keeps too long", () => {
    const ok = parseConfig({ BOT_TOKEN: TOKEN, RETENTION_DAYS: "7" });
    expect(ok.ok && ok.config.retentionDays).toBe(7);
    for (const value of ["0", "366", "two", "1.5"])
      expect(parseConfig({ BOT_TOKEN: TOKEN, RETENTION_DAYS: value })).toMatchObject({
        ok: false,
        errors: [expect.stringContaining("RETENTION_DAYS")],
      });
  });
});
