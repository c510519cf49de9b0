import { Composer, InlineKeyboard } from "grammy";
import { callbackData, parseCallbackData } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import { withHtml } from "../../text/translate";
import { currentMember } from "../members/current";
import { answerReferral, askReferral, heldRequestOf, referralTargets } from "./use-cases";

/**
 * "↗️ Refer" on a request a worker holds: pick an organisation, then the person answers yes or no.
 * Handlers parse, call one use case and reply; the use cases own the checks and the messages.
 */
export const referralFeature = new Composer<BotContext>();

referralFeature.callbackQuery(/^rf:/, async (ctx, next) => {
  const action = parseCallbackData(ctx.callbackQuery.data);
  switch (action?.kind) {
    case "refer-pick":
      return pick(ctx, action.requestId);
    case "refer-to":
      return ask(ctx, action.requestId, action.organisationId);
    case "refer-answer":
      return answer(ctx, action.referralId, action.yes);
    default:
      // Forged or from an old version: the usual "out of date" answer further down.
      return next();
  }
});

async function workerOf(ctx: BotContext) {
  const member = await currentMember(ctx);
  if (member && member.role !== "peer") return member;
  await ctx.answerCallbackQuery({ text: ctx.t("team.onCall.notMember") });
  return undefined;
}

async function pick(ctx: BotContext, requestId: string): Promise<void> {
  const member = await workerOf(ctx);
  if (!member) return;
  const request = await heldRequestOf(ctx.deps, requestId, member);
  await ctx.answerCallbackQuery();
  if (!request) {
    await ctx.reply(ctx.t("referral.notYours"));
    return;
  }
  const targets = await referralTargets(ctx.deps, request.organisationId);
  if (targets.length === 0) {
    await ctx.reply(ctx.t("referral.none"));
    return;
  }
  const keyboard = new InlineKeyboard();
  for (const target of targets.slice(0, 20))
    keyboard
      .text(
        `${target.onCall > 0 ? "🟢 " : ""}${target.name[ctx.locale]}`,
        callbackData.referTo(request.id, target.organisationId),
      )
      .row();
  await ctx.reply(ctx.t("referral.choose"), { reply_markup: keyboard });
}

async function ask(ctx: BotContext, requestId: string, organisationId: string): Promise<void> {
  const member = await workerOf(ctx);
  if (!member) return;
  const result = await askReferral(ctx.deps, member, requestId, organisationId);
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => {});
  switch (result.kind) {
    case "asked":
    case "already":
      await ctx.reply(
        ctx.t(result.kind === "asked" ? "referral.asked" : "referral.alreadyAsked", {
          nickname: result.nickname,
        }),
      );
      return;
    case "not-yours":
      await ctx.reply(ctx.t("referral.notYours"));
      return;
    case "no-target":
      await ctx.reply(ctx.t("referral.none"));
  }
}

async function answer(ctx: BotContext, referralId: number, yes: boolean): Promise<void> {
  // The person answers with their own pseudonym; a peer answers for the request they relay.
  const member = await currentMember(ctx);
  const result = await answerReferral(ctx.deps, referralId, yes, {
    pseudonym: ctx.pseudonym,
    peerMemberId: member?.role === "peer" ? member.id : undefined,
  });
  if (result.kind === "not-yours") {
    await ctx.answerCallbackQuery({ text: ctx.t("common.staleButton").split("\n")[0] ?? "" });
    return;
  }
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => {});
  switch (result.kind) {
    case "accepted":
      // Honest when nobody is on call there: it waits for the first who comes on.
      await ctx.reply(
        [
          ctx.t("referral.person.accepted", withHtml({ organisation: result.organisation })),
          ...(result.onCall === 0 ? [ctx.t("referral.person.nobodyOnCall")] : []),
        ].join("\n"),
      );
      return;
    case "declined":
      await ctx.reply(ctx.t("referral.person.declined"));
      return;
    default:
      await ctx.reply(ctx.t(`referral.person.${result.kind}`));
  }
}
