import { InlineKeyboard, type NextFunction } from "grammy";
import type { BotContext } from "../../bot/context";
import { ownSnapshot } from "../../bot/snapshot";
import type { Role } from "../../db/schema";
import { pseudonymFor } from "../../privacy/pseudonym";
import { type Act, type AddressingInput, address, type Refusal, type TargetView } from "./addressing";
import { mediaInMessage } from "./media";
import { nicknameOf } from "./notices";
import {
  deletePendingStatement,
  keepPendingWords,
  type PendingWords,
  pendingWordsOf,
  whichCallback,
} from "./pending-words";
import { getRequest, type Request, recordMessage, setFocus } from "./queries";
import {
  addressingWrites,
  type RelayAddressing,
  type RelayContent,
  relayFromWorker,
  relayToHolder,
} from "./relay";
import { type HeldRequest, type MemberAddressing, memberAddressing } from "./relay-queries";

/**
 * A worker's or peer helper's words (text, photo, voice note): read who they are and what they hold in
 * one statement, ask addressing.ts where the words go, and do that. A peer's words are a person's words
 * for the worker holding the request; a worker's go to the person (or the peer relaying for them).
 */

const viewOf = (request: Request): TargetView => ({
  id: request.id,
  active: request.status === "open" || request.status === "claimed",
  organisationId: request.organisationId,
  claimedByMemberId: request.claimedByMemberId,
  relayedByMemberId: request.relayedByMemberId,
});

function inputOf(facts: MemberAddressing, act: Act): AddressingInput {
  const { member } = facts;
  return {
    sender: { memberId: member.id, role: member.role, organisationId: member.organisationId },
    held: facts.held.map(({ request, lastActivityAt }) => ({
      id: request.id,
      heldSince: (member.role === "peer" ? null : request.claimedAt) ?? request.createdAt,
      lastActivityAt,
    })),
    focus: member.focusRequestId ? { requestId: member.focusRequestId, setAt: member.focusSetAt } : null,
    act,
  };
}

/** A photo or voice note of the update's message, with its caption; undefined for what cannot cross. */
export function mediaOf(ctx: BotContext): RelayContent | undefined {
  return mediaInMessage(ctx.message);
}

/** The reply to someone who may not write there: nothing was sent, and why. */
export const refusalText = (ctx: BotContext, reason: Exclude<Refusal, "nothing-held">) =>
  ctx.t(`addressing.refused.${reason}`);

/**
 * Sends words to the request addressing chose, as a worker or a peer; `pending` when they waited for
 * "which request?" (their own update id keeps a double tap from sending twice).
 */
async function sendTo(
  ctx: BotContext,
  facts: MemberAddressing,
  destination: HeldRequest,
  content: RelayContent,
  updateId: number,
  addressing: RelayAddressing,
  pending?: PendingWords,
): Promise<"relayed" | "added" | "duplicate"> {
  const { member } = facts;
  const alongside = pending ? [deletePendingStatement(ctx.deps.db, pending.id)] : [];
  if (member.role !== "peer") {
    const result = await relayFromWorker(
      ctx.deps,
      member,
      destination.request,
      content,
      updateId,
      addressing,
      alongside,
    );
    return result.kind;
  }
  const result = await relayToHolder(ctx.deps, destination, content, updateId, [
    ...addressingWrites(ctx.deps, member.id, destination.request.id, addressing),
    ...alongside,
  ]);
  if (result.kind === "relayed" && result.slowDown) await ctx.reply(ctx.t("requests.person.slowDown"));
  return result.kind === "no-request" ? "duplicate" : result.kind;
}

/**
 * Says once that the words now go to this request. After a tap, the prompt itself belongs to the request
 * (a reply to it counts); after a reply, the words already did, and a relayed message stays within its
 * three round trips.
 */
async function tellFocus(
  ctx: BotContext,
  memberId: number,
  request: Request,
  key: string,
  record = true,
): Promise<void> {
  const sent = await ctx.reply(ctx.t(key, { nickname: nicknameOf(request) }), { protect_content: true });
  if (record) await recordMessage(ctx.deps.db, request.id, memberId, sent.message_id);
}

/** The member's role as the update's snapshot says, when it says they are a member at all. */
function snapshotRole(ctx: BotContext): Role | "none" | undefined {
  const snapshot = ownSnapshot(ctx);
  return snapshot ? (snapshot.memberRole ?? "none") : undefined;
}

/**
 * A worker's or peer's words; `content` undefined for what cannot cross (a sticker, a file…). Anyone
 * else, or a member holding nothing who replied to nothing of a request, goes on (`next`).
 */
export async function handleMemberWords(
  ctx: BotContext,
  next: NextFunction,
  content: RelayContent | undefined,
  role: "worker" | "peer",
): Promise<void> {
  const known = snapshotRole(ctx);
  if (known === "none" || (known !== undefined && (known === "peer") !== (role === "peer"))) return next();
  const message = ctx.message;
  if (!ctx.from || !message) return next();
  const replyTo = message.reply_to_message?.message_id;
  const facts = await memberAddressing(
    ctx.deps.db,
    pseudonymFor(ctx.deps.pseudonymKey, ctx.from.id, "member"),
    replyTo,
  );
  if (!facts || (facts.member.role === "peer") !== (role === "peer")) return next();
  const act: Act =
    facts.replied || facts.repliedGone
      ? { kind: "reply", target: facts.replied ? viewOf(facts.replied.request) : undefined }
      : { kind: "words" };
  const result = address(inputOf(facts, act));
  switch (result.kind) {
    case "refuse":
      if (result.reason === "nothing-held") return next();
      await ctx.reply(refusalText(ctx, result.reason));
      return;
    case "ask": {
      if (!content) {
        await ctx.reply(ctx.t("requests.person.notRelayed"));
        return;
      }
      const pending = await keepPendingWords(ctx.deps, facts.member.id, ctx.update.update_id, {
        content,
        messageId: message.message_id,
      });
      const keyboard = new InlineKeyboard();
      for (const id of result.choices.slice(0, 10)) {
        const held = facts.held.find((h) => h.request.id === id) as HeldRequest;
        keyboard
          .text(
            ctx.t("addressing.whichButton", { nickname: nicknameOf(held.request) }),
            whichCallback(pending, id),
          )
          .row();
      }
      await ctx.reply(ctx.t("addressing.which"), {
        reply_markup: keyboard,
        reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
      });
      return;
    }
    case "send": {
      const destination =
        facts.held.find((h) => h.request.id === result.requestId) ?? (facts.replied as HeldRequest);
      const addressing = { refocus: result.refocus, ownMessageId: message.message_id };
      if (!content) {
        if (result.refocus) await setFocus(ctx.deps.db, facts.member.id, result.requestId, ctx.deps.now());
        await ctx.reply(ctx.t("requests.person.notRelayed"));
        return;
      }
      const sent = await sendTo(ctx, facts, destination, content, ctx.update.update_id, addressing);
      if (sent === "added") await ctx.reply(ctx.t("requests.person.added"), { protect_content: true });
      if (result.focusChanged)
        await tellFocus(ctx, facts.member.id, destination.request, "addressing.focusNow", false);
    }
  }
}

/** A tap on a request's 💬 (a worker's "Reply", a peer's "Answer for …"): it becomes the focus. */
export async function chooseFocus(
  ctx: BotContext,
  requestId: string,
  role: "worker" | "peer",
): Promise<void> {
  if (!ctx.from) return;
  const facts = await memberAddressing(
    ctx.deps.db,
    pseudonymFor(ctx.deps.pseudonymKey, ctx.from.id, "member"),
    undefined,
  );
  if (!facts || (facts.member.role === "peer") !== (role === "peer")) {
    await ctx.answerCallbackQuery({
      text: ctx.t(role === "peer" ? "peers.notPeer" : "team.onCall.notMember"),
    });
    return;
  }
  const request =
    facts.held.find((h) => h.request.id === requestId)?.request ?? (await getRequest(ctx.deps.db, requestId));
  const result = address(
    inputOf(facts, { kind: "focus-tap", target: request ? viewOf(request) : undefined }),
  );
  await ctx.answerCallbackQuery();
  if (result.kind !== "send" || !request) {
    const reason = result.kind === "refuse" && result.reason !== "nothing-held" ? result.reason : "ended";
    // A tap sends nothing: an ended request is simply said to be over.
    await ctx.reply(reason === "ended" ? ctx.t("requests.notice.ended") : refusalText(ctx, reason));
    return;
  }
  await setFocus(ctx.deps.db, facts.member.id, request.id, ctx.deps.now());
  await tellFocus(ctx, facts.member.id, request, "addressing.focusNow");
}

/** The answer to "which request?": the kept words go there, and it becomes the focus. */
export async function answerWhich(ctx: BotContext, pendingId: number, requestId: string): Promise<void> {
  if (!ctx.from) return;
  const facts = await memberAddressing(
    ctx.deps.db,
    pseudonymFor(ctx.deps.pseudonymKey, ctx.from.id, "member"),
    undefined,
  );
  // Forged, stale (sent already, or kept too long) or someone else's: nothing is sent anywhere.
  const pending = facts ? await pendingWordsOf(ctx.deps, pendingId, facts.member.id) : undefined;
  if (!facts || !pending) {
    await ctx.answerCallbackQuery({ text: ctx.t("addressing.stale") });
    await ctx.reply(ctx.t("addressing.stale"));
    return;
  }
  const held = facts.held.find((h) => h.request.id === requestId);
  const request = held?.request ?? (await getRequest(ctx.deps.db, requestId));
  const result = address(
    inputOf(facts, { kind: "which-answer", target: request ? viewOf(request) : undefined }),
  );
  await ctx.answerCallbackQuery();
  if (result.kind !== "send" || !held) {
    await ctx.reply(
      refusalText(
        ctx,
        result.kind === "refuse" && result.reason !== "nothing-held" ? result.reason : "ended",
      ),
    );
    return;
  }
  await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => {});
  const sent = await sendTo(
    ctx,
    facts,
    held,
    pending.content,
    pending.sourceUpdateId,
    { refocus: true, ownMessageId: pending.messageId },
    pending,
  );
  if (sent === "duplicate") {
    await ctx.reply(ctx.t("addressing.stale"));
    return;
  }
  await tellFocus(ctx, facts.member.id, held.request, "addressing.sentTo");
}
