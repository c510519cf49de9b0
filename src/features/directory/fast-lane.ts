import { parseCallbackData } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import { ownSnapshot } from "../../bot/snapshot";
import { isMenuText, menuActionFor } from "./handlers";

/** The directory's own buttons: a page of materials, a site, a pin, what is open, the supplies menu. */
export const DIRECTORY_BUTTONS: ReadonlySet<string> = new Set([
  "supplies-menu",
  "material",
  "site",
  "pin",
  "open",
]);

/**
 * An update the directory answers whatever runs before it: someone on no team, with no request under way
 * and no dialogue going (the update's snapshot says so), sending a location, a directory button, or text
 * that is neither a command nor another feature's menu button. The features between the dialogues and
 * the directory (info, language, on call, admin, peers, referral, stats, requests, alerts, tools) only
 * act on commands, their own buttons and menu labels, a team member's words or a request's: for such an
 * update each of them passes it on unchanged. So create-bot sends it straight to the directory, which saves
 * the sixty-odd checks on the way — about a third of a lookup's CPU in `npm run bench`.
 *
 * Anything else — or a snapshot missing, taken for someone else, or saying otherwise — takes the long way.
 * A feature added between them that answers a person's plain words, a location or these buttons must be
 * excluded here too, or it will never see them (test/unit/fast-lane.test.ts lists what is excluded).
 */
export function isPlainLookup(ctx: BotContext): boolean {
  const snapshot = ownSnapshot(ctx);
  if (
    !snapshot ||
    snapshot.isMember ||
    snapshot.hasActiveRequest ||
    snapshot.hasEndedUntold ||
    snapshot.conversation !== null
  )
    return false;
  const message = ctx.message;
  if (message?.location) return true;
  if (message?.text !== undefined) {
    const text = message.text;
    if (text.startsWith("/")) return false;
    const { translations } = ctx.deps;
    const ours = menuActionFor(text, { fr: translations.forLocale("fr"), en: translations.forLocale("en") });
    return ours !== undefined || !isMenuText(ctx, text);
  }
  const data = ctx.callbackQuery?.data;
  if (data !== undefined) {
    const action = parseCallbackData(data);
    return action !== undefined && DIRECTORY_BUTTONS.has(action.kind);
  }
  return false;
}
