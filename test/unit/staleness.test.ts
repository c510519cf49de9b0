import { describe, expect, it } from "vitest";
import { daysSinceVerified, isStale, STALE_AFTER_DAYS } from "../../src/directory/staleness";

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

  it("is old after 30 days, as the README says", () => {
    expect(STALE_AFTER_DAYS).toBe(30);
  });
});
