import { Composer, InputFile } from "grammy";
import type { BotContext } from "../../bot/context";
import { addDays, wallDate } from "../../directory/clock";
import { errorFields } from "../../logger";
import { renderChartApart } from "../../stats/chart-apart";
import { STATS_ZONE } from "../../stats/counters";
import { readChequeDays, readCounters, rhythm, summarise } from "../../stats/report";
import { currentMember } from "../members/current";
import { chartWords, rhythmCaption, summaryText } from "./format";

/**
 * /stats for workers and coordinators: the last 30 days of their team (and of the directory) in
 * figures, then the month's rhythm around cheque day as a picture. Peer helpers are told it is not for
 * them; anyone else gets the usual answer to an unknown word, as if the command did not exist.
 */
export const statsFeature = new Composer<BotContext>();

const SUMMARY_DAYS = 30;
const RHYTHM_DAYS = 90;

statsFeature.command(["stats", "statistiques"], async (ctx, next) => {
  const member = await currentMember(ctx);
  if (!member) return next();
  if (member.role === "peer") {
    await ctx.reply(ctx.t("stats.notAllowed"));
    return;
  }
  const { db } = ctx.deps;
  // Lookups counted in memory by this process are written first, so the figures include the last ones.
  await ctx.deps.lookupTally
    ?.flush(db)
    .catch((error: unknown) =>
      ctx.deps.logger.warn({ error: errorFields(error) }, "could not count lookups"),
    );
  const today = wallDate(ctx.deps.now(), STATS_ZONE);
  const from = addDays(today, -(SUMMARY_DAYS - 1));
  const catalog = await ctx.deps.catalog.get(db);
  const organisation =
    catalog?.directory.organisations.find((o) => o.id === member.organisationId)?.name[ctx.locale] ??
    member.organisationId;
  const summary = summarise(await readCounters(db, from, today, member.organisationId));
  await ctx.reply(
    summaryText(summary, { from, to: today, organisation }, { t: ctx.t, locale: ctx.locale, catalog }),
    {
      parse_mode: "HTML",
    },
  );
  if (summary.lookups === 0 && summary.requests === 0) return;

  const rhythmFrom = addDays(today, -(RHYTHM_DAYS - 1));
  const chequeDays = await readChequeDays(db);
  if (chequeDays.length === 0) {
    await ctx.reply(ctx.t("stats.noChequeDays"));
    return;
  }
  const points = rhythm(
    await readCounters(db, rhythmFrom, today, member.organisationId),
    rhythmFrom,
    today,
    chequeDays,
  );
  const words = chartWords(ctx.t, { from: rhythmFrom, to: today, organisation }, ctx.locale);
  const caption = rhythmCaption(ctx.t, points);
  let png: Buffer;
  try {
    png = await renderChartApart({ points, words, locale: ctx.locale });
  } catch (error) {
    // The figures are already there; the chart's message still comes, in words.
    ctx.deps.logger.warn(
      { updateId: ctx.update.update_id, error: errorFields(error) },
      "could not draw the chart",
    );
    await ctx.reply(caption);
    return;
  }
  await ctx.replyWithPhoto(new InputFile(png, "stats.png"), { caption });
});
