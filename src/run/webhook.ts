import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type Bot, BotError } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../bot/context";
import { RetryUpdateError } from "../bot/retry-update";
import { errorFields, type Logger } from "../logger";
import { ALLOWED_UPDATES } from "./allowed-updates";
import { type Running, WORK_IN_HAND_LIMIT_MS } from "./polling";

// What Telegram accepts as a secret_token.
const WEBHOOK_SECRET_PATTERN = /^[A-Za-z0-9_-]{16,256}$/;

export type WebhookOptions = { url: string; secret: string; port: number; host?: string };

/**
 * Serves Telegram's webhook and GET /healthz, which answers 200 only when the database does. A request
 * without the secret token gets 401. An update is answered 200 only once it was handled, however long
 * that takes (a 429 waited out, the database slow): Telegram then forgets it. If it failed for a reason
 * a retry cures (the database or Telegram out of reach), 500, and Telegram delivers it again. If the
 * process dies first, the connection breaks and Telegram delivers it again too. (grammY's
 * webhookCallback answers on a timeout instead, before the update is handled, and lets a later failure
 * become an unhandled rejection that printed the update.)
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
  const secret = Buffer.from(options.secret);
  const inHand = new Set<Promise<void>>();

  const server = createServer((req, res) => {
    const work = route(req, res)
      .catch((error: unknown) => {
        logger.error({ error: errorFields(error) }, "webhook request failed");
        if (!res.headersSent) res.writeHead(500).end();
      })
      .finally(() => inHand.delete(work));
    inHand.add(work);
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
      if (!hasSecret(req.headers["x-telegram-bot-api-secret-token"], secret)) {
        res.writeHead(401).end("secret token is wrong");
        return;
      }
      let update: Update;
      try {
        update = parseUpdate(await readBody(req));
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        // A body that is not an update is the sender's fault.
        res.writeHead(400).end();
        return;
      }
      res.writeHead(await handleOne(update)).end();
      return;
    }
    res.writeHead(404).end();
  }

  /** 200 once handled (or failed for good: the person was told), 500 when Telegram should deliver it again. */
  async function handleOne(update: Update): Promise<number> {
    try {
      await bot.handleUpdate(update);
      return 200;
    } catch (error) {
      const cause = error instanceof BotError ? error.error : error;
      if (cause instanceof RetryUpdateError) {
        logger.warn({ updateId: update.update_id }, `${cause.reason}: update handed back to Telegram`);
        return 500;
      }
      // In webhook mode grammY's bot.catch is not called: this is the last net, by name and code only.
      logger.error({ updateId: update.update_id, error: errorFields(cause) }, "update failed");
      return 200;
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? "0.0.0.0", resolve));
  await bot.api.setWebhook(options.url, {
    secret_token: options.secret,
    allowed_updates: [...ALLOWED_UPDATES],
  });
  return {
    server,
    async stop(withinMs = WORK_IN_HAND_LIMIT_MS) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), withinMs);
      });
      const outcome = await Promise.race([Promise.all([...inHand]), late]);
      clearTimeout(timer);
      if (outcome === "late") {
        // Never answered: Telegram delivers these again, to the next process.
        logger.warn(
          { updates: inHand.size },
          "stopped with updates in hand: Telegram will deliver them again",
        );
        server.closeAllConnections();
      }
      await closed;
    },
  };
}

function hasSecret(header: string | string[] | undefined, secret: Buffer): boolean {
  const given = Buffer.from((Array.isArray(header) ? header[0] : header) ?? "");
  return given.length === secret.length && timingSafeEqual(given, secret);
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
