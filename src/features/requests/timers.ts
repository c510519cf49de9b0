import { and, eq, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import { conversationState, outbox, requests } from "../../db/schema";
import type { OutboxMessage } from "../../outbox/enqueue";
import { withHtml } from "../../text/translate";
import { isOnCall } from "../members/queries";
import { htmlText, nicknameOf, noticeKeyboard, noticeText, plainText, type Reader } from "./notices";
import { routeNow } from "./organisation-rules";
import { endRequest, enqueue, messagesOf, type Request, reachableTeam } from "./queries";
import { tagForPeer } from "./relayed-text";
import { deliverWaitingRequests, groupNoticesTo, type RequestDeps, tellWorkersOf } from "./use-cases";

/**
 * What happens to requests with time, run every minute (and on start): a request nobody claimed is
 * re-announced after `escalationMinutes` to the workers on call it would reach now (routing.ts), then
 * after twice that to the whole teams (on call or not) of the organisations it is for; a request still active after `expiryHours` ends by itself. Each step is a level on
 * the request, so running this twice does nothing twice.
 */
export type TimerSettings = { escalationMinutes: number; expiryHours: number };

const ABANDONED_DIALOGUE_MINUTES = 60;
const OUTBOX_KEEP_MINUTES = 2 * 24 * 60;

export async function runRequestTimers(
  deps: RequestDeps,
  settings: TimerSettings,
): Promise<{ reminded: number; escalated: number; expired: number; delivered: number }> {
  const now = deps.now();
  const catalog = await deps.catalog.get(deps.db);
  const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
  const result = { reminded: 0, escalated: 0, expired: 0, delivered: 0 };

  // A shift that started brings the requests that waited with nobody on call, to whichever organisation
  // the rule reaches now (routing.ts), not only the one each was filed under.
  const [anyWaiting] = await deps.db
    .select({ id: requests.id })
    .from(requests)
    .where(and(eq(requests.status, "open"), isNull(requests.deliveredAt)))
    .limit(1);
  if (anyWaiting) {
    const onCall = (await reachableTeam(deps.db)).filter((m) => isOnCall(m, now));
    for (const organisationId of new Set(onCall.map((m) => m.organisationId)))
      result.delivered += await deliverWaitingRequests(
        deps,
        organisationId,
        onCall.filter((m) => m.organisationId === organisationId),
      );
  }

  const announce = async (request: Request, level: 1 | 2) => {
    await deps.db.transaction(async (tx) => {
      // Re-check inside the transaction: claimed meanwhile, or another instance got here first.
      const [current] = await tx
        .update(requests)
        .set({ escalationLevel: level })
        .where(
          and(eq(requests.id, request.id), eq(requests.status, "open"), lt(requests.escalationLevel, level)),
        )
        .returning();
      if (!current) return;
      // The same rule as sending (routing.ts): the reminder goes to whoever it would reach now; the last
      // call to everyone, on call or not, of the organisations it is for, and to those on call further.
      const everyone = await reachableTeam(tx);
      const route = routeNow(current, catalog, everyone, now);
      const first = route.tiers[0] ?? [];
      const team = everyone.filter(
        (m) =>
          (route.onCall.includes(m.organisationId) && isOnCall(m, now)) ||
          (level === 2 && first.includes(m.organisationId)),
      );
      const words = (await messagesOf(tx, current.id, deps.sealer))
        .filter((m) => m.author === "person")
        .map((m) => m.body);
      const minutes = Math.round((now.getTime() - current.createdAt.getTime()) / 60_000);
      const out: OutboxMessage[] = team.map((member) => {
        const reader: Reader = { t: deps.translations.forLocale(member.locale), locale: member.locale };
        const header = reader.t(level === 1 ? "requests.notice.reminder" : "requests.notice.escalated", {
          minutes,
          nickname: nicknameOf(current, reader),
        });
        return {
          dedupeKey: `notice:${current.id}:${member.id}:e${level}`,
          recipient: { kind: "member", id: String(member.id) },
          method: "sendMessage",
          payload: {
            ...htmlText(`${header}\n\n${noticeText(current, words, reader, catalog, now)}`),
            reply_markup: noticeKeyboard(current, reader),
            protect_content: true,
          },
        };
      });
      // The last call also goes to the team group, if there is one.
      if (level === 2)
        out.push(...(await groupNoticesTo(deps, tx, current, first, ":e2", "requests.notice.escalated")));
      await enqueue(deps, tx, out);
      if (level === 1) result.reminded += 1;
      else result.escalated += 1;
    });
  };

  const waiting = await deps.db
    .select()
    .from(requests)
    .where(
      and(
        eq(requests.status, "open"),
        lt(requests.escalationLevel, 2),
        lt(requests.createdAt, minutesAgo(settings.escalationMinutes)),
      ),
    );
  for (const request of waiting) {
    const age = now.getTime() - request.createdAt.getTime();
    const level = age >= 2 * settings.escalationMinutes * 60_000 ? 2 : 1;
    if (level > request.escalationLevel) await announce(request, level);
  }

  // Quiet for `expiryHours`: created, claimed and last written to before then. A conversation still
  // going is never closed under the people in it.
  const quietSince = minutesAgo(settings.expiryHours * 60);
  const stale = await deps.db
    .select()
    .from(requests)
    .where(
      and(
        inArray(requests.status, ["open", "claimed"]),
        lt(requests.createdAt, quietSince),
        or(isNull(requests.claimedAt), lt(requests.claimedAt, quietSince)),
        sql`not exists (select 1 from request_messages m where m.request_id = ${requests.id} and m.created_at >= ${quietSince.toISOString()}::timestamptz)`,
      ),
    );
  for (const request of stale) {
    await deps.db.transaction(async (tx) => {
      const ended = await endRequest(tx, request.id, "expired", now);
      if (!ended) return;
      const person: Reader = { t: deps.translations.forLocale(request.locale), locale: request.locale };
      // "👍 No answer needed" promised no later message: the person is not told it expired.
      const out: OutboxMessage[] =
        request.answerMode === "none"
          ? []
          : [
              {
                dedupeKey: `expired:${request.id}`,
                recipient: { kind: "request", id: request.id },
                method: "sendMessage",
                payload: tagForPeer(
                  deps.translations,
                  request,
                  plainText(
                    person.t("requests.person.expired", withHtml({ nickname: nicknameOf(request, person) })),
                  ),
                ),
              },
            ];
      out.push(
        ...(await tellWorkersOf(deps, tx, ended, {
          dedupe: (memberId) => `expired:${request.id}:${memberId}`,
          line: (reader) =>
            reader.t("requests.notice.expired", withHtml({ nickname: nicknameOf(request, reader) })),
          ending: true,
        })),
      );
      await enqueue(deps, tx, out);
      result.expired += 1;
    });
  }
  // A dialogue left half-way leaves nothing behind: its (sealed) state goes once no step can still be
  // answered (steps expire after 30 minutes).
  await deps.db
    .delete(conversationState)
    .where(lt(conversationState.updatedAt, minutesAgo(ABANDONED_DIALOGUE_MINUTES)));
  // Handled outbox rows are empty already; they stay two days as dedupe keys against late redeliveries.
  await deps.db
    .delete(outbox)
    .where(and(ne(outbox.status, "pending"), lt(outbox.createdAt, minutesAgo(OUTBOX_KEEP_MINUTES))));
  if (result.reminded + result.escalated + result.expired + result.delivered > 0) deps.outbox?.wake();
  return result;
}
