import { and, eq } from "drizzle-orm";
import { InlineKeyboard } from "grammy";
import { callbackData } from "../../bot/callback-data";
import type { Locale } from "../../config";
import type { Executor } from "../../db/executor";
import { type Bilingual, members, referrals, requests } from "../../db/schema";
import type { Catalog } from "../../directory/catalog";
import type { OutboxMessage } from "../../outbox/enqueue";
import { type NameInSentence, nameInSentence } from "../../text/french-name";
import { withHtml } from "../../text/translate";
import { type Member, onCallMembers } from "../members/queries";
import {
  htmlText,
  nicknameOf,
  noticeKeyboard,
  noticeText,
  plainText,
  type Reader,
} from "../requests/notices";
import {
  enqueue,
  getRequest,
  markDelivered,
  messagesOf,
  organisationsWithTeams,
  type Request,
  setFocus,
} from "../requests/queries";
import { tagForPeer } from "../requests/relayed-text";
import { groupNotice, type RequestDeps } from "../requests/use-cases";

/**
 * Referral to another organisation. The worker holding a request picks an organisation; the person is
 * asked, in their language, one yes/no question naming it; only "yes" moves the request, with its
 * history, to that organisation's team as if it were new. Every step runs in one transaction with the
 * messages it causes (outbox), and every answer is checked against the request as it is now.
 */

const reader = (deps: RequestDeps, locale: Locale): Reader => ({
  t: deps.translations.forLocale(locale),
  locale,
});

/** In a sentence ("la demande part au Réseau…"): with its article in French when the file gives one. */
function organisationName(catalog: Catalog | undefined, id: string, locale: Locale): string | NameInSentence {
  const organisation = catalog?.directory.organisations.find((o) => o.id === id);
  return organisation ? nameInSentence(organisation, locale) : id;
}

async function committing<T>(deps: RequestDeps, work: (tx: Executor) => Promise<T>): Promise<T> {
  const result = await deps.db.transaction(work);
  deps.outbox?.wake();
  return result;
}

function toMember(memberId: number, dedupeKey: string, payload: Record<string, unknown>): OutboxMessage {
  return {
    dedupeKey,
    recipient: { kind: "member", id: String(memberId) },
    method: "sendMessage",
    payload: { ...payload, protect_content: true },
  };
}

export type ReferralTarget = { organisationId: string; name: Bilingual; onCall: number };

/** Organisations with at least one reachable worker or coordinator, other than the request's own. */
export async function referralTargets(
  deps: RequestDeps,
  fromOrganisationId: string,
): Promise<ReferralTarget[]> {
  const catalog = await deps.catalog.get(deps.db);
  const teams = await organisationsWithTeams(deps.db, deps.now());
  return teams
    .filter((team) => team.organisationId !== fromOrganisationId)
    .map((team) => {
      const organisation = catalog?.directory.organisations.find((o) => o.id === team.organisationId);
      return {
        organisationId: team.organisationId,
        name: organisation?.name ?? { fr: team.organisationId, en: team.organisationId },
        onCall: team.onCall,
      };
    })
    .sort((a, b) => b.onCall - a.onCall || a.name.fr.localeCompare(b.name.fr));
}

/** The request a worker holds right now, or nothing. */
export async function heldRequestOf(deps: RequestDeps, requestId: string, member: Member) {
  const request = await getRequest(deps.db, requestId);
  return request?.status === "claimed" && request.claimedByMemberId === member.id ? request : undefined;
}

export type AskOutcome =
  | { kind: "asked"; nickname: string }
  | { kind: "already"; nickname: string }
  | { kind: "not-yours" }
  | { kind: "no-target" };

// Within this, asking the same organisation again is a double tap, not a new question.
const SAME_QUESTION_MS = 60 * 60_000;

export async function askReferral(
  deps: RequestDeps,
  member: Member,
  requestId: string,
  toOrganisationId: string,
): Promise<AskOutcome> {
  const now = deps.now();
  const catalog = await deps.catalog.get(deps.db);
  const targets = await referralTargets(deps, member.organisationId);
  return committing(deps, async (tx): Promise<AskOutcome> => {
    const request = await getRequest(tx, requestId);
    if (request?.status !== "claimed" || request.claimedByMemberId !== member.id)
      return { kind: "not-yours" };
    if (
      !targets.some(
        (t) => t.organisationId === toOrganisationId && t.organisationId !== request.organisationId,
      )
    )
      return { kind: "no-target" };
    const nickname = nicknameOf(request, reader(deps, member.locale));
    // One question at a time. The same question again soon (a double tap) is the same question; an
    // older one nobody answered, or one to another organisation, gives way: not answering is an answer.
    const [pending] = await tx
      .select()
      .from(referrals)
      .where(and(eq(referrals.requestId, requestId), eq(referrals.status, "asked")));
    if (
      pending?.toOrganisationId === toOrganisationId &&
      now.getTime() - pending.createdAt.getTime() < SAME_QUESTION_MS
    )
      return { kind: "already", nickname };
    if (pending)
      await tx
        .update(referrals)
        .set({ status: "stale", answeredAt: now })
        .where(and(eq(referrals.id, pending.id), eq(referrals.status, "asked")));
    // The partial unique index still turns a concurrent second ask into nothing.
    const [referral] = await tx
      .insert(referrals)
      .values({
        requestId,
        fromOrganisationId: request.organisationId,
        toOrganisationId,
        fromMemberId: member.id,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!referral) return { kind: "already", nickname };
    const person = reader(deps, request.locale);
    // The question and nothing else: the organisation's name, yes, no.
    await enqueue(deps, tx, [
      {
        dedupeKey: `refask:${referral.id}`,
        recipient: { kind: "request", id: request.id },
        method: "sendMessage",
        payload: tagForPeer(deps.translations, request, {
          ...plainText(
            person.t(
              "referral.question",
              withHtml({
                organisation: organisationName(catalog, toOrganisationId, request.locale),
                nickname: nicknameOf(request, person),
              }),
            ),
          ),
          reply_markup: new InlineKeyboard()
            .text(person.t("referral.yes"), callbackData.referAnswer(referral.id, true))
            .text(person.t("referral.no"), callbackData.referAnswer(referral.id, false)),
        }),
      },
    ]);
    return { kind: "asked", nickname };
  });
}

export type AnswerOutcome =
  | { kind: "accepted"; organisation: string | NameInSentence; onCall: number }
  | { kind: "declined" }
  | { kind: "stale" }
  | { kind: "answered" }
  | { kind: "not-yours" };

/**
 * The person's answer (or the peer's, for a request they relay). Stale when the request ended, moved
 * or changed hands since the question; "answered" when this question was already answered.
 */
export async function answerReferral(
  deps: RequestDeps,
  referralId: number,
  yes: boolean,
  who: { pseudonym: string | undefined; peerMemberId: number | undefined },
): Promise<AnswerOutcome> {
  const now = deps.now();
  const catalog = await deps.catalog.get(deps.db);
  return committing(deps, async (tx): Promise<AnswerOutcome> => {
    const [referral] = await tx.select().from(referrals).where(eq(referrals.id, referralId));
    const request = referral ? await getRequest(tx, referral.requestId) : undefined;
    if (!referral || !request) return { kind: "stale" };
    const theirs =
      (who.pseudonym !== undefined && request.personPseudonym === who.pseudonym) ||
      (who.peerMemberId !== undefined && request.relayedByMemberId === who.peerMemberId);
    if (!theirs) return { kind: "not-yours" };
    if (referral.status === "accepted" || referral.status === "declined") return { kind: "answered" };
    if (referral.status === "stale") return { kind: "stale" };
    const stillHeld =
      request.status === "claimed" &&
      request.claimedByMemberId === referral.fromMemberId &&
      request.organisationId === referral.fromOrganisationId;
    const [answered] = await tx
      .update(referrals)
      .set({ status: !stillHeld ? "stale" : yes ? "accepted" : "declined", answeredAt: now })
      .where(and(eq(referrals.id, referralId), eq(referrals.status, "asked")))
      .returning();
    if (!answered) return { kind: "answered" };
    if (!stillHeld || referral.fromMemberId === null) return { kind: "stale" };
    const fromMemberId = referral.fromMemberId;
    const [worker] = await tx.select().from(members).where(eq(members.id, fromMemberId));
    const workerReader = reader(deps, worker?.locale ?? deps.defaultLocale);
    const organisation = (locale: Locale) => organisationName(catalog, referral.toOrganisationId, locale);
    if (!yes) {
      await enqueue(deps, tx, [
        toMember(
          fromMemberId,
          `refno:${referral.id}`,
          plainText(
            workerReader.t("referral.declined", withHtml({ nickname: nicknameOf(request, workerReader) })),
          ),
        ),
      ]);
      return { kind: "declined" };
    }
    const moved = await moveRequest(tx, request, referral.toOrganisationId, fromMemberId, now);
    if (!moved) return { kind: "stale" };
    if (worker?.focusRequestId === request.id) await setFocus(tx, fromMemberId, null);
    const out: OutboxMessage[] = [
      toMember(
        fromMemberId,
        `refyes:${referral.id}`,
        plainText(
          workerReader.t(
            "referral.accepted",
            withHtml({
              nickname: nicknameOf(request, workerReader),
              organisation: organisation(workerReader.locale),
            }),
          ),
        ),
      ),
    ];
    // The new team hears of it as of a new request: notices to whoever is on call, and its group.
    const words = (await messagesOf(tx, moved.id, deps.sealer))
      .filter((m) => m.author === "person")
      .map((m) => m.body);
    const onCall = await onCallMembers(tx, moved.organisationId, now);
    for (const member of onCall) {
      const r = reader(deps, member.locale);
      const header = r.t("referral.notice", {
        alias: worker?.alias ?? "?",
        organisation: organisationName(catalog, referral.fromOrganisationId, member.locale),
      });
      out.push(
        toMember(member.id, `notice:${moved.id}:${member.id}:rf${referral.id}`, {
          ...htmlText(`${header}\n\n${noticeText(moved, words, r, catalog, now)}`),
          reply_markup: noticeKeyboard(moved, r),
        }),
      );
    }
    out.push(...(await groupNotice(deps, tx, moved, `:rf${referral.id}`)));
    await enqueue(deps, tx, out);
    if (onCall.length > 0) await markDelivered(tx, [moved.id], now);
    return { kind: "accepted", organisation: organisation(request.locale), onCall: onCall.length };
  });
}

/**
 * The move itself: another organisation, open and unclaimed again, its clock restarted so reminders and
 * escalation count from now. "referred" is recorded as the outcome so far; the new team's close
 * replaces it with theirs.
 */
async function moveRequest(
  tx: Executor,
  request: Request,
  toOrganisationId: string,
  fromMemberId: number,
  now: Date,
): Promise<Request | undefined> {
  const [moved] = await tx
    .update(requests)
    .set({
      organisationId: toOrganisationId,
      status: "open",
      claimedByMemberId: null,
      claimedAt: null,
      deliveredAt: null,
      escalationLevel: 0,
      createdAt: now,
      outcome: "referred",
    })
    .where(
      and(
        eq(requests.id, request.id),
        eq(requests.status, "claimed"),
        eq(requests.claimedByMemberId, fromMemberId),
      ),
    )
    .returning();
  return moved;
}
