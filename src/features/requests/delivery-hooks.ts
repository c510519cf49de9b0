import { eq } from "drizzle-orm";
import type { Database } from "../../db/executor";
import { members, requests } from "../../db/schema";
import type { OutboxDeliveryOptions } from "../../outbox/delivery";
import type { Sealer } from "../../privacy/sealed";
import { recordNotice } from "./queries";

/**
 * How the outbox reaches people: recipients are resolved to chat ids only at send time (an ended
 * request's chat id is gone, a revoked or unreachable member gets nothing), and a delivered notice is
 * remembered so the worker can answer by replying to it.
 */
export function deliveryHooks(
  db: Database,
  sealer: Sealer,
  now: () => Date,
): Pick<OutboxDeliveryOptions, "resolveChat" | "onSent" | "onUnreachable"> {
  return {
    async resolveChat(recipient) {
      if (recipient.kind === "member") {
        const [member] = await db
          .select()
          .from(members)
          .where(eq(members.id, Number(recipient.id)));
        if (!member || member.revokedAt || member.unreachableSince) return undefined;
        return Number(sealer.open(member.chatIdEnc));
      }
      const [request] = await db
        .select({ chatIdEnc: requests.chatIdEnc })
        .from(requests)
        .where(eq(requests.id, recipient.id));
      return request?.chatIdEnc ? Number(sealer.open(request.chatIdEnc)) : undefined;
    },
    async onSent(sent) {
      // notice:<request id>:<member id>[:r<time>]
      const [kind, requestId, memberId] = sent.dedupeKey.split(":");
      if (kind === "notice" && requestId && memberId && sent.messageId !== undefined)
        await recordNotice(db, requestId, Number(memberId), sent.messageId);
    },
    async onUnreachable(recipient) {
      // A worker who blocked the bot is skipped from now on; a person who did simply gets nothing more.
      if (recipient.kind === "member")
        await db
          .update(members)
          .set({ unreachableSince: now(), onCallSince: null, onCallUntil: null })
          .where(eq(members.id, Number(recipient.id)));
    },
  };
}
