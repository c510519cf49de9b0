import { Composer, InlineKeyboard } from "grammy";
import { callbackData, parseCallbackData } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import { mainMenu } from "../../bot/keyboards";
import type { Place } from "../../directory/model";
import { currentMember } from "../members/current";
import { alertAreas } from "./broadcast";
import { BROADCAST_FLOW } from "./conversation";
import {
  alertsPseudonym,
  chooseArea,
  removeArea,
  type Subscription,
  setSubscriberLocale,
  stopAlerts,
  subscriptionOf,
} from "./subscriptions";

/**
 * Alerts for everyone, no role: /alertes or /alerts shows what they are and one-tap areas; one tap
 * subscribes, one tap stops and erases. Workers and admins write alerts with /diffuser or /broadcast.
 */
export const alertsFeature = new Composer<BotContext>();

async function neighbourhoods(ctx: BotContext): Promise<Place[]> {
  return alertAreas(await ctx.deps.catalog.get(ctx.deps.db));
}

function pseudonymOf(ctx: BotContext): string | undefined {
  return ctx.from ? alertsPseudonym(ctx.deps.pseudonymKey, ctx.from.id) : undefined;
}

function areasText(ctx: BotContext, subscription: Subscription, places: Place[]): string {
  if (subscription.all) return ctx.t("alerts.allMontreal");
  return subscription.placeIds
    .map((id) => places.find((p) => p.id === id)?.name[ctx.locale] ?? id)
    .join(", ");
}

function areaKeyboard(ctx: BotContext, subscription: Subscription | undefined, places: Place[]) {
  const ticked = (on: boolean, label: string) => (on ? `✅ ${label}` : label);
  const keyboard = new InlineKeyboard()
    .text(ticked(subscription?.all ?? false, ctx.t("alerts.buttonAll")), callbackData.alertSubscribe(null))
    .row();
  places.forEach((place, index) => {
    const chosen = subscription?.placeIds.includes(place.id) ?? false;
    keyboard.text(
      ticked(chosen, place.name[ctx.locale]),
      chosen ? callbackData.alertUnsubscribe(place.id) : callbackData.alertSubscribe(place.id),
    );
    if (index % 2 === 1) keyboard.row();
  });
  if (subscription) keyboard.row().text(ctx.t("alerts.stop"), callbackData.alertStop());
  return keyboard;
}

async function showAlerts(ctx: BotContext, withIntro: boolean): Promise<void> {
  const pseudonym = pseudonymOf(ctx);
  if (!pseudonym) return;
  const places = await neighbourhoods(ctx);
  const subscription = await subscriptionOf(ctx.deps.db, pseudonym);
  const lines = withIntro ? [ctx.t("alerts.intro"), ""] : [];
  if (subscription)
    lines.push(
      ctx.t("alerts.current", { areas: areasText(ctx, subscription, places) }),
      ctx.t("alerts.hint"),
    );
  else lines.push(ctx.t("alerts.pick"));
  await ctx.reply(lines.join("\n"), {
    parse_mode: "HTML",
    reply_markup: areaKeyboard(ctx, subscription, places),
  });
}

alertsFeature.command(["alertes", "alerts"], async (ctx) => {
  const pseudonym = pseudonymOf(ctx);
  // Alerts follow the language the person uses now.
  if (pseudonym) await setSubscriberLocale(ctx.deps.db, pseudonym, ctx.locale);
  await showAlerts(ctx, true);
});

alertsFeature.callbackQuery(/^al:/, async (ctx) => {
  const action = parseCallbackData(ctx.callbackQuery.data);
  const pseudonym = pseudonymOf(ctx);
  if (!pseudonym || !ctx.chat) return;
  if (action?.kind === "alert-stop") {
    const erased = await stopAlerts(ctx.deps.db, pseudonym);
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t(erased ? "alerts.stopped" : "alerts.notSubscribed"), {
      reply_markup: mainMenu(ctx.t),
    });
    return;
  }
  if (action?.kind === "alert-unsubscribe") {
    const left = await removeArea(ctx.deps.db, pseudonym, action.placeId);
    await ctx.answerCallbackQuery();
    if (!left) {
      // The last neighbourhood was removed: nothing is kept.
      await ctx.reply(ctx.t("alerts.stopped"), { reply_markup: mainMenu(ctx.t) });
      return;
    }
    await showAlerts(ctx, false);
    return;
  }
  const places = await neighbourhoods(ctx);
  // A forged button, or a neighbourhood no longer in the directory: say so and show the areas again.
  if (
    action?.kind !== "alert-subscribe" ||
    (action.placeId !== null && !places.some((p) => p.id === action.placeId))
  ) {
    await ctx.answerCallbackQuery({ text: ctx.t("common.staleButton").split("\n")[0]?.slice(0, 190) ?? "" });
    await showAlerts(ctx, false);
    return;
  }
  const subscription = await chooseArea(
    ctx.deps.db,
    ctx.deps.sealer,
    { pseudonym, chatId: ctx.chat.id, locale: ctx.locale, now: ctx.deps.now() },
    action.placeId,
  );
  await ctx.answerCallbackQuery();
  if (!subscription) {
    // The last neighbourhood was removed: nothing is kept.
    await ctx.reply(ctx.t("alerts.stopped"), { reply_markup: mainMenu(ctx.t) });
    return;
  }
  await showAlerts(ctx, false);
});

alertsFeature.command(["diffuser", "broadcast"], async (ctx) => {
  const member = await currentMember(ctx);
  if (!member || member.role === "peer") {
    await ctx.reply(ctx.t("alerts.write.notAllowed"), { reply_markup: mainMenu(ctx.t) });
    return;
  }
  await ctx.conversation.enter(BROADCAST_FLOW);
});
