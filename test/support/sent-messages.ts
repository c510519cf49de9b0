import type { ApiCall, FakeTelegram } from "./fake-telegram";

/**
 * What the fake Telegram sent, each with the message id it answered: the fake numbers every send*
 * call from 1 in the order it receives them (fake-telegram.ts), so the n-th send of a harness is
 * message n. A test can then reply to any message the bot sent, as a person taps "Reply" in Telegram.
 * Only valid while the harness's calls are never cleared.
 */
export type SentMessage = { messageId: number; chatId: number; text: string; call: ApiCall };

export function sentMessages(telegram: FakeTelegram): SentMessage[] {
  const sent: SentMessage[] = [];
  for (const call of telegram.calls) {
    if (!call.method.startsWith("send")) continue;
    sent.push({
      messageId: sent.length + 1,
      chatId: Number(call.payload.chat_id),
      text: String(call.payload.text ?? call.payload.caption ?? ""),
      call,
    });
  }
  return sent;
}
