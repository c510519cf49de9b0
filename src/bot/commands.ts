import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import { type Locale, SUPPORTED_LOCALES } from "../config";
import type { Translations } from "./i18n";

const COMMANDS: Record<Locale, string[]> = {
  fr: ["start", "urgence", "materiel", "ouvert", "pres", "langue", "aide", "confidentialite"],
  en: ["start", "emergency", "supplies", "open", "near", "language", "help", "privacy"],
};

export function commandsFor(locale: Locale, translations: Translations): BotCommand[] {
  const t = translations.forLocale(locale);
  return COMMANDS[locale].map((command) => ({ command, description: t(`help.commands.${command}`) }));
}

/**
 * Registers the command menu and the bot's descriptions in each language, plus the default set (shown
 * to everyone else) in the default language, so people see what the bot is before pressing Start.
 */
export async function registerBotProfile(
  api: Api,
  translations: Translations,
  defaultLocale: Locale,
): Promise<void> {
  for (const locale of SUPPORTED_LOCALES) {
    const t = translations.forLocale(locale);
    await api.setMyCommands(commandsFor(locale, translations), {
      language_code: locale,
      scope: { type: "all_private_chats" },
    });
    await api.setMyDescription(t("help.description"), { language_code: locale });
    await api.setMyShortDescription(t("help.shortDescription"), { language_code: locale });
  }
  const t = translations.forLocale(defaultLocale);
  await api.setMyCommands(commandsFor(defaultLocale, translations), { scope: { type: "all_private_chats" } });
  await api.setMyDescription(t("help.description"));
  await api.setMyShortDescription(t("help.shortDescription"));
}
