import type { UserFromGetMe } from "grammy/types";

/**
 * Stand-ins for the Bot API at grammY's `client.fetch`. `instantTelegram` answers every call at once and
 * keeps nothing. `limitedTelegram` enforces Telegram's limits on a clock it is given: at most
 * `perSecond` messages in any second overall and one per chat per second, else 429 with retry_after.
 */

export type StubFetch = typeof fetch;

const okHeaders = { "content-type": "application/json" };

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: okHeaders });
}

function methodOf(input: string | URL | Request): string {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  return url.slice(url.lastIndexOf("/") + 1);
}

/** The chat id of a call, read without parsing the whole body: the stub stands for a remote server, so its
 * own work should not count against the bot's CPU (a JSON.parse of every keyboard did, 2 % of a lookup). */
function chatOf(init: RequestInit | undefined): unknown {
  if (typeof init?.body !== "string") return undefined;
  const found = /"chat_id":(-?\d+|"[^"]*")/.exec(init.body)?.[1];
  return found === undefined ? undefined : JSON.parse(found);
}

export const STUB_BOT_INFO: UserFromGetMe = {
  id: 42,
  is_bot: true,
  first_name: "Perche",
  username: "PercheBenchBot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: true,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

/** Answers at once, like a Telegram with no latency; counts calls and nothing else. */
export function instantTelegram() {
  let calls = 0;
  let nextMessageId = 1;
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    calls += 1;
    const method = methodOf(input);
    if (method === "getMe") return reply(200, { ok: true, result: STUB_BOT_INFO });
    if (method.startsWith("send") || method === "copyMessage")
      return reply(200, {
        ok: true,
        result: { message_id: nextMessageId++, date: 0, chat: { id: chatOf(init), type: "private" } },
      });
    return reply(200, { ok: true, result: true });
  }) as StubFetch;
  return { fetch, calls: () => calls };
}

/** Telegram's flood limits as a pure rule over the times of accepted messages (ms). */
export class RateLimits {
  private readonly accepted: { chat: string; at: number }[] = [];
  private readonly lastTo = new Map<string, number>();
  private start = 0;

  constructor(
    private readonly perSecond = 30,
    private readonly perChatIntervalMs = 1000,
  ) {}

  /** Undefined when accepted (and recorded), else the retry_after in seconds. */
  offer(chat: string, at: number): number | undefined {
    while (this.start < this.accepted.length && (this.accepted[this.start]?.at ?? 0) <= at - 1000)
      this.start += 1;
    const inLastSecond = this.accepted.length - this.start;
    const last = this.lastTo.get(chat);
    if (inLastSecond >= this.perSecond || (last !== undefined && at - last < this.perChatIntervalMs)) {
      const overall = inLastSecond >= this.perSecond ? (this.accepted[this.start]?.at ?? at) + 1000 - at : 0;
      const perChat = last === undefined ? 0 : last + this.perChatIntervalMs - at;
      return Math.max(1, Math.ceil(Math.max(overall, perChat) / 1000));
    }
    this.accepted.push({ chat, at });
    this.lastTo.set(chat, at);
    return undefined;
  }
}

export function limitedTelegram(clock: () => number, perSecond = 30, perChatIntervalMs = 1000) {
  const limits = new RateLimits(perSecond, perChatIntervalMs);
  const deliveredKeys = new Map<string, number>();
  let tooMany = 0;
  let delivered = 0;
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const method = methodOf(input);
    const params = typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    const chat = String(params.chat_id);
    const at = clock();
    const retryAfter = limits.offer(chat, at);
    if (retryAfter !== undefined) {
      tooMany += 1;
      return reply(429, {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfter}`,
        parameters: { retry_after: retryAfter },
      });
    }
    delivered += 1;
    firstAt ??= at;
    lastAt = at;
    // What identifies one notification: its chat and its text (each carries a distinct nickname and id).
    const key = `${method}|${chat}|${String(params.text ?? "")}|${JSON.stringify(params.reply_markup ?? null)}`;
    deliveredKeys.set(key, (deliveredKeys.get(key) ?? 0) + 1);
    return reply(200, {
      ok: true,
      result: { message_id: delivered, date: 0, chat: { id: params.chat_id, type: "private" } },
    });
  }) as StubFetch;
  return {
    fetch,
    tooMany: () => tooMany,
    delivered: () => delivered,
    duplicated: () => [...deliveredKeys.values()].reduce((sum, n) => sum + (n - 1), 0),
    firstAt: () => firstAt,
    lastAt: () => lastAt,
  };
}
