import { InlineKeyboard } from "grammy";
import { callbackData } from "../../bot/callback-data";
import type { Locale } from "../../config";
import type { Catalog } from "../../directory/catalog";
import { safeCut, TELEGRAM_TEXT_LIMIT } from "../../text/split";
import { type Translate, withHtml } from "../../text/translate";
import { requestNickname } from "./nickname";
import type { Request } from "./queries";

/**
 * What workers and people read about a request. Pure: the request, the reader's language and `now` in,
 * text and keyboards out. A worker sees the nickname, category, language, answer mode, area, age and
 * what the person wrote; nothing here can carry a Telegram name, username or id.
 */
export type Reader = { t: Translate; locale: Locale };

export const requestCallback = {
  claim: (id: string) => `rq:claim:${id}`,
  pass: (id: string) => `rq:pass:${id}`,
  focus: (id: string) => `rq:focus:${id}`,
  close: (id: string) => `rq:close:${id}`,
  release: (id: string) => `rq:release:${id}`,
  handOver: (id: string) => `rq:hand:${id}`,
  handTo: (id: string, memberId: number) => `rq:to:${id}:${memberId}`,
  outcome: (id: string, outcome: string) => `rq:out:${id}:${outcome}`,
  withdraw: (id: string) => `rq:withdraw:${id}`,
  add: (id: string) => `rq:add:${id}`,
};

export const OUTCOMES = ["answered", "referred", "met", "no_reply", "other"] as const;
export type Outcome = (typeof OUTCOMES)[number];

const MAX_QUOTE = 3000;

/**
 * The request's nickname, the same for every reader: the person's language decides it ("Chouette noire"
 * for a French speaker's request, to an English-speaking worker too). The reader is not needed.
 */
export function nicknameOf(
  request: Pick<Request, "nicknameAnimal" | "nicknameColour" | "locale">,
  _reader?: Reader,
): string {
  return requestNickname(request);
}

// Built once per language: an Intl object is costly to make and every notice names a language.
const languageNames = {
  fr: new Intl.DisplayNames(["fr-CA"], { type: "language" }),
  en: new Intl.DisplayNames(["en-CA"], { type: "language" }),
} satisfies Record<Locale, Intl.DisplayNames>;

function languageName(code: string, locale: Locale): string {
  return languageNames[locale].of(code) ?? code;
}

export function answerLabel(request: Request, reader: Reader, catalog: Catalog | undefined): string {
  const label = reader.t(`requests.answerModes.${request.answerMode}`);
  const site = request.meetSiteId ? catalog?.sitesById.get(request.meetSiteId) : undefined;
  return site ? `${label} (${site.name[reader.locale]})` : label;
}

export function areaLabel(request: Request, reader: Reader, catalog: Catalog | undefined): string {
  const place = request.areaPlaceId ? catalog?.placesById.get(request.areaPlaceId) : undefined;
  return place ? place.name[reader.locale] : reader.t("requests.flow.none");
}

/** The notice a worker gets (HTML). */
export function noticeText(
  request: Request,
  messages: string[],
  reader: Reader,
  catalog: Catalog | undefined,
  now: Date,
): string {
  const head = reader.t("requests.notice.new", {
    nickname: nicknameOf(request, reader),
    category: reader.t(`requests.categories.${request.category}`),
    language: languageName(request.locale, reader.locale),
    answer: answerLabel(request, reader, catalog),
    area: areaLabel(request, reader, catalog),
    minutes: Math.max(0, Math.round((now.getTime() - request.createdAt.getTime()) / 60_000)),
  });
  // Part 3 (peers): the worker knows they are talking to a peer helper, who passes the words on.
  const via = request.relayedVia ? `\n${reader.t("peers.notice.via", { alias: request.relayedVia })}` : "";
  // The latest words matter most: keep them, and the whole notice within Telegram's 4,096 characters.
  const quotes: string[] = [];
  let room = MAX_QUOTE;
  for (const message of [...messages].reverse()) {
    const quote = reader.t("requests.notice.message", {
      message: message.slice(0, safeCut(message, Math.max(0, room))),
    });
    if (room <= 0) break;
    quotes.unshift(quote);
    room -= quote.length;
  }
  if (quotes.length < messages.length) quotes.unshift("…");
  const body = messages.length > 0 ? quotes.join("\n") : reader.t("requests.notice.noMessage");
  return `${head}${via}\n\n${body}`;
}

/** The team group's notice: that someone asks and what about, with no words and no area. */
export function groupNoticeText(request: Request, reader: Reader, now: Date): string {
  return reader.t("requests.notice.group", {
    nickname: nicknameOf(request, reader),
    category: reader.t(`requests.categories.${request.category}`),
    minutes: Math.max(0, Math.round((now.getTime() - request.createdAt.getTime()) / 60_000)),
  });
}

export function noticeKeyboard(request: Request, reader: Reader): InlineKeyboard {
  return new InlineKeyboard()
    .text(reader.t("requests.notice.claim"), requestCallback.claim(request.id))
    .text(reader.t("requests.notice.pass"), requestCallback.pass(request.id));
}

export function claimedKeyboard(request: Request, reader: Reader): InlineKeyboard {
  return (
    new InlineKeyboard()
      .text(reader.t("requests.notice.reply"), requestCallback.focus(request.id))
      .row()
      .text(reader.t("requests.notice.close"), requestCallback.close(request.id))
      .text(reader.t("requests.notice.release"), requestCallback.release(request.id))
      .row()
      .text(reader.t("requests.notice.handOver"), requestCallback.handOver(request.id))
      // Part 3 (referral): to another organisation, only if the person says yes.
      .text(reader.t("referral.button"), callbackData.referPick(request.id))
  );
}

export function outcomeKeyboard(request: Request, reader: Reader): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  OUTCOMES.forEach((outcome, i) => {
    keyboard.text(reader.t(`requests.outcomes.${outcome}`), requestCallback.outcome(request.id, outcome));
    if (i % 2 === 1) keyboard.row();
  });
  return keyboard;
}

/** Relayed text goes out as plain text: no parse mode, no entities, so nothing in it can act as markup. */
export function plainText(text: string): Record<string, unknown> {
  // Past Telegram's limit the cut shows, and never halves an emoji (Telegram would refuse the message).
  const fitted =
    text.length > TELEGRAM_TEXT_LIMIT ? `${text.slice(0, safeCut(text, TELEGRAM_TEXT_LIMIT - 1))}…` : text;
  return { text: fitted, link_preview_options: { is_disabled: true } };
}

export function htmlText(text: string): Record<string, unknown> {
  return { text, parse_mode: "HTML", link_preview_options: { is_disabled: true } };
}

/**
 * The whole conversation, for the colleague a request is handed to: nobody repeats their story. Plain
 * text (callers escape it once for HTML), cut where it cannot halve an emoji.
 */
export function historyText(
  request: Request,
  messages: { author: string; memberId: number | null; body: string }[],
  aliases: Map<number, string>,
  reader: Reader,
): string {
  const nickname = nicknameOf(request, reader);
  const history = messages
    .filter((m) => m.author !== "system")
    .map((m) =>
      reader.t(
        "requests.notice.historyLine",
        withHtml({
          who: m.author === "person" ? nickname : (aliases.get(m.memberId ?? -1) ?? "?"),
          message: m.body.slice(0, safeCut(m.body, 500)),
        }),
      ),
    )
    .join("\n");
  return history.slice(0, safeCut(history, 3000));
}
