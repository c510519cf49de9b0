import { Composer, InlineKeyboard, type NextFunction } from "grammy";
import { callbackData, parseCallbackData } from "../../bot/callback-data";
import type { BotContext, InnerContext } from "../../bot/context";
import { isMenuText, menuLabelOf } from "../../bot/menu-labels";
import { pseudonymFor } from "../../privacy/pseudonym";
import { escapeHtml } from "../../text/html";
import { withHtml } from "../../text/translate";
import { currentMember } from "../members/current";
import { findActiveMember, type Member } from "../members/queries";
import { REQUEST_FLOW } from "../requests/conversation";
import { chooseFocus, handleMemberWords, mediaOf } from "../requests/member-words";
import { nicknameOf } from "../requests/notices";
import { activeRequestsOf, getRequest, holderAlias } from "../requests/queries";
import { activeRelayedBy } from "../requests/relayed-queries";
import { withdrawRequest } from "../requests/use-cases";
import { callBackup } from "./backup";

/**
 * Peer helpers: a request for someone with them (/relais, /relay or the menu button), the "I need
 * backup" button (/renfort, /backup), and their words to the worker holding a request they relay.
 * A peer sees only the requests they relay; everything else about requests is for workers.
 */
export const peersFeature = new Composer<BotContext>();

async function peerOrRefuse(ctx: BotContext): Promise<Member | undefined> {
  const member = await currentMember(ctx);
  if (member?.role === "peer") return member;
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("peers.notPeer") });
  else await ctx.reply(ctx.t("peers.notPeer"));
  return undefined;
}

// --- For someone I'm with ---------------------------------------------------------------------------

async function startRelay(ctx: BotContext): Promise<void> {
  if (!(await peerOrRefuse(ctx))) return;
  await ctx.conversation.enter(REQUEST_FLOW, "relay");
}

peersFeature.command(["relais", "relay"], startRelay);
peersFeature
  .on("message:text")
  .filter((ctx) => menuLabelOf(ctx.deps, ctx.message.text) === "relay", startRelay);

// --- I need backup ----------------------------------------------------------------------------------

async function backup(ctx: BotContext): Promise<void> {
  const peer = await peerOrRefuse(ctx);
  if (!peer || !ctx.chat) return;
  const result = await callBackup(ctx.deps, peer, ctx.chat.id, ctx.update.update_id);
  switch (result.kind) {
    case "sent":
      await ctx.reply(ctx.t("peers.backup.sent", { count: result.onCall }));
      return;
    case "again":
      await ctx.reply(
        [
          ctx.t("peers.backup.again", { time: result.time }),
          ...(result.nobodyOnCall ? [ctx.t("peers.backup.nobody", { number: result.number })] : []),
        ].join("\n\n"),
      );
      return;
    case "nobody":
      await ctx.reply(
        [
          ctx.t("peers.backup.nobody", { number: result.number }),
          ...(result.groupTold ? [ctx.t("peers.backup.groupTold")] : []),
        ].join("\n"),
      );
  }
}

peersFeature.command(["renfort", "backup"], backup);
peersFeature.on("message:text").filter((ctx) => menuLabelOf(ctx.deps, ctx.message.text) === "backup", backup);

// --- Their relayed requests, with a way to answer or withdraw each ----------------------------------

peersFeature.command(["mademande", "myrequest"], async (ctx, next) => {
  const peer = await currentMember(ctx);
  if (peer?.role !== "peer") return next();
  const relayed = await activeRelayedBy(ctx.deps.db, peer.id);
  if (relayed.length === 0) return next();
  await ctx.reply(ctx.t("peers.mine.title"));
  for (const request of relayed) {
    const alias = await holderAlias(ctx.deps.db, request);
    const nickname = nicknameOf(request, ctx);
    const keyboard = new InlineKeyboard();
    if (request.status === "claimed")
      keyboard.text(ctx.t("peers.reply", { nickname }), callbackData.peerFocus(request.id)).row();
    keyboard.text(ctx.t("peers.sent.withdraw", { nickname }), callbackData.peerWithdraw(request.id));
    await ctx.reply(
      // The status is HTML already (the alias escaped inside it): inserted as is, the rest escaped here.
      ctx.t(
        "peers.mine.item",
        withHtml({
          nickname: escapeHtml(nickname),
          category: escapeHtml(ctx.t(`requests.categories.${request.category}`)),
          status: ctx.t(`requests.mine.status.${request.status}`, { alias: alias ?? "" }),
        }),
      ),
      { parse_mode: "HTML", reply_markup: keyboard },
    );
  }
  // Their own requests, if they made some as anyone else would, are listed as usual after these.
  if (ctx.pseudonym && (await activeRequestsOf(ctx.deps.db, ctx.pseudonym)).length > 0) return next();
});

// --- Buttons: answer this request, withdraw it ------------------------------------------------------

peersFeature.callbackQuery(/^pr:/, async (ctx, next) => {
  const action = parseCallbackData(ctx.callbackQuery.data);
  // Unparseable: the usual "out of date" answer further down.
  if (action?.kind !== "peer-focus" && action?.kind !== "peer-withdraw") return next();
  const peer = await peerOrRefuse(ctx);
  if (!peer) return;
  const request = await getRequest(ctx.deps.db, action.requestId);
  const active = request?.status === "open" || request?.status === "claimed";
  if (!request || request.relayedByMemberId !== peer.id || !active) {
    await ctx.answerCallbackQuery({ text: ctx.t("peers.ended") });
    return;
  }
  if (action.kind === "peer-focus") return chooseFocus(ctx, request.id, "peer");
  await ctx.answerCallbackQuery();
  const nickname = nicknameOf(request, ctx);
  const result = await withdrawRequest(ctx.deps, request.personPseudonym, request.id);
  await ctx.reply(ctx.t(result.kind === "ended" ? "peers.withdrawn" : "peers.ended", { nickname }));
});

// --- The peer's words to the worker holding a request they relay --------------------------------------

// Where they go is addressing's (requests/addressing.ts): a reply to a message of one request goes to
// it; with one request, to it; with several, to the one they chose, or the bot asks which.
peersFeature.on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  if (text.startsWith("/") || isMenuText(ctx, text)) return next();
  await handleMemberWords(ctx, next, { kind: "text", text }, "peer");
});

peersFeature.on(
  [
    "message:photo",
    "message:voice",
    "message:document",
    "message:sticker",
    "message:video",
    "message:audio",
    "message:animation",
    "message:video_note",
  ],
  (ctx, next) => handleMemberWords(ctx, next, mediaOf(ctx), "peer"),
);

// --- The peer's menu ------------------------------------------------------------------------------

/**
 * A peer's menu always holds their two buttons. The main menu is sent from many places with the same
 * keyboard, so rather than teaching each one about roles, this adds the row to any persistent reply
 * keyboard sent to a peer (the main menu is the only persistent one). Installed on this update's API
 * only; the member is looked up once, and only when such a keyboard goes out.
 */
export async function peerMenu(ctx: InnerContext, next: NextFunction): Promise<void> {
  let peer: Promise<boolean> | undefined;
  const isPeer = () => {
    const from = ctx.from;
    peer ??= from
      ? findActiveMember(ctx.deps.db, pseudonymFor(ctx.deps.pseudonymKey, from.id, "member"))
          .then((m) => m?.role === "peer")
          .catch(() => false)
      : Promise.resolve(false);
    return peer;
  };
  ctx.api.config.use(async (prev, method, payload, signal) => {
    const markup = (payload as { reply_markup?: { keyboard?: unknown[][]; is_persistent?: boolean } })
      .reply_markup;
    if (markup?.is_persistent && Array.isArray(markup.keyboard) && (await isPeer())) {
      const row = [{ text: ctx.t("peers.menu.relay") }, { text: ctx.t("peers.menu.backup") }];
      const withRow = { ...payload, reply_markup: { ...markup, keyboard: [...markup.keyboard, row] } };
      return prev(method, withRow as typeof payload, signal);
    }
    return prev(method, payload, signal);
  });
  await next();
}
