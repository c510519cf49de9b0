import { describe, expect, it } from "vitest";
import { isOnCall } from "../../src/features/members/queries";

/** Who is on call (src/features/team/queries.ts isOnCall): by hand, or within a weekly shift. */
// Wednesday 2026-11-18, 19:00 in Montreal (UTC-5).
const NOW = new Date("2026-11-19T00:00:00Z");
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const nobody = {
  onCallSince: null,
  onCallUntil: null,
  revokedAt: null,
  shiftHours: null,
  shiftPausedUntil: null,
};

describe("who is on call", () => {
  it("is on call by hand from the moment they say so, until the time they gave or for good", () => {
    expect(isOnCall({ ...nobody, onCallSince: minutes(-30) }, NOW)).toBe(true);
    expect(isOnCall({ ...nobody, onCallSince: minutes(-30), onCallUntil: minutes(1) }, NOW)).toBe(true);
    expect(isOnCall({ ...nobody, onCallSince: minutes(-30), onCallUntil: NOW }, NOW)).toBe(false);
    expect(isOnCall({ ...nobody, onCallSince: minutes(-30), onCallUntil: minutes(-1) }, NOW)).toBe(false);
    // An end without a start is nobody on call.
    expect(isOnCall({ ...nobody, onCallUntil: minutes(60) }, NOW)).toBe(false);
    expect(isOnCall(nobody, NOW)).toBe(false);
  });

  it("is never on call once removed from the team, by hand or by shift", () => {
    expect(isOnCall({ ...nobody, onCallSince: minutes(-30), revokedAt: minutes(-1) }, NOW)).toBe(false);
    expect(isOnCall({ ...nobody, shiftHours: "Mo-Su 00:00-24:00", revokedAt: minutes(-1) }, NOW)).toBe(false);
  });

  it("is on call within a weekly shift, in Montreal's time", () => {
    const evenings = { ...nobody, shiftHours: "Mo-Fr 18:00-23:00" };
    expect(isOnCall(evenings, NOW)).toBe(true);
    expect(isOnCall(evenings, minutes(-61))).toBe(false);
    expect(isOnCall(evenings, minutes(240))).toBe(false);
    // A hand-set end past does not stop a shift that is running.
    expect(isOnCall({ ...evenings, onCallSince: minutes(-90), onCallUntil: minutes(-1) }, NOW)).toBe(true);
  });

  it("takes a shift ended early as off until the pause ends", () => {
    const evenings = { ...nobody, shiftHours: "Mo-Fr 18:00-23:00" };
    expect(isOnCall({ ...evenings, shiftPausedUntil: minutes(240) }, NOW)).toBe(false);
    expect(isOnCall({ ...evenings, shiftPausedUntil: NOW }, NOW)).toBe(true);
    expect(isOnCall({ ...evenings, shiftPausedUntil: minutes(-1) }, NOW)).toBe(true);
    // On call by hand during a paused shift: on call.
    expect(isOnCall({ ...evenings, shiftPausedUntil: minutes(240), onCallSince: minutes(-1) }, NOW)).toBe(
      true,
    );
  });
});
