import { describe, expect, it } from "vitest";
import type { BotContext } from "../../src/bot/context";
import { createTranslations } from "../../src/bot/i18n";
import type { PersonSnapshot } from "../../src/bot/snapshot";
import { isPlainLookup } from "../../src/features/directory/fast-lane";

/**
 * Which updates go straight to the directory (src/features/directory/fast-lane.ts). Everything the
 * features before it could act on must take the long way: commands, other features' buttons and menu
 * labels, and anyone on a team, with a request under way or in a dialogue.
 */
const translations = createTranslations();
const fr = translations.forLocale("fr");
const en = translations.forLocale("en");

const plain: PersonSnapshot = {
  pseudonym: "p1",
  locale: undefined,
  conversation: null,
  isMember: false,
  memberRole: undefined,
  hasActiveRequest: false,
  hasEndedUntold: false,
  directoryVersion: 1,
};

function context(
  update: { text?: string; location?: boolean; data?: string },
  snapshot: PersonSnapshot = plain,
  pseudonym = "p1",
): BotContext {
  const message =
    update.text !== undefined
      ? { text: update.text }
      : update.location
        ? { location: { latitude: 45.5, longitude: -73.6 } }
        : undefined;
  return {
    snapshot,
    pseudonym,
    message,
    callbackQuery: update.data === undefined ? undefined : { data: update.data },
    deps: { translations },
  } as unknown as BotContext;
}

describe("the directory's fast lane", () => {
  it("takes a plain person's words, menu taps, locations and directory buttons", () => {
    for (const update of [
      { text: "naloxone" },
      { text: "🚇 Berri-UQAM" },
      { text: fr("common.menu.supplies") },
      { text: en("common.menu.near") },
      { location: true },
      { data: "mat:naloxone" },
      { data: "mat:naloxone:6" },
      { data: "site:day-site" },
      { data: "pin:day-site" },
      { data: "open:0" },
      { data: "sup" },
    ])
      expect([update, isPlainLookup(context(update))]).toEqual([update, true]);
  });

  it("leaves commands, other features' labels and buttons, and forged buttons to the long way", () => {
    for (const update of [
      { text: "/start" },
      { text: "/lieux" },
      { text: fr("requests.menuButton") },
      { text: en("requests.menuButton") },
      { text: fr("peers.menu.relay") },
      { text: en("peers.menu.backup") },
      { data: "talk" },
      { data: "oc:on" },
      { data: "rq:claim:abcdefghijkl" },
      { data: "f:send" },
      { data: "al:stop" },
      { data: "lang:en" },
      { data: "mat:../etc" },
      { data: "nonsense" },
      {},
    ])
      expect([update, isPlainLookup(context(update))]).toEqual([update, false]);
  });

  it("leaves team members, people with a request under way or in a dialogue to the long way", () => {
    const word = { text: "naloxone" };
    for (const snapshot of [
      { ...plain, isMember: true, memberRole: "worker" as const },
      { ...plain, isMember: true, memberRole: "peer" as const },
      { ...plain, hasActiveRequest: true },
      { ...plain, conversation: { state: {}, version: 1 } },
    ])
      expect(isPlainLookup(context(word, snapshot))).toBe(false);
  });

  it("does not trust a snapshot that is missing or was taken for someone else", () => {
    const unread = context({ text: "naloxone" });
    unread.snapshot = undefined;
    expect(isPlainLookup(unread)).toBe(false);
    expect(isPlainLookup(context({ text: "naloxone" }, plain, "someone-else"))).toBe(false);
  });
});
