import { describe, expect, it } from "vitest";
import { createTranslations } from "../../src/bot/i18n";
import { buildCatalog } from "../../src/directory/catalog";
import { fromDirectoryFile } from "../../src/directory/file-model";
import {
  formatDay,
  formatDistance,
  formatMinutes,
  formatTimeRanges,
  joinBlocks,
  relativeDay,
  siteCard,
  statusLine,
  type View,
} from "../../src/directory/format";
import { fixtureDirectory, WEDNESDAY_2PM } from "../support/directory-fixture";

const translations = createTranslations();
const catalog = buildCatalog(fromDirectoryFile(fixtureDirectory()));
const view = (locale: "fr" | "en", now = WEDNESDAY_2PM): View => ({
  t: translations.forLocale(locale),
  locale,
  now,
  catalog,
});

describe("formatting", () => {
  it("writes times the Quebec French way and in 24-hour English", () => {
    expect([
      formatMinutes(21 * 60, "fr"),
      formatMinutes(9 * 60 + 30, "fr"),
      formatMinutes(27 * 60, "fr"),
    ]).toEqual(["21 h", "9 h 30", "3 h"]);
    expect([formatMinutes(21 * 60, "en"), formatMinutes(9 * 60 + 5, "en")]).toEqual(["21:00", "9:05"]);
  });

  it("formats simple time ranges and leaves anything else as written", () => {
    expect(formatTimeRanges("10:00-14:00", "fr", translations.forLocale("fr"))).toBe("10 h à 14 h");
    expect(formatTimeRanges("08:00-12:00,13:00-20:30", "en", translations.forLocale("en"))).toBe(
      "8:00–12:00, 13:00–20:30",
    );
    expect(formatTimeRanges("sunrise-sunset", "fr", translations.forLocale("fr"))).toBe("sunrise-sunset");
  });

  it("rounds distances people can walk, and writes kilometres with the local decimal mark", () => {
    const t = translations.forLocale("fr");
    expect(formatDistance(12, "fr", t)).toBe("50 m");
    expect(formatDistance(740, "fr", t)).toBe("750 m");
    expect(formatDistance(1234, "fr", t)).toBe("1,2 km");
    expect(formatDistance(1234, "en", translations.forLocale("en"))).toBe("1.2 km");
  });

  it("names days relative to today in Montreal", () => {
    expect(relativeDay(new Date("2026-11-18T23:00:00Z"), view("fr"))).toBe("aujourd'hui");
    expect(relativeDay(new Date("2026-11-19T14:00:00Z"), view("en"))).toBe("tomorrow");
    expect(relativeDay(new Date("2026-11-21T14:00:00Z"), view("fr"))).toBe("samedi");
    expect(relativeDay(new Date("2026-12-24T14:00:00Z"), view("en"))).toBe("Thu, Dec 24");
  });

  it("says when a site opens or closes", () => {
    expect(statusLine({ kind: "open", until: new Date("2026-11-18T22:00:00Z") }, view("fr"))).toBe(
      "🟢 Ouvert jusqu'à 17 h",
    );
    expect(statusLine({ kind: "open", until: new Date("2026-11-19T08:00:00Z") }, view("en"))).toBe(
      "🟢 Open until 3:00",
    );
    expect(statusLine({ kind: "open", until: new Date("2026-11-20T22:00:00Z") }, view("en"))).toBe(
      "🟢 Open until Friday 17:00",
    );
    expect(statusLine({ kind: "closed", opensAt: new Date("2026-11-19T14:00:00Z") }, view("fr"))).toBe(
      "🔴 Fermé · ouvre demain à 9 h",
    );
    expect(statusLine({ kind: "closed-for-now" }, view("en"))).toBe("🔴 Closed for now");
  });

  it("says midnight, on the day that ends", () => {
    expect(formatTimeRanges("20:00-24:00", "fr", translations.forLocale("fr"))).toBe("20 h à minuit");
    expect(statusLine({ kind: "open", until: new Date("2026-11-19T05:00:00Z") }, view("fr"))).toBe(
      "🟢 Ouvert jusqu'à minuit",
    );
    expect(statusLine({ kind: "open", until: new Date("2026-11-22T05:00:00Z") }, view("en"))).toBe(
      "🟢 Open until Saturday midnight",
    );
  });

  it("writes the first of the month as 1er in French", () => {
    expect(formatDay("2027-01-01", "fr")).toBe("ven. 1er janv.");
    expect(formatDay("2026-11-01", "fr", false)).toBe("1er nov.");
    expect(formatDay("2027-01-01", "en")).toBe("Fri, Jan 1");
  });

  it("cuts a message that would be too long between blocks, never inside a tag", () => {
    const block = `<b>${"x".repeat(990)}</b>`;
    const text = joinBlocks([block, block, block, block, block]);
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text.endsWith("</b>\n\n…")).toBe(true);
  });
});

describe("a card's check line follows the file's stale_after_days", () => {
  // day-site was checked on 2026-11-01: 17 days before the reference Wednesday.
  const cardWith = (staleAfterDays: number | undefined, locale: "fr" | "en") => {
    const file = fixtureDirectory((input) => {
      if (staleAfterDays !== undefined) input.meta.stale_after_days = staleAfterDays;
    });
    const ownCatalog = buildCatalog(fromDirectoryFile(file));
    const site = ownCatalog.sitesById.get("day-site") ?? expect.fail("no day-site");
    return siteCard(site, undefined, { ...view(locale), catalog: ownCatalog });
  };

  it("shows the date while it is younger than the default 30 days", () => {
    expect(cardWith(undefined, "fr")).toContain("Vérifié le 1er nov.");
    expect(cardWith(undefined, "fr")).not.toContain("il y a");
  });

  it("shows the age past a shorter limit, in both languages", () => {
    expect(cardWith(14, "fr")).toContain("⚠️ Vérifié il y a 17 jours : appelle avant d'y aller si tu peux.");
    expect(cardWith(14, "en")).toContain("⚠️ Checked 17 days ago: call before you go if you can.");
  });

  it("shows the date on the day the limit is reached, and the age the day after", () => {
    expect(cardWith(17, "en")).not.toContain("days ago");
    expect(cardWith(16, "en")).toContain("Checked 17 days ago");
  });
});
