import { and, asc, between, inArray, sql } from "drizzle-orm";
import type { Executor } from "../db/executor";
import { chequeDays, statCounters } from "../db/schema";
import { addDays } from "../directory/clock";
import type { RhythmPoint } from "./chart";
import { CLAIM_WAIT_EDGES } from "./counters";

/** Reading the counters back: per day, summed over teams, with the day's place in the cheque cycle. */

export type CounterRow = { day: string; metric: string; key: string; value: number };

/**
 * Counters between two dates (inclusive). With an organisation, its own request counts plus the
 * directory's (which belong to no team); without one, everything.
 */
export async function readCounters(
  db: Executor,
  from: string,
  to: string,
  organisationId?: string,
): Promise<CounterRow[]> {
  const rows = await db
    .select({
      day: statCounters.day,
      metric: statCounters.metric,
      key: statCounters.key,
      value: sql<number>`cast(sum(${statCounters.value}) as integer)`,
    })
    .from(statCounters)
    .where(
      and(
        between(statCounters.day, from, to),
        organisationId === undefined ? undefined : inArray(statCounters.organisationId, ["", organisationId]),
      ),
    )
    .groupBy(statCounters.day, statCounters.metric, statCounters.key)
    .orderBy(asc(statCounters.day), asc(statCounters.metric), asc(statCounters.key));
  return rows.map((r) => ({ ...r, value: Number(r.value) }));
}

export async function readChequeDays(db: Executor): Promise<string[]> {
  return (await db.select().from(chequeDays).orderBy(asc(chequeDays.day))).map((r) => r.day);
}

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

// The week before a cheque day counts down to it (-7..-1); after, days count up from the last one.
const BEFORE = 7;
// A cheque day further back than this says nothing about today (a gap in the directory's list).
const LONGEST_CYCLE = 40;

/**
 * Where a day sits in the cheque cycle: 0 on a cheque day, -1..-7 in the week before the next one,
 * 1, 2... after the last one; null when the directory lists no cheque day near it.
 */
export function dayFromCheque(day: string, sortedChequeDays: readonly string[]): number | null {
  const next = sortedChequeDays.find((d) => d >= day);
  // "0 -" rather than unary minus: a cheque day itself is 0, not -0.
  if (next !== undefined && daysBetween(day, next) <= BEFORE) return 0 - daysBetween(day, next);
  const previous = sortedChequeDays.findLast((d) => d <= day);
  if (previous !== undefined && daysBetween(previous, day) <= LONGEST_CYCLE)
    return daysBetween(previous, day);
  return null;
}

/** Every date from `from` to `to`, inclusive. */
export function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) dates.push(d);
  return dates;
}

/**
 * An estimate of the p-th quantile (0..1) from bucket counts keyed by lower edge: the rank is found in
 * its bucket and placed linearly inside it. The last bucket is open-ended, so its lower edge is used.
 */
export function quantileFromBuckets(
  buckets: ReadonlyMap<number, number>,
  p: number,
  edges: readonly number[] = CLAIM_WAIT_EDGES,
): number | undefined {
  const total = [...buckets.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = p * total;
  let before = 0;
  for (let i = 0; i < edges.length; i++) {
    const lower = edges[i] as number;
    const count = buckets.get(lower) ?? 0;
    if (count === 0) continue;
    if (before + count >= rank) {
      const upper = edges[i + 1];
      if (upper === undefined) return lower;
      return lower + (upper - lower) * ((rank - before) / count);
    }
    before += count;
  }
  return edges[edges.length - 1];
}

export type Tally = Array<{ key: string; value: number }>;

export type Summary = {
  lookups: number;
  lookupsByMaterial: Tally;
  lookupsBySiteType: Tally;
  requests: number;
  byCategory: Tally;
  byOutcome: Tally;
  byHour: Tally;
  claims: number;
  medianClaimMinutes: number | undefined;
  p90ClaimMinutes: number | undefined;
  nobodyOnCall: number;
};

function tally(rows: CounterRow[], metric: string): Tally {
  const sums = new Map<string, number>();
  for (const r of rows) if (r.metric === metric) sums.set(r.key, (sums.get(r.key) ?? 0) + r.value);
  return [...sums]
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => b.value - a.value || a.key.localeCompare(b.key));
}

const total = (t: Tally) => t.reduce((sum, e) => sum + e.value, 0);

export function summarise(rows: CounterRow[]): Summary {
  const waits = new Map(tally(rows, "request.claim_wait").map((e) => [Number(e.key), e.value]));
  const byCategory = tally(rows, "request.category");
  return {
    lookups: total(tally(rows, "lookup")),
    lookupsByMaterial: tally(rows, "lookup.material"),
    lookupsBySiteType: tally(rows, "lookup.site_type"),
    requests: total(byCategory),
    byCategory,
    byOutcome: tally(rows, "request.outcome"),
    byHour: tally(rows, "request.hour"),
    claims: [...waits.values()].reduce((a, b) => a + b, 0),
    medianClaimMinutes: quantileFromBuckets(waits, 0.5),
    p90ClaimMinutes: quantileFromBuckets(waits, 0.9),
    nobodyOnCall: total(tally(rows, "request.nobody_on_call")),
  };
}

export const RHYTHM_OFFSETS = { first: -7, last: 24 } as const;

/**
 * Lookups and requests per day relative to the cheque day, averaged over the days of the range that
 * fall at that point of the cycle (a range of several months shows the usual month, not one month).
 */
export function rhythm(
  rows: CounterRow[],
  from: string,
  to: string,
  sortedChequeDays: readonly string[],
): RhythmPoint[] {
  const days = new Map<number, number>();
  const offsetOf = new Map<string, number>();
  for (const day of datesBetween(from, to)) {
    const offset = dayFromCheque(day, sortedChequeDays);
    if (offset === null) continue;
    offsetOf.set(day, offset);
    days.set(offset, (days.get(offset) ?? 0) + 1);
  }
  const sums = new Map<number, { lookups: number; requests: number }>();
  for (const r of rows) {
    const offset = offsetOf.get(r.day);
    if (offset === undefined) continue;
    const sum = sums.get(offset) ?? { lookups: 0, requests: 0 };
    if (r.metric === "lookup") sum.lookups += r.value;
    if (r.metric === "request.category") sum.requests += r.value;
    sums.set(offset, sum);
  }
  const points: RhythmPoint[] = [];
  for (let offset = RHYTHM_OFFSETS.first; offset <= RHYTHM_OFFSETS.last; offset++) {
    const n = days.get(offset) ?? 0;
    const sum = sums.get(offset);
    points.push({
      offset,
      lookups: n && sum ? sum.lookups / n : 0,
      requests: n && sum ? sum.requests / n : 0,
    });
  }
  return points;
}

/** The days of the cycle with the most of a series, busiest first: the chart's message in words. */
export function peakDays(points: RhythmPoint[], series: "lookups" | "requests", count = 3): number[] {
  return points
    .filter((p) => p[series] > 0)
    .sort((a, b) => b[series] - a[series] || a.offset - b.offset)
    .slice(0, count)
    .map((p) => p.offset);
}
