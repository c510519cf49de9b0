import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import {
  claimedElsewhere,
  couldBeLookup,
  holderName,
  UpdateClaimedElsewhere,
} from "../../src/bot/update-claim";

const from = { id: 1, is_bot: false, first_name: "X" };
const chat = { id: 1, type: "private" as const, first_name: "X" };
const text = (t: string) =>
  ({ update_id: 1, message: { message_id: 1, date: 0, chat, from, text: t } }) as Update;
const tap = (data: string) =>
  ({ update_id: 1, callback_query: { id: "1", from, chat_instance: "1", data } }) as unknown as Update;

/** Which updates keep a read-only first statement (a claim, if any, comes later) and which take it there. */
describe("couldBeLookup", () => {
  it.each([
    ["typed words", text("naloxone"), true],
    ["a directory command", text("/ouvert"), true],
    ["a directory command addressed to the bot", text("/pres@perche_bot"), true],
    ["the emergency command", text("/urgence"), true],
    ["a command that changes something", text("/parler"), false],
    ["an invitation link", text("/start inv-abc"), false],
    [
      "a location",
      {
        update_id: 1,
        message: { message_id: 1, date: 0, chat, from, location: { latitude: 45.5, longitude: -73.6 } },
      } as Update,
      true,
    ],
    ["a directory button", tap("mat:naloxone"), true],
    ["a dialogue's button", tap("f:send"), false],
    ["a worker's claim", tap("rq:claim:abcdefghijkl"), false],
    [
      "an inline query",
      { update_id: 1, inline_query: { id: "1", from, query: "nalox", offset: "" } } as Update,
      true,
    ],
    [
      "a photo",
      { update_id: 1, message: { message_id: 1, date: 0, chat, from, photo: [] } } as unknown as Update,
      false,
    ],
  ])("%s: %s", (_, update, expected) => {
    expect(couldBeLookup(update)).toBe(expected);
  });
});

describe("holderName", () => {
  it("is the same after a restart of one instance, and differs between two ports", () => {
    expect(holderName({ kind: "polling" })).toBe("polling");
    expect(holderName({ kind: "webhook", port: 8080 })).toBe(holderName({ kind: "webhook", port: 8080 }));
    expect(holderName({ kind: "webhook", port: 8080 })).not.toBe(holderName({ kind: "webhook", port: 8081 }));
  });
});

describe("claimedElsewhere", () => {
  it("finds the reason through the conversations plugin's wrapping of an error", () => {
    const wrapped = new Error("Unknown error thrown in conversation", {
      cause: new UpdateClaimedElsewhere("held"),
    });
    expect(claimedElsewhere(wrapped)?.status).toBe("held");
    expect(claimedElsewhere(new Error("other"))).toBeUndefined();
  });
});
