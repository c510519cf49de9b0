import { InlineKeyboard } from "grammy";
import { callbackData } from "../../bot/callback-data";
import type { BotContext, InnerContext } from "../../bot/context";
import { mainMenu } from "../../bot/keyboards";
import type { OpenNowMessage } from "../directory/screens";
import { currentMember } from "../members/current";

/** The peer helper behind an update, as the request flow needs them; anyone else is undefined. */
export async function relayingPeer(
  ctx: BotContext,
): Promise<{ memberId: number; alias: string; organisationId: string } | undefined> {
  const member = await currentMember(ctx);
  if (member?.role !== "peer") return undefined;
  return { memberId: member.id, alias: member.alias, organisationId: member.organisationId };
}

export type RelayFlowOutcome =
  | { kind: "sent"; requestId: string; nickname: string; onCall: number; nextShift: string | null }
  | { kind: "too-many"; count: number }
  | { kind: "no-team" }
  | { kind: "not-peer" };

/** The end of a peer's request for someone: the nickname that marks its answers, and a way to withdraw it. */
export async function relaySent(
  ctx: InnerContext,
  outcome: RelayFlowOutcome,
  openNow: () => Promise<OpenNowMessage | undefined>,
): Promise<void> {
  const t = ctx.t;
  switch (outcome.kind) {
    case "sent": {
      const withdraw = new InlineKeyboard().text(
        t("peers.sent.withdraw", { nickname: outcome.nickname }),
        callbackData.peerWithdraw(outcome.requestId),
      );
      if (outcome.onCall > 0) {
        await ctx.reply(t("peers.sent.withWorker", { nickname: outcome.nickname }), {
          parse_mode: "HTML",
          reply_markup: withdraw,
        });
        return;
      }
      await ctx.reply(
        [
          t("peers.sent.nobodyOnCall", { nickname: outcome.nickname }),
          ...(outcome.nextShift ? [t("requests.sent.nextShift", { when: outcome.nextShift })] : []),
        ].join("\n\n"),
        { parse_mode: "HTML", reply_markup: withdraw },
      );
      const open = await openNow();
      if (open) await ctx.reply(open.text, open.options);
      return;
    }
    case "too-many":
      await ctx.reply(t("peers.sent.tooMany", { count: outcome.count }), { reply_markup: mainMenu(t) });
      return;
    case "no-team":
      await ctx.reply(t("requests.sent.noTeam"), { reply_markup: mainMenu(t) });
      return;
    case "not-peer":
      await ctx.reply(t("peers.notPeer"), { reply_markup: mainMenu(t) });
  }
}
