import { Composer } from "grammy";
import { type CallbackAction, parseCallbackData } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import { mainMenu } from "../../bot/keyboards";
import { viewOf } from "../../directory/format";
import { BROADCAST_FLOW } from "../alerts/conversation";
import { currentMember } from "../members/current";
import { closureAlert, type Outcome, perform, type Staff, staffOf, staffSite, undo, verify } from "./actions";
import { TOOLS_INPUT } from "./conversation";
import { coordinatorSite, editMenu } from "./edit-actions";
import { SITE_EDITOR } from "./editor";
import { journalLine, panel, sitesKeyboard } from "./format";
import { listChanges } from "./use-cases";

/**
 * Worker tools: /lieux (/sites) shows the organisation's sites, a site's panel changes stock, closures,
 * hours and notes in one tap (or a tap and a typed line), each answered with an Undo button.
 * /journal (/log) shows coordinators the latest changes. Roles are checked on every update.
 */
export const toolsFeature = new Composer<BotContext>();

const HTML = { parse_mode: "HTML", link_preview_options: { is_disabled: true } } as const;
const JOURNAL_LENGTH = 20;

async function showSites(ctx: BotContext, staff: Staff): Promise<void> {
  const [only] = staff.sites;
  if (staff.sites.length === 0) {
    await ctx.reply(ctx.t("tools.noSites"));
    return;
  }
  // One site: straight to its panel, one tap saved.
  if (staff.sites.length === 1 && only) return showPanel(ctx, staff, only.id);
  await ctx.reply(ctx.t("tools.choose"), { reply_markup: sitesKeyboard(staff.sites, ctx.locale) });
}

async function showPanel(ctx: BotContext, staff: Staff, siteId: string): Promise<void> {
  const site = staff.sites.find((s) => s.id === siteId);
  if (!site) return;
  const { text, keyboard } = panel(site, viewOf(ctx, staff.catalog), {
    withSiteList: staff.sites.length > 1,
    canEdit: staff.member.role === "admin",
  });
  await ctx.reply(text, { ...HTML, reply_markup: keyboard });
}

toolsFeature.command(["lieux", "sites"], async (ctx) => {
  const staff = await staffOf(ctx);
  if (!staff) {
    await ctx.reply(ctx.t("tools.notStaff"));
    return;
  }
  await showSites(ctx, staff);
});

toolsFeature.command(["journal", "log"], async (ctx) => {
  const member = await currentMember(ctx);
  const catalog = await ctx.deps.catalog.get(ctx.deps.db);
  if (member?.role !== "admin" || !catalog) {
    await ctx.reply(ctx.t("tools.notAdmin"));
    return;
  }
  const view = viewOf(ctx, catalog);
  const changes = await listChanges(ctx.deps.db, {
    organisationId: member.organisationId,
    limit: JOURNAL_LENGTH,
  });
  const organisation =
    catalog.directory.organisations.find((o) => o.id === member.organisationId)?.name[ctx.locale] ??
    member.organisationId;
  await ctx.reply(
    [
      ctx.t("tools.journal.title", { organisation }),
      ...(changes.length ? changes.map((c) => journalLine(c, view)) : [ctx.t("tools.journal.none")]),
    ].join("\n"),
    HTML,
  );
});

function isToolsAction(
  action: CallbackAction | undefined,
): action is Extract<CallbackAction, { kind: `tools-${string}` }> {
  return action?.kind.startsWith("tools-") ?? false;
}

async function answer(ctx: BotContext, outcome: Outcome): Promise<void> {
  switch (outcome.kind) {
    case "not-staff":
      await ctx.answerCallbackQuery({ text: ctx.t("tools.notStaff") });
      return;
    case "not-coordinator":
      await ctx.answerCallbackQuery();
      await ctx.reply(ctx.t("tools.edit.notAdmin"));
      return;
    case "stale":
      await ctx.answerCallbackQuery({ text: ctx.t("common.staleButton").split("\n")[0] ?? "" });
      await ctx.reply(ctx.t("common.staleButton"), { reply_markup: mainMenu(ctx.t) });
      return;
    case "reply":
      await ctx.answerCallbackQuery();
      await ctx.reply(outcome.text, { ...HTML, reply_markup: { inline_keyboard: outcome.keyboard } });
  }
}

// Anything that does not parse as a tools button falls through to the directory's "out of date" answer.
toolsFeature.on("callback_query:data", async (ctx, next) => {
  const action = parseCallbackData(ctx.callbackQuery.data);
  if (!isToolsAction(action)) return next();
  switch (action.kind) {
    case "tools-list":
    case "tools-site": {
      const staff = await staffOf(ctx);
      if (!staff) return answer(ctx, { kind: "not-staff" });
      if (action.kind === "tools-site" && !staff.sites.some((s) => s.id === action.siteId))
        return answer(ctx, { kind: "stale" });
      await ctx.answerCallbackQuery();
      return action.kind === "tools-list" ? showSites(ctx, staff) : showPanel(ctx, staff, action.siteId);
    }
    case "tools-stock":
      return answer(
        ctx,
        await perform(ctx, action.siteId, { kind: "stock", materialId: action.materialId, out: action.out }),
      );
    case "tools-close-today":
      return answer(ctx, await perform(ctx, action.siteId, { kind: "close-today" }));
    case "tools-close-now":
      return answer(ctx, await perform(ctx, action.siteId, { kind: "close-now" }));
    case "tools-reset-today":
      return answer(ctx, await perform(ctx, action.siteId, { kind: "reset-today" }));
    case "tools-note-remove":
      return answer(ctx, await perform(ctx, action.siteId, { kind: "note-remove" }));
    case "tools-undo":
      return answer(ctx, await undo(ctx, action.changeId));
    case "tools-verify":
      return answer(ctx, await verify(ctx, action.siteId));
    case "tools-alert": {
      const found = await staffSite(ctx, action.siteId);
      if ("kind" in found) return answer(ctx, found);
      await ctx.answerCallbackQuery();
      await ctx.conversation.enter(
        BROADCAST_FLOW,
        closureAlert(ctx, found.staff.catalog, found.site, action.day),
      );
      return;
    }
    case "tools-edit":
      return answer(ctx, await editMenu(ctx, action.siteId));
    case "tools-edit-field": {
      // Checked at the tap too: a worker, or a site no longer theirs, never gets in.
      const found = await coordinatorSite(ctx, action.siteId);
      if ("kind" in found) return answer(ctx, found);
      await ctx.answerCallbackQuery();
      await ctx.conversation.enter(SITE_EDITOR, { siteId: action.siteId, field: action.field });
      return;
    }
    case "tools-input": {
      const staff = await staffOf(ctx);
      if (!staff) return answer(ctx, { kind: "not-staff" });
      if (!staff.sites.some((s) => s.id === action.siteId)) return answer(ctx, { kind: "stale" });
      await ctx.answerCallbackQuery();
      await ctx.conversation.enter(TOOLS_INPUT, { siteId: action.siteId, input: action.input });
    }
  }
});
