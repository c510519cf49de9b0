import { eq } from "drizzle-orm";
import type { Translations } from "../../bot/i18n";
import type { Database } from "../../db/executor";
import { alertSubscribers } from "../../db/schema";
import type { OutboxDeliveryOptions } from "../../outbox/delivery";
import type { Sealer } from "../../privacy/sealed";
import { reportFinishedAlerts } from "./broadcast";

type Hooks = Pick<OutboxDeliveryOptions, "resolveChat" | "onSent" | "onUnreachable" | "onSettled">;

/**
 * Adds subscribers to the outbox's recipients: resolved to a chat id only at send time, so someone who
 * stopped alerts meanwhile gets nothing (the message is dropped), and someone who blocked the bot is
 * unsubscribed. When an alert's last message settles, its author hears how many received it.
 */
export function withAlertDelivery(
  base: Hooks,
  db: Database,
  sealer: Sealer,
  now: () => Date,
  translations: Translations,
): Hooks {
  return {
    ...base,
    async resolveChat(recipient, method) {
      if (recipient.kind !== "subscriber") return base.resolveChat(recipient, method);
      const [subscriber] = await db
        .select({ chatIdEnc: alertSubscribers.chatIdEnc })
        .from(alertSubscribers)
        .where(eq(alertSubscribers.id, Number(recipient.id)));
      return subscriber ? Number(sealer.open(subscriber.chatIdEnc)) : undefined;
    },
    async onUnreachable(recipient) {
      if (recipient.kind !== "subscriber") return base.onUnreachable?.(recipient);
      await db.delete(alertSubscribers).where(eq(alertSubscribers.id, Number(recipient.id)));
    },
    async onSettled(settled) {
      await base.onSettled?.(settled);
      if (settled.dedupeKey.startsWith("alert:")) await reportFinishedAlerts(db, translations, now());
    },
  };
}
