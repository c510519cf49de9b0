/**
 * Text people send, made safe to send on. Pure helpers: Telegram refuses a message over 4,096
 * characters or one that is not valid Unicode, and a refused relay would be a message lost.
 */
export const TELEGRAM_TEXT_LIMIT = 4096;

const LONE_SURROGATE = /\p{Cs}/gu;
const MARK = "…";
// How far back from a cut we look for a space or a line break, so words stay whole when they can.
const WORD_WINDOW = 200;

/** Replaces lone surrogates (never valid in what Telegram sends or accepts) with "�". */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

/** The longest prefix of `text` within `max` UTF-16 units that does not split an emoji's surrogate pair. */
export function safeCut(text: string, max: number): number {
  if (text.length <= max) return text.length;
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

/**
 * Splits text into messages Telegram accepts, in order, losing nothing: each cut is marked with "…" at
 * the end of one piece and the start of the next, at a space when one is near.
 */
export function splitForTelegram(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  let rest = wellFormed(text);
  const pieces: string[] = [];
  while (rest.length > 0) {
    const lead = pieces.length > 0 ? MARK : "";
    if (lead.length + rest.length <= limit) {
      pieces.push(lead + rest);
      break;
    }
    const room = limit - lead.length - MARK.length;
    let cut = safeCut(rest, room);
    const space = Math.max(rest.lastIndexOf(" ", cut - 1), rest.lastIndexOf("\n", cut - 1));
    if (space >= cut - WORD_WINDOW && space > 0) cut = space + 1;
    pieces.push(lead + rest.slice(0, cut) + MARK);
    rest = rest.slice(cut);
  }
  return pieces;
}
