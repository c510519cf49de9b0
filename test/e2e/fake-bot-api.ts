import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Just enough of the Telegram Bot API, on 127.0.0.1, for `npm start` to run against it with
 * TELEGRAM_API_ROOT: getMe, the profile setters, long-polled getUpdates fed by `queueUpdate`,
 * sendMessage / sendVenue / sendPhoto (JSON, or multipart for an upload) recorded with the message
 * they returned (inline keyboard included, so a test can tap one of its buttons with
 * `callbackQueryUpdate`), and the callback answers and message edits.
 * Anything else answers 404 and is recorded.
 */

// biome-ignore lint/suspicious/noExplicitAny: Bot API payloads are free-form JSON here.
export type Payload = Record<string, any>;
export type RecordedCall = {
  method: string;
  payload: Payload;
  at: number;
  /** What the fake answered for sendMessage / sendVenue: the message as Telegram would return it. */
  result?: Payload;
};
export type Update = Payload & { update_id: number };

import { BOT_INFO as FAKE_BOT_INFO } from "../support/fake-telegram";
import { reportCall } from "../support/forbidden-calls";
import { boundaryOf, parseMultipart } from "../support/multipart";

type Waiter = { resolve: () => void; timer: NodeJS.Timeout };

export type FakeBotApi = {
  /** http://127.0.0.1:<port>, to pass as TELEGRAM_API_ROOT. */
  readonly apiRoot: string;
  /** Every method called, in order (getUpdates included). */
  readonly calls: readonly RecordedCall[];
  queueUpdate(update: Update): void;
  /** Holds the answer to the next call of `method` (recorded at once) until the returned function runs. */
  holdNext(method: string): () => void;
  /** Polls the recorded calls until one matches; rejects after timeoutMs with what was recorded. */
  waitFor(
    predicate: (call: RecordedCall, index: number) => boolean,
    timeoutMs: number,
  ): Promise<RecordedCall>;
  close(): Promise<void>;
};

const MAX_HOLD_SECONDS = 50;

export async function startFakeBotApi(token: string): Promise<FakeBotApi> {
  const calls: RecordedCall[] = [];
  const queue: Update[] = [];
  const waiting = new Set<Waiter>();
  const holds = new Map<string, Promise<void>>();
  let nextMessageId = 1000;
  let closed = false;

  const wakeAll = () => {
    for (const waiter of waiting) waiter.resolve();
  };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    if (res.writableEnded || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const ok = (res: ServerResponse, result: unknown) => reply(res, 200, { ok: true, result });

  const message = (payload: Payload, extra: Payload): Payload => ({
    message_id: nextMessageId++,
    date: Math.floor(Date.now() / 1000),
    chat: { id: Number(payload.chat_id), type: "private" },
    from: { ...FAKE_BOT_INFO },
    // Telegram gives back an inline keyboard with the message (a reply keyboard stays on the client).
    ...(payload.reply_markup?.inline_keyboard ? { reply_markup: payload.reply_markup } : {}),
    ...extra,
  });
  const sent = (res: ServerResponse, call: RecordedCall, result: Payload) => {
    call.result = result;
    ok(res, result);
  };

  const getUpdates = async (req: IncomingMessage, res: ServerResponse, payload: Payload) => {
    const offset = Number(payload.offset ?? 0);
    const timeout = Math.min(Number(payload.timeout ?? 0), MAX_HOLD_SECONDS);
    const limit = Math.max(1, Math.min(Number(payload.limit ?? 100), 100));
    const pending = () => {
      // Telegram forgets everything below the offset: that is how the bot confirms updates.
      while (queue.length > 0 && (queue[0]?.update_id ?? 0) < offset) queue.shift();
      return queue.slice(0, limit);
    };
    if (pending().length === 0 && timeout > 0 && !closed) {
      await new Promise<void>((resolve) => {
        const waiter: Waiter = {
          resolve: () => {
            clearTimeout(waiter.timer);
            waiting.delete(waiter);
            req.off("close", waiter.resolve);
            resolve();
          },
          timer: setTimeout(() => waiter.resolve(), timeout * 1000),
        };
        waiting.add(waiter);
        // The bot aborts its long poll when it stops: let go of the request then.
        req.once("close", waiter.resolve);
      });
    }
    ok(res, pending());
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!match) return reply(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    const [, requestToken, method = ""] = match;
    if (requestToken !== token)
      return reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    let payload: Payload = {};
    const body = Buffer.concat(chunks).toString("utf8");
    const boundary = boundaryOf(req.headers["content-type"]);
    // An upload (a chart's PNG) comes as multipart/form-data; everything else as JSON.
    if (boundary) payload = parseMultipart(Buffer.concat(chunks), boundary);
    else if (body.length > 0) {
      try {
        payload = JSON.parse(body) as Payload;
      } catch {
        return reply(res, 400, { ok: false, error_code: 400, description: "Bad Request: invalid JSON" });
      }
    }
    const call: RecordedCall = { method, payload, at: Date.now() };
    calls.push(call);
    reportCall(method);
    const hold = holds.get(method);
    if (hold) {
      holds.delete(method);
      await hold;
    }
    switch (method) {
      case "getMe":
        return ok(res, FAKE_BOT_INFO);
      case "deleteWebhook":
      case "setWebhook":
      case "setMyCommands":
      case "setMyDescription":
      case "setMyShortDescription":
      case "answerCallbackQuery":
      case "editMessageReplyMarkup":
      case "editMessageText":
      case "answerInlineQuery":
        return ok(res, true);
      case "getUpdates":
        return getUpdates(req, res, payload);
      case "sendMessage":
        return sent(res, call, message(payload, { text: String(payload.text ?? "") }));
      case "sendPhoto":
        return sent(
          res,
          call,
          message(payload, {
            photo: [
              { file_id: `photo-${nextMessageId}`, file_unique_id: `u${nextMessageId}`, width: 1, height: 1 },
            ],
            ...(payload.caption ? { caption: String(payload.caption) } : {}),
          }),
        );
      case "sendVenue":
        return sent(
          res,
          call,
          message(payload, {
            venue: {
              location: { latitude: payload.latitude, longitude: payload.longitude },
              title: payload.title,
              address: payload.address,
            },
          }),
        );
      default:
        return reply(res, 404, { ok: false, error_code: 404, description: "Not Found: method not found" });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      reply(res, 500, { ok: false, error_code: 500, description: `Internal: ${String(error)}` }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    queueUpdate(update) {
      queue.push(update);
      wakeAll();
    },
    holdNext(method) {
      let release = () => {};
      holds.set(
        method,
        new Promise<void>((resolve) => {
          release = resolve;
        }),
      );
      return () => release();
    },
    async waitFor(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = calls.findIndex((call, i) => predicate(call, i));
        const found = calls[index];
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = calls.map((call) => call.method).join(", ");
          throw new Error(`fake Bot API: no matching call within ${timeoutMs} ms; saw: ${seen || "nothing"}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      closed = true;
      wakeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// --- Updates, as Telegram would send them -----------------------------------------------------------

/** Someone writing to the bot in a private chat. */
export type FakeUser = { id: number; firstName: string; username?: string; languageCode?: string };

let nextUpdateId = 700_000;
let nextUserMessageId = 1;
let nextCallbackId = 1;

const userOf = (user: FakeUser) => ({
  id: user.id,
  is_bot: false,
  first_name: user.firstName,
  ...(user.username ? { username: user.username } : {}),
  ...(user.languageCode ? { language_code: user.languageCode } : {}),
});

const privateChatOf = (user: FakeUser) => ({
  id: user.id,
  type: "private",
  first_name: user.firstName,
  ...(user.username ? { username: user.username } : {}),
});

/** A message from `user` in their private chat with the bot; a leading /command gets its entity. */
export function messageUpdate(user: FakeUser, content: Payload | string): Update {
  const body =
    typeof content !== "string"
      ? content
      : content.startsWith("/")
        ? {
            text: content,
            entities: [{ type: "bot_command", offset: 0, length: content.split(" ")[0]?.length ?? 0 }],
          }
        : { text: content };
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextUserMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: privateChatOf(user),
      from: userOf(user),
      ...body,
    },
  };
}

/**
 * `user` tapping the inline button `data` under `message`, a message the bot sent to that user's chat
 * (the `result` of its sendMessage, so it carries the real message id and keyboard).
 */
export function callbackQueryUpdate(user: FakeUser, message: Payload, data: string): Update {
  return {
    update_id: nextUpdateId++,
    callback_query: {
      id: `cbq-${nextCallbackId++}`,
      from: userOf(user),
      message: { ...message, chat: { ...message.chat, ...privateChatOf(user) } },
      chat_instance: `ci-${user.id}`,
      data,
    },
  };
}

/** The callback_data of every inline button under a sent message, row by row. */
export function buttonData(payload: Payload | undefined): string[] {
  const rows: Payload[][] = payload?.reply_markup?.inline_keyboard ?? [];
  return rows
    .flat()
    .flatMap((button) => (typeof button.callback_data === "string" ? [button.callback_data] : []));
}

/** `user` typing `@bot <query>` in some chat. */
export function inlineQueryUpdate(user: FakeUser, query: string): Update {
  return {
    update_id: nextUpdateId++,
    inline_query: { id: `iq-${nextCallbackId++}`, from: userOf(user), query, offset: "", chat_type: "group" },
  };
}
