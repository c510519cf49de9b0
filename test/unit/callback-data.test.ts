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

  it("round-trips the site editor's buttons", () => {
    expect(parseCallbackData(callbackData.toolsEdit("day-site"))).toEqual({
      kind: "tools-edit",
      siteId: "day-site",
    });
    for (const field of ["hours", "phone", "note", "materials"] as const)
      expect(parseCallbackData(callbackData.toolsEditField("day-site", field))).toEqual({
        kind: "tools-edit-field",
        siteId: "day-site",
        field,
      });
    expect(parseCallbackData(callbackData.siteEdit("k3x9", "ok"))).toEqual({
      kind: "site-edit",
      token: "k3x9",
      verb: "ok",
    });
    for (const [verb, arg] of [
      ["d", 6],
      ["t", 2400],
      ["m", 39],
    ] as const)
      expect(parseCallbackData(callbackData.siteEdit("k3x9", verb, arg))).toEqual({
        kind: "site-edit",
        token: "k3x9",
        verb,
        arg,
      });
  });

  it("keeps the longest payload within Telegram's 64 bytes", () => {
    expect(Buffer.byteLength(callbackData.toolsEditField("a".repeat(40), "materials"))).toBeLessThanOrEqual(
      64,
    );
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

  it("round-trips the reminder's choices", () => {
    expect([0, 1, 2, 4].map((n) => parseCallbackData(callbackData.reminderEvery(n)))).toEqual(
      [0, 1, 2, 4].map((everyWeeks) => ({ kind: "reminder-every", everyWeeks })),
    );
    expect(parseCallbackData(callbackData.reminderDay(7))).toEqual({ kind: "reminder-day", weekday: 7 });
    expect(parseCallbackData(callbackData.reminderTime(960))).toEqual({
      kind: "reminder-time",
      atMinute: 960,
    });
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
    "wed:",
    "wed:day-site:x",
    "wef:day-site",
    "wef:day-site:z",
    "wef:day-site:constructor",
    "se",
    "se:ok",
    "se:k3x9",
    "se:K3X9:ok",
    "se:k3:ok",
    "se:k3x9:ok:1",
    "se:k3x9:d",
    "se:k3x9:d:7",
    "se:k3x9:d:-1",
    "se:k3x9:t:2401",
    "se:k3x9:t:9.5",
    "se:k3x9:m:100",
    "se:k3x9:drop",
    "se:k3x9:m:1:2",
    "rm:w:3",
    "rm:w:-1",
    "rm:d:0",
    "rm:d:8",
    "rm:t:601",
    "rm:t:1e3",
    "rm:x:1",
    "rm:d:1:2",
    "rm:t",
  ])("refuses %s", (data) => {
    expect(parseCallbackData(data)).toBeUndefined();
  });
});
