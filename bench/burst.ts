import { sql } from "drizzle-orm";
import { Api } from "grammy";
import { rowsOf } from "../src/db/executor";
import { members } from "../src/db/schema";
import { replaceDirectory } from "../src/directory/store";
import { withAlertDelivery } from "../src/features/alerts/delivery-hooks";
import { deliveryHooks } from "../src/features/requests/delivery-hooks";
import { submitRequest } from "../src/features/requests/use-cases";
import { createLogger } from "../src/logger";
import { callThrough, createOutboxDelivery } from "../src/outbox/delivery";
import { pseudonymFor } from "../src/privacy/pseudonym";
import { fixtureDirectory, WEDNESDAY_2PM } from "../test/support/directory-fixture";
import type { BenchDatabase } from "./database";
import { BENCH_TOKEN, buildPerche } from "./perche";
import { round } from "./stats";
import { limitedTelegram } from "./telegram-stub";

/**
 * Section 4, cheque day: `requests` people ask within one minute while `workers` are on call. The outbox
 * delivers every notice through src/outbox/delivery.ts with its production pacing (25 calls/s, one per
 * chat per second) to a stub that enforces Telegram's limits. Time is simulated: the delivery's `now` and
 * `sleep` move a fake clock, so 30 simulated minutes take seconds.
 */
export type BurstOptions = { requests: number; workers: number };

export type BurstResult = {
  requests: number;
  workers: number;
  notifications: number;
  delivered: number;
  simulatedSeconds: number;
  /** The shortest time Telegram's limits allow for these messages. */
  allowedSeconds: number;
  rateOfAllowedPct: number;
  tooManyRequests: number;
  lost: number;
  duplicated: number;
  realSeconds: number;
};

const PER_SECOND = 30;
const FIRST_WORKER_CHAT = 30_000_000;
const FIRST_PERSON_CHAT = 40_000_000;

export async function runBurst(database: BenchDatabase, options: BurstOptions): Promise<BurstResult> {
  const started = performance.now();
  let clock = WEDNESDAY_2PM.getTime();
  const now = () => new Date(clock);
  const sleep = async (ms: number) => {
    clock += ms;
  };
  const telegram = limitedTelegram(() => clock, PER_SECOND, 1000);
  const { deps } = buildPerche(database.db, telegram.fetch, now);
  await replaceDirectory(database.db, fixtureDirectory());
  await database.db.insert(members).values(
    Array.from({ length: options.workers }, (_, i) => ({
      organisationId: "org-a",
      role: "worker" as const,
      alias: `Intervenant${i}`,
      pseudonym: pseudonymFor(deps.pseudonymKey, FIRST_WORKER_CHAT + i, "member"),
      chatIdEnc: deps.sealer.seal(String(FIRST_WORKER_CHAT + i)),
      locale: "fr" as const,
      onCallSince: new Date(clock - 3_600_000),
    })),
  );
  const delivery = createOutboxDelivery({
    db: database.db,
    call: callThrough(new Api(BENCH_TOKEN, { fetch: telegram.fetch })),
    ...withAlertDelivery(
      deliveryHooks(database.db, deps.sealer, now, deps.translations, deps.catalog, deps.defaultLocale),
      database.db,
      deps.sealer,
      now,
      deps.translations,
    ),
    sealer: deps.sealer,
    logger: createLogger("silent"),
    now,
    sleep,
  });

  // The requests arrive evenly over one minute; delivery runs in between, as the loop would.
  const start = clock;
  const spacingMs = 60_000 / options.requests;
  let submitted = 0;
  for (;;) {
    while (submitted < options.requests && start + submitted * spacingMs <= clock) {
      const chatId = FIRST_PERSON_CHAT + submitted;
      await submitRequest(deps, {
        personPseudonym: pseudonymFor(deps.pseudonymKey, chatId),
        chatId,
        locale: submitted % 3 === 0 ? "en" : "fr",
        category: "housing",
        message: "Besoin d'un endroit pour dormir ce soir",
        answerMode: "chat",
        meetSiteId: null,
        areaPlaceId: "centre-sud",
        sourceUpdateId: 900_000 + submitted,
      });
      submitted += 1;
    }
    const round = await delivery.runOnce();
    const didWork = round.sent + round.retried + round.failed + round.unreachable > 0;
    if (didWork) continue;
    if (submitted < options.requests) {
      clock = Math.max(clock, start + submitted * spacingMs);
      continue;
    }
    const [next] = rowsOf<{ at: Date | string | null; pending: number }>(
      await database.db.execute(
        sql`select min(next_attempt_at) as at, count(*)::int as pending from outbox where status = 'pending'`,
      ),
    );
    if (!next || next.pending === 0) break;
    // Waiting for a retry_after: the loop would idle until the row is due.
    clock = Math.max(clock + 100, next.at ? new Date(next.at).getTime() : clock + 1000);
  }

  const [counts] = rowsOf<{ notifications: number; unsent: number }>(
    await database.db.execute(
      sql`select count(*)::int as notifications, count(*) filter (where status <> 'sent')::int as unsent from outbox`,
    ),
  );
  const notifications = counts?.notifications ?? 0;
  const expected = options.requests * options.workers;
  const delivered = telegram.delivered();
  const duplicated = telegram.duplicated();
  const lost = Math.max(0, expected - (delivered - duplicated)) + (counts?.unsent ?? 0);
  const simulatedSeconds = ((telegram.lastAt() ?? start) - start) / 1000;
  // Telegram allows 30 messages a second overall and one a second per chat: the busiest chat sets the pace here.
  const allowedSeconds = Math.max(delivered / PER_SECOND, options.requests - 1);
  return {
    requests: options.requests,
    workers: options.workers,
    notifications,
    delivered,
    simulatedSeconds: round(simulatedSeconds, 1),
    allowedSeconds: round(allowedSeconds, 1),
    rateOfAllowedPct: round((allowedSeconds / simulatedSeconds) * 100, 1),
    tooManyRequests: telegram.tooMany(),
    lost,
    duplicated,
    realSeconds: round((performance.now() - started) / 1000, 1),
  };
}
