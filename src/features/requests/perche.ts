import { wallDate } from "../../directory/clock";

/**
 * The *perche*: after a lookup, contact is offered once, lightly (one line, one button), and never
 * again the same day. Who was offered what is kept in this process's memory only, so nothing about the
 * person is stored; a restart may offer once more, which is harmless.
 */
const MAX_REMEMBERED = 10_000;

export class PercheMemory {
  private readonly offered = new Map<string, string>();

  /** True the first time in a (Montreal) day for this pseudonym; remembers the offer. */
  offerToday(pseudonym: string, now: Date, timeZone: string): boolean {
    const today = wallDate(now, timeZone);
    if (this.offered.get(pseudonym) === today) return false;
    this.offered.delete(pseudonym);
    this.offered.set(pseudonym, today);
    // Oldest first in a Map: drop the oldest when full.
    if (this.offered.size > MAX_REMEMBERED) this.offered.delete(this.offered.keys().next().value as string);
    return true;
  }
}
