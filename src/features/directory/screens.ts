import { InlineKeyboard } from "grammy";
import { callbackData } from "../../bot/callback-data";
import type { BotContext } from "../../bot/context";
import { mainMenu, PAGE_SIZE, siteButtons, suppliesMenu } from "../../bot/keyboards";
import { LAST_RESORT_EMERGENCY_NUMBER } from "../../bot/last-resort";
import { ownSnapshot } from "../../bot/snapshot";
import type { Catalog } from "../../directory/catalog";
import {
  firstByOpenness,
  nearestSites,
  openAndUpcoming,
  siteStatus,
  sitesCarrying,
  withStatus,
} from "../../directory/catalog";
import type { Point } from "../../directory/distance";
import { materialResults, nearText, openNowText, siteCard, viewOf } from "../../directory/format";
import type { Material, Place } from "../../directory/model";
import { countLookup } from "../../stats/counters";

/**
 * Each screen of the directory: read the catalog, format, reply. Shared by commands, menu buttons,
 * typed words and inline buttons so every way in gives the same answer.
 */
const HTML = { parse_mode: "HTML", link_preview_options: { is_disabled: true } } as const;

// Below this many open sites, the next openings are listed too.
const FEW_OPEN = 3;

/** The catalog, or a "not ready" answer when no directory was ever imported. */
export async function withCatalog(
  ctx: BotContext,
  show: (catalog: Catalog) => Promise<unknown>,
): Promise<void> {
  // Screens only read: the version read as the update started is current for them.
  const catalog = await ctx.deps.catalog.get(ctx.deps.db, ctx.snapshot?.directoryVersion);
  if (!catalog) {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("common.notReady", { number: LAST_RESORT_EMERGENCY_NUMBER }), {
      reply_markup: mainMenu(ctx.t),
    });
    return;
  }
  await show(catalog);
}

export async function showSuppliesMenu(ctx: BotContext, catalog: Catalog): Promise<void> {
  await ctx.reply(ctx.t("directory.supplies.prompt"), { reply_markup: suppliesMenu(catalog, ctx.locale) });
}

export async function showMaterial(
  ctx: BotContext,
  catalog: Catalog,
  material: Material,
  from = 0,
): Promise<void> {
  const view = viewOf(ctx, catalog);
  const sites = sitesCarrying(catalog, material.id);
  // A "show more" tapped after the list shrank starts over rather than claiming there is nothing.
  if (from >= sites.length) from = 0;
  // Only the sites up to this page are put in order; the rest are only counted.
  const page = firstByOpenness(withStatus(catalog, sites, view.now), from + PAGE_SIZE).slice(from);
  const rest = sites.length - from - page.length;
  const keyboard = siteButtons(page, ctx.locale, {
    data: callbackData.material(material.id, from + PAGE_SIZE),
    count: rest,
    label: ctx.t("directory.more", { count: rest }),
  });
  const perche = from === 0 && (await offerPerche(ctx, catalog));
  if (perche) keyboard.row().text(ctx.t("requests.perche.button"), "talk");
  await ctx.reply(
    perche
      ? `${materialResults(material, page, view)}\n\n${ctx.t("requests.perche.line")}`
      : materialResults(material, page, view),
    {
      ...HTML,
      reply_markup: keyboard,
    },
  );
  if (from === 0)
    await countLookup(ctx.deps, "material", {
      materialId: material.id,
      siteTypes: page.map((s) => s.site.type),
    });
}

export async function showMaterialChoice(ctx: BotContext, materials: Material[]): Promise<void> {
  const keyboard = materials
    .slice(0, 6)
    .reduce((kb, m) => kb.text(m.label[ctx.locale], callbackData.material(m.id)).row(), new InlineKeyboard());
  await ctx.reply(ctx.t("directory.supplies.several"), { reply_markup: keyboard });
}

/** The open-now message as plain data, so it can also be built inside a conversation's `external`. */
export type OpenNowMessage = {
  text: string;
  options: {
    parse_mode: "HTML";
    link_preview_options: { is_disabled: true };
    reply_markup: { inline_keyboard: InlineKeyboard["inline_keyboard"] };
  };
  /** The kinds of site listed, for the anonymous counters. */
  siteTypes: string[];
};

/** The open-now message as plain data, so it can also be built inside a conversation's `external`. */
export function openNowMessage(ctx: BotContext, catalog: Catalog, from = 0): OpenNowMessage {
  const view = viewOf(ctx, catalog);
  const { open, upcoming } = openAndUpcoming(catalog, view.now);
  // A "show more" tapped after the list shrank starts over rather than claiming there is nothing.
  const start = from >= open.length ? 0 : from;
  const page = firstByOpenness(open, start + PAGE_SIZE).slice(start);
  const rest = open.length - start - page.length;
  const nextOpenings = open.length < FEW_OPEN ? firstByOpenness(upcoming, 4 - open.length) : [];
  const keyboard = siteButtons([...page, ...nextOpenings], ctx.locale, {
    data: callbackData.open(start + PAGE_SIZE),
    count: rest,
    label: ctx.t("directory.more", { count: rest }),
  });
  return {
    text: openNowText(page, nextOpenings, view),
    options: { ...HTML, reply_markup: { inline_keyboard: keyboard.inline_keyboard } },
    siteTypes: [...page, ...nextOpenings].map((s) => s.site.type),
  };
}

export async function showOpenNow(ctx: BotContext, catalog: Catalog, from = 0): Promise<void> {
  const message = openNowMessage(ctx, catalog, from);
  await ctx.reply(message.text, message.options);
  if (from === 0) await countLookup(ctx.deps, "open", { siteTypes: message.siteTypes });
}

const NEAR_COUNT = 5;

export async function showNear(
  ctx: BotContext,
  catalog: Catalog,
  origin: Point,
  place?: Place,
): Promise<void> {
  const view = viewOf(ctx, catalog);
  const entries = nearestSites(catalog, origin, view.now, NEAR_COUNT);
  const title = place
    ? ctx.t("directory.near.titlePlace", { place: place.name[ctx.locale] })
    : ctx.t("directory.near.titleHere");
  await ctx.reply(nearText(title, entries, view), {
    ...HTML,
    reply_markup: siteButtons(entries, ctx.locale),
  });
  await countLookup(ctx.deps, "near", { siteTypes: entries.map((e) => e.site.type) });
}

export async function showSite(ctx: BotContext, catalog: Catalog, siteId: string): Promise<boolean> {
  const site = catalog.sitesById.get(siteId);
  if (!site) return false;
  const view = viewOf(ctx, catalog);
  const hasPin = site.location !== undefined || site.stops.length > 0;
  await ctx.reply(siteCard(site, siteStatus(catalog, site, view.now), view), {
    ...HTML,
    ...(hasPin
      ? { reply_markup: new InlineKeyboard().text(ctx.t("directory.card.pin"), callbackData.pin(site.id)) }
      : {}),
  });
  await countLookup(ctx.deps, "site", { siteTypes: [site.type] });
  return true;
}

export async function sendPin(ctx: BotContext, catalog: Catalog, siteId: string): Promise<boolean> {
  const site = catalog.sitesById.get(siteId);
  const point = site?.location ?? site?.stops[0];
  if (!site || !point) return false;
  // Telegram wants an address on a venue: fall back to the stop, the neighbourhood, then the kind of site.
  const address =
    site.address ??
    (site.location ? undefined : site.stops[0]?.name[ctx.locale]) ??
    site.neighbourhood ??
    ctx.t(`directory.types.${site.type}`);
  await ctx.replyWithVenue(point.lat, point.lon, site.name[ctx.locale].slice(0, 100), address.slice(0, 100));
  return true;
}

export async function showMenu(ctx: BotContext, key = "common.unsupported"): Promise<void> {
  await ctx.reply(ctx.t(key), { reply_markup: mainMenu(ctx.t) });
}

/** One light offer of contact a day, never to someone who already has a request going. */
async function offerPerche(ctx: BotContext, catalog: Catalog): Promise<boolean> {
  const { perches } = ctx.deps;
  if (!perches || !ctx.pseudonym) return false;
  if (!perches.offerToday(ctx.pseudonym, ctx.deps.now(), catalog.directory.info.timezone)) return false;
  // The update's snapshot says whether a request is under way: a lookup stays one round trip. Without
  // one (the database did not answer as the update began), no offer: their request may be under way.
  return ownSnapshot(ctx)?.hasActiveRequest === false;
}
