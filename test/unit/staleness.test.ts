import { describe, expect, it } from "vitest";
import { parseDirectoryText } from "../../src/directory/file";
import { fromDirectoryFile, toDirectoryFile } from "../../src/directory/file-model";
import { daysSinceVerified, isStale, STALE_AFTER_DAYS } from "../../src/directory/staleness";
import { fixtureInput } from "../support/directory-fixture";

describe("a site's information gets old", () => {
  it.each([
    ["2026-11-01", "2026-11-01", 0, false],
    ["2026-11-01", "2026-12-01", 30, false],
    ["2026-11-01", "2026-12-02", 31, true],
    // Across the year and the daylight-saving change: whole wall-clock days.
    ["2026-12-15", "2027-03-20", 95, true],
    // A date after today (a file written ahead, a clock behind) is no age at all.
    ["2026-12-10", "2026-12-01", 0, false],
  ] as const)("checked %s, today %s: %i days, stale %s", (verifiedOn, today, days, stale) => {
    expect(daysSinceVerified(verifiedOn, today)).toBe(days);
    expect(isStale(verifiedOn, today)).toBe(stale);
  });

  it("is old after 30 days by default, as the README says", () => {
    expect(STALE_AFTER_DAYS).toBe(30);
  });

  it.each([
    ["2026-11-01", "2026-11-08", 7, false],
    ["2026-11-01", "2026-11-09", 7, true],
    ["2026-11-01", "2026-11-03", 1, true],
    ["2026-11-01", "2026-12-02", 60, false],
  ] as const)("checked %s, today %s, old after %i days: stale %s", (verifiedOn, today, after, stale) => {
    expect(isStale(verifiedOn, today, after)).toBe(stale);
  });
});

describe("meta.stale_after_days in the directory file", () => {
  const withMeta = (meta: Record<string, unknown>) => {
    const input = fixtureInput();
    return JSON.stringify({ ...input, meta: { ...input.meta, ...meta } });
  };

  it("is 30 when the file leaves it out", () => {
    const parsed = parseDirectoryText(withMeta({}));
    expect(parsed.ok && parsed.file.meta.stale_after_days).toBe(30);
  });

  it.each([1, 45, 365])("accepts %i days and keeps it through export then import", (days) => {
    const parsed = parseDirectoryText(withMeta({ stale_after_days: days }));
    if (!parsed.ok) return expect.fail(parsed.errors.join("\n"));
    const directory = fromDirectoryFile(parsed.file);
    expect(directory.info.staleAfterDays).toBe(days);
    const again = parseDirectoryText(JSON.stringify(toDirectoryFile(directory)));
    expect(again.ok && again.file.meta).toEqual(parsed.file.meta);
  });

  it.each([
    [0, "meta.stale_after_days: at least 1 day"],
    [366, "meta.stale_after_days: at most 365 days"],
    [1.5, "meta.stale_after_days: a whole number of days"],
  ])("refuses %s, naming the field and the rule", (days, error) => {
    const parsed = parseDirectoryText(withMeta({ stale_after_days: days }));
    expect(parsed.ok ? [] : parsed.errors).toEqual([error]);
  });

  it("refuses text, naming the field", () => {
    const parsed = parseDirectoryText(withMeta({ stale_after_days: "thirty" }));
    expect(parsed.ok ? [] : parsed.errors).toEqual([expect.stringMatching(/^meta\.stale_after_days: /)]);
  });
});
