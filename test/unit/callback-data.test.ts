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
  ])("refuses %s", (data) => {
    expect(parseCallbackData(data)).toBeUndefined();
  });
});
