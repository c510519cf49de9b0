import type { Update } from "grammy/types";

/** Update factories: a person in a private chat, by default French-speaking. */
let nextUpdateId = 1000;
let nextMessageId = 5000;

export type Person = { id: number; languageCode?: string; firstName?: string; username?: string };

export const FRENCH: Person = {
  id: 1_000_001,
  languageCode: "fr",
  firstName: "Canari",
  username: "canari_secret",
};
export const ENGLISH: Person = {
  id: 1_000_002,
  languageCode: "en-CA",
  firstName: "Robin",
  username: "robin_secret",
};

function from(person: Person) {
  return {
    id: person.id,
    is_bot: false,
    first_name: person.firstName ?? "Someone",
    ...(person.username ? { username: person.username } : {}),
    ...(person.languageCode ? { language_code: person.languageCode } : {}),
  };
}

function privateChat(person: Person) {
  return { id: person.id, type: "private" as const, first_name: person.firstName ?? "Someone" };
}

function baseMessage(person: Person) {
  return { message_id: nextMessageId++, date: 1_790_000_000, chat: privateChat(person), from: from(person) };
}

export function textUpdate(person: Person, text: string): Update {
  const entities = text.startsWith("/")
    ? [{ type: "bot_command" as const, offset: 0, length: text.split(/\s/)[0]?.length ?? text.length }]
    : undefined;
  return {
    update_id: nextUpdateId++,
    message: { ...baseMessage(person), text, ...(entities ? { entities } : {}) },
  } as Update;
}

export function locationUpdate(person: Person, latitude: number, longitude: number): Update {
  return {
    update_id: nextUpdateId++,
    message: { ...baseMessage(person), location: { latitude, longitude } },
  } as Update;
}

export function messageUpdate(person: Person, extra: Record<string, unknown>): Update {
  return { update_id: nextUpdateId++, message: { ...baseMessage(person), ...extra } } as Update;
}

export function callbackUpdate(person: Person, data: string): Update {
  return {
    update_id: nextUpdateId++,
    callback_query: {
      id: String(nextUpdateId),
      from: from(person),
      chat_instance: "ci",
      data,
      message: { message_id: 1, date: 1_790_000_000, chat: privateChat(person), text: "…" },
    },
  } as Update;
}

export function groupCommandUpdate(person: Person, text: string): Update {
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: 1_790_000_000,
      chat: { id: -100123, type: "supergroup", title: "Équipe" },
      from: from(person),
      text,
      entities: [{ type: "bot_command", offset: 0, length: text.length }],
    },
  } as Update;
}

export function groupCallbackUpdate(person: Person, data: string, chatId = -100123): Update {
  return {
    update_id: nextUpdateId++,
    callback_query: {
      id: String(nextUpdateId),
      from: from(person),
      chat_instance: "group",
      data,
      message: {
        message_id: 1,
        date: 1_790_000_000,
        chat: { id: chatId, type: "supergroup", title: "Équipe" },
        text: "…",
      },
    },
  } as Update;
}

/** `@bot <query>` typed in any chat. */
export function inlineQueryUpdate(person: Person, query: string, offset = ""): Update {
  return {
    update_id: nextUpdateId++,
    inline_query: { id: `iq${nextUpdateId}`, from: from(person), query, offset, chat_type: "group" },
  } as Update;
}
