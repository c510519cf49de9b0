import { Composer } from "grammy";
import { type CallbackAction, parseCallbackData } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import { STALE_AFTER_DAYS } from "../../directory/staleness";
import { currentMember } from "../members/current";
import type { Member } from "../members/queries";
import { getReminderSettings, saveReminderSettings } from "./queries";
import type { ReminderSettings } from "./schedule";
import { settingsScreen } from "./screen";

/**
 * /rappel (/reminder): a coordinator chooses when they hear about their organisation's sites whose
 * information is old: how often, which day, what time. Each tap saves at once and redraws the screen.
 */
export const remindersFeature = new Composer<BotContext>();

// The role is read again here: the router's check comes from a snapshot that may be missing.
async function coordinatorOf(ctx: BotContext): Promise<Member | undefined> {
  const member = await currentMember(ctx);
  return member?.role === "admin" ? member : undefined;
}

async function staleAfterDays(ctx: BotContext): Promise<number> {
  const catalog = await ctx.deps.catalog.get(ctx.deps.db);
  return catalog?.directory.info.staleAfterDays ?? STALE_AFTER_DAYS;
}

type ReminderAction = Extract<CallbackAction, { kind: `reminder-${string}` }>;

function isReminderAction(action: CallbackAction | undefined): action is ReminderAction {
  return action?.kind.startsWith("reminder-") ?? false;
}

function chosen(current: ReminderSettings, action: ReminderAction): ReminderSettings {
  switch (action.kind) {
    case "reminder-every":
      return { ...current, everyWeeks: action.everyWeeks };
    case "reminder-day":
      return { ...current, weekday: action.weekday };
    case "reminder-time":
      return { ...current, atMinute: action.atMinute };
  }
}

remindersFeature.command(["rappel", "reminder"], async (ctx) => {
  const member = await coordinatorOf(ctx);
  if (!member) {
    await ctx.reply(ctx.t("admin.notAdmin"));
    return;
  }
  const { text, ...options } = settingsScreen(
    await getReminderSettings(ctx.deps.db, member.id),
    ctx,
    await staleAfterDays(ctx),
  );
  await ctx.reply(text, options);
});

// A button that does not parse (forged, or from an old version) goes on to the "out of date" answer.
remindersFeature.callbackQuery(/^rm:/, async (ctx, next) => {
  const action = parseCallbackData(ctx.callbackQuery.data);
  if (!isReminderAction(action)) return next();
  const member = await coordinatorOf(ctx);
  if (!member) {
    await ctx.answerCallbackQuery({ text: ctx.t("admin.notAdmin") });
    return;
  }
  const current = await getReminderSettings(ctx.deps.db, member.id);
  const wanted = chosen(current, action);
  const same =
    wanted.everyWeeks === current.everyWeeks &&
    wanted.weekday === current.weekday &&
    wanted.atMinute === current.atMinute;
  if (same) {
    await ctx.answerCallbackQuery({ text: ctx.t("reminders.settings.unchanged") });
    return;
  }
  await saveReminderSettings(ctx.deps.db, member.id, wanted, ctx.deps.now());
  await ctx.answerCallbackQuery({ text: ctx.t("reminders.settings.saved") });
  const { text, ...options } = settingsScreen(wanted, ctx, await staleAfterDays(ctx));
  // The screen is redrawn in place; a message too old to edit gets a new one.
  await ctx.editMessageText(text, options).catch(() => ctx.reply(text, options));
});
