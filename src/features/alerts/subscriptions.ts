import { and, eq, isNull } from "drizzle-orm";
import type { Locale } from "../../config";
import type { Database } from "../../db/executor";
import { alertSubscribers, alertSubscriptions } from "../../db/schema";
import { pseudonymFor } from "../../privacy/pseudonym";
import type { Sealer } from "../../privacy/sealed";

/** A purpose of its own: a subscriber's pseudonym cannot be matched with the same person's requests. */
export function alertsPseudonym(pseudonymKey: string, telegramUserId: number): string {
  return pseudonymFor(pseudonymKey, telegramUserId, "alerts");
}

/** What someone gets alerts for: all of Montreal, or some neighbourhoods (never both). */
export type Subscription = { subscriberId: number; all: boolean; placeIds: string[] };

export async function subscriptionOf(db: Database, pseudonym: string): Promise<Subscription | undefined> {
  const rows = await db
    .select({ subscriberId: alertSubscribers.id, placeId: alertSubscriptions.placeId })
    .from(alertSubscribers)
    .innerJoin(alertSubscriptions, eq(alertSubscriptions.subscriberId, alertSubscribers.id))
    .where(eq(alertSubscribers.pseudonym, pseudonym))
    .orderBy(alertSubscriptions.createdAt, alertSubscriptions.placeId);
  const first = rows[0];
  if (!first) return undefined;
  return {
    subscriberId: first.subscriberId,
    all: rows.some((r) => r.placeId === null),
    placeIds: rows.flatMap((r) => (r.placeId === null ? [] : [r.placeId])),
  };
}

export type Subscriber = { pseudonym: string; chatId: number; locale: Locale; now: Date };

/**
 * One tap on an area. All of Montreal replaces any neighbourhoods; a neighbourhood replaces all of
 * Montreal. Choosing what is already chosen changes nothing (a redelivered tap). Returns what the
 * person gets now.
 */
export async function chooseArea(
  db: Database,
  sealer: Sealer,
  subscriber: Subscriber,
  placeId: string | null,
): Promise<Subscription | undefined> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(alertSubscribers)
      .values({
        pseudonym: subscriber.pseudonym,
        chatIdEnc: sealer.seal(String(subscriber.chatId)),
        locale: subscriber.locale,
        createdAt: subscriber.now,
      })
      .onConflictDoUpdate({ target: alertSubscribers.pseudonym, set: { locale: subscriber.locale } })
      .returning({ id: alertSubscribers.id });
    if (!row) throw new Error("subscriber upsert returned nothing");
    const mine = eq(alertSubscriptions.subscriberId, row.id);
    if (placeId === null) {
      await tx.delete(alertSubscriptions).where(mine);
    } else {
      await tx.delete(alertSubscriptions).where(and(mine, isNull(alertSubscriptions.placeId)));
    }
    await tx
      .insert(alertSubscriptions)
      .values({ subscriberId: row.id, placeId, createdAt: subscriber.now })
      .onConflictDoNothing();
  });
  return subscriptionOf(db, subscriber.pseudonym);
}

/**
 * Takes one neighbourhood off. Removing the last one stops alerts altogether, so nothing stays behind.
 * Doing it twice changes nothing more.
 */
export async function removeArea(
  db: Database,
  pseudonym: string,
  placeId: string,
): Promise<Subscription | undefined> {
  await db.transaction(async (tx) => {
    const [subscriber] = await tx
      .select({ id: alertSubscribers.id })
      .from(alertSubscribers)
      .where(eq(alertSubscribers.pseudonym, pseudonym));
    if (!subscriber) return;
    const mine = eq(alertSubscriptions.subscriberId, subscriber.id);
    await tx.delete(alertSubscriptions).where(and(mine, eq(alertSubscriptions.placeId, placeId)));
    const left = await tx.select().from(alertSubscriptions).where(mine).limit(1);
    if (left.length === 0) await tx.delete(alertSubscribers).where(eq(alertSubscribers.id, subscriber.id));
  });
  return subscriptionOf(db, pseudonym);
}

/** Stopping erases the subscriber and, by cascade, every area. True when there was something to erase. */
export async function stopAlerts(db: Database, pseudonym: string): Promise<boolean> {
  const deleted = await db
    .delete(alertSubscribers)
    .where(eq(alertSubscribers.pseudonym, pseudonym))
    .returning({ id: alertSubscribers.id });
  return deleted.length > 0;
}

/** Alerts follow the person's language choice. */
export async function setSubscriberLocale(db: Database, pseudonym: string, locale: Locale): Promise<void> {
  await db.update(alertSubscribers).set({ locale }).where(eq(alertSubscribers.pseudonym, pseudonym));
}
