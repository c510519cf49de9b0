import type { BotDeps } from "../../bot/context";

/** The peer helper's two menu buttons, in either language (a menu stays on screen after a language switch). */
export function peerMenuLabels(deps: Pick<BotDeps, "translations">, key: "relay" | "backup"): string[] {
  return [
    deps.translations.forLocale("fr")(`peers.menu.${key}`),
    deps.translations.forLocale("en")(`peers.menu.${key}`),
  ];
}

/** They keep their meaning in the middle of any dialogue, like the rest of the menu. */
export function isPeerMenuText(deps: Pick<BotDeps, "translations">, text: string): boolean {
  return [...peerMenuLabels(deps, "relay"), ...peerMenuLabels(deps, "backup")].includes(text);
}
