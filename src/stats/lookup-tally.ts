import type { Executor } from "../db/executor";
import { wallDate } from "../directory/clock";
import { countEvents, STATS_ZONE, type StatEvent } from "./counters";

/**
 * Lookup counts kept in memory and written together every few seconds, so a lookup that changes
 * nothing for the person costs no database write. What a crash loses is a few seconds of anonymous
 * counts, never anything a person or a worker relies on.
 */
export class LookupTally {
  // By Montreal day: a flush after midnight still counts yesterday's lookups on yesterday.
  private pending = new Map<string, { at: Date; events: StatEvent[] }>();

  add(now: Date, events: StatEvent[]): void {
    const day = wallDate(now, STATS_ZONE);
    const entry = this.pending.get(day);
    if (entry) entry.events.push(...events);
    else this.pending.set(day, { at: now, events: [...events] });
  }

  get size(): number {
    let size = 0;
    for (const { events } of this.pending.values()) size += events.length;
    return size;
  }

  /** Writes what was counted (one statement per day); on failure the counts are kept for the next try. */
  async flush(db: Executor): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    for (const [day, entry] of batch) {
      try {
        await countEvents(db, entry.at, entry.events);
        batch.delete(day);
      } catch (error) {
        for (const [rest, kept] of batch) {
          const again = this.pending.get(rest);
          if (again) again.events.push(...kept.events);
          else this.pending.set(rest, kept);
        }
        throw error;
      }
    }
  }
}
