import { dayNumber } from "./clock";

/**
 * A site's information older than this is shown with its age on cards (part 10, item 3): a wrong hour
 * sends someone to a closed door, so an old one says "call before you go". The directory file's
 * `meta.stale_after_days` sets it; this is its default.
 */
export const STALE_AFTER_DAYS = 30;

/** Whole days from `verifiedOn` to `today` (both yyyy-mm-dd on the wall clock); never negative. */
export function daysSinceVerified(verifiedOn: string, today: string): number {
  return Math.max(0, dayNumber(today) - dayNumber(verifiedOn));
}

export function isStale(verifiedOn: string, today: string, staleAfterDays = STALE_AFTER_DAYS): boolean {
  return daysSinceVerified(verifiedOn, today) > staleAfterDays;
}
