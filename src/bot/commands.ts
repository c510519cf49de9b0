import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import { type Locale, SUPPORTED_LOCALES } from "../config";
import type { Role } from "../db/schema";
import type { Translations } from "./i18n";

/**
 * Each function has a command name per language; both names work whatever the person's language. The
 * handlers register both names of the same entry, so a name is written here once.
 */
export const COMMAND_NAMES = {
  start: { fr: "start", en: "start" },
  emergency: { fr: "urgence", en: "emergency" },
  supplies: { fr: "materiel", en: "supplies" },
  open: { fr: "ouvert", en: "open" },
  near: { fr: "pres", en: "near" },
  talk: { fr: "parler", en: "talk" },
  myrequest: { fr: "mademande", en: "myrequest" },
  cancel: { fr: "annuler", en: "cancel" },
  language: { fr: "langue", en: "language" },
  help: { fr: "aide", en: "help" },
  privacy: { fr: "confidentialite", en: "privacy" },
  alerts: { fr: "alertes", en: "alerts" },
  forget: { fr: "oublier", en: "forget" },
  // A team member's own, shown only in their chat (see setMemberCommands).
  relay: { fr: "relais", en: "relay" },
  backup: { fr: "renfort", en: "backup" },
  oncall: { fr: "garde", en: "oncall" },
  sites: { fr: "lieux", en: "sites" },
  stats: { fr: "statistiques", en: "stats" },
  broadcast: { fr: "diffuser", en: "broadcast" },
  invite: { fr: "inviter", en: "invite" },
  members: { fr: "membres", en: "members" },
  log: { fr: "journal", en: "log" },
  reminder: { fr: "rappel", en: "reminder" },
} as const satisfies Record<string, Record<Locale, string>>;

export type CommandPurpose = keyof typeof COMMAND_NAMES;

/** What everyone sees in the menu: looking things up first, then reaching a worker, then the rest. */
const PERSON_COMMANDS: CommandPurpose[] = [
  "start",
  "emergency",
  "supplies",
  "open",
  "near",
  "talk",
  "myrequest",
  "cancel",
  "language",
  "help",
  "privacy",
  "alerts",
  "forget",
];

/** A team member's menu: their role's commands first, then what everyone has (they look things up too). */
const ROLE_COMMANDS: Record<Role, CommandPurpose[]> = {
  peer: ["relay", "backup", "myrequest"],
  worker: ["oncall", "sites", "broadcast", "stats"],
  admin: ["oncall", "sites", "invite", "members", "log", "reminder", "broadcast", "stats"],
};

/** Both names of a command, for `bot.command(...)`. */
export function commandNames(purpose: CommandPurpose): string[] {
  const { fr, en } = COMMAND_NAMES[purpose];
  return fr === en ? [fr] : [fr, en];
}

function describe(purposes: CommandPurpose[], locale: Locale, translations: Translations): BotCommand[] {
  const t = translations.forLocale(locale);
  return [...new Set(purposes)].map((purpose) => ({
    command: COMMAND_NAMES[purpose][locale],
    description: t(`help.commands.${purpose}`),
  }));
}

export function commandsFor(locale: Locale, translations: Translations): BotCommand[] {
  return describe(PERSON_COMMANDS, locale, translations);
}

export function memberCommandsFor(role: Role, locale: Locale, translations: Translations): BotCommand[] {
  return describe([...ROLE_COMMANDS[role], ...PERSON_COMMANDS], locale, translations);
}

/**
 * A team member's own menu in their chat, in their language (BotCommandScopeChat): set when they join,
 * removed when they leave (removeMemberCommands), so the menu shows what they can do and no more.
 */
export async function setMemberCommands(
  api: Api,
  chatId: number,
  role: Role,
  locale: Locale,
  translations: Translations,
): Promise<void> {
  await api.setMyCommands(memberCommandsFor(role, locale, translations), {
    scope: { type: "chat", chat_id: chatId },
  });
}

/** Back to everyone's menu: the chat's own list is deleted. */
export async function removeMemberCommands(api: Api, chatId: number): Promise<void> {
  await api.deleteMyCommands({ scope: { type: "chat", chat_id: chatId } });
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
