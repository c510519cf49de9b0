import { afterEach, expect } from "vitest";

/**
 * Bot API methods that would reveal who someone is, or link a copy back to them: no test may see the
 * bot call them. Both fake Telegrams report here, and every test file checks after each test.
 */
export const FORBIDDEN_METHODS = new Set([
  "forwardMessage",
  "forwardMessages",
  "getChat",
  "getUserProfilePhotos",
  "getUserChatBoosts",
]);

const seen: string[] = [];

export function reportCall(method: string): void {
  if (FORBIDDEN_METHODS.has(method)) seen.push(method);
}

afterEach(() => {
  const calls = seen.splice(0);
  expect(calls, "the bot called a Bot API method that reveals or links to a person").toEqual([]);
});
