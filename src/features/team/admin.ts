import { Composer, InlineKeyboard } from "grammy";
import { removeMemberCommands } from "../../bot/commands";
import type { BotContext } from "../../bot/context";
import { ROLES, type Role } from "../../db/schema";
import { errorFields } from "../../logger";
import { type NameInSentence, nameInSentence } from "../../text/french-name";
import { withHtml } from "../../text/translate";
import { currentMember } from "../members/current";
import { createInvitation, isOnCall, listMembers, type Member, revokeMember } from "../members/queries";
import { releaseAllClaims } from "../requests/use-cases";

/**
 * Coordinators manage their own organisation's team from the bot: invite (a single-use link), list,
 * and remove with a confirmation. The role is checked every time a command or button runs.
 */
export const adminFeature = new Composer<BotContext>();

const INVITE_LIFETIME_MS = 48 * 3_600_000;

async function adminOrRefuse(ctx: BotContext): Promise<Member | undefined> {
  const member = await currentMember(ctx);
  if (member?.role === "admin") return member;
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("admin.notAdmin") });
  else await ctx.reply(ctx.t("admin.notAdmin"));
  return undefined;
}

async function organisationName(ctx: BotContext, organisationId: string): Promise<string | NameInSentence> {
  const catalog = await ctx.deps.catalog.get(ctx.deps.db);
  const organisation = catalog?.directory.organisations.find((o) => o.id === organisationId);
  return organisation ? nameInSentence(organisation, ctx.locale) : organisationId;
}

adminFeature.command(["inviter", "invite"], async (ctx) => {
  const admin = await adminOrRefuse(ctx);
  if (!admin) return;
  const keyboard = new InlineKeyboard();
  for (const role of ROLES) keyboard.text(ctx.t(`team.roles.${role}`), `adm:inv:${role}`).row();
  await ctx.reply(
    ctx.t("admin.invite.prompt", { organisation: await organisationName(ctx, admin.organisationId) }),
    {
      reply_markup: keyboard,
    },
  );
});

adminFeature.callbackQuery(/^adm:inv:(worker|peer|admin)$/, async (ctx) => {
  const admin = await adminOrRefuse(ctx);
  if (!admin) return;
  const role = ctx.match[1] as Role;
  const code = await createInvitation(ctx.deps.db, {
    organisationId: admin.organisationId,
    role,
    expiresAt: new Date(ctx.deps.now().getTime() + INVITE_LIFETIME_MS),
    createdByMemberId: admin.id,
  });
  await ctx.answerCallbackQuery();
  // protect_content: the link is a key to the team; it should not travel by forward.
  await ctx.reply(
    ctx.t("admin.invite.link", {
      role: ctx.t(`team.roles.${role}`),
      link: `https://t.me/${ctx.me.username}?start=inv-${code}`,
    }),
    { protect_content: true, link_preview_options: { is_disabled: true } },
  );
});

adminFeature.command(["membres", "members"], async (ctx) => {
  const admin = await adminOrRefuse(ctx);
  if (!admin) return;
  const team = await listMembers(ctx.deps.db, admin.organisationId);
  const now = ctx.deps.now();
  const lines = team.map((m) =>
    ctx.t("admin.members.line", {
      alias: m.alias,
      role: ctx.t(`team.roles.${m.role}`),
      onCall: isOnCall(m, now) ? ctx.t("admin.members.onCall") : "",
    }),
  );
  const keyboard = new InlineKeyboard();
  for (const m of team.filter((m) => m.id !== admin.id))
    keyboard.text(ctx.t("admin.members.revoke", withHtml({ alias: m.alias })), `adm:rev:${m.id}`).row();
  await ctx.reply(
    [
      ctx.t("admin.members.title", { organisation: await organisationName(ctx, admin.organisationId) }),
      ...(lines.length ? lines : [ctx.t("admin.members.none")]),
    ].join("\n"),
    { parse_mode: "HTML", reply_markup: keyboard },
  );
});

adminFeature.callbackQuery(/^adm:rev:(\d{1,9})$/, async (ctx) => {
  const admin = await adminOrRefuse(ctx);
  if (!admin) return;
  const target = (await listMembers(ctx.deps.db, admin.organisationId)).find(
    (m) => m.id === Number(ctx.match[1]),
  );
  await ctx.answerCallbackQuery();
  if (!target) {
    await ctx.reply(ctx.t("admin.members.notFound"));
    return;
  }
  await ctx.reply(ctx.t("admin.members.confirm", withHtml({ alias: target.alias })), {
    reply_markup: new InlineKeyboard()
      .text(ctx.t("admin.members.yes"), `adm:rev!:${target.id}`)
      .text(ctx.t("admin.members.no"), "adm:no"),
  });
});

adminFeature.callbackQuery(/^adm:rev!:(\d{1,9})$/, async (ctx) => {
  const admin = await adminOrRefuse(ctx);
  if (!admin) return;
  const id = Number(ctx.match[1]);
  const target = (await listMembers(ctx.deps.db, admin.organisationId)).find((m) => m.id === id);
  await ctx.answerCallbackQuery();
  if (id === admin.id) {
    await ctx.reply(ctx.t("admin.members.self"));
    return;
  }
  const revoked = target ? await revokeMember(ctx.deps.db, id, ctx.deps.now()) : undefined;
  if (revoked) await releaseAllClaims(ctx.deps, revoked);
  // Part 7: back to everyone's menu.
  if (revoked?.chatIdEnc)
    await removeMemberCommands(ctx.api, Number(ctx.deps.sealer.open(revoked.chatIdEnc))).catch(
      (error: unknown) => ctx.deps.logger.warn({ error: errorFields(error) }, "member commands not removed"),
    );
  await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => {});
  await ctx.reply(
    revoked
      ? ctx.t("admin.members.revoked", withHtml({ alias: revoked.alias }))
      : ctx.t("admin.members.notFound"),
  );
});

adminFeature.callbackQuery("adm:no", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => {});
});
