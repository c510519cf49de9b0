import { Composer, InlineKeyboard, type NextFunction } from "grammy";
import { callbackData, parseCallbackData } from "../../bot/callback-data";
import type { BotContext, InnerContext } from "../../bot/context";
import { ownSnapshot } from "../../bot/snapshot";
import { pseudonymFor } from "../../privacy/pseudonym";
import { escapeHtml } from "../../text/html";
import { withHtml } from "../../text/translate";
import { isMenuText } from "../directory/handlers";
import { REQUEST_FLOW } from "../requests/conversation";
import { nicknameOf } from "../requests/notices";
import {
  activeRequestsOf,
  getRequest,
  holderAlias,
  type Request,
  setFocus,
  setFocusStatement,
} from "../requests/queries";
import { type RelayContent, relayToHolder } from "../requests/relay";
import type { HeldRequest } from "../requests/relay-queries";
import { withdrawRequest } from "../requests/use-cases";
import { currentMember } from "../team/on-call";
import { findActiveMember, type Member } from "../team/queries";
import { callBackup } from "./backup";
import { peerMenuLabels } from "./menu";
import { activeRelayedBy, heldRelayedWithHolders } from "./queries";

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
  .filter((ctx) => peerMenuLabels(ctx.deps, "relay").includes(ctx.message.text), startRelay);

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
peersFeature
  .on("message:text")
  .filter((ctx) => peerMenuLabels(ctx.deps, "backup").includes(ctx.message.text), backup);

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
  await ctx.answerCallbackQuery();
  const nickname = nicknameOf(request, ctx);
  if (action.kind === "peer-withdraw") {
    const result = await withdrawRequest(ctx.deps, request.personPseudonym, request.id);
    await ctx.reply(ctx.t(result.kind === "ended" ? "peers.withdrawn" : "peers.ended", { nickname }));
    return;
  }
  await setFocus(ctx.deps.db, peer.id, request.id);
  await ctx.reply(ctx.t("peers.focus", { nickname }));
});

// --- The peer's words to the worker holding a request they relay --------------------------------------

/**
 * Which relayed request the peer's words are for, with the worker holding it: the one they chose last
 * (a "reply" button), or the only one a worker holds. With several and no choice, they are asked;
 * nothing is guessed.
 */
async function targetOf(ctx: BotContext, peer: Member): Promise<HeldRequest | "asked" | undefined> {
  const held = await heldRelayedWithHolders(ctx.deps.db, peer.id);
  if (held.length === 0) return undefined;
  // A Telegram reply to a message about one request (they all start with its tag) is for that one.
  const repliedTo = ctx.message?.reply_to_message;
  const tagLine = (repliedTo?.text ?? repliedTo?.caption)?.split("\n")[0];
  const tagged = tagLine ? held.filter((h) => tagOf(ctx, h.request) === tagLine) : [];
  const chosen =
    (tagged.length === 1 ? tagged[0] : undefined) ??
    held.find((h) => h.request.id === peer.focusRequestId) ??
    (held.length === 1 ? held[0] : undefined);
  if (chosen) return chosen;
  const keyboard = new InlineKeyboard();
  for (const { request } of held.slice(0, 10))
    keyboard
      .text(ctx.t("peers.reply", { nickname: nicknameOf(request, ctx) }), callbackData.peerFocus(request.id))
      .row();
  await ctx.reply(ctx.t("peers.which"), { reply_markup: keyboard });
  return "asked";
}

function tagOf(ctx: BotContext, request: Request): string {
  const t = ctx.deps.translations.forLocale(request.locale);
  return t("peers.tag", { nickname: nicknameOf(request, { t, locale: request.locale }) });
}

async function relayPeerWords(ctx: BotContext, next: NextFunction, content: RelayContent | undefined) {
  // Not a peer helper (on no team, or a worker), as the update's snapshot says: no lookup needed.
  const snapshot = ownSnapshot(ctx);
  if (snapshot && snapshot.memberRole !== "peer") return next();
  const peer = await currentMember(ctx);
  if (peer?.role !== "peer") return next();
  const target = await targetOf(ctx, peer);
  if (target === undefined) return next();
  if (target === "asked") return;
  // The request their words are for becomes their focus, whether or not the words can cross.
  const refocus =
    target.request.id === peer.focusRequestId
      ? undefined
      : setFocusStatement(ctx.deps.db, peer.id, target.request.id);
  if (!content) {
    if (refocus) await refocus;
    await ctx.reply(ctx.t("requests.person.notRelayed"));
    return;
  }
  // The relayed request has a pseudonym of its own: the person's relay, to that request's holder.
  const result = await relayToHolder(ctx.deps, target, content, ctx.update.update_id, [refocus]);
  if (result.kind === "relayed" && result.slowDown) await ctx.reply(ctx.t("requests.person.slowDown"));
}

peersFeature.on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  if (text.startsWith("/") || isMenuText(ctx, text)) return next();
  await relayPeerWords(ctx, next, { kind: "text", text });
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
  async (ctx, next) => {
    const photo = ctx.message.photo;
    const content: RelayContent | undefined =
      photo && photo.length > 0
        ? { kind: "photo", fileId: (photo[photo.length - 1] as { file_id: string }).file_id }
        : ctx.message.voice
          ? { kind: "voice", fileId: ctx.message.voice.file_id }
          : undefined;
    await relayPeerWords(ctx, next, content);
  },
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
