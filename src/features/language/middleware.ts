import type { NextFunction } from "grammy";
import type { BotContext } from "../../bot/context";
import { localeFromTelegram } from "../../bot/i18n";
import { pseudonymFor } from "../../privacy/pseudonym";
import { getLanguageChoice } from "./queries";

/** Sets ctx.locale and ctx.t: the language the person picked, else their Telegram language, else the default. */
export async function languageMiddleware(ctx: BotContext, next: NextFunction): Promise<void> {
  const { deps } = ctx;
  const from = ctx.from;
  ctx.pseudonym = from && !from.is_bot ? pseudonymFor(deps.pseudonymKey, from.id) : undefined;
  let locale = localeFromTelegram(from?.language_code, deps.defaultLocale);
  if (ctx.pseudonym) locale = (await getLanguageChoice(deps.db, ctx.pseudonym)) ?? locale;
  ctx.locale = locale;
  ctx.t = deps.translations.forLocale(locale);
  await next();
}
