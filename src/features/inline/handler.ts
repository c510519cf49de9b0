import { Composer } from "grammy";
import type { BotContext } from "../../bot/context";
import { viewOf } from "../../directory/format";
import { inlinePage } from "./results";

/**
 * `@bot <words>` typed in any chat. Open to everyone, with no role: it only shares what the directory
 * already publishes. The query is never logged or stored.
 */
export const inlineFeature = new Composer<BotContext>();

// Telegram caches answers (300 s by default); hours and stock-outs move, so keep it short.
const CACHE_SECONDS = 60;

inlineFeature.on("inline_query", async (ctx) => {
  const catalog = await ctx.deps.catalog.get(ctx.deps.db);
  const { results, nextOffset } = catalog
    ? inlinePage(viewOf(ctx, catalog), ctx.inlineQuery.query, ctx.inlineQuery.offset, ctx.me.username)
    : { results: [], nextOffset: "" };
  await ctx.answerInlineQuery(results, {
    cache_time: CACHE_SECONDS,
    // The cards are in the sharer's language.
    is_personal: true,
    next_offset: nextOffset,
    // Nothing found (or an empty directory): one tap opens the bot, where the menu helps.
    button: { text: ctx.t(results.length > 0 ? "inline.more" : "inline.nothing"), start_parameter: "inline" },
  });
});
