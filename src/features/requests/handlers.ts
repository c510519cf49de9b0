import type { Conversation } from "@grammyjs/conversations";
import { Composer, InlineKeyboard, type NextFunction } from "grammy";
import type { BotContext, InnerContext } from "../../bot/context";
import { mainMenu } from "../../bot/keyboards";
import { isMenuText, menuLabelOf } from "../../bot/menu-labels";
import { onlyLooking, ownSnapshot } from "../../bot/snapshot";
import { escapeHtml } from "../../text/html";
import { withHtml } from "../../text/translate";
import { currentMember } from "../members/current";
import { isOnCall, listMembers, type Member } from "../members/queries";
import { REQUEST_FLOW } from "./conversation";
import { answerWhich, chooseFocus, handleMemberWords, mediaOf } from "./member-words";
import { claimedKeyboard, nicknameOf, OUTCOMES, outcomeKeyboard, requestCallback } from "./notices";
import { activeRequestsOf, getRequest, holderAlias, markEndTold, recordNotice } from "./queries";
import { type RelayContent, relayToHolder } from "./relay";
import { heldRequestOf } from "./relay-queries";
import { addToRequest, claim, closeRequest, handOver, releaseClaim, withdrawRequest } from "./use-cases";

export const ADD_TO_REQUEST = "add-to-request";

/**
 * Requests from both sides: a person enters the flow, sees and withdraws their requests; a worker claims,
 * answers, closes or releases. Handlers parse, call one use case, and reply; the use cases own the rest.
 */
export const requestsFeature = new Composer<BotContext>();

const startFlow = (ctx: BotContext) => ctx.conversation.enter(REQUEST_FLOW);

requestsFeature.command(["parler", "talk"], startFlow);
requestsFeature.callbackQuery("talk", async (ctx) => {
  await ctx.answerCallbackQuery();
  await startFlow(ctx);
});
// The menu button, in either language (a keyboard stays on screen after a language switch).
requestsFeature
  .on("message:text")
  .filter((ctx) => menuLabelOf(ctx.deps, ctx.message.text) === "talk", startFlow);

requestsFeature.command(["mademande", "myrequest"], async (ctx) => {
  if (!ctx.pseudonym) return;
  const active = await activeRequestsOf(ctx.deps.db, ctx.pseudonym);
  if (active.length === 0) {
    await ctx.reply(ctx.t("requests.mine.none"), { reply_markup: mainMenu(ctx.t) });
    return;
  }
  for (const request of active) {
    const alias = await holderAlias(ctx.deps.db, request);
    const reader = { t: ctx.t, locale: ctx.locale };
    await ctx.reply(
      // The status is HTML already (the alias escaped inside it): inserted as is, the rest escaped here.
      ctx.t(
        "requests.mine.item",
        withHtml({
          nickname: escapeHtml(nicknameOf(request, reader)),
          category: escapeHtml(ctx.t(`requests.categories.${request.category}`)),
          status: ctx.t(`requests.mine.status.${request.status}`, { alias: alias ?? "" }),
        }),
      ),
      {
        parse_mode: "HTML",
        reply_markup: new InlineKeyboard()
          .text(ctx.t("requests.mine.add"), requestCallback.add(request.id))
          .row()
          .text(ctx.t("requests.mine.withdraw"), requestCallback.withdraw(request.id)),
      },
    );
  }
});

const REQUEST_ID = "([A-Za-z0-9_-]{12})";

// --- The person's buttons -------------------------------------------------------------------------

requestsFeature.callbackQuery(new RegExp(`^rq:withdraw:${REQUEST_ID}$`), async (ctx) => {
  const result = ctx.pseudonym
    ? await withdrawRequest(ctx.deps, ctx.pseudonym, ctx.match[1] as string)
    : { kind: "not-allowed" as const };
  await ctx.answerCallbackQuery();
  if (result.kind === "ended")
    await ctx.reply(ctx.t("requests.mine.withdrawn"), { reply_markup: mainMenu(ctx.t) });
  else await ctx.reply(ctx.t("requests.notice.gone"));
});

requestsFeature.callbackQuery(new RegExp(`^rq:add:${REQUEST_ID}$`), async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.conversation.enter(ADD_TO_REQUEST, ctx.match[1]);
});

// --- The worker's buttons -------------------------------------------------------------------------

/** Workers and admins act on requests; a peer or a stranger pressing a forged button gets nothing useful. */
async function workerOrRefuse(ctx: BotContext): Promise<Member | undefined> {
  const member = await currentMember(ctx);
  if (member && member.role !== "peer") return member;
  await ctx.answerCallbackQuery({ text: ctx.t("team.onCall.notMember") });
  return undefined;
}

requestsFeature.callbackQuery(new RegExp(`^rq:claim:${REQUEST_ID}$`), async (ctx) => {
  const member = await workerOrRefuse(ctx);
  if (!member) return;
  // No read first: the claim itself finds a request gone or of another organisation ("gone").
  const result = await claim(ctx.deps, ctx.match[1] as string, member);
  switch (result.kind) {
    case "claimed":
      await ctx.answerCallbackQuery();
      await ctx
        .editMessageReplyMarkup({ reply_markup: claimedKeyboard(result.request, ctx) })
        .catch(() => {});
      {
        const taken = await ctx.reply(ctx.t("requests.notice.takenByYou", { nickname: result.nickname }), {
          protect_content: true,
        });
        // It says "write here to answer": a reply to it goes to this request, whatever else they hold.
        await recordNotice(ctx.deps.db, result.request.id, member.id, taken.message_id);
      }
      return;
    case "taken":
      await ctx.answerCallbackQuery({
        text: ctx.t("requests.notice.alreadyTaken", withHtml({ alias: result.alias })),
      });
      return;
    case "gone":
      await ctx.answerCallbackQuery({ text: ctx.t("requests.notice.gone") });
  }
});

requestsFeature.callbackQuery(new RegExp(`^rq:pass:${REQUEST_ID}$`), async (ctx) => {
  if (!(await workerOrRefuse(ctx))) return;
  await ctx.answerCallbackQuery({ text: ctx.t("requests.notice.passed") });
  await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => {});
});

requestsFeature.callbackQuery(new RegExp(`^rq:focus:${REQUEST_ID}$`), async (ctx) => {
  await chooseFocus(ctx, ctx.match[1] as string, "worker");
});

// The answer to "which request?", from a worker or a peer helper: the words kept for it go there.
requestsFeature.callbackQuery(new RegExp(`^rq:which:(\\d{1,10}):${REQUEST_ID}$`), async (ctx) => {
  await answerWhich(ctx, Number(ctx.match[1]), ctx.match[2] as string);
});
// Anything else that looks like one was forged or cut: out of date, nothing sent.
requestsFeature.callbackQuery(/^rq:which:/, async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("addressing.stale") });
  await ctx.reply(ctx.t("addressing.stale"));
});

requestsFeature.callbackQuery(new RegExp(`^rq:close:${REQUEST_ID}$`), async (ctx) => {
  const member = await workerOrRefuse(ctx);
  if (!member) return;
  const request = await getRequest(ctx.deps.db, ctx.match[1] as string);
  await ctx.answerCallbackQuery();
  if (!request || (request.status !== "claimed" && request.status !== "open")) {
    await ctx.reply(ctx.t("requests.notice.ended"));
    return;
  }
  await ctx.reply(ctx.t("requests.notice.chooseOutcome"), { reply_markup: outcomeKeyboard(request, ctx) });
});

requestsFeature.callbackQuery(new RegExp(`^rq:out:${REQUEST_ID}:(${OUTCOMES.join("|")})$`), async (ctx) => {
  const member = await workerOrRefuse(ctx);
  if (!member) return;
  const result = await closeRequest(ctx.deps, ctx.match[1] as string, member, ctx.match[2] as string);
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => {});
  await ctx.reply(
    result.kind === "ended"
      ? ctx.t("requests.notice.closed", { nickname: nicknameOf(result.request, ctx) })
      : ctx.t("requests.notice.ended"),
  );
});

requestsFeature.callbackQuery(new RegExp(`^rq:release:${REQUEST_ID}$`), async (ctx) => {
  const member = await workerOrRefuse(ctx);
  if (!member) return;
  const result = await releaseClaim(ctx.deps, ctx.match[1] as string, member);
  await ctx.answerCallbackQuery();
  await ctx.reply(
    result.kind === "ended"
      ? ctx.t("requests.notice.released", { nickname: nicknameOf(result.request, ctx) })
      : ctx.t("requests.notice.ended"),
  );
});

requestsFeature.callbackQuery(new RegExp(`^rq:hand:${REQUEST_ID}$`), async (ctx) => {
  const member = await workerOrRefuse(ctx);
  if (!member) return;
  const request = await getRequest(ctx.deps.db, ctx.match[1] as string);
  await ctx.answerCallbackQuery();
  if (request?.status !== "claimed" || request.claimedByMemberId !== member.id) {
    await ctx.reply(ctx.t("requests.notice.ended"));
    return;
  }
  const now = ctx.deps.now();
  const colleagues = (await listMembers(ctx.deps.db, member.organisationId))
    .filter((m) => m.id !== member.id && m.role !== "peer" && !m.unreachableSince)
    .sort((a, b) => Number(isOnCall(b, now)) - Number(isOnCall(a, now)));
  if (colleagues.length === 0) {
    await ctx.reply(ctx.t("requests.notice.noColleague"));
    return;
  }
  const keyboard = new InlineKeyboard();
  for (const c of colleagues.slice(0, 20))
    keyboard
      .text(`${isOnCall(c, now) ? "🟢 " : ""}${c.alias}`, requestCallback.handTo(request.id, c.id))
      .row();
  await ctx.reply(ctx.t("requests.notice.chooseColleague"), { reply_markup: keyboard });
});

requestsFeature.callbackQuery(new RegExp(`^rq:to:${REQUEST_ID}:(\\d{1,9})$`), async (ctx) => {
  const member = await workerOrRefuse(ctx);
  if (!member) return;
  const result = await handOver(ctx.deps, ctx.match[1] as string, member, Number(ctx.match[2]));
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => {});
  await ctx.reply(
    result.kind === "handed"
      ? ctx.t("requests.notice.handedOver", withHtml({ alias: result.alias }))
      : ctx.t(result.kind === "gone" ? "requests.notice.ended" : "requests.notice.noColleague"),
  );
});

requestsFeature.callbackQuery("rq:noop", (ctx) => ctx.answerCallbackQuery());

// A button of a request flow that has expired (or ended): say plainly that nothing was sent.
requestsFeature.callbackQuery(/^f:/, async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t("requests.flow.expired"), {
    reply_markup: new InlineKeyboard().text(ctx.t("requests.perche.button"), "talk"),
  });
});

// --- Text both ways ------------------------------------------------------------------------------

/** A person (not on a team) with a request that just ended: told kindly once, never "not found". */
async function tellEnded(ctx: BotContext): Promise<boolean> {
  const snapshot = ownSnapshot(ctx);
  if (!ctx.pseudonym || !snapshot?.hasEndedUntold || snapshot.hasActiveRequest || snapshot.isMember)
    return false;
  const ended = await markEndTold(ctx.deps.db, ctx.pseudonym, ctx.deps.now());
  if (!ended) return false;
  await ctx.reply(ctx.t("addressing.person.ended", { nickname: nicknameOf(ended) }), {
    reply_markup: mainMenu(ctx.t),
  });
  return true;
}

/** A person's words (or photo, voice note) to their request: relayed to its holder, or added while it waits. */
async function personWords(ctx: BotContext, next: NextFunction, content: RelayContent): Promise<void> {
  if (!ctx.pseudonym) return next();
  if (await tellEnded(ctx)) return;
  const held = await heldRequestOf(ctx.deps.db, ctx.pseudonym);
  if (!held) return next();
  const result = await relayToHolder(ctx.deps, held, content, ctx.update.update_id);
  if (result.kind === "relayed" && result.slowDown) await ctx.reply(ctx.t("requests.person.slowDown"));
  if (result.kind === "added")
    await ctx.reply(ctx.t("addressing.person.added", { nickname: nicknameOf(held.request) }));
}

requestsFeature.on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  // Menu buttons and commands keep their meaning even in the middle of a conversation with a worker.
  if (text.startsWith("/") || isMenuText(ctx, text)) return next();
  // Neither on a team nor in a request (most people, most of the time): a typed word is a lookup.
  if (onlyLooking(ctx)) return next();
  const content: RelayContent = { kind: "text", text };
  if (ownSnapshot(ctx)?.isMember !== false)
    return handleMemberWords(ctx, () => personWords(ctx, next, content), content, "worker");
  await personWords(ctx, next, content);
});

// --- Photos and voice notes both ways; what cannot cross is said -------------------------------------

requestsFeature.on(
  [
    "message:photo",
    "message:voice",
    "message:document",
    "message:sticker",
    "message:contact",
    "message:video",
    "message:audio",
    "message:animation",
    "message:video_note",
    // A position never crosses: where someone is stays with them (and is not looked up mid-conversation).
    "message:location",
  ],
  async (ctx, next) => {
    // A location from someone only looking things up is a "near me": no team or request to read.
    if (onlyLooking(ctx)) return next();
    const content = mediaOf(ctx);
    const person = async () => {
      if (!ctx.pseudonym) return next();
      if (content) return personWords(ctx, next, content);
      if (await tellEnded(ctx)) return;
      const held = await heldRequestOf(ctx.deps.db, ctx.pseudonym);
      if (!held) return next();
      const looksLikePhoto = ctx.message?.document?.mime_type?.startsWith("image/") ?? false;
      // A photo sent "as a file" keeps its GPS position: say so, since it would not be relayed anyway.
      await ctx.reply(
        [
          ctx.t("requests.person.notRelayed"),
          ...(looksLikePhoto ? [ctx.t("requests.person.photoLocation")] : []),
          ...(ctx.message?.location ? [ctx.t("requests.person.locationNotRelayed")] : []),
        ].join("\n"),
      );
    };
    if (ownSnapshot(ctx)?.isMember !== false) return handleMemberWords(ctx, person, content, "worker");
    await person();
  },
);

/** "Add a message": one text, then back to normal. */
export async function addToRequestFlow(
  conversation: Conversation<BotContext, InnerContext>,
  ctx: InnerContext,
  requestId: string,
) {
  await ctx.reply(ctx.t("requests.mine.askAdd"));
  const answer = await conversation.wait({ maxMilliseconds: 30 * 60_000 });
  const text = answer.message?.text;
  // Anything but words (a button, a command, a menu tap) means the person moved on: handle it as usual.
  if (text === undefined || text.startsWith("/") || isMenuText(ctx, text))
    await conversation.halt({ next: true });
  const words = text ?? "";
  const result = await conversation.external((outer) =>
    outer.pseudonym
      ? addToRequest(outer.deps, outer.pseudonym, requestId, words, answer.update.update_id)
      : { kind: "no-request" as const },
  );
  await ctx.reply(ctx.t(result.kind === "no-request" ? "requests.notice.gone" : "requests.person.added"), {
    reply_markup: mainMenu(ctx.t),
  });
}
