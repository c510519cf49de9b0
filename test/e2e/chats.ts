import {
  buttonData,
  callbackQueryUpdate,
  type FakeBotApi,
  type FakeUser,
  messageUpdate,
  type RecordedCall,
  type Update,
} from "./fake-bot-api";
import type { Bot } from "./support";

/** Talking to `npm start` through the fake Bot API, as people do: texts, taps, and what came back. */

export const sentText = (call: RecordedCall) => String(call.payload.text ?? "");
export const isSendTo = (call: RecordedCall, user: FakeUser) =>
  call.method === "sendMessage" && Number(call.payload.chat_id) === user.id;

/** One run of `npm start` seen from the people writing to it. */
export class Chats {
  /** Callback query ids per user, to find the answers to their taps. */
  readonly callbackIds = new Map<number, Set<string>>();

  /** `deliver` hands an update to the bot: by default queued for its getUpdates (long polling). */
  constructor(
    readonly bot: Bot,
    readonly deliver: (update: Update) => void = (update) => bot.api.queueUpdate(update),
  ) {}

  get api(): FakeBotApi {
    return this.bot.api;
  }

  /** Where the next calls start: pass it to `expectSent` to look only at what came after. */
  mark(): number {
    return this.api.calls.length;
  }

  /** A sendMessage to `user` after `from` whose text contains (or matches) `expected`. */
  async expectSent(
    user: FakeUser,
    from: number,
    expected: string | RegExp,
    what: string,
    timeoutMs?: number,
  ): Promise<RecordedCall> {
    const matches = (text: string) =>
      typeof expected === "string" ? text.includes(expected) : expected.test(text);
    try {
      return await this.bot.waitForCall(
        (call, index) => index >= from && isSendTo(call, user) && matches(sentText(call)),
        what,
        timeoutMs,
      );
    } catch (error) {
      const texts = this.api.calls.filter((c, i) => i >= from && isSendTo(c, user)).map(sentText);
      throw new Error(
        `${(error as Error).message}\nsent to ${user.firstName} meanwhile: ${JSON.stringify(texts)}`,
      );
    }
  }

  send(user: FakeUser, text: string): number {
    const from = this.mark();
    this.deliver(messageUpdate(user, text));
    return from;
  }

  /** Sends a text and waits for the bot's answer to it. */
  async say(user: FakeUser, text: string, expected: string | RegExp): Promise<string> {
    const from = this.send(user, text);
    return sentText(await this.expectSent(user, from, expected, `the answer to "${text}"`));
  }

  /**
   * Taps the button `data` under the latest message to `user` that shows it (so the button must have been
   * offered), waits until the tap is answered, and returns where the calls after the tap start.
   */
  async tap(user: FakeUser, data: string): Promise<number> {
    const shown = this.api.calls.findLast((c) => isSendTo(c, user) && buttonData(c.result).includes(data));
    if (!shown?.result) {
      const offered = this.api.calls.filter((c) => isSendTo(c, user)).map((c) => buttonData(c.result));
      throw new Error(
        `no message to ${user.firstName} shows the button ${data}; buttons: ${JSON.stringify(offered)}`,
      );
    }
    const from = this.mark();
    const update = callbackQueryUpdate(user, shown.result, data);
    const id = String(update.callback_query.id);
    const ids = this.callbackIds.get(user.id) ?? new Set<string>();
    ids.add(id);
    this.callbackIds.set(user.id, ids);
    this.deliver(update);
    // A tap left unanswered keeps the client's spinner turning.
    await this.bot.waitForCall(
      (call, index) =>
        index >= from && call.method === "answerCallbackQuery" && call.payload.callback_query_id === id,
      `the answer to the tap on ${data}`,
    );
    return from;
  }

  /** Taps a button and waits for the message it brings. */
  async choose(user: FakeUser, data: string, expected: string | RegExp): Promise<RecordedCall> {
    const from = await this.tap(user, data);
    return this.expectSent(user, from, expected, `the message after the tap on ${data}`);
  }

  /** Every call to `user`'s chat, and the answers to their taps: all the bot ever showed them. */
  everythingTo(user: FakeUser): RecordedCall[] {
    const ids = this.callbackIds.get(user.id) ?? new Set<string>();
    return this.api.calls.filter(
      (c) =>
        Number(c.payload.chat_id) === user.id ||
        (c.method === "answerCallbackQuery" && ids.has(String(c.payload.callback_query_id))),
    );
  }
}
