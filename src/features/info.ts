import { Composer } from "grammy";
import type { BotContext } from "../bot/context";
import { mainMenu } from "../bot/keyboards";
import { DEFAULT_RETENTION_DAYS } from "../config";
import { showSite, withCatalog } from "./directory/screens";
import { JOIN_TEAM } from "./team/join";

export const infoFeature = new Composer<BotContext>();

const SITE_PAYLOAD = /^site-([a-z0-9][a-z0-9-]{0,39})$/;
const INVITE_PAYLOAD = /^inv-(.{1,60})$/;

infoFeature.command("start", async (ctx) => {
  // /start inv-<code> comes from an invitation link: the joining dialogue takes over.
  const invite = INVITE_PAYLOAD.exec(ctx.match.trim());
  if (invite?.[1]) {
    await ctx.conversation.enter(JOIN_TEAM, invite[1]);
    return;
  }
  // /start site-<id> comes from a poster or QR code at a site's door: show that card first.
  const match = SITE_PAYLOAD.exec(ctx.match.trim());
  if (match?.[1]) {
    const siteId = match[1];
    await withCatalog(ctx, async (catalog) => {
      if (!(await showSite(ctx, catalog, siteId))) await ctx.reply(ctx.t("common.goneSite"));
    });
  }
  await ctx.reply(ctx.t("start.welcome"), { reply_markup: mainMenu(ctx.t) });
});

infoFeature.command(["aide", "help"], (ctx) =>
  ctx.reply(`${ctx.t("help.text")}\n\n${ctx.t("help.share", { username: ctx.me.username })}`, {
    parse_mode: "HTML",
    reply_markup: mainMenu(ctx.t),
  }),
);

infoFeature.command(["confidentialite", "privacy"], (ctx) =>
  ctx.reply(ctx.t("privacy.text", { days: ctx.deps.retentionDays ?? DEFAULT_RETENTION_DAYS }), {
    parse_mode: "HTML",
    reply_markup: mainMenu(ctx.t),
  }),
);
