import { eq } from "drizzle-orm";
import { Composer } from "grammy";
import type { BotContext } from "../../bot/context";
import { teamGroups } from "../../db/schema";
import { withHtml } from "../../text/translate";
import { currentMember } from "../members/current";
import { getRequest } from "../requests/queries";
import { claim, sendClaimedCopy } from "../requests/use-cases";

/**
 * A team's group chat: a coordinator connects it with /equipe (/team), or disconnects it with
 * "/equipe off". Requests are announced there with the same buttons; a claim from the group moves the
 * conversation to the claimer's private chat. Everything else in groups gets a pointer to the private chat.
 */
export const teamGroupFeature = new Composer<BotContext>();

teamGroupFeature.command(["equipe", "team"], async (ctx) => {
  const member = await currentMember(ctx);
  if (member?.role !== "admin" || !ctx.chat) {
    await ctx.reply(ctx.t("team.group.notAdmin"));
    return;
  }
  // A public group (it has a @username) is readable by anyone: never announce requests there.
  if (ctx.chat.type !== "private" && "username" in ctx.chat && ctx.chat.username) {
    await ctx.reply(ctx.t("team.group.publicRefused"));
    return;
  }
  if (ctx.match.trim().toLowerCase() === "off") {
    await ctx.deps.db.delete(teamGroups).where(eq(teamGroups.organisationId, member.organisationId));
    await ctx.reply(ctx.t("team.group.removed"));
    return;
  }
  const chatIdEnc = ctx.deps.sealer.seal(String(ctx.chat.id));
  const registeredAt = ctx.deps.now();
  await ctx.deps.db
    .insert(teamGroups)
    .values({ organisationId: member.organisationId, chatIdEnc, registeredAt })
    .onConflictDoUpdate({ target: teamGroups.organisationId, set: { chatIdEnc, registeredAt } });
  const catalog = await ctx.deps.catalog.get(ctx.deps.db);
  const organisation =
    catalog?.directory.organisations.find((o) => o.id === member.organisationId)?.name[ctx.locale] ??
    member.organisationId;
  await ctx.reply(ctx.t("team.group.registered", { organisation }));
});

teamGroupFeature.callbackQuery(/^rq:claim:([A-Za-z0-9_-]{12})$/, async (ctx) => {
  const member = await currentMember(ctx);
  const request = await getRequest(ctx.deps.db, ctx.match[1] as string);
  if (!member || member.role === "peer" || !request || request.organisationId !== member.organisationId) {
    await ctx.answerCallbackQuery({ text: ctx.t("team.onCall.notMember") });
    return;
  }
  const result = await claim(ctx.deps, request.id, member);
  if (result.kind === "claimed") {
    await ctx.answerCallbackQuery({ text: ctx.t("team.group.claimedHere") });
    await sendClaimedCopy(ctx.deps, result.request, member);
    return;
  }
  await ctx.answerCallbackQuery({
    text:
      result.kind === "taken"
        ? ctx.t("requests.notice.alreadyTaken", withHtml({ alias: result.alias }))
        : ctx.t("requests.notice.gone"),
  });
});

teamGroupFeature.callbackQuery(/^rq:(pass:[A-Za-z0-9_-]{12}|noop)$/, (ctx) => ctx.answerCallbackQuery());
