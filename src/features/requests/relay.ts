import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { SUPPORTED_LOCALES } from "../../config";
import { members, outbox, requestNotices } from "../../db/schema";
import type { OutboxMessage } from "../../outbox/enqueue";
import { withHtml } from "../../text/translate";
import type { Member } from "../members/queries";
import { mediaMark } from "./media";
import { nicknameOf } from "./notices";
import { type Request, recordMessageStatement, setFocusStatement } from "./queries";
import { relayCalls } from "./relay-calls";
import { addMessageAndRelay, type HeldRequest } from "./relay-queries";
import { isRelayed, peerReplyKeyboard, tagForPeer } from "./relayed-text";
import { type RequestDeps, readerFor } from "./use-cases";

/**
 * Words both ways between a person and the worker holding their request. Each relay is one read and one
 * write (see relay-queries): the message goes into the sealed history and what relays it into the
 * outbox in the same statement, keyed by the update, so a redelivered update relays nothing twice.
 */

export type RelayOutcome = { kind: "relayed" } | { kind: "duplicate" };

/**
 * What can cross the relay: text, or a photo or voice note re-sent by file id (never forwarded), with
 * its caption as plain text.
 */
export type RelayContent =
  | { kind: "text"; text: string }
  | { kind: "photo"; fileId: string; caption?: string }
  | { kind: "voice"; fileId: string; caption?: string };

const historyBody = (content: RelayContent) => (content.kind === "text" ? content.text : mediaMark(content));

/**
 * Part 11: the relay's own statement records its update as handled (src/bot/update-claim.ts), so a
 * delivery of it to another instance later stops at its first statement, before reading any focus.
 */
const settled = (deps: RequestDeps, updateId: number) =>
  deps.updateClaims?.settledStatement(deps.db, updateId);

/** The first piece keeps the dedupe key it always had; the rest are numbered after it. */
const relayKey = (updateId: number, index: number) =>
  index === 0 ? `relay:${updateId}` : `relay:${updateId}:${index}`;

/** How a relay changes what a member's words go to, written with the words in the same statement. */
export type RelayAddressing = {
  /** The request becomes the member's focus, chosen now. */
  refocus: boolean;
  /** The member's own message in their chat: a reply to it will go to the same request. */
  ownMessageId?: number;
};

/** The writes that go with a member's relayed words: their focus, and their own message remembered. */
export function addressingWrites(
  deps: RequestDeps,
  memberId: number,
  requestId: string,
  addressing: RelayAddressing,
): SQLWrapper[] {
  return [
    ...(addressing.refocus ? [setFocusStatement(deps.db, memberId, requestId, deps.now())] : []),
    ...(addressing.ownMessageId === undefined
      ? []
      : [recordMessageStatement(deps.db, requestId, memberId, addressing.ownMessageId)]),
  ];
}

/**
 * A worker's words to the person of a request they hold (addressing.ts chose it): sealed in the history,
 * relayed as plain text, with the focus and their own message recorded in the same statement.
 */
export async function relayFromWorker(
  deps: RequestDeps,
  member: Member,
  request: Request,
  content: RelayContent,
  updateId: number,
  addressing: RelayAddressing,
  alongside: (SQLWrapper | undefined)[] = [],
): Promise<RelayOutcome> {
  const person = readerFor(deps, request.locale);
  const calls = relayCalls(content, (message) =>
    person.t("requests.person.fromWorker", withHtml({ alias: member.alias, message })),
  );
  const relay: OutboxMessage[] = calls.map((call, index) => ({
    dedupeKey: relayKey(updateId, index),
    recipient: { kind: "request", id: request.id },
    ...call,
    // To a peer helper: which request it is about, and a button to answer that one.
    payload: isRelayed(request)
      ? {
          ...tagForPeer(deps.translations, request, call.payload),
          reply_markup: peerReplyKeyboard(deps.translations, request),
        }
      : call.payload,
  }));
  const { added } = await addMessageAndRelay(
    deps.db,
    {
      requestId: request.id,
      author: "worker",
      memberId: member.id,
      body: historyBody(content),
      sourceUpdateId: updateId,
      now: deps.now(),
    },
    relay,
    deps.sealer,
    {
      alongside: [
        ...addressingWrites(deps, member.id, request.id, addressing),
        ...alongside,
        settled(deps, updateId),
      ],
    },
  );
  if (!added) return { kind: "duplicate" };
  deps.updateClaims?.of(updateId)?.settled();
  deps.outbox?.wake();
  return { kind: "relayed" };
}

// Past this many messages in a minute, the person gets one calm notice (nothing is lost).
export const FLOOD_PER_MINUTE = 8;

export type PersonRelayOutcome =
  | { kind: "relayed"; slowDown: boolean }
  | { kind: "added" }
  | { kind: "duplicate" }
  | { kind: "no-request" };

/**
 * Words added while nobody holds the request reach every worker already told about it, as those of the
 * "add a message" button do (use-cases.ts, addToRequest): a notice shows only what was said before it,
 * and the person is told that whoever takes it will see them. Written in the relay's own statement, for
 * the workers its notices reached then and in their language, so it costs no read of its own. A photo or
 * voice note reaches the claimer as itself when they claim (use-cases.ts, claimedMedia): only words go.
 */
function toWorkersTold(
  deps: RequestDeps,
  request: Request,
  content: RelayContent,
  updateId: number,
): SQL | undefined {
  if (content.kind !== "text") return undefined;
  const pieces = SUPPORTED_LOCALES.flatMap((locale) => {
    const reader = readerFor(deps, locale);
    const calls = relayCalls(content, (message) =>
      reader.t("requests.notice.added", withHtml({ nickname: nicknameOf(request, reader), message })),
    );
    return calls.map((call, index) => {
      const payload = {
        sealed: deps.sealer.seal(JSON.stringify({ ...call.payload, protect_content: true })),
      };
      return sql`select ${locale}::text, ${index}::integer, ${call.method}::text, ${JSON.stringify(payload)}::jsonb`;
    });
  });
  // add:<update id>:<member id>, as addToRequest's: a reply to the copy goes to this request.
  return sql`(insert into ${outbox} (dedupe_key, recipient_kind, recipient_id, method, payload, next_attempt_at)
    select 'add:' || ${updateId}::text || ':' || w.id || case when p.index = 0 then '' else ':' || p.index end,
           'member', w.id::text, p.method, p.payload, to_timestamp(0)
      from (select distinct m.id, m.locale from ${requestNotices} n join ${members} m on m.id = n.member_id
             where n.request_id = ${request.id} and m.revoked_at is null and m.role <> 'peer') w
      join (${sql.join(pieces, sql` union all `)}) as p (locale, index, method, payload) on p.locale = w.locale
     where exists (select 1 from added)
    on conflict (dedupe_key) do nothing)`;
}

/** A person's words to the worker holding their request, read already; `alongside`: writes to make with them. */
export async function relayToHolder(
  deps: RequestDeps,
  { request, holder }: HeldRequest,
  content: RelayContent,
  updateId: number,
  alongside: (SQLWrapper | undefined)[] = [],
): Promise<PersonRelayOutcome> {
  const now = deps.now();
  const relay: OutboxMessage[] = [];
  if (holder) {
    const reader = readerFor(deps, holder.locale);
    const calls = relayCalls(content, (message) =>
      reader.t("requests.notice.fromPerson", withHtml({ nickname: nicknameOf(request, reader), message })),
    );
    relay.push(
      ...calls.map((call, index) => ({
        dedupeKey: relayKey(updateId, index),
        recipient: { kind: "member" as const, id: String(holder.id) },
        method: call.method,
        payload: { ...call.payload, protect_content: true },
      })),
    );
  }
  const { added, personBefore } = await addMessageAndRelay(
    deps.db,
    {
      requestId: request.id,
      author: "person",
      body: historyBody(content),
      ...(content.kind === "text" ? {} : { media: content }),
      sourceUpdateId: updateId,
      now,
    },
    relay,
    deps.sealer,
    {
      alongside: [
        ...alongside,
        ...(holder ? [] : [toWorkersTold(deps, request, content, updateId)]),
        settled(deps, updateId),
      ],
      ...(holder ? { countPersonSince: new Date(now.getTime() - 60_000) } : {}),
    },
  );
  if (!added) return { kind: "duplicate" };
  deps.updateClaims?.of(updateId)?.settled();
  deps.outbox?.wake();
  if (!holder) return { kind: "added" };
  // This message is the minute's FLOOD_PER_MINUTE-th: the notice comes once, as the flood starts.
  return { kind: "relayed", slowDown: personBefore + 1 === FLOOD_PER_MINUTE };
}
