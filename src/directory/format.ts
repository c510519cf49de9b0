import type { Locale } from "../config";
import { escapeHtml } from "../text/html";
import { type Translate, withHtml } from "../text/translate";
import type { Catalog, NearbySite, SiteWithStatus } from "./catalog";
import { crisisLines, isChequeDay } from "./catalog";
import { addDays, wallDate, wallFields } from "./clock";
import { type DayHours, type Schedule, type ShownInterval, type Status, weekHours } from "./hours";
import type { Material, Site, SpecialDate } from "./model";
import { daysSinceVerified, isStale } from "./staleness";

/**
 * Pure text for the directory screens: everything takes the catalog, `now`, the locale and `t`, and
 * returns HTML with every directory value escaped. No grammY, no database.
 */
export type View = { t: Translate; locale: Locale; now: Date; catalog: Catalog };

const intlLocale = (locale: Locale) => (locale === "fr" ? "fr-CA" : "en-CA");

/** "21 h", "9 h 30" in French; "21:00", "9:30" in English. Minutes past 24:00 wrap to the next day. */
export function formatMinutes(minutes: number, locale: Locale): string {
  const h = Math.floor(minutes / 60) % 24;
  const m = minutes % 60;
  if (locale === "fr") return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, "0")}`;
  return `${h}:${String(m).padStart(2, "0")}`;
}

export function formatInstantTime(instant: Date, timeZone: string, locale: Locale): string {
  const f = wallFields(instant, timeZone);
  return formatMinutes(f.hour * 60 + f.minute, locale);
}

/** An end at midnight reads "minuit" / "midnight", never "0 h" (which people take for the next day). */
export function formatEnd(minutes: number, locale: Locale, t: Translate): string {
  return minutes > 0 && minutes % 1440 === 0 ? t("directory.time.midnight") : formatMinutes(minutes, locale);
}

/** On the days the clocks change, an opening that lasts more or less than it reads says how long. */
export function formatInterval(interval: ShownInterval, locale: Locale, t: Translate): string {
  const dash = locale === "fr" ? " à " : "–";
  const text = `${formatMinutes(interval.from, locale)}${dash}${formatEnd(interval.to, locale, t)}`;
  if (interval.realMinutes === undefined) return text;
  const h = Math.floor(interval.realMinutes / 60);
  const m = interval.realMinutes % 60;
  const length = m === 0 ? `${h} h` : locale === "fr" ? `${h} h ${m}` : `${h} h ${m} min`;
  return t("hours.realLength", { interval: text, length });
}

/**
 * "10 h à 14 h, 18 h à 20 h" for the simple OSM time ranges used on special and cheque days
 * ("10:00-14:00,18:00-20:00"); anything fancier is shown as written.
 */
export function formatTimeRanges(ranges: string, locale: Locale, t: Translate): string {
  const parts = ranges
    .split(",")
    .map((part) => /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(part));
  if (parts.some((match) => match === null)) return ranges;
  return (parts as RegExpExecArray[])
    .map(([, h1, m1, h2, m2]) =>
      formatInterval({ from: Number(h1) * 60 + Number(m1), to: Number(h2) * 60 + Number(m2) }, locale, t),
    )
    .join(", ");
}

// Building an Intl formatter costs far more than using one (it was the first cost of a lookup in the
// benchmark's profile): one per locale and shape, kept for the process.
const intlCache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.DisplayNames>();
function cachedIntl<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.DisplayNames>(
  key: string,
  create: () => T,
): T {
  let formatter = intlCache.get(key) as T | undefined;
  if (!formatter) {
    formatter = create();
    intlCache.set(key, formatter);
  }
  return formatter;
}

// The same few days and languages come back on every screen: each text is formatted once. Bounded.
const formatted = new Map<string, string>();
function formattedOnce(key: string, format: () => string): string {
  let text = formatted.get(key);
  if (text === undefined) {
    text = format();
    if (formatted.size >= 2000) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

/** "jeu. 25 déc." / "Thu, Dec 25" for a YYYY-MM-DD day. */
export function formatDay(isoDate: string, locale: Locale, withWeekday = true): string {
  return formattedOnce(`day|${locale}|${withWeekday}|${isoDate}`, () =>
    formatDayNow(isoDate, locale, withWeekday),
  );
}

function formatDayNow(isoDate: string, locale: Locale, withWeekday: boolean): string {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  const text = cachedIntl(
    `day:${locale}:${withWeekday}`,
    () =>
      new Intl.DateTimeFormat(intlLocale(locale), {
        timeZone: "UTC",
        ...(withWeekday ? { weekday: "short" } : {}),
        day: "numeric",
        month: "short",
      }),
  ).format(new Date(Date.UTC(y, m - 1, d, 12)));
  // French writes the first of the month "1er".
  return locale === "fr" && d === 1 ? text.replace(/(^|\s)1(\s)/, "$11er$2") : text;
}

function weekdayName(isoDate: string, locale: Locale): string {
  return formattedOnce(`weekday|${locale}|${isoDate}`, () => {
    const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
    return cachedIntl(
      `weekday:${locale}`,
      () => new Intl.DateTimeFormat(intlLocale(locale), { timeZone: "UTC", weekday: "long" }),
    ).format(new Date(Date.UTC(y, m - 1, d, 12)));
  });
}

/** "aujourd'hui", "demain", "jeudi" (within a week) or "jeu. 25 déc.". */
export function relativeDay(target: Date, view: View): string {
  const zone = view.catalog.directory.info.timezone;
  const today = wallDate(view.now, zone);
  const day = wallDate(target, zone);
  if (day === today) return view.t("directory.day.today");
  if (day === addDays(today, 1)) return view.t("directory.day.tomorrow");
  for (let i = 2; i < 7; i++) if (day === addDays(today, i)) return weekdayName(day, view.locale);
  return formatDay(day, view.locale);
}

export function statusLine(status: Status, view: View): string {
  const zone = view.catalog.directory.info.timezone;
  const { t, locale } = view;
  switch (status.kind) {
    case "always-open":
      return t("directory.status.alwaysOpen");
    case "open": {
      const until = wallFields(status.until, zone);
      const atMidnight = until.hour === 0 && until.minute === 0;
      // "until midnight" belongs to the day that ends, not the one that starts.
      const endDay = atMidnight ? new Date(status.until.getTime() - 60_000) : status.until;
      const time = atMidnight ? t("directory.time.midnight") : formatInstantTime(status.until, zone, locale);
      const today = wallDate(view.now, zone);
      const sameDay = wallDate(endDay, zone) === today;
      // A night that runs past midnight says "until 2 h" too: nobody reads that as tomorrow afternoon.
      const nextMorning = wallDate(endDay, zone) === addDays(today, 1) && until.hour < 8;
      return sameDay || nextMorning
        ? t("directory.status.openUntil", { time })
        : t("directory.status.openUntilDay", { time, day: relativeDay(endDay, view) });
    }
    case "closed":
      return t("directory.status.opensAt", {
        day: relativeDay(status.opensAt, view),
        time: formatInstantTime(status.opensAt, zone, locale),
      });
    case "closed-for-now":
      return t("directory.status.closedForNow");
  }
}

export function siteName(site: Site, locale: Locale): string {
  return site.name[locale];
}

export function materialLabel(material: Material, locale: Locale): string {
  return material.label[locale];
}

export function formatDistance(metres: number, locale: Locale, t: Translate): string {
  if (metres < 1000)
    return t("directory.distance.metres", { value: Math.max(50, Math.round(metres / 50) * 50) });
  const km = cachedIntl(
    `km:${locale}`,
    () => new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: 1 }),
  ).format(metres / 1000);
  return t("directory.distance.km", { value: km });
}

function stockOutSince(since: Date, view: View): string {
  const zone = view.catalog.directory.info.timezone;
  const time = formatInstantTime(since, zone, view.locale);
  return wallDate(since, zone) === wallDate(view.now, zone)
    ? time
    : `${formatDay(wallDate(since, zone), view.locale)} ${time}`;
}

function where(site: Site, locale: Locale): string {
  const parts = [site.neighbourhood, site.address].filter(Boolean) as string[];
  if (parts.length === 0 && site.stops.length > 0) return site.stops.map((s) => s.name[locale]).join(" · ");
  return parts.join(" · ");
}

/** One entry of a list: name, where, open status, and a stock-out warning for the material asked. */
export function siteEntry(
  entry: SiteWithStatus & { metres?: number },
  view: View,
  askedMaterial?: Material,
): string {
  const { site } = entry;
  const lines = [`<b>${escapeHtml(siteName(site, view.locale))}</b>`];
  const place = where(site, view.locale);
  const distance = entry.metres !== undefined ? formatDistance(entry.metres, view.locale, view.t) : undefined;
  const details = [distance, place].filter(Boolean).join(" · ");
  if (details) lines.push(escapeHtml(details));
  lines.push(statusLine(entry.status, view));
  if (askedMaterial) {
    const out = site.stockOuts.find((s) => s.materialId === askedMaterial.id);
    if (out)
      lines.push(
        view.t("directory.supplies.stockOut", {
          material: materialLabel(askedMaterial, view.locale),
          since: stockOutSince(out.since, view),
        }),
      );
  }
  return lines.join("\n");
}

function footer(view: View): string[] {
  const lines: string[] = [];
  if (isChequeDay(view.catalog, view.now)) lines.push(view.t("directory.chequeDay"));
  if (view.catalog.directory.info.isExample) lines.push(view.t("common.example"));
  return lines;
}

// Telegram refuses messages over 4,096 characters; keep a margin for what follows a cut.
const MAX_MESSAGE = 4000;

/**
 * Joins blocks with a blank line. Blocks are whole pieces of HTML, so a message that would be too long
 * is cut between blocks (never inside a tag) and ends with "…".
 */
export function joinBlocks(blocks: (string | undefined)[]): string {
  let text = "";
  for (const block of blocks) {
    if (block === undefined || block === "") continue;
    const next = text ? `${text}\n\n${block}` : block;
    if (next.length > MAX_MESSAGE)
      return text ? `${text}\n\n…` : `${block.slice(0, MAX_MESSAGE).replace(/<[^>]*$/, "")}…`;
    text = next;
  }
  return text;
}

export function materialResults(material: Material, entries: SiteWithStatus[], view: View): string {
  const name = materialLabel(material, view.locale);
  if (entries.length === 0)
    return joinBlocks([view.t("directory.supplies.none", { material: name }), ...footer(view)]);
  return joinBlocks([
    view.t("directory.supplies.title", { material: name }),
    ...entries.map((e) => siteEntry(e, view, material)),
    ...footer(view),
  ]);
}

/**
 * What is open now. When only a few sites are (at night), the next openings follow, so the answer
 * always says where to go next; when none are, the lines that answer at any hour come too.
 */
export function openNowText(open: SiteWithStatus[], upcoming: SiteWithStatus[], view: View): string {
  const time = formatInstantTime(view.now, view.catalog.directory.info.timezone, view.locale);
  const nextOpenings =
    upcoming.length > 0
      ? [view.t("directory.open.upcoming"), ...upcoming.map((e) => siteEntry(e, view))].join("\n\n")
      : undefined;
  if (open.length > 0)
    return joinBlocks([
      view.t("directory.open.title", { time }),
      ...open.map((e) => siteEntry(e, view)),
      nextOpenings,
      view.t("directory.open.phone"),
      ...footer(view),
    ]);
  return joinBlocks([
    view.t("directory.open.none", { time }),
    nextOpenings ?? view.t("directory.open.nothingKnown"),
    crisisLinesBlock(view),
    ...footer(view),
  ]);
}

export function nearText(title: string, entries: NearbySite[], view: View): string {
  if (entries.length === 0) return joinBlocks([title, view.t("directory.near.none"), ...footer(view)]);
  return joinBlocks([title, ...entries.map((e) => siteEntry(e, view)), ...footer(view)]);
}

export function crisisLinesBlock(view: View): string | undefined {
  const lines = crisisLines(view.catalog);
  if (lines.length === 0) return undefined;
  return [
    view.t("emergency.lines"),
    ...lines.map((site) =>
      view.t("emergency.line", { name: siteName(site, view.locale), phone: site.phone ?? "" }),
    ),
  ].join("\n");
}

export function emergencyText(view: View): string {
  return joinBlocks([
    view.t("emergency.card", { number: view.catalog.directory.info.emergencyNumber }),
    crisisLinesBlock(view),
  ]);
}

function dayHoursText(day: DayHours, view: View): string {
  if (day.allDay) return view.t("directory.card.allDay");
  if (day.intervals.length === 0) return view.t("directory.card.closed");
  return day.intervals.map((i) => formatInterval(i, view.locale, view.t)).join(", ");
}

function languageNames(codes: string[], locale: Locale): string {
  const names = cachedIntl(
    `languages:${locale}`,
    () => new Intl.DisplayNames([intlLocale(locale)], { type: "language" }),
  );
  return codes
    .map((code) => formattedOnce(`language|${locale}|${code}`, () => names.of(code) ?? code))
    .join(", ");
}

/**
 * The full card: everything a person needs before walking there. Without a status it is a card meant to
 * be shared (inline mode): it never says "open now", which goes stale in someone else's chat, and says
 * instead when its information was read.
 */
/** The next seven days as a card shows them, one line each (also the site editor's preview). */
export function weekLines(schedule: Schedule, view: View): string[] {
  return weekHours(schedule, view.now).map(
    (day) =>
      `${escapeHtml(formatDay(day.day, view.locale))}${view.locale === "fr" ? " : " : ": "}${dayHoursText(day, view)}`,
  );
}

export function siteCard(site: Site, status: Status | undefined, view: View): string {
  const { t, locale, catalog } = view;
  const zone = catalog.directory.info.timezone;
  const organisation = catalog.directory.organisations.find((o) => o.id === site.organisationId);
  const schedule = catalog.schedules.get(site.id);
  const today = wallDate(view.now, zone);

  const head = [
    `<b>${escapeHtml(siteName(site, locale))}</b>`,
    `<i>${escapeHtml([t(`directory.types.${site.type}`), organisation?.name[locale]].filter(Boolean).join(" · "))}</i>`,
    site.address
      ? `📍 ${escapeHtml([site.address, site.neighbourhood].filter(Boolean).join(", "))}`
      : undefined,
    status ? statusLine(status, view) : undefined,
  ]
    .filter(Boolean)
    .join("\n");

  const week = schedule
    ? [t("directory.card.hoursTitle"), ...weekLines(schedule, view)].join("\n")
    : undefined;

  // A worker's closure or hours for a day replace the file's for that day.
  const workerDays = site.workerDays ?? [];
  const upcomingSpecial: SpecialDate[] = [
    ...site.specialDates.filter((d) => !workerDays.some((w) => w.day === d.day)),
    ...workerDays.map((w) => ({ day: w.day, hours: w.hours })),
  ]
    .filter((d) => d.day >= today && d.day <= addDays(today, 60))
    .sort((a, b) => a.day.localeCompare(b.day));
  const special =
    upcomingSpecial.length > 0
      ? [
          t("directory.card.special"),
          ...upcomingSpecial.map((d) => {
            const date = formatDay(d.day, locale);
            const line =
              d.hours === "off"
                ? t("directory.card.specialClosed", { date })
                : t("directory.card.specialHours", { date, hours: formatTimeRanges(d.hours, locale, t) });
            return d.note ? `${line} — ${escapeHtml(d.note[locale])}` : line;
          }),
        ].join("\n")
      : undefined;

  const stops =
    site.stops.length > 0
      ? [
          t("directory.card.stops"),
          ...site.stops.map(
            (s) => `• ${escapeHtml(s.name[locale])}${s.when ? ` — ${escapeHtml(s.when[locale])}` : ""}`,
          ),
        ].join("\n")
      : undefined;

  const materialList = site.materials
    .map((id) => catalog.materialsById.get(id))
    .filter((m): m is Material => m !== undefined)
    .map((m) => {
      const out = site.stockOuts.find((s) => s.materialId === m.id);
      const label = materialLabel(m, locale);
      return out
        ? t("directory.card.stockOut", { material: label, since: stockOutSince(out.since, view) })
        : escapeHtml(label);
    });

  const details = [
    site.chequeDayHours
      ? t("directory.card.chequeDay", { hours: formatTimeRanges(site.chequeDayHours, locale, t) })
      : undefined,
    materialList.length > 0
      ? t("directory.card.materials", withHtml({ list: materialList.join(", ") }))
      : undefined,
    site.services.length > 0
      ? t("directory.card.services", { list: site.services.map((s) => s[locale]).join(", ") })
      : undefined,
    site.phone ? t("directory.card.phone", { phone: site.phone }) : undefined,
    site.languages.length > 0
      ? t("directory.card.languages", { list: languageNames(site.languages, locale) })
      : undefined,
    site.note ? `📝 ${escapeHtml(site.note[locale])}` : undefined,
    workerNoteLine(site, view),
    verifiedLine(site, view),
  ]
    .filter(Boolean)
    .join("\n");

  const asOf = status
    ? undefined
    : t("directory.card.asOf", {
        date: formatDay(today, locale, false),
        time: formatInstantTime(view.now, zone, locale),
      });
  return joinBlocks([
    head,
    week,
    special,
    stops,
    details,
    asOf,
    ...(catalog.directory.info.isExample ? [t("common.example")] : []),
  ]);
}

/** The team's street note with when it was posted: "📌 L'équipe, 14 h 10 : …", until it expires. */
export function workerNoteLine(site: Site, view: View): string | undefined {
  const note = site.workerNote;
  if (!note || note.expiresAt <= view.now) return undefined;
  return view.t(
    "tools.card.note",
    withHtml({ since: stockOutSince(note.postedAt, view), text: escapeHtml(note.text[view.locale]) }),
  );
}

/** What a screen is drawn for: the reader's language, the moment, and the directory. */
export function viewOf(ctx: { t: Translate; locale: Locale; deps: { now(): Date } }, catalog: Catalog): View {
  return { t: ctx.t, locale: ctx.locale, now: ctx.deps.now(), catalog };
}

/** When the site's information was last checked; past the file's stale_after_days, its age and "call first". */
function verifiedLine(site: Site, view: View): string {
  const { timezone, staleAfterDays } = view.catalog.directory.info;
  const today = wallDate(view.now, timezone);
  if (!isStale(site.verifiedOn, today, staleAfterDays))
    return view.t("directory.card.verified", { date: formatDay(site.verifiedOn, view.locale, false) });
  return view.t(site.phone ? "directory.card.staleCall" : "directory.card.stale", {
    count: daysSinceVerified(site.verifiedOn, today),
  });
}
