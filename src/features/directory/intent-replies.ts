import { InlineKeyboard } from "grammy";
import type { BotContext } from "../../bot/context";
import { mainMenu } from "../../bot/keyboards";
import { ownSnapshot } from "../../bot/snapshot";
import { type Catalog, firstByOpenness, openAndUpcoming } from "../../directory/catalog";

/**
 * The answers to typed words that are not a lookup: a request for a person, a greeting or thanks, and
 * the one "not found" message. Each is a single short message; none asks anything back.
 */

const OPEN_NAMES = 3;

/**
 * One light offer (DOMAIN.md rule 3): a worker can be reached without saying who you are, one 💬 button,
 * and what is open now when something is. Someone whose request is under way is told where to see it.
 */
export async function offerWorker(ctx: BotContext, catalog: Catalog): Promise<void> {
  if (ownSnapshot(ctx)?.hasActiveRequest) {
    await ctx.reply(ctx.t("intent.helpPending"), { reply_markup: mainMenu(ctx.t) });
    return;
  }
  const { open } = openAndUpcoming(catalog, ctx.deps.now());
  const names = firstByOpenness(open, OPEN_NAMES).map((entry) => entry.site.name[ctx.locale]);
  const lines = [
    ctx.t("intent.help"),
    ...(names.length ? [ctx.t("intent.openNow", { sites: names.join(", ") })] : []),
  ];
  await ctx.reply(lines.join("\n\n"), {
    reply_markup: new InlineKeyboard().text(ctx.t("requests.perche.button"), "talk"),
  });
}

export async function answerKindly(ctx: BotContext, key: "intent.greeting" | "intent.thanks"): Promise<void> {
  await ctx.reply(ctx.t(key), { reply_markup: mainMenu(ctx.t) });
}

/** What to try, the menu and the emergency line, in one message: never a second one. */
export async function answerNotFound(ctx: BotContext, catalog: Catalog): Promise<void> {
  await ctx.reply(ctx.t("intent.notFound", { number: catalog.directory.info.emergencyNumber }), {
    reply_markup: mainMenu(ctx.t),
  });
}
