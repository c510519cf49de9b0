import { describe, expect, it } from "vitest";
import { MONTREAL_REGION } from "../../src/directory/hours-syntax";
import { canonicalFields, mergeField } from "../../src/directory/site-edits";
import {
  buildWeeklyHours,
  parsePhone,
  parseTime,
  parseWeeklyHours,
} from "../../src/features/worker-tools/edit-parse";

const NOW = new Date("2026-11-18T19:00:00Z");

describe("typed weekly hours", () => {
  it.each([
    ["Mo-Fr 09:00-17:00", { ok: true, hours: "Mo-Fr 09:00-17:00" }],
    ["  Mo-Fr   09:00-17:00 ;  PH off ", { ok: true, hours: "Mo-Fr 09:00-17:00; PH off" }],
    // What the library reads generously is kept as the file writes hours.
    ["mo-fr 9-17", { ok: true, hours: "Mo-Fr 09:00-17:00" }],
    ["Sa 10h-14h", { ok: true, hours: "Sa 10:00-14:00" }],
    ["24/7", { ok: true, hours: "24/7" }],
    ["Mo-Su 20:00-04:00", { ok: true, hours: "Mo-Su 20:00-04:00" }],
    // Once a year is still open: a site that opens only on Christmas Eve is not "never open".
    ["Dec 24 10:00-14:00", { ok: true, hours: "Dec 24 10:00-14:00" }],
    ["", { ok: false, error: "hoursEmpty" }],
    ["lundi 9h", { ok: false, error: "hoursSyntaxAt", values: { part: "lundi 9h" } }],
    ["Mo-Fr 09:00-", { ok: false, error: "hoursSyntaxAt", values: { part: "Mo-Fr 09:00-" } }],
    // The rule that is wrong is named, not the whole line.
    [
      "Mo-Fr 09:00-17:00; Sa 10:00-14; PH off",
      { ok: false, error: "hoursSyntaxAt", values: { part: "Sa 10:00-14" } },
    ],
    ["off", { ok: false, error: "neverOpen" }],
    ["Mo-Su off", { ok: false, error: "neverOpen" }],
    // A later rule replaces an earlier one for the days it names: this one closes the holidays too.
    ["PH 10:00-12:00; Mo-Su off", { ok: false, error: "neverOpen" }],
    ["Mo-Su off; PH 10:00-12:00", { ok: true, hours: "Mo-Su off; PH 10:00-12:00" }],
    ["Mo 09:00-10:00; ".repeat(40), { ok: false, error: "tooLong" }],
  ])("%j → %j", (typed, expected) => {
    expect(parseWeeklyHours(typed, MONTREAL_REGION, NOW)).toMatchObject(expected);
  });
});

describe("a phone number", () => {
  it.each([
    ["514-555-0123", false, { ok: true, phone: "514-555-0123" }],
    ["+1 (514) 555-0123", false, { ok: true, phone: "+1 (514) 555-0123" }],
    ["811", false, { ok: true, phone: "811" }],
    ["1 800 463-2338", false, { ok: true, phone: "1 800 463-2338" }],
    ["aucun", false, { ok: true, phone: null }],
    ["None", false, { ok: true, phone: null }],
    ["aucun", true, { ok: false, error: "phoneRequired" }],
    ["555-0123", false, { ok: false, error: "phoneAreaCode" }],
    ["12", false, { ok: false, error: "phoneFormat" }],
    ["55501", false, { ok: false, error: "phoneFormat" }],
    ["514-555-0123 poste 4", false, { ok: false, error: "phoneFormat" }],
    ["+1 514 555 0123 4567 89", false, { ok: false, error: "phoneFormat" }],
    ["<b>514</b>", false, { ok: false, error: "phoneFormat" }],
  ])("%j (required: %s) → %j", (typed, required, expected) => {
    expect(parsePhone(typed, required)).toEqual(expected);
  });
});

describe("a time of day", () => {
  it.each([
    ["9", "09:00"],
    ["9h", "09:00"],
    ["9h30", "09:30"],
    ["09:30", "09:30"],
    ["21 30", "21:30"],
    ["24:00", "24:00"],
    ["0h", "00:00"],
    ["24:30", undefined],
    ["25", undefined],
    ["9:75", undefined],
    ["midi", undefined],
  ])("%j → %s", (typed, expected) => {
    expect(parseTime(typed)).toBe(expected);
  });
});

describe("hours built with buttons", () => {
  it.each([
    [[{ days: [0, 1, 2, 3, 4], from: "09:00", to: "17:00" }], true, "Mo-Fr 09:00-17:00; PH off"],
    [[{ days: [0, 2], from: "09:00", to: "17:00" }], false, "Mo,We 09:00-17:00"],
    [[{ days: [0, 1, 2, 3, 4, 6], from: "10:00", to: "14:00" }], false, "Mo-Fr,Su 10:00-14:00"],
    [[{ days: [5, 6], from: "20:00", to: "02:00" }], false, "Sa,Su 20:00-02:00"],
    // Two openings the same day are one rule: a second rule for a day would replace the first.
    [
      [
        { days: [0, 1, 2, 3, 4], from: "09:00", to: "12:00" },
        { days: [0, 1, 2, 3, 4], from: "13:00", to: "17:00" },
        { days: [5], from: "10:00", to: "14:00" },
      ],
      false,
      "Mo-Fr 09:00-12:00,13:00-17:00; Sa 10:00-14:00",
    ],
    [
      [
        { days: [0, 1, 2], from: "09:00", to: "12:00" },
        { days: [2, 3], from: "13:00", to: "17:00" },
      ],
      false,
      "Mo,Tu 09:00-12:00; We 09:00-12:00,13:00-17:00; Th 13:00-17:00",
    ],
    [[], true, ""],
  ])("%j (holidays closed: %s) → %j, which the typed syntax reads back", (openings, holidays, expected) => {
    const built = buildWeeklyHours(openings, holidays);
    expect(built).toBe(expected);
    if (built) expect(parseWeeklyHours(built, MONTREAL_REGION, NOW)).toEqual({ ok: true, hours: built });
  });

  it("gives each day exactly the openings chosen for it, whatever the mix", () => {
    // Every subset of days for two openings: the built hours give each day what it was given.
    const open = (hours: string) => parseWeeklyHours(hours, MONTREAL_REGION, NOW);
    for (let a = 1; a < 128; a += 5)
      for (let b = 0; b < 128; b += 7) {
        const days = (mask: number) => [0, 1, 2, 3, 4, 5, 6].filter((d) => mask & (1 << d));
        const built = buildWeeklyHours(
          [
            { days: days(a), from: "09:00", to: "12:00" },
            ...(b ? [{ days: days(b), from: "13:00", to: "17:00" }] : []),
          ],
          false,
        );
        expect(open(built).ok).toBe(true);
        for (const [d, name] of ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"].entries()) {
          const rule = built.split("; ").find((r) =>
            r
              .split(" ")[0]
              ?.split(",")
              .some((part) => covers(part, name)),
          );
          const ranges = [...(a & (1 << d) ? ["09:00-12:00"] : []), ...(b & (1 << d) ? ["13:00-17:00"] : [])];
          expect(rule?.split(" ")[1] ?? "", `${built} on ${name}`).toBe(ranges.join(","));
        }
      }
  });
});

const ORDER = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
function covers(part: string, day: string): boolean {
  const [first, last = first] = part.split("-");
  const i = ORDER.indexOf(day);
  return i >= ORDER.indexOf(first ?? "") && i <= ORDER.indexOf(last ?? "");
}

describe("an import meeting the bot's edits (three-way merge)", () => {
  it.each([
    // base (last import), current (database), incoming (file) → outcome
    [undefined, "A", "B", "file"],
    ["A", "A", "B", "file"],
    ["A", "B", "A", "kept"],
    ["A", "B", "B", "file"],
    ["A", "B", "C", "overridden"],
  ] as const)("base %s, bot %s, file %s → %s", (base, current, incoming, outcome) => {
    expect(mergeField(base, current, incoming)).toBe(outcome);
  });

  it("compares materials as a set and notes by both languages", () => {
    const a = canonicalFields({ hours: " 24/7 ", phone: null, note: null, materials: ["b", "a", "a"] });
    const b = canonicalFields({ hours: "24/7", phone: "", note: null, materials: ["a", "b"] });
    expect(a).toEqual(b);
    const fr = canonicalFields({ hours: "x", phone: null, note: { fr: "Oui", en: "Yes" }, materials: [] });
    const en = canonicalFields({ hours: "x", phone: null, note: { fr: "Oui", en: "Yeah" }, materials: [] });
    expect(fr.note).not.toBe(en.note);
  });
});
