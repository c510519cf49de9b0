import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, parseConfig } from "../../src/config";

/**
 * `.env.example` names every variable the bot reads, once, each under a line that says what it means,
 * and the value it shows is the default: setting it changes nothing.
 */
const lines = readFileSync(new URL("../../.env.example", import.meta.url), "utf8").split("\n");
const entries = lines.flatMap((line, index) => {
  const match = /^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
  return match ? [{ name: match[1] as string, value: match[2] as string, index }] : [];
});

const TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi";
const MINIMAL: Record<string, Record<string, string>> = {
  polling: { BOT_TOKEN: TOKEN },
  webhook: {
    BOT_TOKEN: TOKEN,
    BOT_MODE: "webhook",
    WEBHOOK_URL: "https://perche.example.org/telegram",
    WEBHOOK_SECRET: "0123456789abcdef0123",
  },
};

describe(".env.example", () => {
  it("lists every variable of the configuration, each once", () => {
    expect(entries.map((e) => e.name).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it("says above each variable what it means", () => {
    for (const entry of entries) {
      // The comment may be shared by a group (the keys being rotated): the first line above that is
      // not a variable.
      let above = entry.index - 1;
      while (entries.some((e) => e.index === above)) above--;
      expect(lines[above], entry.name).toMatch(/^# \S.{10,}/);
    }
  });

  it.each(entries.filter((e) => e.value !== ""))("shows the default of $name", ({ name, value }) => {
    // In each mode that does not set it itself (BOT_MODE=polling is the default of the polling mode).
    for (const base of Object.values(MINIMAL).filter((env) => !(name in env))) {
      const unset = parseConfig(base);
      if (!unset.ok) throw new Error(unset.errors.join("; "));
      const set = parseConfig({ ...base, [name]: value });
      expect(set, `${name}=${value}`).toEqual(unset);
    }
  });
});
