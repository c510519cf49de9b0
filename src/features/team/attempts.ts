/**
 * Failed invitation attempts, per person, in memory: after MAX_FAILED_INVITATIONS in an hour, every
 * code is refused with the same answer until the hour has passed, so guessing is slow and the answer
 * never tells whether a code exists. Codes carry 128 random bits; this is a second net, not the lock.
 * Keyed by a pseudonym of its own ("invite"), kept only for the window, lost on restart (harmless).
 */
export const MAX_FAILED_INVITATIONS = 5;
const WINDOW_MS = 60 * 60_000;
// Past this many people tracked, forget the oldest: memory stays bounded whatever arrives.
const MAX_TRACKED = 10_000;

export class AttemptLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max = MAX_FAILED_INVITATIONS,
    private readonly windowMs = WINDOW_MS,
  ) {}

  blocked(key: string, now: Date): boolean {
    return this.recent(key, now).length >= this.max;
  }

  fail(key: string, now: Date): void {
    const times = [...this.recent(key, now), now.getTime()];
    this.failures.delete(key);
    this.failures.set(key, times);
    if (this.failures.size > MAX_TRACKED) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  private recent(key: string, now: Date): number[] {
    const since = now.getTime() - this.windowMs;
    const times = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}

// One limiter per bot (its dependencies), so tests and instances do not share counts.
const limiters = new WeakMap<object, AttemptLimiter>();

export function invitationAttempts(deps: object): AttemptLimiter {
  let limiter = limiters.get(deps);
  if (!limiter) {
    limiter = new AttemptLimiter();
    limiters.set(deps, limiter);
  }
  return limiter;
}
