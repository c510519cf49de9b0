import type { Conversation } from "@grammyjs/conversations";
import type { ToolsInput } from "../../bot/callback-data";
import type { BotContext, InnerContext } from "../../bot/context";
import { isMenuText } from "../../bot/menu-labels";
import { addDays, wallDate } from "../../directory/clock";
import { endRunningOpening } from "../../directory/hours";
import { NameInSentence } from "../../text/french-name";
import { type Intent, perform, staffOf } from "./actions";
import { parseDay, parseDayAndHours } from "./parse";

export const TOOLS_INPUT = "worker-tools-input";

// A step left unanswered this long is dropped: the next message is handled as usual.
const STEP_TIMEOUT_MS = 30 * 60_000;
export const MAX_NOTE = 200;
const HTML = { parse_mode: "HTML" } as const;

export type ToolsInputArgs = { siteId: string; input: ToolsInput };

/**
 * The typed steps of the worker tools: a day to close, special hours, or a note in French then English.
 * A button, a command or a menu tap leaves the dialogue and is handled as usual. Reads and writes go
 * through `external`; only plain data crosses it.
 */
export async function toolsInput(
  conversation: Conversation<BotContext, InnerContext>,
  ctx: InnerContext,
  args: ToolsInputArgs,
) {
  const t = ctx.t;
  const start = await conversation.external(async (outer) => {
    const staff = await staffOf(outer);
    const site = staff?.sites.find((s) => s.id === args.siteId);
    if (!staff || !site) return undefined;
    const now = outer.deps.now();
    const today = wallDate(now, staff.catalog.directory.info.timezone);
    const schedule = staff.catalog.schedules.get(site.id);
    // A night that started yesterday is still running: closing yesterday is how it ends.
    const running = schedule ? endRunningOpening(schedule, now) : undefined;
    return {
      // Plain data across the replay boundary: the name and its article, put together when asking.
      siteName: site.name[outer.locale],
      siteArticleFr: site.articleFr ?? null,
      today,
      earliest: running && running.day < today ? addDays(today, -1) : today,
    };
  });
  if (!start) return;
  const siteInSentence =
    start.siteArticleFr && ctx.locale === "fr"
      ? new NameInSentence(start.siteName, start.siteArticleFr)
      : start.siteName;

  /** The next typed line; anything else ends the dialogue and goes on to the usual handlers. */
  const typed = async (): Promise<string> => {
    for (;;) {
      const answer = await conversation.wait({ maxMilliseconds: STEP_TIMEOUT_MS });
      if (answer.callbackQuery) await conversation.halt({ next: true });
      const text = answer.message?.text;
      if (text !== undefined && (text.startsWith("/") || isMenuText(ctx, text)))
        await conversation.halt({ next: true });
      if (text !== undefined) return text.trim();
      await answer.reply(t("tools.ask.textOnly"));
    }
  };

  let intent: Intent | undefined;
  switch (args.input) {
    case "close-day": {
      await ctx.reply(t("tools.ask.closeDay", { site: siteInSentence }), HTML);
      while (!intent) {
        const day = parseDay(await typed(), start.today, start.earliest);
        if (day.ok) intent = { kind: "close-day", day: day.day };
        else await ctx.reply(t(`tools.errors.${day.error}`));
      }
      break;
    }
    case "hours": {
      await ctx.reply(t("tools.ask.hours", { site: siteInSentence }), HTML);
      while (!intent) {
        const parsed = parseDayAndHours(await typed(), start.today);
        if (parsed.ok) intent = { kind: "hours", day: parsed.day, hours: parsed.hours };
        else await ctx.reply(t(`tools.errors.${parsed.error}`));
      }
      break;
    }
    case "note": {
      const note = async (allowSame: string | undefined): Promise<string> => {
        for (;;) {
          const text = await typed();
          if (allowSame !== undefined && text === "=") return allowSame;
          if (text.length > 0 && text.length <= MAX_NOTE) return text;
          await ctx.reply(t("tools.errors.tooLong", { max: MAX_NOTE, length: text.length }));
        }
      };
      await ctx.reply(t("tools.ask.noteFr", { site: siteInSentence, max: MAX_NOTE }), HTML);
      const fr = await note(undefined);
      await ctx.reply(t("tools.ask.noteEn"));
      const en = await note(fr);
      intent = { kind: "note", text: { fr, en } };
      break;
    }
  }

  const chosen = intent;
  const outcome = await conversation.external((outer) => perform(outer, args.siteId, chosen));
  if (outcome.kind === "reply")
    await ctx.reply(outcome.text, {
      parse_mode: "HTML",
      reply_markup: { inline_keyboard: outcome.keyboard },
    });
  else await ctx.reply(t(outcome.kind === "stale" ? "common.staleButton" : "tools.notStaff"));
}
