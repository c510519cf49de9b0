import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type Bot, webhookCallback } from "grammy";
import type { BotContext } from "../bot/context";
import { errorFields, type Logger } from "../logger";
import { ALLOWED_UPDATES } from "./allowed-updates";
import type { Running } from "./polling";

export type WebhookOptions = { url: string; secret: string; port: number; host?: string };

/**
 * Serves Telegram's webhook (secret-token checked by grammY: a wrong or missing one gets 401) and
 * GET /healthz, which answers 200 only when the database does.
 */
export async function startWebhook(
  bot: Bot<BotContext>,
  options: WebhookOptions,
  ping: () => Promise<void>,
  logger: Logger,
): Promise<Running & { server: Server }> {
  const path = new URL(options.url).pathname || "/";
  const handleUpdate = webhookCallback(bot, "http", {
    secretToken: options.secret,
    // Past ~10 s Telegram sends the update again; answer before that and let the handler finish.
    onTimeout: "return",
    timeoutMilliseconds: 8_000,
  });

  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      logger.error({ error: errorFields(error) }, "webhook request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === "/healthz") {
      try {
        await ping();
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      } catch {
        res.writeHead(503, { "content-type": "text/plain" }).end("database unreachable");
      }
      return;
    }
    if (req.method === "POST" && url.pathname === path) {
      try {
        await handleUpdate(req, res);
      } catch (error) {
        // A body that is not JSON is the sender's fault; anything else is ours, and a 5xx makes
        // Telegram deliver the update again later.
        const status = error instanceof SyntaxError ? 400 : 500;
        if (status === 500) logger.error({ error: errorFields(error) }, "update failed in webhook");
        if (!res.headersSent) res.writeHead(status).end();
      }
      return;
    }
    res.writeHead(404).end();
  }

  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? "0.0.0.0", resolve));
  await bot.api.setWebhook(options.url, {
    secret_token: options.secret,
    allowed_updates: [...ALLOWED_UPDATES],
  });
  return {
    server,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
