import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import { type Locale, SUPPORTED_LOCALES } from "../config";
import type { Translations } from "./i18n";

/** Each function has a command name per language; both names work whatever the person's language. */
const COMMAND_NAMES: Record<string, Record<Locale, string>> = {
  start: { fr: "start", en: "start" },
  emergency: { fr: "urgence", en: "emergency" },
  supplies: { fr: "materiel", en: "supplies" },
  open: { fr: "ouvert", en: "open" },
  near: { fr: "pres", en: "near" },
  language: { fr: "langue", en: "language" },
  help: { fr: "aide", en: "help" },
  privacy: { fr: "confidentialite", en: "privacy" },
  alerts: { fr: "alertes", en: "alerts" },
  forget: { fr: "oublier", en: "forget" },
};

export function commandsFor(locale: Locale, translations: Translations): BotCommand[] {
  const t = translations.forLocale(locale);
  return Object.entries(COMMAND_NAMES).map(([purpose, names]) => ({
    command: names[locale],
    description: t(`help.commands.${purpose}`),
  }));
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
