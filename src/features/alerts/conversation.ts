import { randomUUID } from "node:crypto";
import type { Conversation } from "@grammyjs/conversations";
import { InlineKeyboard } from "grammy";
import { type CallbackAction, callbackData, parseCallbackData } from "../../bot/callback-data";
import type { BotContext, InnerContext } from "../../bot/context";
import { mainMenu } from "../../bot/keyboards";
import { isMenuText } from "../../bot/menu-labels";
import { currentMember } from "../members/current";
import { alertAreas, alertMessage, countReach, MAX_ALERT_TEXT, sendAlert } from "./broadcast";

export const BROADCAST_FLOW = "broadcast";

// A step left unanswered this long is dropped, as in the request dialogue.
const STEP_TIMEOUT_MS = 30 * 60_000;

type Area = { id: string; name: { fr: string; en: string } };

/** An alert written for the author (a site's closure, worker-tools): straight to its preview. */
export type BroadcastPreset = { placeId: string | null; textFr: string; textEn: string };

/**
 * Writing an alert: the area, the text in the author's language, then in the other (which they may leave
 * out: its subscribers then get the author's text, and the author is told so), then a preview of both
 * exactly as subscribers will read them with how many it reaches, and Send or Cancel. /annuler leaves at
 * any step.
 * Nothing is written until Send; the draft's token makes a second Send (a redelivered update) a no-op.
 */
export async function broadcastFlow(
  conversation: Conversation<BotContext, InnerContext>,
  ctx: InnerContext,
  preset?: BroadcastPreset,
) {
  const t = ctx.t;
  const setup = await conversation.external(async (outer) => {
    const member = await currentMember(outer);
    const catalog = await outer.deps.catalog.get(outer.deps.db);
    return {
      token: randomUUID(),
      memberId: member && member.role !== "peer" ? member.id : null,
      areas: alertAreas(catalog).map((p): Area => ({ id: p.id, name: p.name })),
    };
  });
  const { memberId } = setup;
  if (memberId === null) {
    await ctx.reply(t("alerts.write.notAllowed"), { reply_markup: mainMenu(t) });
    return;
  }

  const leaveIfMovedOn = async (typed: string | undefined) => {
    // A command or a menu tap means the worker moved on: leave quietly and let it be handled.
    if (typed !== undefined && (typed.startsWith("/") || isMenuText(ctx, typed)))
      await conversation.halt({ next: true });
  };
  const cancelIfAsked = async (answer: InnerContext, action: CallbackAction | undefined) => {
    if (action?.kind !== "broadcast" || action.choice !== "cancel") return;
    await answer.answerCallbackQuery();
    await answer.reply(t("alerts.write.cancelled"), { reply_markup: mainMenu(t) });
    await conversation.halt();
  };
  const cancelButton = () =>
    new InlineKeyboard().text(t("alerts.write.cancel"), callbackData.broadcast("cancel"));

  async function write(): Promise<BroadcastPreset> {
    // 1. The area.
    const areaKeyboard = new InlineKeyboard()
      .text(t("alerts.buttonAll"), callbackData.broadcastArea(null))
      .row();
    setup.areas.forEach((area, index) => {
      areaKeyboard.text(area.name[ctx.locale], callbackData.broadcastArea(area.id));
      if (index % 2 === 1) areaKeyboard.row();
    });
    areaKeyboard.row().text(t("alerts.write.cancel"), callbackData.broadcast("cancel"));
    await ctx.reply(t("alerts.write.askArea"), { parse_mode: "HTML", reply_markup: areaKeyboard });
    let placeId: string | null | undefined;
    while (placeId === undefined) {
      const answer = await conversation.wait({ maxMilliseconds: STEP_TIMEOUT_MS });
      const action = parseCallbackData(answer.callbackQuery?.data);
      await cancelIfAsked(answer, action);
      await leaveIfMovedOn(answer.message?.text);
      // Only this step's buttons count, and only areas still in the list.
      if (
        action?.kind === "broadcast-area" &&
        (action.placeId === null || setup.areas.some((a) => a.id === action.placeId))
      ) {
        await answer.answerCallbackQuery();
        placeId = action.placeId;
        break;
      }
      if (answer.callbackQuery) await answer.answerCallbackQuery();
      await answer.reply(t("alerts.write.useButtons"));
    }

    // 2 and 3. The text in the author's language first, then the other one, which they may leave out:
    // plain text, capped. Left out, subscribers of the other language get the author's text as it is.
    const askText = async (prompt: string, skippable: boolean): Promise<string | null> => {
      const keyboard = skippable
        ? new InlineKeyboard()
            .text(t("alerts.write.skipTranslation"), callbackData.broadcast("skip"))
            .text(t("alerts.write.cancel"), callbackData.broadcast("cancel"))
        : cancelButton();
      await ctx.reply(prompt, { parse_mode: "HTML", reply_markup: keyboard });
      for (;;) {
        const answer = await conversation.wait({ maxMilliseconds: STEP_TIMEOUT_MS });
        const action = parseCallbackData(answer.callbackQuery?.data);
        await cancelIfAsked(answer, action);
        if (skippable && action?.kind === "broadcast" && action.choice === "skip") {
          await answer.answerCallbackQuery();
          return null;
        }
        const typed = answer.message?.text;
        await leaveIfMovedOn(typed);
        const text = typed?.trim();
        if (text && text.length <= MAX_ALERT_TEXT) return text;
        if (answer.callbackQuery) await answer.answerCallbackQuery();
        if (text) await answer.reply(t("alerts.write.tooLong", { length: text.length, max: MAX_ALERT_TEXT }));
        else
          await answer.reply(t(answer.callbackQuery ? "alerts.write.useButtons" : "alerts.write.textOnly"));
      }
    };
    const mine = ctx.locale;
    const other = mine === "fr" ? "en" : "fr";
    const own = (await askText(t(`alerts.write.askFirst.${mine}`, { max: MAX_ALERT_TEXT }), false)) ?? "";
    const translated = await askText(t(`alerts.write.askSecond.${other}`), true);
    const texts = { [mine]: own, [other]: translated ?? own } as Record<"fr" | "en", string>;
    // Said before the preview, so the author knows who gets which text before sending.
    if (translated === null) await ctx.reply(t(`alerts.write.untranslated.${other}`));
    return { placeId, textFr: texts.fr, textEn: texts.en };
  }

  // 1 to 3: the area, then the texts; a preset (a closure's alert) has them already, for an area that
  // is still in the list.
  const written =
    preset && (preset.placeId === null || setup.areas.some((a) => a.id === preset.placeId))
      ? preset
      : preset
        ? { ...preset, placeId: null }
        : await write();
  const { textFr, textEn } = written;

  // 4. The preview, built by the same code that builds what subscribers get.
  const area = written.placeId;
  const preview = await conversation.external(async (outer) => {
    const catalog = await outer.deps.catalog.get(outer.deps.db);
    const member = await currentMember(outer);
    const organisationId = member?.organisationId ?? "";
    const { translations } = outer.deps;
    return {
      fr: alertMessage(translations.forLocale("fr"), "fr", catalog, {
        placeId: area,
        organisationId,
        text: textFr,
      }),
      en: alertMessage(translations.forLocale("en"), "en", catalog, {
        placeId: area,
        organisationId,
        text: textEn,
      }),
      reach: await countReach(outer.deps.db, area),
    };
  });
  await ctx.reply(t("alerts.write.preview"));
  await ctx.reply(preview.fr, { parse_mode: "HTML", link_preview_options: { is_disabled: true } });
  await ctx.reply(preview.en, { parse_mode: "HTML", link_preview_options: { is_disabled: true } });
  await ctx.reply(t("alerts.write.reach", { count: preview.reach }), {
    reply_markup: new InlineKeyboard()
      .text(t("alerts.write.send"), callbackData.broadcast("send"))
      .text(t("alerts.write.cancel"), callbackData.broadcast("cancel")),
  });
  for (;;) {
    const answer = await conversation.wait({ maxMilliseconds: STEP_TIMEOUT_MS });
    const action = parseCallbackData(answer.callbackQuery?.data);
    await cancelIfAsked(answer, action);
    await leaveIfMovedOn(answer.message?.text);
    if (action?.kind === "broadcast" && action.choice === "send") {
      await answer.answerCallbackQuery();
      break;
    }
    if (answer.callbackQuery) await answer.answerCallbackQuery();
    await answer.reply(t("alerts.write.useButtons"));
  }

  // 5. Send: recorded and queued in one transaction, delivered by the outbox at Telegram's pace.
  const outcome = await conversation.external(async (outer) => {
    const catalog = await outer.deps.catalog.get(outer.deps.db);
    const result = await sendAlert(
      outer.deps.db,
      outer.deps.translations,
      catalog,
      { token: setup.token, memberId, placeId: area, textFr, textEn },
      outer.deps.now(),
    );
    if (result.kind === "sent") outer.deps.outbox?.wake();
    return result;
  });
  switch (outcome.kind) {
    case "sent":
      await ctx.reply(
        outcome.count === 0 ? t("alerts.write.nobody") : t("alerts.write.sent", { count: outcome.count }),
        { reply_markup: mainMenu(t) },
      );
      return;
    case "already":
      await ctx.reply(t("alerts.write.already"), { reply_markup: mainMenu(t) });
      return;
    case "not-allowed":
      await ctx.reply(t("alerts.write.notAllowed"), { reply_markup: mainMenu(t) });
  }
}
