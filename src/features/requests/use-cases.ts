import { and, eq, inArray, isNull } from "drizzle-orm";
import { InlineKeyboard } from "grammy";
import type { BotDeps } from "../../bot/context";
import type { Locale } from "../../config";
import { type Executor, inOneStatement } from "../../db/executor";
import type { AnswerMode, RequestCategory } from "../../db/schema";
import { members, requests, teamGroups } from "../../db/schema";
import type { Catalog } from "../../directory/catalog";
import { enqueueStatement, type OutboxMessage } from "../../outbox/enqueue";
import { countClaimStatement, countRequestSentStatement } from "../../stats/counters";
import { escapeHtml } from "../../text/html";
import { withHtml } from "../../text/translate";
import { isOnCall, type Member, onCallMembers } from "../members/queries";
import { type ClaimFacts, claimWithFacts } from "./claim-queries";
import { mediaMark, openMedia, type RequestMedia } from "./media";
import { drawNickname } from "./nickname";
import {
  claimedKeyboard,
  groupNoticeText,
  historyText,
  htmlText,
  nicknameOf,
  noticeKeyboard,
  noticeText,
  plainText,
  type Reader,
} from "./notices";
import { organisationRules, routeNow, teamsNow } from "./organisation-rules";
import {
  addMessage,
  endRequest,
  enqueue,
  getRequest,
  heldBy,
  insertRequestStatements,
  MAX_ACTIVE_REQUESTS,
  markDelivered,
  messagesOf,
  newRequestId,
  newRequestRow,
  noticesOf,
  type Request,
  reachableTeam,
  releaseRequest,
  setFocus,
  submitFacts,
  undeliveredRequests,
} from "./queries";
import { referralHistoryFor } from "./referral-history";
import type { PersonRelayOutcome } from "./relay";
import { relayCalls } from "./relay-calls";
import { activeRelayedBy, MAX_RELAYED_REQUESTS } from "./relayed-queries";
import { tagForPeer } from "./relayed-text";
import { routeRequest } from "./routing";

/**
 * The request use cases. Each one runs in one transaction: the state change and the messages it causes
 * (written to the outbox) commit together or not at all, and every outbox row has a dedupe key derived
 * from what caused it, so a redelivered update has no second effect. Telegram is never called here.
 */
export type RequestDeps = Pick<
  BotDeps,
  "db" | "sealer" | "translations" | "now" | "catalog" | "defaultLocale" | "updateClaims"
> & {
  outbox?: { wake(): void };
};

/** Runs a use case's transaction, then wakes the outbox for what it queued. */
async function committing<T>(deps: RequestDeps, work: (tx: Executor) => Promise<T>): Promise<T> {
  const result = await deps.db.transaction(work);
  deps.outbox?.wake();
  return result;
}

export const readerFor = (deps: RequestDeps, locale: Locale): Reader => ({
  t: deps.translations.forLocale(locale),
  locale,
});

/**
 * A message to the person about their request, unasked (taken, closed, released, handed over, delivered):
 * none at all when they chose "👍 No answer needed", which promises them no later message.
 */
function toPerson(
  deps: RequestDeps,
  request: Request,
  dedupeKey: string,
  payload: Record<string, unknown>,
): OutboxMessage[] {
  if (request.answerMode === "none") return [];
  // A relayed request's "person" is the peer helper's chat: the message says which request it is about.
  return [
    {
      dedupeKey,
      recipient: { kind: "request", id: request.id },
      method: "sendMessage",
      payload: tagForPeer(deps.translations, request, payload),
    },
  ];
}

function toMember(
  member: Pick<Member, "id">,
  dedupeKey: string,
  payload: Record<string, unknown>,
): OutboxMessage {
  // Workers' copies are protected: they cannot be forwarded or saved out of the chat.
  return {
    dedupeKey,
    recipient: { kind: "member", id: String(member.id) },
    method: "sendMessage",
    payload: { ...payload, protect_content: true },
  };
}

export { tellWorkersOf };

export async function noticeFor(
  deps: RequestDeps,
  request: Request,
  member: Member,
  catalog: Catalog | undefined,
  messages: string[],
): Promise<OutboxMessage> {
  const reader = readerFor(deps, member.locale);
  return toMember(member, `notice:${request.id}:${member.id}`, {
    ...htmlText(noticeText(request, messages, reader, catalog, deps.now())),
    reply_markup: noticeKeyboard(request, reader),
  });
}

/** The team group's copy of a notice, when the team registered one (in the default language). */
export async function groupNotice(
  deps: RequestDeps,
  tx: Executor,
  request: Request,
  suffix = "",
  header?: string,
): Promise<OutboxMessage[]> {
  return groupNoticesTo(deps, tx, request, [request.organisationId], suffix, header);
}

/** The copies of a notice for these organisations' team groups, those that registered one. */
export async function groupNoticesTo(
  deps: RequestDeps,
  tx: Executor,
  request: Request,
  organisationIds: string[],
  suffix = "",
  header?: string,
): Promise<OutboxMessage[]> {
  if (organisationIds.length === 0) return [];
  const groups = await tx
    .select({ organisationId: teamGroups.organisationId })
    .from(teamGroups)
    .where(inArray(teamGroups.organisationId, organisationIds));
  return groups.map((g) => groupNoticeMessage(deps, request, suffix, header, g.organisationId));
}

/** The team group's copy of a notice, for a team known to have a group. */
function groupNoticeMessage(
  deps: RequestDeps,
  request: Request,
  suffix = "",
  header?: string,
  organisationId = request.organisationId,
): OutboxMessage {
  const reader = readerFor(deps, deps.defaultLocale);
  // A group is wider than one worker: it sees that someone asks, never what they wrote or where they
  // are. The words go to the claimer alone, in private.
  const body = groupNoticeText(request, reader, deps.now());
  return {
    dedupeKey: `gnotice:${request.id}:${organisationId}${suffix}`,
    recipient: { kind: "group", id: organisationId },
    method: "sendMessage",
    payload: {
      ...htmlText(
        header
          ? `${reader.t(header, { minutes: Math.round((deps.now().getTime() - request.createdAt.getTime()) / 60_000) })}\n\n${body}`
          : body,
      ),
      reply_markup: noticeKeyboard(request, reader),
      protect_content: true,
    },
  };
}

/** After a claim from the team group: the worker gets the request in private, with its controls. */
export async function sendClaimedCopy(deps: RequestDeps, request: Request, member: Member): Promise<void> {
  const catalog = await deps.catalog.get(deps.db);
  const reader = readerFor(deps, member.locale);
  const words = (await messagesOf(deps.db, request.id, deps.sealer))
    .filter((m) => m.author === "person")
    .map((m) => m.body);
  await enqueue(deps, deps.db, [
    toMember(member, `notice:${request.id}:${member.id}:c`, {
      ...htmlText(
        `${reader.t("requests.notice.takenByYou", { nickname: nicknameOf(request, reader) })}\n\n${noticeText(request, words, reader, catalog, deps.now())}`,
      ),
      reply_markup: claimedKeyboard(request, reader),
    }),
  ]);
  deps.outbox?.wake();
}

export type SubmitInput = {
  personPseudonym: string;
  chatId: number;
  locale: Locale;
  category: RequestCategory;
  message: string | null;
  answerMode: AnswerMode;
  meetSiteId: string | null;
  areaPlaceId: string | null;
  /** The update that pressed "send", when there is one: sending twice makes one request. */
  sourceUpdateId?: number;
  /** Part 3 (peers): a peer helper asking for someone with them; `personPseudonym` is then a fresh one. */
  relayedBy?: { memberId: number; alias: string; organisationId: string };
  /** The directory version the update's snapshot read: the catalog is then not asked for it again. */
  directoryVersion?: number;
  /** A voice note or photo the person chose to pass on (fallback.ts): kept with the request (media.ts). */
  attachment?: RequestMedia;
};

export type SubmitOutcome =
  | { kind: "sent"; requestId: string; nickname: string; onCall: number; nextShift: Date | null }
  | { kind: "too-many"; count: number }
  | { kind: "no-team" };

/**
 * Sends a request. The same "send" handled twice (a redelivery, or two instances at the same moment)
 * makes one request: the second finds the first, or loses the race on the unique update id and then
 * finds it.
 */
export async function submitRequest(deps: RequestDeps, input: SubmitInput): Promise<SubmitOutcome> {
  try {
    return await submitOnce(deps, input);
  } catch (error) {
    if (input.sourceUpdateId === undefined || !isUniqueViolation(error)) throw error;
    return submitOnce(deps, input);
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e.code === "23505" || e.cause?.code === "23505";
}

/**
 * Four round trips: BEGIN, one read (submitFacts), one write (the request, its first words, the counters
 * and every notice in one statement), COMMIT. The notices go into the outbox in the same transaction as
 * the request, so it is marked delivered as it is written when someone is on call to get them.
 */
async function submitOnce(deps: RequestDeps, input: SubmitInput): Promise<SubmitOutcome> {
  const now = deps.now();
  const catalog = await deps.catalog.get(deps.db, input.directoryVersion);
  return committing(deps, async (tx): Promise<SubmitOutcome> => {
    const facts = await submitFacts(tx, {
      sourceUpdateId: input.sourceUpdateId,
      personPseudonym: input.personPseudonym,
      ...(input.relayedBy ? { relayedByMemberId: input.relayedBy.memberId } : {}),
    });
    const already = facts.already;
    if (already)
      return {
        kind: "sent",
        requestId: already.id,
        nickname: nicknameOf(already, readerFor(deps, input.locale)),
        onCall: already.deliveredAt ? 1 : 0,
        nextShift: null,
      };
    if (facts.active >= (input.relayedBy ? MAX_RELAYED_REQUESTS : MAX_ACTIVE_REQUESTS))
      return { kind: "too-many", count: facts.active };
    // A peer's request goes to the peer's own organisation when it has a team; so does one to meet at a
    // site, to that site's organisation: the person goes there. Otherwise the area decides (routing.ts).
    const preferred =
      input.relayedBy?.organisationId ??
      (input.meetSiteId ? catalog?.sitesById.get(input.meetSiteId)?.organisationId : undefined);
    const id = newRequestId();
    const route = routeRequest(
      { requestId: id, areaPlaceId: input.areaPlaceId, preferredOrganisationId: preferred },
      organisationRules(catalog?.directory),
      teamsNow(facts.team, now, catalog?.directory.info.timezone),
    );
    const organisationId = route.owner;
    if (!organisationId) return { kind: "no-team" };
    const onCall = facts.team.filter((m) => route.onCall.includes(m.organisationId) && isOnCall(m, now));
    const request = newRequestRow(
      {
        id,
        organisationId,
        personPseudonym: input.personPseudonym,
        chatIdEnc: deps.sealer.seal(String(input.chatId)),
        nickname: drawNickname(Math.random, facts.nicknamesInUse),
        locale: input.locale,
        category: input.category,
        answerMode: input.answerMode,
        meetSiteId: input.meetSiteId,
        areaPlaceId: input.areaPlaceId,
        message: input.message,
        createdAt: now,
        sourceUpdateId: input.sourceUpdateId ?? null,
        ...(input.relayedBy ? { relayedBy: input.relayedBy } : {}),
      },
      onCall.length > 0 ? now : null,
    );
    const notices = await Promise.all(
      onCall.map((m) =>
        noticeFor(deps, request, m, catalog, [
          ...(input.message ? [input.message] : []),
          ...(input.attachment ? [mediaMark(input.attachment)] : []),
        ]),
      ),
    );
    // Each receiving team's group sees it too, as the team it is filed under always did.
    const groups = new Set(facts.team.filter((m) => m.teamHasGroup).map((m) => m.organisationId));
    const toGroup = route.receivers
      .filter((o) => groups.has(o))
      .map((o) => groupNoticeMessage(deps, request, "", undefined, o));
    // A second "send" racing this one fails here on the unique update id; submitRequest then finds this.
    await inOneStatement(tx, [
      ...insertRequestStatements(tx, request, input.message, deps.sealer, input.attachment),
      countRequestSentStatement(tx, now, request, onCall.length),
      enqueueStatement(tx, [...notices, ...toGroup], deps.sealer),
    ]);
    return {
      kind: "sent",
      requestId: request.id,
      nickname: nicknameOf(request, readerFor(deps, input.locale)),
      onCall: onCall.length,
      // The next shift among the organisations that would receive it: they are who the person waits for.
      nextShift: onCall.length > 0 ? null : (route.nextShift ?? null),
    };
  });
}

/**
 * When someone comes on call (by hand or as a shift starts), the requests that waited with nobody on
 * call and that the rule (routing.ts) now sends to their organisation go at once to every worker on call
 * it reaches, and the person hears that someone has it.
 */
export async function deliverWaitingRequests(
  deps: RequestDeps,
  organisationId: string,
  team: Member[],
): Promise<number> {
  if (team.length === 0) return 0;
  const now = deps.now();
  const catalog = await deps.catalog.get(deps.db);
  const delivered = await deps.db.transaction(async (tx) => {
    const everyone = await reachableTeam(tx);
    const out: OutboxMessage[] = [];
    const ids: string[] = [];
    for (const request of await undeliveredRequests(tx)) {
      const route = routeNow(request, catalog, everyone, now);
      if (!route.onCall.includes(organisationId)) continue;
      const recipients = everyone.filter((m) => route.onCall.includes(m.organisationId) && isOnCall(m, now));
      const messages = (await messagesOf(tx, request.id, deps.sealer))
        .filter((m) => m.author === "person")
        .map((m) => m.body);
      for (const member of recipients) out.push(await noticeFor(deps, request, member, catalog, messages));
      const reader = readerFor(deps, request.locale);
      out.push(
        ...toPerson(
          deps,
          request,
          `delivered:${request.id}`,
          plainText(reader.t("requests.sent.delivered", withHtml({ nickname: nicknameOf(request, reader) }))),
        ),
      );
      ids.push(request.id);
    }
    await enqueue(deps, tx, out);
    await markDelivered(tx, ids, now);
    return ids.length;
  });
  if (delivered > 0) deps.outbox?.wake();
  return delivered;
}

export type ClaimOutcome =
  | { kind: "claimed"; request: Request; nickname: string }
  | { kind: "taken"; alias: string }
  | { kind: "gone" };

export async function claim(deps: RequestDeps, requestId: string, member: Member): Promise<ClaimOutcome> {
  const now = deps.now();
  return committing(deps, async (tx): Promise<ClaimOutcome> => {
    const facts = await claimWithFacts(tx, requestId, member, now);
    if (!facts) {
      const current = await getRequest(tx, requestId);
      if (current?.organisationId !== member.organisationId) return { kind: "gone" };
      // A double tap or a redelivered update from the holder: already theirs, nothing more to do.
      if (current?.status === "claimed" && current.claimedByMemberId === member.id)
        return {
          kind: "claimed",
          request: current,
          nickname: nicknameOf(current, readerFor(deps, member.locale)),
        };
      if (current?.status === "claimed" && current.claimedByMemberId !== null) {
        const [by] = await tx
          .select({ alias: members.alias })
          .from(members)
          .where(eq(members.id, current.claimedByMemberId));
        return { kind: "taken", alias: by?.alias ?? "?" };
      }
      return { kind: "gone" };
    }
    const { claimed } = facts;
    const person = readerFor(deps, claimed.locale);
    const out: OutboxMessage[] = [
      ...toPerson(
        deps,
        claimed,
        `claimed:${requestId}:${member.id}`,
        plainText(person.t("requests.person.claimed", withHtml({ alias: member.alias }))),
      ),
    ];
    // The other notices (and the team group's) say who took it, so nobody answers the same person twice.
    const takenBy = (
      recipient: OutboxMessage["recipient"],
      messageId: number,
      locale: Locale,
    ): OutboxMessage => ({
      dedupeKey: `taken:${requestId}:${recipient.kind}:${recipient.id}:${messageId}`,
      recipient,
      method: "editMessageReplyMarkup",
      payload: {
        message_id: messageId,
        reply_markup: new InlineKeyboard().text(
          // A button label is plain text: the alias as typed, not HTML-escaped.
          readerFor(deps, locale).t("requests.notice.takenBy", withHtml({ alias: member.alias })),
          "rq:noop",
        ),
      },
    });
    for (const notice of facts.announcements) {
      if (notice.kind === "group")
        out.push(takenBy({ kind: "group", id: notice.organisationId }, notice.messageId, deps.defaultLocale));
      else if (notice.memberId !== member.id)
        out.push(
          takenBy(
            { kind: "member", id: String(notice.memberId) },
            notice.messageId,
            notice.locale ?? deps.defaultLocale,
          ),
        );
    }
    // A photo or voice note the person sent while nobody held the request reaches the claimer as itself,
    // named like any relayed message (the history shows only its 🎤/📷 mark).
    out.push(...claimedMedia(deps, claimed, member, facts.media));
    // Part 3 (referral): a request that came from another organisation brings what was said there.
    if (facts.referred) out.push(...(await referralHistoryFor(deps, tx, claimed, member)));
    // The counter and every message: one statement. A claim never moves the claimer's focus: their
    // words go where they choose (addressing.ts), and holding several the bot asks which.
    await inOneStatement(tx, [countClaimStatement(tx, now, claimed), enqueueStatement(tx, out, deps.sealer)]);
    return {
      kind: "claimed",
      request: claimed,
      nickname: nicknameOf(claimed, readerFor(deps, member.locale)),
    };
  });
}

function claimedMedia(
  deps: RequestDeps,
  request: Request,
  member: Member,
  media: ClaimFacts["media"],
): OutboxMessage[] {
  const reader = readerFor(deps, member.locale);
  const line = (message: string) =>
    reader.t("requests.notice.fromPerson", withHtml({ nickname: nicknameOf(request, reader), message }));
  return media.flatMap(({ messageId, sealed }) => {
    const content = openMedia(sealed, deps.sealer);
    if (!content) return [];
    return relayCalls(content, line).map((call, index) => ({
      // Per claimer and message: a double tap or a redelivered claim sends nothing twice.
      dedupeKey: `claimed-media:${request.id}:${member.id}:${messageId}:${index}`,
      recipient: { kind: "member" as const, id: String(member.id) },
      method: call.method,
      payload: { ...call.payload, protect_content: true },
    }));
  });
}

export type EndOutcome = { kind: "ended"; request: Request } | { kind: "not-allowed" } | { kind: "gone" };

export async function closeRequest(
  deps: RequestDeps,
  requestId: string,
  member: Member,
  outcome: string,
): Promise<EndOutcome> {
  const now = deps.now();
  return committing(deps, async (tx): Promise<EndOutcome> => {
    const request = await getRequest(tx, requestId);
    if (!request || (request.status !== "open" && request.status !== "claimed")) return { kind: "gone" };
    const allowed =
      request.claimedByMemberId === member.id ||
      (member.role === "admin" && member.organisationId === request.organisationId);
    if (!allowed) return { kind: "not-allowed" };
    const byCoordinator = request.claimedByMemberId !== member.id;
    const ended = await endRequest(
      tx,
      requestId,
      "closed",
      now,
      outcome,
      byCoordinator ? undefined : member.id,
    );
    if (!ended) return { kind: "gone" };
    if (member.focusRequestId === requestId) await setFocus(tx, member.id, null);
    // A coordinator closing someone else's request tells the worker who held it.
    if (byCoordinator && ended.claimedByMemberId !== null)
      await enqueue(
        deps,
        tx,
        await tellWorkersOf(deps, tx, ended, {
          dedupe: (memberId) => `closedby:${requestId}:${memberId}`,
          line: (reader) =>
            reader.t(
              "requests.notice.closedBy",
              withHtml({ alias: member.alias, nickname: nicknameOf(ended, reader) }),
            ),
          holderOnly: true,
          ending: true,
        }),
      );
    const person = readerFor(deps, request.locale);
    await enqueue(deps, tx, [
      ...toPerson(
        deps,
        request,
        `closed:${requestId}`,
        plainText(person.t("requests.person.closed", withHtml({ alias: member.alias }))),
      ),
    ]);
    return { kind: "ended", request: ended };
  });
}

export async function releaseClaim(
  deps: RequestDeps,
  requestId: string,
  member: Member,
): Promise<EndOutcome> {
  const now = deps.now();
  const catalog = await deps.catalog.get(deps.db);
  return committing(deps, async (tx): Promise<EndOutcome> => {
    const released = await releaseRequest(tx, requestId, member.id);
    if (!released) return { kind: "gone" };
    if (member.focusRequestId === requestId) await setFocus(tx, member.id, null);
    const person = readerFor(deps, released.locale);
    const messages = (await messagesOf(tx, requestId, deps.sealer))
      .filter((m) => m.author === "person")
      .map((m) => m.body);
    const colleagues = (await onCallMembers(tx, released.organisationId, now)).filter(
      (m) => m.id !== member.id,
    );
    // With nobody else on call, the request waits again like a new one: delivered to the next person who
    // comes on, reminded and escalated from scratch.
    if (colleagues.length === 0)
      await tx
        .update(requests)
        .set({ deliveredAt: null, escalationLevel: 0 })
        .where(eq(requests.id, requestId));
    else await tx.update(requests).set({ escalationLevel: 0 }).where(eq(requests.id, requestId));
    const renotices = await Promise.all(
      colleagues.map((m) => noticeFor(deps, released, m, catalog, messages)),
    );
    await enqueue(deps, tx, [
      ...toPerson(
        deps,
        released,
        `released:${requestId}:${now.getTime()}`,
        plainText(person.t("requests.person.released")),
      ),
      // The history goes with it: the next worker reads what was already said.
      ...renotices.map((n) => ({ ...n, dedupeKey: `${n.dedupeKey}:r${now.getTime()}` })),
    ]);
    return { kind: "ended", request: released };
  });
}

/**
 * A line to every worker who knew about a request: whoever holds it, or else everyone who got its
 * notice; each in their own language. When the request ends, their focus on it is cleared too.
 */
async function tellWorkersOf(
  deps: RequestDeps,
  tx: Executor,
  request: Request,
  options: {
    dedupe: (memberId: number) => string;
    line: (reader: Reader) => string;
    holderOnly?: boolean;
    ending?: boolean;
  },
): Promise<OutboxMessage[]> {
  const noticed = (await noticesOf(tx, request.id)).map((n) => n.memberId);
  const holder = request.claimedByMemberId;
  const told = new Set(
    options.holderOnly && holder !== null ? [holder] : holder !== null ? [...noticed, holder] : noticed,
  );
  const out: OutboxMessage[] = [];
  for (const memberId of told) {
    const [worker] = await tx.select().from(members).where(eq(members.id, memberId));
    if (!worker) continue;
    if (options.ending && worker.focusRequestId === request.id) await setFocus(tx, worker.id, null);
    out.push(
      toMember(worker, options.dedupe(worker.id), plainText(options.line(readerFor(deps, worker.locale)))),
    );
  }
  return out;
}

/** "I don't need this any more": no questions asked. Whoever was told about it is told it ended. */
export async function withdrawRequest(
  deps: RequestDeps,
  personPseudonym: string,
  requestId: string,
): Promise<EndOutcome> {
  const now = deps.now();
  return committing(deps, async (tx): Promise<EndOutcome> => {
    const request = await getRequest(tx, requestId);
    if (!request || request.personPseudonym !== personPseudonym) return { kind: "not-allowed" };
    const ended = await endRequest(tx, requestId, "withdrawn", now);
    if (!ended) return { kind: "gone" };
    await enqueue(
      deps,
      tx,
      await tellWorkersOf(deps, tx, ended, {
        dedupe: (memberId) => `withdrawn:${requestId}:${memberId}`,
        line: (reader) =>
          reader.t("requests.notice.withdrawn", withHtml({ nickname: nicknameOf(request, reader) })),
        ending: true,
      }),
    );
    return { kind: "ended", request: ended };
  });
}

/** "Add a message" from /mademande: goes to the worker holding the request, or waits with it. */
export async function addToRequest(
  deps: RequestDeps,
  personPseudonym: string,
  requestId: string,
  text: string,
  updateId: number,
): Promise<PersonRelayOutcome> {
  const now = deps.now();
  return committing(deps, async (tx): Promise<PersonRelayOutcome> => {
    const request = await getRequest(tx, requestId);
    if (
      !request ||
      request.personPseudonym !== personPseudonym ||
      (request.status !== "open" && request.status !== "claimed")
    )
      return { kind: "no-request" };
    const added = await addMessage(
      tx,
      { requestId, author: "person", body: text, sourceUpdateId: updateId, now },
      deps.sealer,
    );
    if (!added) return { kind: "duplicate" };
    const key = request.claimedByMemberId !== null ? "requests.notice.fromPerson" : "requests.notice.added";
    await enqueue(
      deps,
      tx,
      await tellWorkersOf(deps, tx, request, {
        dedupe: (memberId) => `add:${updateId}:${memberId}`,
        line: (reader) => reader.t(key, withHtml({ nickname: nicknameOf(request, reader), message: text })),
        holderOnly: true,
      }),
    );
    return { kind: "added" };
  });
}

export type HandOverOutcome = { kind: "handed"; alias: string } | { kind: "gone" } | { kind: "no-colleague" };

/** Moves a claimed request to a colleague of the same team, with its whole history. */
export async function handOver(
  deps: RequestDeps,
  requestId: string,
  from: Member,
  toMemberId: number,
): Promise<HandOverOutcome> {
  const now = deps.now();
  const catalog = await deps.catalog.get(deps.db);
  return committing(deps, async (tx): Promise<HandOverOutcome> => {
    const [to] = await tx
      .select()
      .from(members)
      .where(
        and(
          eq(members.id, toMemberId),
          eq(members.organisationId, from.organisationId),
          isNull(members.revokedAt),
        ),
      );
    if (!to || to.role === "peer" || to.id === from.id) return { kind: "no-colleague" };
    const [moved] = await tx
      .update(requests)
      .set({ claimedByMemberId: to.id, claimedAt: now })
      .where(
        and(
          eq(requests.id, requestId),
          eq(requests.status, "claimed"),
          eq(requests.claimedByMemberId, from.id),
        ),
      )
      .returning();
    if (!moved) return { kind: "gone" };
    if (from.focusRequestId === requestId) await setFocus(tx, from.id, null);
    // The colleague's focus stays where they chose it: holding several, the bot asks them which.
    const history = await messagesOf(tx, requestId, deps.sealer);
    const aliases = new Map(
      (
        await tx
          .select({ id: members.id, alias: members.alias })
          .from(members)
          .where(eq(members.organisationId, from.organisationId))
      ).map((m) => [m.id, m.alias]),
    );
    const reader = readerFor(deps, to.locale);
    const person = readerFor(deps, moved.locale);
    await enqueue(deps, tx, [
      toMember(to, `notice:${requestId}:${to.id}:h${now.getTime()}`, {
        ...htmlText(
          [
            reader.t("requests.notice.received", { from: from.alias }),
            escapeHtml(historyText(moved, history, aliases, reader)),
            noticeText(moved, [], reader, catalog, now),
          ].join("\n\n"),
        ),
        reply_markup: claimedKeyboard(moved, reader),
      }),
      // The person's photos and voice notes too, as themselves: the colleague hears what they said.
      ...claimedMedia(
        deps,
        moved,
        to,
        history.flatMap((m) =>
          m.author === "person" && m.mediaEnc ? [{ messageId: m.id, sealed: m.mediaEnc }] : [],
        ),
      ),
      ...toPerson(
        deps,
        moved,
        `handed:${requestId}:${to.id}:${now.getTime()}`,
        plainText(person.t("requests.person.handedOver", withHtml({ alias: to.alias }))),
      ),
    ]);
    return { kind: "handed", alias: to.alias };
  });
}

/**
 * A member who leaves the team or can no longer be reached gives back every request they held, so no
 * person waits on someone who will never answer.
 */
export async function releaseAllClaims(deps: RequestDeps, member: Member): Promise<number> {
  const held = await heldBy(deps.db, member.id);
  let released = 0;
  for (const { id } of held) if ((await releaseClaim(deps, id, member)).kind === "ended") released += 1;
  // Part 3 (peers): a peer helper who leaves stops relaying; answers must not reach them any more.
  for (const relayed of await activeRelayedBy(deps.db, member.id))
    await withdrawRequest(deps, relayed.personPseudonym, relayed.id);
  return released;
}
