import type { ApiCall } from "./fake-telegram";

/**
 * What the real Telegram would refuse in the calls the fake one accepted: text over 4,096 characters
 * once HTML is parsed, captions over 1,024, lone surrogates anywhere, callback data over 64 bytes.
 * A refused call is a message lost, so bad-input tests check every call they caused.
 */
export function refusedByTelegram(calls: ApiCall[]): string[] {
  const problems: string[] = [];
  for (const { method, payload } of calls) {
    const html = payload.parse_mode === "HTML";
    const visible = (value: unknown) => {
      const text = String(value);
      return html ? text.replace(/<[^>]*>/g, "").replace(/&lt;|&gt;|&quot;|&amp;/g, "x") : text;
    };
    if (payload.text !== undefined && visible(payload.text).length > 4096)
      problems.push(`${method}: text of ${visible(payload.text).length}`);
    if (payload.caption !== undefined && visible(payload.caption).length > 1024)
      problems.push(`${method}: caption of ${visible(payload.caption).length}`);
    if (hasLoneSurrogate(payload)) problems.push(`${method}: lone surrogate`);
    const markup = payload.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined;
    for (const button of markup?.inline_keyboard?.flat() ?? [])
      if (button.callback_data !== undefined && Buffer.byteLength(button.callback_data) > 64)
        problems.push(`${method}: callback data of ${Buffer.byteLength(button.callback_data)} bytes`);
  }
  return problems;
}

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return /\p{Cs}/u.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value && typeof value === "object") return Object.values(value).some(hasLoneSurrogate);
  return false;
}
