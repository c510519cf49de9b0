import { InlineKeyboard } from "grammy";
import { callbackData } from "../../bot/callback-data";
import type { Translations } from "../../bot/i18n";
import { nicknameOf } from "./notices";
import type { Request } from "./queries";

/**
 * What a peer helper reads about a request they relay. A peer may relay for several people at once, so
 * every message about one of those requests starts with its nickname, and a worker's words come with a
 * button to answer that very request.
 */
type Relayed = Pick<Request, "relayedByMemberId" | "locale" | "nicknameAnimal" | "nicknameColour">;

export function isRelayed(request: Pick<Request, "relayedByMemberId">): boolean {
  return request.relayedByMemberId !== null;
}

/** A message to "the person" of a relayed request goes to the peer: say which request it is about. */
export function tagForPeer(
  translations: Translations,
  request: Relayed,
  payload: Record<string, unknown>,
): Record<string, unknown> {
  if (request.relayedByMemberId === null) return payload;
  const t = translations.forLocale(request.locale);
  const tag = t("peers.tag", { nickname: nicknameOf(request as Request, { t, locale: request.locale }) });
  const key =
    typeof payload.text === "string" ? "text" : typeof payload.caption === "string" ? "caption" : null;
  if (key === null) return payload;
  const limit = key === "text" ? 4096 : 1024;
  // Plain text and HTML alike: the tag holds no markup characters once the nickname is escaped.
  return { ...payload, [key]: `${tag}\n${String(payload[key])}`.slice(0, limit) };
}

/** The "answer this request" button under a worker's words to a peer. */
export function peerReplyKeyboard(translations: Translations, request: Request): InlineKeyboard {
  const t = translations.forLocale(request.locale);
  return new InlineKeyboard().text(
    t("peers.reply", { nickname: nicknameOf(request, { t, locale: request.locale }) }),
    callbackData.peerFocus(request.id),
  );
}
