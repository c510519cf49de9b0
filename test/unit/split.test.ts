import { describe, expect, it } from "vitest";
import { safeCut, splitForTelegram, wellFormed } from "../../src/text/split";

describe("text made safe to send on", () => {
  it("keeps text within the limit as one piece", () => {
    expect(splitForTelegram("a".repeat(4096))).toEqual(["a".repeat(4096)]);
    expect(splitForTelegram("salut")).toEqual(["salut"]);
  });

  it("splits past the limit with a mark at each cut, losing nothing", () => {
    const text = "a".repeat(5000);
    const pieces = splitForTelegram(text);
    expect(pieces.map((p) => p.length)).toEqual([4096, 906]);
    expect(pieces[0]?.endsWith("…")).toBe(true);
    expect(pieces[1]?.startsWith("…")).toBe(true);
    expect(pieces.join("").replaceAll("…", "")).toBe(text);
  });

  it("never halves an emoji, and cuts at a space when one is near", () => {
    const emoji = splitForTelegram(`${"a".repeat(4094)}😀b`, 4096);
    expect(emoji[0]).toBe(`${"a".repeat(4094)}…`);
    expect(emoji[1]).toBe("…😀b");
    const words = splitForTelegram(`${"mot ".repeat(1100)}fin`);
    expect(words[0]?.endsWith("mot …")).toBe(true);
    expect(words[1]?.startsWith("…mot")).toBe(true);
  });

  it("splits text many times the limit into pieces that each fit", () => {
    const pieces = splitForTelegram("😀".repeat(10_000), 100);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(100);
      expect(/\p{Cs}/u.test(piece)).toBe(false);
    }
    expect(pieces.join("").replaceAll("…", "")).toBe("😀".repeat(10_000));
  });

  it("replaces lone surrogates, and keeps pairs and everything else", () => {
    expect(wellFormed("a\ud800b\udfffc😀\u0000")).toBe("a\ufffdb\ufffdc😀\u0000");
    expect(safeCut("ab😀", 3)).toBe(2);
    expect(safeCut("ab😀", 4)).toBe(4);
    expect(safeCut("abc", 10)).toBe(3);
  });
});
