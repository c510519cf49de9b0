import { and, asc, between, inArray, sql } from "drizzle-orm";
import type { Executor } from "../db/executor";
import { chequeDays, statCounters } from "../db/schema";
import { addDays } from "../directory/clock";
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

/** "current": the cycle of the latest cheque day in the range (this month); "before": the ones before it. */
export type CyclePeriod = "current" | "before";

/**
 * One day of the cheque cycle for one period: lookups and requests per day, averaged over the days of
 * the period that fall at that point of the cycle, and the median wait before a request was claimed.
 */
export type RhythmPoint = {
  offset: number;
  period: CyclePeriod;
  /** How many days of the range fell here; a point exists only when at least one did. */
  days: number;
  lookups: number;
  requests: number;
  /** Median minutes from a request to its claim on these days; undefined when nothing was claimed. */
  claimMinutes: number | undefined;
};

type DayTotals = { days: number; lookups: number; requests: number; waits: Map<number, number> };

/**
 * The range's days placed in the cheque cycle and split between this month and the months before it,
 * so a coordinator sees whether this cheque day looks like the usual one. A day's cycle is named by its
 * cheque day (the day minus its offset); the current one is the latest in the range.
 */
export function rhythm(
  rows: CounterRow[],
  from: string,
  to: string,
  sortedChequeDays: readonly string[],
): RhythmPoint[] {
  const placed = new Map<string, { offset: number; cheque: string }>();
  let current = "";
  for (const day of datesBetween(from, to)) {
    const offset = dayFromCheque(day, sortedChequeDays);
    if (offset === null) continue;
    const cheque = addDays(day, -offset);
    placed.set(day, { offset, cheque });
    if (cheque > current) current = cheque;
  }
  const totals = new Map<string, DayTotals>();
  const totalsOf = (offset: number, period: CyclePeriod) => {
    const key = `${period}:${offset}`;
    let entry = totals.get(key);
    if (!entry) {
      entry = { days: 0, lookups: 0, requests: 0, waits: new Map() };
      totals.set(key, entry);
    }
    return entry;
  };
  const periodOf = (cheque: string): CyclePeriod => (cheque === current ? "current" : "before");
  for (const { offset, cheque } of placed.values()) totalsOf(offset, periodOf(cheque)).days += 1;
  for (const r of rows) {
    const place = placed.get(r.day);
    if (!place) continue;
    const entry = totalsOf(place.offset, periodOf(place.cheque));
    if (r.metric === "lookup") entry.lookups += r.value;
    else if (r.metric === "request.category") entry.requests += r.value;
    else if (r.metric === "request.claim_wait")
      entry.waits.set(Number(r.key), (entry.waits.get(Number(r.key)) ?? 0) + r.value);
  }
  const points: RhythmPoint[] = [];
  for (const period of ["before", "current"] as const)
    for (let offset = RHYTHM_OFFSETS.first; offset <= RHYTHM_OFFSETS.last; offset++) {
      const entry = totals.get(`${period}:${offset}`);
      if (!entry || entry.days === 0) continue;
      points.push({
        offset,
        period,
        days: entry.days,
        lookups: entry.lookups / entry.days,
        requests: entry.requests / entry.days,
        claimMinutes: quantileFromBuckets(entry.waits, 0.5),
      });
    }
  return points;
}

/** Both periods together, one average per day of the cycle (the caption's busiest days). */
export function wholeRange(
  points: readonly RhythmPoint[],
): Array<{ offset: number; lookups: number; requests: number }> {
  const byOffset = new Map<number, { days: number; lookups: number; requests: number }>();
  for (const p of points) {
    const sum = byOffset.get(p.offset) ?? { days: 0, lookups: 0, requests: 0 };
    sum.days += p.days;
    sum.lookups += p.lookups * p.days;
    sum.requests += p.requests * p.days;
    byOffset.set(p.offset, sum);
  }
  return [...byOffset]
    .sort(([a], [b]) => a - b)
    .map(([offset, sum]) => ({ offset, lookups: sum.lookups / sum.days, requests: sum.requests / sum.days }));
}

/** The days of the cycle with the most of a series, busiest first: the chart's message in words. */
export function peakDays(
  points: readonly RhythmPoint[],
  series: "lookups" | "requests",
  count = 3,
): number[] {
  return wholeRange(points)
    .filter((p) => p[series] > 0)
    .sort((a, b) => b[series] - a[series] || a.offset - b.offset)
    .slice(0, count)
    .map((p) => p.offset);
}
