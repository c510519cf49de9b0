import { describe, expect, it } from "vitest";
import { parseCallbackData } from "../../src/bot/callback-data";
import { parseDay, parseDayAndHours, parseHours } from "../../src/features/worker-tools/parse";

const TODAY = "2026-11-18";

describe("what workers type for a day", () => {
  it.each([
    ["2026-12-03", "2026-12-03"],
    ["3 déc", "2026-12-03"],
    ["3 déc.", "2026-12-03"],
    ["3 décembre", "2026-12-03"],
    ["1er décembre", "2026-12-01"],
    ["Dec 3", "2026-12-03"],
    ["December 3rd", "2026-12-03"],
    ["3/12", "2026-12-03"],
    ["demain", "2026-11-19"],
    ["Tomorrow", "2026-11-19"],
    ["aujourd'hui", "2026-11-18"],
    // A day already gone this year is next year's.
    ["15 janv", "2027-01-15"],
    ["18 nov", "2026-11-18"],
  ])("reads %s as %s", (text, day) => {
    expect(parseDay(text, TODAY)).toEqual({ ok: true, day });
  });

  it("refuses the past, more than a year ahead, and what is not a date", () => {
    expect(parseDay("2026-11-17", TODAY)).toEqual({ ok: false, error: "past" });
    expect(parseDay("2027-11-19", TODAY)).toEqual({ ok: false, error: "tooFar" });
    expect(parseDay("2027-11-18", TODAY)).toEqual({ ok: true, day: "2027-11-18" });
    for (const junk of ["31/02", "jeudi prochain", "32 déc", "<b>3</b>", "x".repeat(500), ""])
      expect(parseDay(junk, TODAY)).toEqual({ ok: false, error: "format" });
  });

  it("takes yesterday only while a night that started yesterday is running", () => {
    expect(parseDay("hier", TODAY)).toEqual({ ok: false, error: "past" });
    expect(parseDay("2026-11-17", TODAY, "2026-11-17")).toEqual({ ok: true, day: "2026-11-17" });
    expect(parseDay("hier", TODAY, "2026-11-17")).toEqual({ ok: true, day: "2026-11-17" });
    expect(parseDay("Yesterday", TODAY, "2026-11-17")).toEqual({ ok: true, day: "2026-11-17" });
    expect(parseDay("17 nov", TODAY, "2026-11-17")).toEqual({ ok: true, day: "2026-11-17" });
    expect(parseDay("2026-11-16", TODAY, "2026-11-17")).toEqual({ ok: false, error: "past" });
  });
});

describe("what workers type for hours", () => {
  it.each([
    ["10:00-14:00", "10:00-14:00"],
    ["10h-14h", "10:00-14:00"],
    ["10 h à 14 h", "10:00-14:00"],
    ["9h30-12h et 13h-16h", "09:30-12:00,13:00-16:00"],
    ["9:00-12:00, 13:00-16:00", "09:00-12:00,13:00-16:00"],
    ["20:00-02:00", "20:00-02:00"],
    ["10-14", "10:00-14:00"],
  ])("reads %s as %s", (text, hours) => {
    expect(parseHours(text)).toBe(hours);
  });

  it("refuses hours that do not exist or are not hours", () => {
    for (const junk of ["25:00-26:00", "10:75-11:00", "10-10", "midi", "10:00", "off; Mo 10:00-12:00"])
      expect(parseHours(junk)).toBeUndefined();
  });

  it("takes a day before the hours, today without one", () => {
    expect(parseDayAndHours("10:00-14:00", TODAY)).toEqual({ ok: true, day: TODAY, hours: "10:00-14:00" });
    expect(parseDayAndHours("3 déc 10h-14h", TODAY)).toEqual({
      ok: true,
      day: "2026-12-03",
      hours: "10:00-14:00",
    });
    expect(parseDayAndHours("2026-12-03 10:00-14:00", TODAY)).toMatchObject({ ok: true, day: "2026-12-03" });
    expect(parseDayAndHours("demain 9h-12h", TODAY)).toMatchObject({ ok: true, day: "2026-11-19" });
    expect(parseDayAndHours("2026-01-01 10-12", TODAY)).toEqual({ ok: false, error: "past" });
    expect(parseDayAndHours("3 déc", TODAY)).toEqual({ ok: false, error: "hours" });
    expect(parseDayAndHours("bientôt 10-12", TODAY)).toEqual({ ok: false, error: "format" });
  });
});

describe("worker tools buttons", () => {
  it("parse with the one parser and refuse anything else", () => {
    expect(parseCallbackData("wto:day-site:naloxone")).toEqual({
      kind: "tools-stock",
      siteId: "day-site",
      materialId: "naloxone",
      out: true,
    });
    expect(parseCallbackData("wti:day-site:naloxone")).toMatchObject({ out: false });
    expect(parseCallbackData("wtd:day-site")).toEqual({
      kind: "tools-input",
      siteId: "day-site",
      input: "close-day",
    });
    expect(parseCallbackData("wtu:12")).toEqual({ kind: "tools-undo", changeId: 12 });
    expect(parseCallbackData("wtl")).toEqual({ kind: "tools-list" });
    expect(parseCallbackData("wtr:day-site")).toEqual({ kind: "tools-reset-today", siteId: "day-site" });
    expect(parseCallbackData("wtx:day-site")).toEqual({ kind: "tools-note-remove", siteId: "day-site" });
    for (const bad of ["wto:day-site", "wtu:-1", "wtu:1e3", "wtu:0", "wtp:Day!", "wtc:a:b", "wtl:x", "wtz:a"])
      expect(parseCallbackData(bad)).toBeUndefined();
  });
});
