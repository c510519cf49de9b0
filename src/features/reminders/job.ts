import type { BotDeps } from "../../bot/context";
import { wallDate } from "../../directory/clock";
import { enqueueMessages } from "../../outbox/enqueue";
import { oldSitesOf, reminderPayload } from "./message";
import { listCoordinatorReminders, takeReminderMoment } from "./queries";
import { dueReminder } from "./schedule";

export type ReminderDeps = Pick<BotDeps, "db" | "catalog" | "translations" | "sealer" | "now" | "outbox">;

/**
 * Run every minute (and safe to run anywhere, as often as wanted): each coordinator whose chosen moment
 * has come gets ONE message listing their organisation's sites checked more than `stale_after_days`
 * ago, each with "✅ Still true" and "✏️ Edit". Nothing old: no message, and the moment counts as
 * handled but not as sent. The moment is taken with a conditional write (takeReminderMoment) in the
 * same transaction as the message is queued, so two instances, or a restart, never send it twice.
 * Returns how many reminders were queued.
 */
export async function sendStaleReminders(deps: ReminderDeps): Promise<number> {
  const now = deps.now();
  const catalog = await deps.catalog.get(deps.db);
  if (!catalog) return 0;
  const { timezone, staleAfterDays } = catalog.directory.info;
  const today = wallDate(now, timezone);
  let queued = 0;
  for (const coordinator of await listCoordinatorReminders(deps.db)) {
    const due = dueReminder(now, coordinator.settings, coordinator.state, timezone);
    if (!due) continue;
    // Too late (the bot was down for hours): the moment is handled, and nothing goes out at night.
    const old = due.late
      ? []
      : oldSitesOf(catalog.directory.sites, coordinator.organisationId, today, staleAfterDays);
    await deps.db.transaction(async (tx) => {
      const taken = await takeReminderMoment(tx, {
        memberId: coordinator.memberId,
        moment: due.moment,
        sentBefore: due.sentBefore,
        sentAt: old.length > 0 ? now : null,
      });
      if (!taken || old.length === 0) return;
      const reader = { t: deps.translations.forLocale(coordinator.locale), locale: coordinator.locale };
      queued += await enqueueMessages(
        tx,
        [
          {
            dedupeKey: `stale-sites:${coordinator.memberId}:${due.moment.toISOString()}`,
            recipient: { kind: "member", id: String(coordinator.memberId) },
            method: "sendMessage",
            payload: reminderPayload(old, reader, staleAfterDays),
          },
        ],
        deps.sealer,
      );
    });
  }
  if (queued > 0) deps.outbox?.wake();
  return queued;
}
