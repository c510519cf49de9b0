import { randomBytes } from "node:crypto";
import type { Conversation } from "@grammyjs/conversations";
import { InlineKeyboard } from "grammy";
import { callbackData, type EditField, parseCallbackData, type SiteEditVerb } from "../../bot/callback-data";
import type { BotContext, InnerContext } from "../../bot/context";
import { isMenuText } from "../../bot/menu-labels";
import type { Bilingual } from "../../db/schema";
import { formatMinutes } from "../../directory/format";
import { escapedName, NameInSentence } from "../../text/french-name";
import { escapeHtml } from "../../text/html";
import { withHtml } from "../../text/translate";
import type { Outcome } from "./actions";
import { editStart, hoursPreview, type SiteEdit, saveEdit } from "./edit-actions";
import {
  type BuiltOpening,
  buildWeeklyHours,
  MAX_SITE_NOTE,
  meansNone,
  parseNoteText,
  parsePhone,
  parseTime,
  parseWeeklyHours,
  WEEK_DAYS,
} from "./edit-parse";

export const SITE_EDITOR = "site-editor";

// A step left unanswered this long is dropped, as in the other dialogues: the next message is handled as usual.
const STEP_TIMEOUT_MS = 30 * 60_000;
const HTML = { parse_mode: "HTML" } as const;

export type SiteEditorArgs = { siteId: string; field: EditField };

type Answer = { text: string } | { verb: SiteEditVerb; arg: number | undefined; answer: InnerContext };

/**
 * A coordinator edits one field of a site's listing: regular hours (typed in the file's syntax, or built
 * with buttons day by day, then seen as people will see the next seven days before saving), the phone,
 * the site's note (French, then English), or the materials it hands out (ticked on and off). Nothing is
 * saved before the last step; the save checks everything again (edit-actions.ts). A command, a menu tap
 * or another feature's button leaves the dialogue and is handled as usual; ✖️ says nothing changed.
 */
export async function siteEditor(
  conversation: Conversation<BotContext, InnerContext>,
  ctx: InnerContext,
  args: SiteEditorArgs,
) {
  const t = ctx.t;
  const begun = await conversation.external((outer) => editStart(outer, args.siteId));
  if (begun.kind === "refused") return say(ctx, begun.outcome);
  const start = begun;
  // This dialogue's own token in its buttons: one left from an earlier dialogue is told it is old.
  const token = await conversation.external(() =>
    randomBytes(4).readUInt32BE(0).toString(36).padStart(4, "0").slice(0, 8),
  );
  const button = (verb: SiteEditVerb, arg?: number) => callbackData.siteEdit(token, verb, arg);
  const site =
    start.siteArticleFr && ctx.locale === "fr"
      ? new NameInSentence(start.siteName, start.siteArticleFr)
      : start.siteName;
  const siteHtml = escapedName(site);
  const cancel = () => [InlineKeyboard.text(t("tools.edit.button.cancel"), button("x"))];

  /** A typed line or a tap on this editor's buttons; anything else leaves the dialogue. */
  const next = async (): Promise<Answer> => {
    for (;;) {
      const answer = await conversation.wait({ maxMilliseconds: STEP_TIMEOUT_MS });
      if (answer.callbackQuery) {
        const action = parseCallbackData(answer.callbackQuery.data);
        if (action?.kind !== "site-edit") await conversation.halt({ next: true });
        else if (action.token !== token) {
          await answer.answerCallbackQuery();
          await answer.reply(t("tools.edit.errors.oldButton"));
          continue;
        } else {
          await answer.answerCallbackQuery();
          if (action.verb === "x") {
            await answer.reply(t("tools.edit.cancelled"));
            await conversation.halt();
          }
          return { verb: action.verb, arg: action.arg, answer };
        }
      }
      const text = answer.message?.text;
      if (text !== undefined && (text.startsWith("/") || isMenuText(ctx, text)))
        await conversation.halt({ next: true });
      if (text !== undefined) return { text: text.trim() };
      await answer.reply(t("tools.edit.errors.textOnly"));
    }
  };
  const refuse = (refusal: { error: string; values?: Record<string, string | number> }) =>
    ctx.reply(t(`tools.edit.errors.${refusal.error}`, refusal.values), HTML);
  const useButtons = () => ctx.reply(t("tools.edit.errors.useButtons"));

  // --- Hours -----------------------------------------------------------------------------------------
  const hhmm = (minutes: number) =>
    `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
  const shownTime = (time: string) => formatMinutes(minutesOf(time), ctx.locale);
  const dayNames = (days: number[]) => days.map((d) => t(`tools.edit.days.${WEEK_DAYS[d]}`)).join(", ");

  /** A time of day, tapped (every hour from `after`) or typed ("9h30"). */
  async function pickTime(prompt: string, after: string | undefined): Promise<string> {
    const keyboard = new InlineKeyboard();
    // Opening: 5:00 to 23:00. Closing: each hour after the opening, round the clock to the next day.
    const opening = after ? Math.floor(minutesOf(after) / 60) : undefined;
    const hours =
      opening === undefined
        ? Array.from({ length: 19 }, (_, i) => 5 + i)
        : Array.from({ length: 23 }, (_, i) => opening + 1 + i);
    hours.forEach((hour, i) => {
      const time = hour <= 24 ? hhmm(hour * 60) : hhmm((hour - 24) * 60);
      const label = hour > 24 ? t("tools.edit.button.nextDay", { time: shownTime(time) }) : shownTime(time);
      keyboard.text(label, button("t", Number(time.replace(":", ""))));
      if (i % 4 === 3) keyboard.row();
    });
    keyboard.row().add(...cancel());
    await ctx.reply(prompt, { reply_markup: keyboard });
    for (;;) {
      const got = await next();
      const time =
        "text" in got
          ? parseTime(got.text)
          : got.verb === "t" && got.arg !== undefined && got.arg % 100 < 60
            ? hhmm(Math.floor(got.arg / 100) * 60 + (got.arg % 100))
            : undefined;
      if (time && time !== after) return time;
      await ctx.reply(t(time ? "tools.edit.errors.sameTime" : "tools.edit.errors.time"));
    }
  }

  /** Hours built with buttons: days, an opening and a closing, as many times as needed. */
  async function buildHours(): Promise<string> {
    const openings: BuiltOpening[] = [];
    let holidaysClosed = /\bPH\s+off\b/.test(start.hours);
    for (;;) {
      const days = new Set<number>();
      const dayKeyboard = () => {
        const keyboard = new InlineKeyboard();
        WEEK_DAYS.forEach((day, i) => {
          const name = t(`tools.edit.days.${day}`);
          keyboard.text(days.has(i) ? `✅ ${name}` : name, button("d", i));
          if (i === 3) keyboard.row();
        });
        return keyboard
          .row()
          .text(t("tools.edit.button.weekdays"), button("wk"))
          .text(t("tools.edit.button.allDays"), button("all"))
          .row()
          .text(t("tools.edit.button.next"), button("n"))
          .add(...cancel());
      };
      await ctx.reply(t("tools.edit.ask.days"), { reply_markup: dayKeyboard() });
      for (;;) {
        const got = await next();
        if ("text" in got) {
          await useButtons();
          continue;
        }
        if (got.verb === "n") {
          if (days.size > 0) break;
          await ctx.reply(t("tools.edit.errors.noDays"));
          continue;
        }
        if (got.verb === "d" && got.arg !== undefined) {
          if (days.has(got.arg)) days.delete(got.arg);
          else days.add(got.arg);
        } else if (got.verb === "wk" || got.verb === "all") {
          for (let d = 0; d < (got.verb === "wk" ? 5 : 7); d++) days.add(d);
        } else {
          await useButtons();
          continue;
        }
        await got.answer.editMessageReplyMarkup({ reply_markup: dayKeyboard() }).catch(() => {});
      }
      const chosen = [...days].sort((a, b) => a - b);
      const from = await pickTime(t("tools.edit.ask.opens", { days: dayNames(chosen) }), undefined);
      const to = await pickTime(
        t("tools.edit.ask.closes", { days: dayNames(chosen), from: shownTime(from) }),
        from,
      );
      openings.push({ days: chosen, from, to: to === "00:00" ? "24:00" : to });
      const addedKeyboard = () =>
        new InlineKeyboard()
          .text(t("tools.edit.button.more"), button("more"))
          .text(t("tools.edit.button.finish"), button("fin"))
          .row()
          .text(
            t(holidaysClosed ? "tools.edit.button.holidaysClosed" : "tools.edit.button.holidaysOpen"),
            button("ph"),
          )
          .add(...cancel());
      await ctx.reply(
        t("tools.edit.ask.added", { days: dayNames(chosen), from: shownTime(from), to: shownTime(to) }),
        { reply_markup: addedKeyboard() },
      );
      for (;;) {
        const got = await next();
        if ("verb" in got && got.verb === "fin") return buildWeeklyHours(openings, holidaysClosed);
        if ("verb" in got && got.verb === "more") break;
        if ("verb" in got && got.verb === "ph") {
          holidaysClosed = !holidaysClosed;
          await got.answer.editMessageReplyMarkup({ reply_markup: addedKeyboard() }).catch(() => {});
          continue;
        }
        await useButtons();
      }
    }
  }

  async function editHours(current: string): Promise<SiteEdit> {
    for (;;) {
      await ctx.reply(t("tools.edit.ask.hours", { site, hours: current }), {
        ...HTML,
        reply_markup: new InlineKeyboard().text(t("tools.edit.button.build"), button("b")).add(...cancel()),
      });
      let hours: string | undefined;
      while (hours === undefined) {
        const got = await next();
        const typed = "text" in got ? got.text : got.verb === "b" ? await buildHours() : undefined;
        if (typed === undefined) {
          await useButtons();
          continue;
        }
        const parsed = await conversation.external((outer) =>
          parseWeeklyHours(typed, start.region, outer.deps.now()),
        );
        if (parsed.ok) hours = parsed.hours;
        else await refuse(parsed);
      }
      const chosen = hours;
      const week = await conversation.external((outer) => hoursPreview(outer, args.siteId, chosen));
      await ctx.reply(
        t("tools.edit.ask.preview", withHtml({ site: siteHtml, week, hours: escapeHtml(chosen) })),
        {
          ...HTML,
          reply_markup: new InlineKeyboard()
            .text(t("tools.edit.button.save"), button("ok"))
            .text(t("tools.edit.button.again"), button("re"))
            .row()
            .add(...cancel()),
        },
      );
      for (;;) {
        const got = await next();
        if ("verb" in got && got.verb === "ok") return { kind: "site_hours", hours: chosen };
        if ("verb" in got && got.verb === "re") break;
        await useButtons();
      }
    }
  }

  // --- Phone, note, materials --------------------------------------------------------------------------
  async function editPhone(current: string | null, required: boolean): Promise<SiteEdit> {
    const keyboard = new InlineKeyboard();
    if (!required && current) keyboard.text(t("tools.edit.button.remove"), button("rm"));
    keyboard.add(...cancel());
    await ctx.reply(
      t(required ? "tools.edit.ask.phoneRequired" : "tools.edit.ask.phone", {
        site,
        phone: current ?? t("tools.edit.nothing"),
      }),
      { ...HTML, reply_markup: keyboard },
    );
    for (;;) {
      const got = await next();
      const typed = "text" in got ? got.text : got.verb === "rm" ? "-" : undefined;
      if (typed === undefined) {
        await useButtons();
        continue;
      }
      const parsed = parsePhone(typed, required);
      if (parsed.ok) return { kind: "site_phone", phone: parsed.phone };
      await refuse(parsed);
    }
  }

  async function editNote(current: Bilingual | null): Promise<SiteEdit> {
    const keyboard = new InlineKeyboard();
    if (current) keyboard.text(t("tools.edit.button.remove"), button("rm"));
    keyboard.add(...cancel());
    await ctx.reply(
      t("tools.edit.ask.noteFr", {
        site,
        max: MAX_SITE_NOTE,
        note: current?.[ctx.locale] ?? t("tools.edit.noNote"),
      }),
      { ...HTML, reply_markup: keyboard },
    );
    const text = async (same: string | undefined): Promise<string | null> => {
      for (;;) {
        const got = await next();
        if ("verb" in got) {
          if (got.verb === "rm" && same === undefined && current) return null;
          await useButtons();
          continue;
        }
        if (same !== undefined && got.text === "=") return same;
        if (same === undefined && current && meansNone(got.text)) return null;
        const parsed = parseNoteText(got.text);
        if (parsed.ok) return parsed.text;
        await refuse(parsed);
      }
    };
    const fr = await text(undefined);
    if (fr === null) return { kind: "site_note", note: null };
    await ctx.reply(t("tools.edit.ask.noteEn"), { reply_markup: new InlineKeyboard().add(...cancel()) });
    const en = (await text(fr)) ?? fr;
    return { kind: "site_note", note: { fr, en } };
  }

  async function editMaterials(all: { id: string; label: string; on: boolean }[]): Promise<SiteEdit> {
    const on = new Set(all.filter((m) => m.on).map((m) => m.id));
    const keyboard = () => {
      const rows = new InlineKeyboard();
      all.forEach((m, i) => {
        rows.text(`${on.has(m.id) ? "✅" : "▫️"} ${m.label}`, button("m", i));
        if (i % 2 === 1) rows.row();
      });
      return rows
        .row()
        .text(t("tools.edit.button.save"), button("ok"))
        .add(...cancel());
    };
    await ctx.reply(t("tools.edit.ask.materials", { site }), { ...HTML, reply_markup: keyboard() });
    for (;;) {
      const got = await next();
      if ("verb" in got && got.verb === "ok")
        return { kind: "site_materials", materials: all.filter((m) => on.has(m.id)).map((m) => m.id) };
      const material = "verb" in got && got.verb === "m" && got.arg !== undefined ? all[got.arg] : undefined;
      if (!material || !("verb" in got)) {
        await useButtons();
        continue;
      }
      if (on.has(material.id)) on.delete(material.id);
      else on.add(material.id);
      await got.answer.editMessageReplyMarkup({ reply_markup: keyboard() }).catch(() => {});
    }
  }

  const edit: SiteEdit =
    args.field === "hours"
      ? await editHours(start.hours)
      : args.field === "phone"
        ? await editPhone(start.phone, start.phoneRequired)
        : args.field === "note"
          ? await editNote(start.note)
          : await editMaterials(start.materials);
  const outcome = await conversation.external((outer) => saveEdit(outer, args.siteId, edit));
  await say(ctx, outcome);
}

/** An outcome as the dialogue says it: the result with its buttons, or why nothing was saved. */
async function say(ctx: InnerContext, outcome: Outcome): Promise<void> {
  if (outcome.kind === "reply") {
    await ctx.reply(outcome.text, { ...HTML, reply_markup: { inline_keyboard: outcome.keyboard } });
    return;
  }
  const key =
    outcome.kind === "stale"
      ? "common.staleButton"
      : outcome.kind === "not-coordinator"
        ? "tools.edit.notAdmin"
        : "tools.notStaff";
  await ctx.reply(ctx.t(key));
}
