import { createServer, type Server } from "node:http";
import type { Transformer } from "grammy";
import { errorFields, type Logger } from "../logger";
import type { Running } from "./polling";

/**
 * GET /healthz in polling mode (HEALTH_PORT), for a container's HEALTHCHECK or a service monitor.
 * Healthy: the database answers, and a Bot API call succeeded lately. While polling, getUpdates
 * returns at least every 30 s, so two minutes without any success means Telegram has been out of
 * reach for a while (the bot keeps trying; the status says so meanwhile).
 */

export const TELEGRAM_STALE_AFTER_MS = 120_000;

export type Health = {
  ok: boolean;
  database: "ok" | "unreachable";
  telegram: "ok" | "stale";
  lastTelegramSuccessSecondsAgo: number | null;
};

/** Remembers when a Bot API call last succeeded: install outermost, with `api.config.use(tracker.transformer)`. */
export class TelegramSuccess {
  private lastAt: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  readonly transformer: Transformer = async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    if (result.ok) this.lastAt = this.now();
    return result;
  };

  /** Milliseconds since the last success; undefined before the first one. */
  ageMs(): number | undefined {
    return this.lastAt === undefined ? undefined : this.now() - this.lastAt;
  }
}

export async function checkHealth(ping: () => Promise<void>, telegram: TelegramSuccess): Promise<Health> {
  const database = await ping().then(
    () => "ok" as const,
    () => "unreachable" as const,
  );
  const ageMs = telegram.ageMs();
  const fresh = ageMs !== undefined && ageMs <= TELEGRAM_STALE_AFTER_MS;
  return {
    ok: database === "ok" && fresh,
    database,
    telegram: fresh ? "ok" : "stale",
    lastTelegramSuccessSecondsAgo: ageMs === undefined ? null : Math.round(ageMs / 1000),
  };
}

export async function startHealthServer(
  options: { port: number; host: string },
  ping: () => Promise<void>,
  telegram: TelegramSuccess,
  logger: Logger,
): Promise<Running & { server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "GET" || path !== "/healthz") {
      res.writeHead(404).end();
      return;
    }
    checkHealth(ping, telegram).then(
      (health) =>
        res
          .writeHead(health.ok ? 200 : 503, { "content-type": "application/json" })
          .end(JSON.stringify(health)),
      (error: unknown) => {
        logger.warn({ error: errorFields(error) }, "health check failed");
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  logger.info({ port: options.port, host: options.host }, "health at GET /healthz");
  return {
    server,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
