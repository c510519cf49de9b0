import { Composer, InlineKeyboard } from "grammy";
import { callbackData, parseCallbackData } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import { addDays, wallDate, wallFields } from "../../directory/clock";
import { formatInstantTime } from "../../directory/format";
import { instantAt } from "../../directory/hours";
import { currentMember } from "../members/current";
import { isOnCall, type Member, setOffCall, setOnCall } from "../members/queries";
import { DEFAULT_ZONE } from "../members/shifts";
import { nicknameOf, requestCallback } from "../requests/notices";
import { heldBy } from "../requests/queries";
import { deliverWaitingRequests } from "../requests/use-cases";

/** Going on and off call in two taps: /garde or /oncall, then one button. */
export const onCallFeature = new Composer<BotContext>();

const MORNING_MINUTES = 8 * 60;

async function zoneOf(ctx: BotContext): Promise<string> {
  // Going on or off call changes no directory: the version this update read still holds.
  const catalog = await ctx.deps.catalog.get(ctx.deps.db, ctx.snapshot?.directoryVersion);
  return catalog?.directory.info.timezone ?? DEFAULT_ZONE;
}

/** The next 8:00 on the wall clock: this morning if it is still night, else tomorrow. */
export function nextMorning(now: Date, zone: string): Date {
  const today = wallDate(now, zone);
  const { hour } = wallFields(now, zone);
  return instantAt(hour < 8 ? today : addDays(today, 1), MORNING_MINUTES, zone);
}

function statusText(ctx: BotContext, member: Member, zone: string): string {
  const now = ctx.deps.now();
  if (!isOnCall(member, now)) return ctx.t("team.onCall.statusOff");
  return member.onCallUntil
    ? ctx.t("team.onCall.statusOnUntil", { time: formatInstantTime(member.onCallUntil, zone, ctx.locale) })
    : ctx.t("team.onCall.statusOn");
}

function onCallKeyboard(ctx: BotContext, onCall: boolean, zone: string): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  if (onCall) return keyboard.text(ctx.t("team.onCall.off"), callbackData.onCall("off"));
  const morning = formatInstantTime(nextMorning(ctx.deps.now(), zone), zone, ctx.locale);
  return keyboard
    .text(ctx.t("team.onCall.on"), callbackData.onCall("on"))
    .row()
    .text(ctx.t("team.onCall.untilMorning", { time: morning }), callbackData.onCall("morning"))
    .text(ctx.t("team.onCall.forHours", { hours: 4 }), callbackData.onCall("4h"));
}

onCallFeature.command(["garde", "oncall"], async (ctx) => {
  const member = await currentMember(ctx);
  if (!member || member.role === "peer") {
    await ctx.reply(ctx.t(member ? "team.onCall.peer" : "team.onCall.notMember"));
    return;
  }
  const zone = await zoneOf(ctx);
  await ctx.reply(statusText(ctx, member, zone), {
    reply_markup: onCallKeyboard(ctx, isOnCall(member, ctx.deps.now()), zone),
  });
});

onCallFeature.callbackQuery(/^oc:/, async (ctx) => {
  const action = parseCallbackData(ctx.callbackQuery.data);
  const member = await currentMember(ctx);
  // A forged or stale button from someone who is not (or no longer) on a team, or from a peer helper
  // (never on call: requests go to workers), changes nothing and says why.
  if (action?.kind !== "on-call" || !member || member.role === "peer") {
    await ctx.answerCallbackQuery({
      text: ctx.t(member?.role === "peer" ? "team.onCall.peer" : "team.onCall.notMember"),
    });
    return;
  }
  const now = ctx.deps.now();
  const zone = await zoneOf(ctx);
  let reply: string;
  switch (action.choice) {
    case "off":
      await setOffCall(ctx.deps.db, member, now);
      reply = ctx.t("team.onCall.nowOff");
      break;
    case "on":
      await setOnCall(ctx.deps.db, member.id, now, null);
      reply = ctx.t("team.onCall.nowOn");
      break;
    case "4h":
    case "morning": {
      const until = action.choice === "4h" ? new Date(now.getTime() + 4 * 3_600_000) : nextMorning(now, zone);
      await setOnCall(ctx.deps.db, member.id, now, until);
      reply = ctx.t("team.onCall.nowOnUntil", { time: formatInstantTime(until, zone, ctx.locale) });
      break;
    }
  }
  await ctx.answerCallbackQuery();
  await ctx.reply(reply);
  // Going off while holding requests: say which, with a way to pass them on, so nobody waits unseen.
  if (action.choice === "off") {
    const held = await heldBy(ctx.deps.db, member.id);
    if (held.length > 0) {
      const keyboard = new InlineKeyboard();
      for (const request of held.slice(0, 10))
        keyboard
          .text(`↩️ ${nicknameOf(request, ctx)}`, requestCallback.release(request.id))
          .text(`🤝 ${nicknameOf(request, ctx)}`, requestCallback.handOver(request.id))
          .row();
      await ctx.reply(ctx.t("team.onCall.stillHolding"), { reply_markup: keyboard });
    }
  }
  // Requests that waited with nobody on call go to the first worker who comes on.
  if (action.choice !== "off") await deliverWaitingRequests(ctx.deps, member.organisationId, [member]);
});
