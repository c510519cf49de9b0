import type { UserFromGetMe } from "grammy/types";
import { reportCall } from "./forbidden-calls";
import { boundaryOf, parseMultipart } from "./multipart";

export type { UploadedFile } from "./multipart";

/**
 * A stand-in for the Bot API installed at `client.fetch`. It records every call (method and JSON
 * payload) and answers like Telegram would for the methods the bot uses.
 */
export type ApiCall = { method: string; payload: Record<string, unknown> };

export const BOT_INFO: UserFromGetMe = {
  id: 42,
  is_bot: true,
  first_name: "Perche",
  username: "PercheTestBot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

export type FakeTelegram = {
  fetch: typeof fetch;
  calls: ApiCall[];
  /** Messages and venues sent to a chat, in order. */
  sentTo(chatId: number): ApiCall[];
  textsTo(chatId: number): string[];
  /** Makes the next call to `method` (to `chatId`, if given) fail with this Telegram error. */
  failNext(method: string, errorCode: number, description: string, chatId?: number): void;
  clear(): void;
};

export function createFakeTelegram(): FakeTelegram {
  const calls: ApiCall[] = [];
  const failures = new Map<string, { errorCode: number; description: string; chatId?: number }>();
  let nextMessageId = 1;

  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = url.split("/").pop() ?? "";
    const payload = await payloadOf(init);
    calls.push({ method, payload });
    reportCall(method);
    const failure = failures.get(method);
    if (failure && (failure.chatId === undefined || failure.chatId === payload.chat_id)) {
      failures.delete(method);
      return json(
        { ok: false, error_code: failure.errorCode, description: failure.description },
        failure.errorCode,
      );
    }
    let result: unknown = true;
    if (method === "getMe") result = BOT_INFO;
    else if (method.startsWith("send")) {
      result = {
        message_id: nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: payload.chat_id, type: "private" },
        ...(typeof payload.text === "string" ? { text: payload.text } : {}),
      };
    }
    return json({ ok: true, result }, 200);
  }) as typeof fetch;

  const sentTo = (chatId: number) =>
    calls.filter((c) => c.method.startsWith("send") && c.payload.chat_id === chatId);
  return {
    fetch: fakeFetch,
    calls,
    sentTo,
    textsTo: (chatId) => sentTo(chatId).map((c) => String(c.payload.text ?? "")),
    failNext(method, errorCode, description, chatId) {
      failures.set(method, { errorCode, description, ...(chatId === undefined ? {} : { chatId }) });
    },
    clear() {
      calls.length = 0;
    },
  };
}

/**
 * The call's parameters: JSON, or multipart/form-data when grammY uploads an InputFile (see multipart.ts).
 */
async function payloadOf(init: RequestInit | undefined): Promise<Record<string, unknown>> {
  if (!init?.body) return {};
  const boundary = boundaryOf((init.headers as Record<string, string> | undefined)?.["content-type"]);
  if (!boundary) return JSON.parse(String(init.body)) as Record<string, unknown>;
  const chunks: Buffer[] = [];
  for await (const chunk of init.body as unknown as AsyncIterable<Uint8Array>)
    chunks.push(Buffer.from(chunk));
  return parseMultipart(Buffer.concat(chunks), boundary);
}

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}
