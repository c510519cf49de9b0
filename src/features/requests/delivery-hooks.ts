import { eq, sql } from "drizzle-orm";
import type { Translations } from "../../bot/i18n";
import type { Locale } from "../../config";
import type { Database } from "../../db/executor";
import {
  groupNotices,
  members,
  requestMessages,
  requestNotices,
  requests,
  teamGroups,
} from "../../db/schema";
import type { CatalogCache } from "../../directory/catalog-cache";
import type { OutboxDeliveryOptions } from "../../outbox/delivery";
import { enqueueMessages } from "../../outbox/enqueue";
import type { Sealer } from "../../privacy/sealed";
import { withHtml } from "../../text/translate";
import { teamOf } from "../members/queries";
import { recordNotice } from "./queries";
import { releaseAllClaims } from "./use-cases";

/**
 * How the outbox reaches people: recipients are resolved to chat ids only at send time (an ended
 * request's chat id is gone, a revoked or unreachable member gets nothing), and a delivered notice is
 * remembered so the worker can answer by replying to it.
 */
export function deliveryHooks(
  db: Database,
  sealer: Sealer,
  now: () => Date,
  translations: Translations,
  catalog: CatalogCache,
  defaultLocale: Locale,
): Pick<OutboxDeliveryOptions, "resolveChat" | "onSent" | "onUnreachable"> {
  return {
    async resolveChat(recipient, method) {
      switch (recipient.kind) {
        case "member": {
          const [member] = await db
            .select()
            .from(members)
            .where(eq(members.id, Number(recipient.id)));
          // The one thing a revoked member still gets: their team menu taken away (admin revoke).
          const stillReached = method === "deleteMyCommands" || !member?.revokedAt;
          if (!member || !stillReached || member.unreachableSince) return undefined;
          return Number(sealer.open(member.chatIdEnc));
        }
        case "group": {
          const [group] = await db
            .select()
            .from(teamGroups)
            .where(eq(teamGroups.organisationId, recipient.id));
          return group ? Number(sealer.open(group.chatIdEnc)) : undefined;
        }
        case "request": {
          // A relayed request answers to its peer helper's chat: not once that peer has left the team.
          const [request] = await db
            .select({ chatIdEnc: requests.chatIdEnc, peerRevokedAt: members.revokedAt })
            .from(requests)
            .leftJoin(members, eq(members.id, requests.relayedByMemberId))
            .where(eq(requests.id, recipient.id));
          if (!request?.chatIdEnc || request.peerRevokedAt) return undefined;
          return Number(sealer.open(request.chatIdEnc));
        }
      }
    },
    async onSent(sent) {
      if (sent.messageId === undefined) return;
      // Every message in a worker's or peer's chat that belongs to a request is remembered, so that a
      // Telegram reply to it goes to that request (addressing.ts): a person's words relayed to the worker
      // (relay:<update id>, add:<update id>:<member id>, found by the update that brought them), and
      // anything sent to a peer helper about a request they relay.
      await recordRelayedCopy(db, sent.dedupeKey, sent.recipient, sent.messageId);
      // notice:<request id>:<member id>[:suffix] and gnotice:<request id>:<organisation id>[:suffix]
      const [kind, requestId, target] = sent.dedupeKey.split(":");
      if (!requestId || !target) return;
      if (kind === "notice") await recordNotice(db, requestId, Number(target), sent.messageId);
      if (kind === "gnotice")
        await db.execute(sql`
          insert into ${groupNotices} (request_id, organisation_id, message_id)
          select ${requestId}, ${target}, ${sent.messageId}
          where exists (select 1 from ${requests} where ${requests.id} = ${requestId})
          on conflict do nothing`);
    },
    async onUnreachable(recipient) {
      // A worker who blocked the bot is skipped from now on; a group that removed the bot is no longer
      // announced to; a person who blocked it simply gets nothing more.
      if (recipient.kind === "member") {
        const [member] = await db
          .update(members)
          .set({ unreachableSince: now(), onCallSince: null, onCallUntil: null })
          .where(eq(members.id, Number(recipient.id)))
          .returning();
        // The coordinators are told, so the team knows who cannot be reached; what they held goes back.
        if (member) {
          await releaseAllClaims({ db, sealer, translations, now, catalog, defaultLocale }, member);
          const coordinators = (await teamOf(db, member.organisationId)).filter(
            (m) => m.role === "admin" && m.id !== member.id,
          );
          await enqueueMessages(
            db,
            coordinators.map((admin) => ({
              dedupeKey: `unreachable:${member.id}:${admin.id}:${now().getTime()}`,
              recipient: { kind: "member", id: String(admin.id) },
              method: "sendMessage",
              payload: {
                text: translations.forLocale(admin.locale)(
                  "admin.unreachable",
                  withHtml({ alias: member.alias }),
                ),
                protect_content: true,
              },
            })),
            sealer,
          );
        }
      }
      if (recipient.kind === "group")
        await db.delete(teamGroups).where(eq(teamGroups.organisationId, recipient.id));
    },
  };
}

async function recordRelayedCopy(
  db: Database,
  dedupeKey: string,
  recipient: { kind: string; id: string },
  messageId: number,
): Promise<void> {
  const [kind, updateId] = dedupeKey.split(":");
  if (
    recipient.kind === "member" &&
    (kind === "relay" || kind === "add") &&
    /^\d{1,15}$/.test(updateId ?? "")
  )
    await db.execute(sql`
      insert into ${requestNotices} (request_id, member_id, message_id)
      select ${requestMessages.requestId}, ${Number(recipient.id)}, ${messageId} from ${requestMessages}
       where ${requestMessages.sourceUpdateId} = ${Number(updateId)}
      on conflict do nothing`);
  if (recipient.kind === "request")
    await db.execute(sql`
      insert into ${requestNotices} (request_id, member_id, message_id)
      select ${requests.id}, ${requests.relayedByMemberId}, ${messageId} from ${requests}
       where ${requests.id} = ${recipient.id} and ${requests.relayedByMemberId} is not null
      on conflict do nothing`);
}
