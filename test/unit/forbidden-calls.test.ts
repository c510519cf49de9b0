import { describe, expect, it } from "vitest";
import { createFakeTelegram } from "../support/fake-telegram";
import { FORBIDDEN_METHODS, reportCall } from "../support/forbidden-calls";

describe("the suite-wide check on methods that reveal a person", () => {
  it("lists forwarding and looking people up", () => {
    expect([...FORBIDDEN_METHODS]).toEqual(
      expect.arrayContaining(["forwardMessage", "getChat", "getUserProfilePhotos"]),
    );
  });

  it("lets ordinary calls through the fake Telegram without a report", async () => {
    const telegram = createFakeTelegram();
    await telegram.fetch("https://api.telegram.org/botX/sendMessage", { method: "POST", body: "{}" });
    await telegram.fetch("https://api.telegram.org/botX/copyMessage", { method: "POST", body: "{}" });
    reportCall("sendMessage");
    // The afterEach hook of forbidden-calls.ts would fail this test if anything had been reported.
    expect(telegram.calls.map((c) => c.method)).toEqual(["sendMessage", "copyMessage"]);
  });

  // The check itself can fail: a forwardMessage reported during a test makes that test fail.
  it.fails("fails a test in which the bot forwards a message", async () => {
    const telegram = createFakeTelegram();
    await telegram.fetch("https://api.telegram.org/botX/forwardMessage", { method: "POST", body: "{}" });
  });
});
