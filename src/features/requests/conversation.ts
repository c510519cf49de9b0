import type { Conversation } from "@grammyjs/conversations";
import { InlineKeyboard } from "grammy";
import type { BotContext, InnerContext } from "../../bot/context";
import { mainMenu } from "../../bot/keyboards";
import { isMenuText } from "../../bot/menu-labels";
import { ANSWER_MODES, type AnswerMode, REQUEST_CATEGORIES, type RequestCategory } from "../../db/schema";
import { crisisLinesBlock, formatInstantTime, relativeDay, viewOf } from "../../directory/format";
import { safeCut } from "../../text/split";
import { type OpenNowMessage, openNowMessage } from "../directory/screens";
import type { RequestMedia } from "./media";
import { organisationsWithTeams } from "./queries";
import { relayingPeer, relaySent } from "./relayed-flow";
import { freshRelayPseudonym } from "./relayed-queries";
import { submitRequest } from "./use-cases";

export const REQUEST_FLOW = "request";

// A step left unanswered this long is dropped: the next message is handled as if no flow was going on.
const STEP_TIMEOUT_MS = 30 * 60_000;
const MAX_MESSAGE = 2000;

type Draft = {
  category: RequestCategory;
  message: string | null;
  answerMode: AnswerMode;
  meetSiteId: string | null;
  areaPlaceId: string | null;
};

type Choice = { label: string; data: string };

/**
 * The dialogue for asking for help: what it is about, their own words (or none), how to be answered,
 * a rough area if they like, then a summary to send, change or cancel. Every step can be left with
 * /annuler or its button; an overdose word gets the emergency card first (handled before this runs).
 * Nothing is written until "send".
 */
export async function requestFlow(
  conversation: Conversation<BotContext, InnerContext>,
  ctx: InnerContext,
  // Part 3 (peers): "relay" is a peer helper asking for someone with them; answers go to the peer.
  mode?: "relay" | null,
  // Part 7: the voice note or photo a person chose to pass on before saying anything (fallback.ts).
  attachment?: RequestMedia,
) {
  const t = ctx.t;
  const options = await conversation.external((outer) => flowOptions(outer));
  // Nobody at all takes requests: said at once, before the person writes anything, with what answers
  // at any hour.
  if (!options.anyTeam) {
    const lines = await conversation.external((outer) => anyHourLines(outer));
    await ctx.reply([t("addressing.noTeam"), ...(lines ? [lines] : [])].join("\n\n"), {
      parse_mode: "HTML",
      reply_markup: mainMenu(t),
    });
    return;
  }

  const ask = async (
    text: string,
    choices: Choice[][],
    acceptText = false,
  ): Promise<{ data?: string; text?: string }> => {
    const keyboard = new InlineKeyboard();
    for (const row of choices) {
      for (const choice of row) keyboard.text(choice.label, choice.data);
      keyboard.row();
    }
    keyboard.text(t("requests.flow.cancel"), "f:cancel");
    await ctx.reply(text, { reply_markup: keyboard, parse_mode: "HTML" });
    const accepted = new Set(choices.flat().map((c) => c.data));
    for (;;) {
      const answer = await conversation.wait({ maxMilliseconds: STEP_TIMEOUT_MS });
      const data = answer.callbackQuery?.data;
      if (data === "f:cancel") {
        await answer.answerCallbackQuery();
        await answer.reply(t("requests.flow.cancelled"), { reply_markup: mainMenu(t) });
        await conversation.halt();
      }
      // Only this step's buttons count: one from an earlier step is an old button.
      if (data !== undefined && accepted.has(data)) {
        await answer.answerCallbackQuery();
        return { data };
      }
      const typed = answer.message?.text;
      // A command, a menu tap or another screen's button is answered as usual, and the draft waits at
      // this step: its buttons go on working (a skipped update leaves the dialogue as it was). Only
      // asking again starts afresh, and a peer's call for backup leaves it (a worker writes to them next).
      if (typed !== undefined && (typed.startsWith("/") || isMenuText(ctx, typed))) {
        if (leavesTheFlow(ctx, typed)) await conversation.halt({ next: true });
        await conversation.skip({ next: true });
      }
      if (data !== undefined && !data.startsWith("f:")) await conversation.skip({ next: true });
      if (typed !== undefined && acceptText) return { text: typed };
      if (answer.callbackQuery) await answer.answerCallbackQuery();
      await answer.reply(t("requests.flow.useButtons"));
    }
  };

  const pairs = (items: Choice[]): Choice[][] =>
    items.reduce<Choice[][]>((rows, item, i) => {
      if (i % 2 === 0) rows.push([item]);
      else rows[rows.length - 1]?.push(item);
      return rows;
    }, []);

  let draft: Draft | undefined;
  while (!draft) {
    // 1. What it is about. Typing instead of choosing is fine: it becomes their message.
    const about = await ask(
      t(mode === "relay" ? "peers.flow.intro" : "requests.flow.intro"),
      pairs(ASKABLE_CATEGORIES.map((c) => ({ label: t(`requests.categories.${c}`), data: `f:cat:${c}` }))),
      true,
    );
    const category = (about.data?.slice(6) as RequestCategory | undefined) ?? "other";
    let message = about.text ?? null;

    // 2. Their own words, or none.
    if (message === null) {
      const words = await ask(
        t("requests.flow.askMessage"),
        [[{ label: t("requests.flow.noDetails"), data: "f:nodetails" }]],
        true,
      );
      message = words.text ?? null;
    }
    if (message !== null && message.length > MAX_MESSAGE) {
      message = message.slice(0, safeCut(message, MAX_MESSAGE));
      await ctx.reply(t("requests.flow.tooLong", { max: MAX_MESSAGE }));
    }

    // 3. How to be answered; meeting needs a site.
    const answer = await ask(
      t("requests.flow.askAnswer"),
      ANSWER_MODES.map((m) => [{ label: t(`requests.answerModes.${m}`), data: `f:ans:${m}` }]),
    );
    const answerMode = (answer.data?.slice(6) as AnswerMode | undefined) ?? "chat";
    let meetSiteId: string | null = null;
    if (answerMode === "meet" && options.sites.length > 0) {
      const site = await ask(
        t("requests.flow.askSite"),
        options.sites.map((s) => [{ label: s.name[ctx.locale], data: `f:site:${s.id}` }]),
      );
      meetSiteId = site.data?.slice(7) ?? null;
    }

    // 4. A rough area, if they like: a list, never GPS.
    let areaPlaceId: string | null = null;
    if (options.places.length > 0) {
      const area = await ask(t("requests.flow.askArea"), [
        ...pairs(options.places.map((p) => ({ label: p.name[ctx.locale], data: `f:area:${p.id}` }))),
        [{ label: t("requests.flow.skip"), data: "f:skip" }],
      ]);
      areaPlaceId = area.data?.startsWith("f:area:") ? area.data.slice(7) : null;
    }

    // 5. The summary: send, change, or cancel.
    const summary = await ask(
      t("requests.flow.summary", {
        category: t(`requests.categories.${category}`),
        message: message ?? t("requests.flow.none"),
        answer:
          t(`requests.answerModes.${answerMode}`) +
          (meetSiteId ? ` (${options.sites.find((s) => s.id === meetSiteId)?.name[ctx.locale] ?? ""})` : ""),
        area: options.places.find((p) => p.id === areaPlaceId)?.name[ctx.locale] ?? t("requests.flow.none"),
      }),
      [
        [
          { label: t("requests.flow.send"), data: "f:send" },
          { label: t("requests.flow.change"), data: "f:change" },
        ],
      ],
    );
    if (summary.data === "f:send") draft = { category, message, answerMode, meetSiteId, areaPlaceId };
  }

  const chosen = draft;
  const outcome = await conversation.external(async (outer) => {
    if (!outer.pseudonym || !outer.chat) return { kind: "no-team" as const };
    const relayedBy = mode === "relay" ? await relayingPeer(outer) : undefined;
    if (mode === "relay" && !relayedBy) return { kind: "not-peer" as const };
    const result = await submitRequest(outer.deps, {
      // The person a peer relays for gets a pseudonym of their own that links to nothing.
      personPseudonym: relayedBy ? freshRelayPseudonym() : outer.pseudonym,
      chatId: outer.chat.id,
      locale: outer.locale,
      ...chosen,
      sourceUpdateId: outer.update.update_id,
      ...(relayedBy ? { relayedBy } : {}),
      // Sending changes nothing in the directory: the version this update read still holds.
      directoryVersion: outer.snapshot?.directoryVersion,
      ...(attachment && !relayedBy ? { attachment } : {}),
    });
    // Only plain values cross the replay boundary: the next shift is formatted here.
    if (result.kind !== "sent") return result;
    const catalog = await outer.deps.catalog.get(outer.deps.db, outer.snapshot?.directoryVersion);
    const when =
      result.nextShift && catalog
        ? outer.t("directory.whenAt", {
            day: relativeDay(result.nextShift, {
              t: outer.t,
              locale: outer.locale,
              now: outer.deps.now(),
              catalog,
            }),
            time: formatInstantTime(result.nextShift, catalog.directory.info.timezone, outer.locale),
          })
        : null;
    return {
      kind: "sent" as const,
      requestId: result.requestId,
      nickname: result.nickname,
      onCall: result.onCall,
      nextShift: when,
    };
  });
  if (mode === "relay")
    return relaySent(ctx, outcome, async () => conversation.external((outer) => openNowFromSnapshot(outer)));
  switch (outcome.kind) {
    case "not-peer":
      return;
    case "sent": {
      // "👍 No answer needed": no promise of an answer, and no later message (use-cases' toPerson).
      const noAnswer = chosen.answerMode === "none";
      if (outcome.onCall > 0) {
        const key = noAnswer ? "addressing.noAnswer.withWorker" : "requests.sent.withWorker";
        await ctx.reply(t(key, { nickname: outcome.nickname }), {
          parse_mode: "HTML",
          reply_markup: mainMenu(t),
        });
        return;
      }
      // Nobody on call: say so at once and honestly, when someone will be if known, and what helps now.
      await ctx.reply(
        [
          t(noAnswer ? "addressing.noAnswer.nobodyOnCall" : "requests.sent.nobodyOnCall", {
            nickname: outcome.nickname,
          }),
          ...(outcome.nextShift ? [t("requests.sent.nextShift", { when: outcome.nextShift })] : []),
        ].join("\n\n"),
        { parse_mode: "HTML", reply_markup: mainMenu(t) },
      );
      // Built inside `external` (it reads the directory), sent outside it.
      const openNow = await conversation.external((outer) => openNowFromSnapshot(outer));
      if (openNow) await ctx.reply(openNow.text, openNow.options);
      return;
    }
    case "too-many":
      await ctx.reply(t("requests.sent.tooMany", { count: outcome.count }), { reply_markup: mainMenu(t) });
      return;
    case "no-team": {
      await ctx.reply(t("requests.sent.noTeam"), { reply_markup: mainMenu(t) });
      const openNow = await conversation.external((outer) => openNowFromSnapshot(outer));
      if (openNow) await ctx.reply(openNow.text, openNow.options);
    }
  }
}

const LEAVING_COMMANDS = new Set(["parler", "talk", "relais", "relay", "renfort", "backup"]);

/** /parler, /relais, /renfort (or their menu buttons) typed during the dialogue: it ends there. */
function leavesTheFlow(ctx: InnerContext, typed: string): boolean {
  const command = /^\/([a-z]+)(?:@\w+)?(?:\s|$)/i.exec(typed)?.[1]?.toLowerCase();
  if (command !== undefined) return LEAVING_COMMANDS.has(command);
  const labels = (["fr", "en"] as const).flatMap((locale) => {
    const t = ctx.deps.translations.forLocale(locale);
    return [t("requests.menuButton"), t("peers.menu.relay"), t("peers.menu.backup")];
  });
  return labels.includes(typed);
}

/** The lines that answer at any hour (HTML), from the directory this update read. */
async function anyHourLines(ctx: BotContext): Promise<string | undefined> {
  const catalog = await ctx.deps.catalog.get(ctx.deps.db, ctx.snapshot?.directoryVersion);
  return catalog ? crisisLinesBlock(viewOf(ctx, catalog)) : undefined;
}

/** What is open now, on the catalog of the version this update read (sending changes no directory). */
async function openNowFromSnapshot(ctx: BotContext): Promise<OpenNowMessage | undefined> {
  const catalog = await ctx.deps.catalog.get(ctx.deps.db, ctx.snapshot?.directoryVersion);
  return catalog ? openNowMessage(ctx, catalog) : undefined;
}

type FlowOptions = {
  /** Some organisation has a worker or coordinator who can be reached. */
  anyTeam: boolean;
  sites: { id: string; name: { fr: string; en: string } }[];
  places: { id: string; name: { fr: string; en: string } }[];
};

// The backup call is a peer helper's button, never a choice in the dialogue.
const ASKABLE_CATEGORIES = REQUEST_CATEGORIES.filter((c) => c !== "backup");

const MEETING_TYPES = new Set(["fixed_site", "supervised_consumption", "drop_in", "meal_programme"]);

async function flowOptions(ctx: BotContext): Promise<FlowOptions> {
  // Nothing before the flow's first step changes the directory: the version this update read holds.
  const [catalog, teams] = await Promise.all([
    ctx.deps.catalog.get(ctx.deps.db, ctx.snapshot?.directoryVersion),
    organisationsWithTeams(ctx.deps.db, ctx.deps.now()),
  ]);
  const anyTeam = teams.length > 0;
  if (!catalog) return { anyTeam, sites: [], places: [] };
  return {
    anyTeam,
    sites: catalog.directory.sites
      .filter((s) => MEETING_TYPES.has(s.type))
      .slice(0, 10)
      .map((s) => ({ id: s.id, name: s.name })),
    places: catalog.directory.places
      .filter((p) => p.kind === "neighbourhood")
      .slice(0, 12)
      .map((p) => ({ id: p.id, name: p.name })),
  };
}
