import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type Bot, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../bot/context";
import { errorFields, type Logger } from "../logger";
import { ALLOWED_UPDATES } from "./allowed-updates";
import type { Running } from "./polling";

// What Telegram accepts as a secret_token.
const WEBHOOK_SECRET_PATTERN = /^[A-Za-z0-9_-]{16,256}$/;

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
  // Without a secret anyone who finds the URL could post updates as Telegram: refuse to start. The
  // configuration checks this too; this is the last net, and it never quotes the value.
  if (!WEBHOOK_SECRET_PATTERN.test(options.secret))
    throw new Error("WEBHOOK_SECRET is required in webhook mode: 16 to 256 letters, digits, _ or -");
  const path = new URL(options.url).pathname || "/";
  const handleUpdate = webhookCallback(bot, nodeHttp, {
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

// Telegram's updates are a few kilobytes; anything far bigger is not from Telegram.
const MAX_BODY_BYTES = 1_000_000;

/**
 * The body of a webhook request, if it is an update: a JSON object with a whole update_id. Anything
 * else is the sender's fault and becomes a SyntaxError (answered 400), never a handled update or a 5xx.
 */
export function parseUpdate(raw: string): Update {
  const body: unknown = JSON.parse(raw);
  if (
    typeof body !== "object" ||
    body === null ||
    Array.isArray(body) ||
    !Number.isSafeInteger((body as { update_id?: unknown }).update_id)
  )
    throw new SyntaxError("not a Telegram update");
  return body as Update;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once("end", () =>
      size > MAX_BODY_BYTES
        ? reject(new SyntaxError("body too large"))
        : resolve(Buffer.concat(chunks).toString("utf-8")),
    );
    req.once("error", reject);
  });
}

/** grammY's node `http` adapter, reading the body through `parseUpdate`. The secret is checked first. */
function nodeHttp(req: IncomingMessage, res: ServerResponse) {
  const header = req.headers["x-telegram-bot-api-secret-token"];
  return {
    get update() {
      return readBody(req).then(parseUpdate);
    },
    header: Array.isArray(header) ? header[0] : header,
    end: () => res.end(),
    respond: (json: string) => res.writeHead(200, { "content-type": "application/json" }).end(json),
    unauthorized: () => res.writeHead(401).end("secret token is wrong"),
  };
}
