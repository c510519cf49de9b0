import { sql } from "drizzle-orm";
import type { BotDeps } from "../bot/context";
import type { Executor } from "../db/executor";
import { statCounters } from "../db/schema";
import { wallDate, wallFields } from "../directory/clock";
import { errorFields } from "../logger";

/**
 * Anonymous counters: each event adds one to a (Montreal day, metric, key, organisation) cell. Nothing
 * about who did it is ever passed in, so nothing about anyone can come out. Keys are ids and words from
 * the code (material ids, categories, outcomes, hours, bucket edges), never text someone typed.
 */

// Coordinators plan shifts on Montreal's clock, whatever the server's zone.
export const STATS_ZONE = "America/Toronto";

export const METRICS = [
  // One per screen of results shown: key = material | open | near | site.
  "lookup",
  // A list of sites for one material: key = material id.
  "lookup.material",
  // Each kind of site shown in a list or on a card (once per screen): key = site type.
  "lookup.site_type",
  // One per request sent: key = category.
  "request.category",
  // One per request sent: key = Montreal hour "00".."23".
  "request.hour",
  // One per request sent while nobody of its team was on call: key = "".
  "request.nobody_on_call",
  // One per claim: key = lower edge of the wait's bucket in minutes (see CLAIM_WAIT_EDGES).
  "request.claim_wait",
  // One per ended request: key = closed:<outcome> | withdrawn | expired.
  "request.outcome",
] as const;
export type Metric = (typeof METRICS)[number];

/**
 * Buckets of the time to claim, in minutes: [0,1), [1,2), [2,5), ... [720,1440), [1440, ∞). The key is
 * the lower edge; medians and percentiles read back from them are estimates within one bucket.
 */
export const CLAIM_WAIT_EDGES = [0, 1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1440];

export function claimWaitBucket(waitMs: number): string {
  const minutes = Math.max(0, waitMs) / 60_000;
  let edge = 0;
  for (const e of CLAIM_WAIT_EDGES) if (minutes >= e) edge = e;
  return String(edge);
}

export type StatEvent = { metric: Metric; key: string; organisationId?: string };

const MAX_KEY = 64;

/** Adds one per event, in one statement; events for the same cell are summed first (an upsert touches a row once). */
export async function countEvents(db: Executor, now: Date, events: StatEvent[]): Promise<void> {
  await countEventsStatement(db, now, events);
}

/** The statement countEvents runs, unsent: to send it within a larger one (see inOneStatement). */
export function countEventsStatement(db: Executor, now: Date, events: StatEvent[]) {
  if (events.length === 0) return undefined;
  const day = wallDate(now, STATS_ZONE);
  const cells = new Map<
    string,
    { day: string; metric: string; key: string; organisationId: string; value: number }
  >();
  for (const event of events) {
    const key = event.key.slice(0, MAX_KEY);
    const organisationId = event.organisationId ?? "";
    const id = JSON.stringify([event.metric, key, organisationId]);
    const cell = cells.get(id);
    if (cell) cell.value += 1;
    else cells.set(id, { day, metric: event.metric, key, organisationId, value: 1 });
  }
  // Rows always locked in the same order, so two statements counting the same cells cannot deadlock.
  const rows = [...cells].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell);
  return db
    .insert(statCounters)
    .values(rows)
    .onConflictDoUpdate({
      target: [statCounters.day, statCounters.metric, statCounters.key, statCounters.organisationId],
      set: { value: sql`${statCounters.value} + excluded.value` },
    });
}

export function countEvent(
  db: Executor,
  now: Date,
  metric: Metric,
  key: string,
  organisationId = "",
): Promise<void> {
  return countEvents(db, now, [{ metric, key, organisationId }]);
}

type RequestFacts = { organisationId: string; category: string; createdAt: Date };

/** A request was sent (inside its transaction): its category, its hour, and whether anyone was on call. */
export async function countRequestSent(
  db: Executor,
  now: Date,
  request: RequestFacts,
  onCall: number,
): Promise<void> {
  await countRequestSentStatement(db, now, request, onCall);
}

/** The statement countRequestSent runs, unsent: to send it within a larger one (see inOneStatement). */
export function countRequestSentStatement(db: Executor, now: Date, request: RequestFacts, onCall: number) {
  const org = request.organisationId;
  const hour = String(wallFields(now, STATS_ZONE).hour).padStart(2, "0");
  return countEventsStatement(db, now, [
    { metric: "request.category", key: request.category, organisationId: org },
    { metric: "request.hour", key: hour, organisationId: org },
    ...(onCall === 0 ? [{ metric: "request.nobody_on_call" as const, key: "", organisationId: org }] : []),
  ]);
}

/** A request was claimed (inside the claim's transaction): how long it waited. Unsent (see inOneStatement). */
export function countClaimStatement(db: Executor, now: Date, request: RequestFacts) {
  const bucket = claimWaitBucket(now.getTime() - request.createdAt.getTime());
  return countEventsStatement(db, now, [
    { metric: "request.claim_wait", key: bucket, organisationId: request.organisationId },
  ]);
}

/** A request ended (inside the transaction that ended it): closed with its outcome, withdrawn or expired. */
export function countRequestEnd(
  db: Executor,
  now: Date,
  request: { organisationId: string; status: string; outcome: string | null },
): Promise<void> {
  const key = request.status === "closed" ? `closed:${request.outcome ?? "other"}` : request.status;
  return countEvent(db, now, "request.outcome", key, request.organisationId);
}

export type LookupKind = "material" | "open" | "near" | "site";

/**
 * A directory screen was shown. Outside any transaction: a counter that cannot be written is logged
 * (error fields only) and forgotten, never in the way of the answer.
 */
export async function countLookup(
  deps: Pick<BotDeps, "db" | "now" | "logger" | "lookupTally">,
  kind: LookupKind,
  shown: { materialId?: string; siteTypes?: Iterable<string> },
): Promise<void> {
  const events: StatEvent[] = [{ metric: "lookup", key: kind }];
  if (shown.materialId) events.push({ metric: "lookup.material", key: shown.materialId });
  for (const type of new Set(shown.siteTypes ?? [])) events.push({ metric: "lookup.site_type", key: type });
  // In the running bot, counted in memory and written every few seconds (see LookupTally).
  if (deps.lookupTally) {
    deps.lookupTally.add(deps.now(), events);
    return;
  }
  try {
    await countEvents(deps.db, deps.now(), events);
  } catch (error) {
    deps.logger.warn({ error: errorFields(error) }, "could not count a lookup");
  }
}
