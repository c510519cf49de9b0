import type { InlineKeyboardButton, InlineQueryResultArticle } from "grammy/types";
import type { Locale } from "../../config";
import { type Catalog, interpretText, nearestSites, sitesWithMaterial } from "../../directory/catalog";
import { mentionsEmergency } from "../../directory/emergency-words";
import { emergencyText, siteCard, type View } from "../../directory/format";
import type { Site } from "../../directory/model";
import { tokens } from "../../directory/text-match";

/**
 * Inline mode (`@bot naloxone` in any chat): site cards to share. Pure: the catalog and the sharer's
 * view in, Telegram results out. A shared card outlives the moment it was sent, so it never says
 * "open now"; it gives the week's hours and the time its information was read.
 */

// Telegram takes at most 50 results per answer; fewer keeps the answer light on a bad connection.
export const INLINE_PAGE = 20;
// Around a neighbourhood or métro station: the closest few are what people share.
const NEAR_PLACE = 10;

export type InlinePage = { results: InlineQueryResultArticle[]; nextOffset: string };

/**
 * The sites a query asks for, best first: a material, a place, a site's name, or every site. Inline
 * queries arrive as the person types, so a name matches on the beginnings of its words ("veille n").
 */
export function sitesForQuery(catalog: Catalog, query: string, now: Date, locale: Locale): Site[] {
  const typed = tokens(query);
  if (typed.length === 0)
    return catalog.directory.sites
      .filter((site) => !site.isCrisisLine)
      .sort((a, b) => a.name[locale].localeCompare(b.name[locale], locale));
  const meaning = interpretText(catalog, query);
  if (meaning.kind === "materials")
    return unique(meaning.materials.flatMap((m) => sitesWithMaterial(catalog, m.id, now).map((e) => e.site)));
  if (meaning.kind === "place")
    return nearestSites(catalog, meaning.place, now, NEAR_PLACE).map((e) => e.site);
  const byName = catalog.directory.sites.filter((site) => nameStartsWith(site, typed));
  return unique([...(meaning.kind === "site" ? [meaning.site] : []), ...byName]);
}

function nameStartsWith(site: Site, typed: string[]): boolean {
  const words = [...tokens(site.name.fr), ...tokens(site.name.en)];
  return typed.every((t) => words.some((word) => word.startsWith(t)));
}

export function inlinePage(view: View, query: string, offset: string, botUsername: string): InlinePage {
  const from = parseOffset(offset);
  const sites = sitesForQuery(view.catalog, query, view.now, view.locale);
  const page = sites.slice(from, from + INLINE_PAGE);
  const next = from + page.length;
  // "@bot overdose": what to do comes first, ready to send into the chat where it is needed.
  const emergency = from === 0 && mentionsEmergency(query, view.catalog) ? [emergencyResult(view)] : [];
  return {
    results: [...emergency, ...page.map((site) => siteResult(site, view, botUsername))],
    nextOffset: next < sites.length ? String(next) : "",
  };
}

function emergencyResult(view: View): InlineQueryResultArticle {
  const number = view.catalog.directory.info.emergencyNumber;
  return {
    type: "article",
    id: "emergency",
    title: view.t("inline.emergencyTitle", { number }),
    description: view.t("inline.emergencyDescription"),
    input_message_content: {
      message_text: emergencyText(view),
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    },
  };
}

function siteResult(site: Site, view: View, botUsername: string): InlineQueryResultArticle {
  const { t, locale, catalog } = view;
  const organisation = catalog.directory.organisations.find((o) => o.id === site.organisationId);
  const buttons: InlineKeyboardButton[] = [];
  const pin = site.location ?? site.stops[0];
  if (pin) buttons.push({ text: t("inline.map"), url: mapUrl(pin.lat, pin.lon) });
  // Whoever receives the card can open it, live, in their own private chat with the bot.
  buttons.push({ text: t("inline.openInBot"), url: `https://t.me/${botUsername}?start=site-${site.id}` });
  return {
    type: "article",
    id: site.id,
    title: site.name[locale],
    description: [t(`directory.types.${site.type}`), site.neighbourhood ?? organisation?.name[locale]]
      .filter(Boolean)
      .join(" · "),
    input_message_content: {
      message_text: siteCard(site, undefined, view),
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    },
    reply_markup: { inline_keyboard: [buttons] },
  };
}

/** A map with a pin, in any browser; no app or account needed. */
export function mapUrl(lat: number, lon: number): string {
  const la = lat.toFixed(5);
  const lo = lon.toFixed(5);
  return `https://www.openstreetmap.org/?mlat=${la}&mlon=${lo}#map=17/${la}/${lo}`;
}

function parseOffset(offset: string): number {
  // The offset comes back from Telegram as we sent it, but it is still input: anything odd starts over.
  return /^\d{1,4}$/.test(offset) ? Number(offset) : 0;
}

function unique(sites: Site[]): Site[] {
  return [...new Map(sites.map((site) => [site.id, site])).values()];
}
