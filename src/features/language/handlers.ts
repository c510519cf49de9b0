import { Composer } from "grammy";
import { parseCallbackData } from "../../bot/callback-data";
import { setMemberCommands } from "../../bot/commands";
import type { BotContext } from "../../bot/context";
import { localeFromTelegram } from "../../bot/i18n";
import { languageMenu, mainMenu } from "../../bot/keyboards";
import { errorFields } from "../../logger";
import { pseudonymFor } from "../../privacy/pseudonym";
import { alertsPseudonym, setSubscriberLocale } from "../alerts/subscriptions";
import { setMemberLocale } from "../members/queries";
import { clearLanguageChoice, setLanguageChoice } from "./queries";

export const languageFeature = new Composer<BotContext>();

languageFeature.command(["langue", "language"], (ctx) =>
  ctx.reply(ctx.t("language.prompt"), { reply_markup: languageMenu(ctx.t) }),
);

languageFeature.callbackQuery(/^lang:/, async (ctx, next) => {
  const action = parseCallbackData(ctx.callbackQuery.data);
  // Forged or from an old version: the router's "out of date" answer, from the directory.
  if (action?.kind !== "language") return next();
  await chooseLanguage(ctx, action.choice);
});

/** French, English, or back to Telegram's language. */
export async function chooseLanguage(ctx: BotContext, choice: "fr" | "en" | "auto"): Promise<void> {
  const { deps } = ctx;
  if (!ctx.pseudonym) return;
  if (choice === "auto") {
    await clearLanguageChoice(deps.db, ctx.pseudonym);
    ctx.locale = localeFromTelegram(ctx.from?.language_code, deps.defaultLocale);
  } else {
    await setLanguageChoice(deps.db, ctx.pseudonym, choice, deps.now());
    ctx.locale = choice;
  }
  ctx.t = deps.translations.forLocale(ctx.locale);
  if (ctx.from)
    await setSubscriberLocale(deps.db, alertsPseudonym(deps.pseudonymKey, ctx.from.id), ctx.locale);
  // A team member's notices and their command menu follow too.
  if (ctx.from && ctx.snapshot?.memberRole) {
    const memberPseudonym = pseudonymFor(deps.pseudonymKey, ctx.from.id, "member");
    const role = await setMemberLocale(deps.db, memberPseudonym, ctx.locale);
    if (role && ctx.chat)
      await setMemberCommands(ctx.api, ctx.chat.id, role, ctx.locale, deps.translations).catch(
        (error: unknown) => deps.logger.warn({ error: errorFields(error) }, "member commands not set"),
      );
  }
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t(choice === "auto" ? "language.automatic" : "language.changed"), {
    reply_markup: mainMenu(ctx.t),
  });
}
