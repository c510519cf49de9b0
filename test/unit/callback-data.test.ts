import { describe, expect, it } from "vitest";
import { callbackData, parseCallbackData } from "../../src/bot/callback-data";

describe("callback data", () => {
  it("round-trips every button kind", () => {
    expect(parseCallbackData(callbackData.material("naloxone"))).toEqual({
      kind: "material",
      materialId: "naloxone",
      offset: 0,
    });
    expect(parseCallbackData(callbackData.material("naloxone", 6))).toEqual({
      kind: "material",
      materialId: "naloxone",
      offset: 6,
    });
    expect(parseCallbackData(callbackData.site("day-site"))).toEqual({ kind: "site", siteId: "day-site" });
    expect(parseCallbackData(callbackData.pin("day-site"))).toEqual({ kind: "pin", siteId: "day-site" });
    expect(parseCallbackData(callbackData.open(12))).toEqual({ kind: "open", offset: 12 });
    expect(parseCallbackData(callbackData.language("auto"))).toEqual({ kind: "language", choice: "auto" });
    expect(parseCallbackData(callbackData.suppliesMenu())).toEqual({ kind: "supplies-menu" });
  });

  it("keeps the longest payload within Telegram's 64 bytes", () => {
    expect(Buffer.byteLength(callbackData.material("a".repeat(40), 9999))).toBeLessThanOrEqual(64);
    expect(Buffer.byteLength(callbackData.referTo("A".repeat(12), "a".repeat(40)))).toBeLessThanOrEqual(64);
  });

  it("round-trips the peer and referral buttons", () => {
    const id = "Ab-_0123456z";
    expect(parseCallbackData(callbackData.peerFocus(id))).toEqual({ kind: "peer-focus", requestId: id });
    expect(parseCallbackData(callbackData.peerWithdraw(id))).toEqual({
      kind: "peer-withdraw",
      requestId: id,
    });
    expect(parseCallbackData(callbackData.referPick(id))).toEqual({ kind: "refer-pick", requestId: id });
    expect(parseCallbackData(callbackData.referTo(id, "org-b"))).toEqual({
      kind: "refer-to",
      requestId: id,
      organisationId: "org-b",
    });
    expect(parseCallbackData(callbackData.referAnswer(42, true))).toEqual({
      kind: "refer-answer",
      referralId: 42,
      yes: true,
    });
    expect(parseCallbackData(callbackData.referAnswer(42, false))).toMatchObject({ yes: false });
  });

  it.each([
    undefined,
    "",
    "junk",
    "site:",
    "site:../../etc",
    "site:ÉTÉ",
    "site:a:b",
    "mat:naloxone:-1",
    "mat:naloxone:1e9",
    "lang:de",
    `site:${"a".repeat(60)}`,
    "x".repeat(64),
    "pr:focus:short",
    "pr:other:Ab-_0123456z",
    "rf:pick:Ab-_0123456z:x",
    "rf:to:Ab-_0123456z",
    "rf:to:Ab-_0123456z:ORG",
    "rf:to:Ab-_0123456z:org:x",
    "rf:yes:0",
    "rf:yes:1.5",
    "rf:maybe:3",
  ])("refuses %s", (data) => {
    expect(parseCallbackData(data)).toBeUndefined();
  });
});
