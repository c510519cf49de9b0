import { and, eq, gt, inArray } from "drizzle-orm";
import { LAST_RESORT_EMERGENCY_NUMBER } from "../../bot/last-resort";
import { requests, teamGroups } from "../../db/schema";
import { formatInstantTime } from "../../directory/format";
import type { OutboxMessage } from "../../outbox/enqueue";
import { countRequestSent } from "../../stats/counters";
import { withHtml } from "../../text/translate";
import { type Member, onCallMembers } from "../members/queries";
import { DEFAULT_ZONE } from "../members/shifts";
import { drawNickname } from "../requests/nickname";
import { htmlText, noticeKeyboard, type Reader } from "../requests/notices";
import {
  ACTIVE_STATUSES,
  enqueue,
  insertRequest,
  markDelivered,
  newRequestId,
  nicknamesInUse,
} from "../requests/queries";
import { freshRelayPseudonym } from "../requests/relayed-queries";
import type { RequestDeps } from "../requests/use-cases";

// Taps within this long of a backup call are the same call: workers are not alerted again.
export const BACKUP_DEDUPE_MINUTES = 5;

export type BackupOutcome =
  | { kind: "sent"; onCall: number; time: string }
  | { kind: "again"; time: string; nobodyOnCall: boolean; number: string }
  | { kind: "nobody"; number: string; groupTold: boolean };

/**
 * "I need backup": one tap alerts every worker on call in the peer's organisation at once, through the
 * outbox, with the peer's alias and the time. It is a request the peer relays, so a worker claims it
 * and writes to the peer like any other; unclaimed, it waits, escalates and expires like any other.
 * With nobody on call the peer hears it at once, with the emergency number, and the team group is told.
 */
export async function callBackup(
  deps: RequestDeps,
  peer: Member,
  chatId: number,
  updateId: number,
): Promise<BackupOutcome> {
  const now = deps.now();
  const catalog = await deps.catalog.get(deps.db);
  const zone = catalog?.directory.info.timezone ?? DEFAULT_ZONE;
  const timeOf = (date: Date, locale: Member["locale"]) => formatInstantTime(date, zone, locale);
  const number = catalog?.directory.info.emergencyNumber ?? LAST_RESORT_EMERGENCY_NUMBER;
  const result = await deps.db.transaction(async (tx): Promise<BackupOutcome> => {
    const [recent] = await tx
      .select({ createdAt: requests.createdAt, deliveredAt: requests.deliveredAt })
      .from(requests)
      .where(
        and(
          eq(requests.relayedByMemberId, peer.id),
          eq(requests.category, "backup"),
          inArray(requests.status, [...ACTIVE_STATUSES]),
          gt(requests.createdAt, new Date(now.getTime() - BACKUP_DEDUPE_MINUTES * 60_000)),
        ),
      );
    // Nobody was on call for the first tap: the emergency number again, the team not alerted again.
    if (recent)
      return {
        kind: "again",
        time: timeOf(recent.createdAt, peer.locale),
        nobodyOnCall: recent.deliveredAt === null,
        number,
      };
    const own: Reader = { t: deps.translations.forLocale(peer.locale), locale: peer.locale };
    const request = await insertRequest(
      tx,
      {
        id: newRequestId(),
        organisationId: peer.organisationId,
        personPseudonym: freshRelayPseudonym(),
        chatIdEnc: deps.sealer.seal(String(chatId)),
        nickname: drawNickname(Math.random, await nicknamesInUse(tx)),
        locale: peer.locale,
        category: "backup",
        answerMode: "chat",
        meetSiteId: null,
        areaPlaceId: null,
        // Kept as the request's first words, so later reminders and a colleague it is handed to see it.
        // Plain words, like a person's: escaped once wherever they are shown as HTML.
        message: own.t(
          "peers.backup.message",
          withHtml({ alias: peer.alias, time: timeOf(now, peer.locale) }),
        ),
        createdAt: now,
        sourceUpdateId: updateId,
        relayedBy: { memberId: peer.id, alias: peer.alias },
      },
      deps.sealer,
    );
    const onCall = await onCallMembers(tx, peer.organisationId, now);
    // Counted like any request (category "backup"), so its claim and its end have a start in /stats.
    await countRequestSent(tx, now, request, onCall.length);
    const out: OutboxMessage[] = onCall.map((worker) => {
      const reader: Reader = { t: deps.translations.forLocale(worker.locale), locale: worker.locale };
      return {
        // A notice like any other: a claim edits it, and the worker can answer by replying to it.
        dedupeKey: `notice:${request.id}:${worker.id}`,
        recipient: { kind: "member", id: String(worker.id) },
        method: "sendMessage",
        payload: {
          ...htmlText(
            reader.t("peers.backup.alert", { alias: peer.alias, time: timeOf(now, worker.locale) }),
          ),
          reply_markup: noticeKeyboard(request, reader),
          protect_content: true,
        },
      };
    });
    if (onCall.length > 0) {
      await enqueue(deps, tx, out);
      await markDelivered(tx, [request.id], now);
      return { kind: "sent", onCall: onCall.length, time: timeOf(now, peer.locale) };
    }
    const [group] = await tx
      .select({ organisationId: teamGroups.organisationId })
      .from(teamGroups)
      .where(eq(teamGroups.organisationId, peer.organisationId));
    if (group) {
      const reader: Reader = {
        t: deps.translations.forLocale(deps.defaultLocale),
        locale: deps.defaultLocale,
      };
      await enqueue(deps, tx, [
        {
          dedupeKey: `gnotice:${request.id}:${peer.organisationId}`,
          recipient: { kind: "group", id: peer.organisationId },
          method: "sendMessage",
          payload: {
            ...htmlText(
              reader.t("peers.backup.group", { alias: peer.alias, time: timeOf(now, deps.defaultLocale) }),
            ),
            reply_markup: noticeKeyboard(request, reader),
            protect_content: true,
          },
        },
      ]);
    }
    return { kind: "nobody", number, groupTold: group !== undefined };
  });
  deps.outbox?.wake();
  return result;
}
