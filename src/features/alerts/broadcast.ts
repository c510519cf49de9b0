import { and, count, eq, isNull, or, sql } from "drizzle-orm";
import type { Translations } from "../../bot/i18n";
import type { Locale } from "../../config";
import type { Database, Executor } from "../../db/executor";
import { alertSubscribers, alertSubscriptions, alerts, members, outbox } from "../../db/schema";
import type { Catalog } from "../../directory/catalog";
import type { Place } from "../../directory/model";
import { enqueueMessages, type OutboxMessage } from "../../outbox/enqueue";
import type { Translate } from "../../text/translate";

/** Each language's text, capped so the whole message stays far under Telegram's 4096 characters. */
export const MAX_ALERT_TEXT = 1000;
const ENQUEUE_CHUNK = 500;
// Buttons beyond this would bury the Stop button on a small screen.
const MAX_AREAS = 30;

/** The areas one can subscribe to or write for, besides all of Montreal: the directory's neighbourhoods. */
export function alertAreas(catalog: Catalog | undefined): Place[] {
  return (catalog?.directory.places ?? []).filter((p) => p.kind === "neighbourhood").slice(0, MAX_AREAS);
}

export type AlertDraft = {
  /** Held by the dialogue: sending the same draft twice finds the first alert. */
  token: string;
  memberId: number;
  placeId: string | null;
  textFr: string;
  textEn: string;
};

/** The alert exactly as a subscriber reads it (HTML; the worker's text is escaped by `t`). */
export function alertMessage(
  t: Translate,
  locale: Locale,
  catalog: Catalog | undefined,
  alert: { placeId: string | null; organisationId: string; text: string },
): string {
  const place = alert.placeId === null ? undefined : catalog?.placesById.get(alert.placeId);
  const organisation = catalog?.directory.organisations.find((o) => o.id === alert.organisationId);
  return t("alerts.message", {
    area: place ? place.name[locale] : t("alerts.allMontreal"),
    text: alert.text,
    organisation: organisation ? organisation.name[locale] : alert.organisationId,
  });
}

/** Subscribers an alert for this area reaches: that neighbourhood's and all of Montreal's; everyone for all. */
function reachedBy(placeId: string | null) {
  const areas =
    placeId === null
      ? sql`true`
      : or(isNull(alertSubscriptions.placeId), eq(alertSubscriptions.placeId, placeId));
  return sql`exists (select 1 from ${alertSubscriptions} where ${alertSubscriptions.subscriberId} = ${alertSubscribers.id} and ${areas})`;
}

export async function countReach(db: Executor, placeId: string | null): Promise<number> {
  const [row] = await db.select({ n: count() }).from(alertSubscribers).where(reachedBy(placeId));
  return row?.n ?? 0;
}

export type SendOutcome =
  | { kind: "sent"; alertId: number; count: number }
  | { kind: "already" }
  | { kind: "not-allowed" };

/**
 * Records the alert and queues one message per subscriber it reaches, in their language, in one
 * transaction: either everyone is queued or nobody is. A second send of the same draft does nothing.
 */
export async function sendAlert(
  db: Database,
  translations: Translations,
  catalog: Catalog | undefined,
  draft: AlertDraft,
  now: Date,
): Promise<SendOutcome> {
  return db.transaction(async (tx) => {
    const [author] = await tx
      .select()
      .from(members)
      .where(and(eq(members.id, draft.memberId), isNull(members.revokedAt)));
    if (!author || author.role === "peer") return { kind: "not-allowed" };
    const [alert] = await tx
      .insert(alerts)
      .values({
        token: draft.token,
        organisationId: author.organisationId,
        authorMemberId: author.id,
        placeId: draft.placeId,
        textFr: draft.textFr,
        textEn: draft.textEn,
        recipientCount: 0,
        createdAt: now,
      })
      .onConflictDoNothing({ target: alerts.token })
      .returning({ id: alerts.id });
    if (!alert) return { kind: "already" };
    const recipients = await tx
      .select({ id: alertSubscribers.id, locale: alertSubscribers.locale })
      .from(alertSubscribers)
      .where(reachedBy(draft.placeId))
      .orderBy(alertSubscribers.id);
    const texts = {
      fr: alertMessage(translations.forLocale("fr"), "fr", catalog, {
        placeId: draft.placeId,
        organisationId: author.organisationId,
        text: draft.textFr,
      }),
      en: alertMessage(translations.forLocale("en"), "en", catalog, {
        placeId: draft.placeId,
        organisationId: author.organisationId,
        text: draft.textEn,
      }),
    };
    const messages: OutboxMessage[] = recipients.map((recipient) => ({
      dedupeKey: `alert:${alert.id}:${recipient.id}`,
      recipient: { kind: "subscriber", id: String(recipient.id) },
      method: "sendMessage",
      payload: {
        text: texts[recipient.locale],
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
      },
      alertId: alert.id,
    }));
    for (let i = 0; i < messages.length; i += ENQUEUE_CHUNK)
      await enqueueMessages(tx, messages.slice(i, i + ENQUEUE_CHUNK));
    await tx
      .update(alerts)
      // Nobody to reach: there is nothing to wait for, so no report will come.
      .set({ recipientCount: messages.length, reportedAt: messages.length === 0 ? now : null })
      .where(eq(alerts.id, alert.id));
    return { kind: "sent", alertId: alert.id, count: messages.length };
  });
}

/**
 * Tells each author whose alert has no message left pending how many received it. Runs after any alert
 * message settles; looks at every unreported alert, since a subscriber found unreachable settles their
 * later alerts' messages too. `reportedAt` makes the report go once.
 */
export async function reportFinishedAlerts(
  db: Database,
  translations: Translations,
  now: Date,
): Promise<number> {
  const waiting = await db
    .select({ id: alerts.id, authorMemberId: alerts.authorMemberId, total: alerts.recipientCount })
    .from(alerts)
    .where(isNull(alerts.reportedAt));
  let reported = 0;
  for (const alert of waiting) {
    // Cheap on the (alert, status) index, so checking after each of thousands of messages stays cheap.
    const pending = await db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.alertId, alert.id), eq(outbox.status, "pending")))
      .limit(1);
    if (pending.length > 0) continue;
    const counts = await db
      .select({ status: outbox.status, n: count() })
      .from(outbox)
      .where(eq(outbox.alertId, alert.id))
      .groupBy(outbox.status);
    const of = (status: string) => counts.find((c) => c.status === status)?.n ?? 0;
    const done = await db.transaction(async (tx) => {
      const [marked] = await tx
        .update(alerts)
        .set({ reportedAt: now })
        .where(and(eq(alerts.id, alert.id), isNull(alerts.reportedAt)))
        .returning({ id: alerts.id });
      if (!marked || alert.authorMemberId === null) return Boolean(marked);
      const [author] = await tx.select().from(members).where(eq(members.id, alert.authorMemberId));
      if (!author) return true;
      await enqueueMessages(tx, [
        {
          dedupeKey: `alert-report:${alert.id}`,
          recipient: { kind: "member", id: String(author.id) },
          method: "sendMessage",
          payload: {
            text: translations.forLocale(author.locale)("alerts.report", {
              reached: of("sent"),
              total: alert.total,
              gone: of("unreachable"),
            }),
          },
        },
      ]);
      return true;
    });
    if (done) reported += 1;
  }
  return reported;
}
