import { wallDate } from "./clock";
import type { Point } from "./distance";
import { buildSchedule, isOpen, type Schedule, type Status, statusAt, type WeeklyHours } from "./hours";
import type { Region } from "./hours-syntax";
import type { Directory, Material, Place, Site } from "./model";
import { buildPointGrid, nearestInGrid, type PointGrid } from "./point-grid";
import { smallestByKey } from "./smallest";
import {
  buildLexicon,
  buildPhraseIndex,
  type Lexicon,
  type PhraseIndex,
  type ResolvedText,
  resolveWords,
  scoreResolved,
  tokens,
  toPhrases,
} from "./text-match";

/**
 * A directory ready to answer: hours parsed once, word indexes built once. Rebuilt only when the
 * directory's version changes. Every question takes `now` explicitly.
 */
export type Catalog = {
  directory: Directory;
  schedules: Map<string, Schedule>;
  sitesById: Map<string, Site>;
  materialsById: Map<string, Material>;
  placesById: Map<string, Place>;
  materialIndex: PhraseIndex<Material>;
  placeIndex: PhraseIndex<Place>;
  siteIndex: PhraseIndex<Site>;
  /** Part 7: what a substance's name calls for (crack → pipes and mouthpieces). */
  substanceIndex: PhraseIndex<Material[]>;
  /** Part 7: the directory's emergency, help, greeting and thank-you words. */
  wordIndex: PhraseIndex<WordMeaning>;
  /** Every index's words together, so a typed word's typos are looked up once for all of them. */
  lexicon: Lexicon;
  /** The sites handing out each material, in the directory's order. */
  sitesByMaterial: Map<string, Site[]>;
  /** Where the sites are, for "near me". */
  siteGrid: PointGrid<Site>;
};

/** The region whose public holidays `PH` means, as the directory says it. */
export function regionOf(directory: Directory): Region {
  return {
    countryCode: directory.info.countryCode,
    region: directory.info.region,
    lat: directory.places[0]?.lat ?? 45.5,
    lon: directory.places[0]?.lon ?? -73.57,
  };
}

export function buildCatalog(directory: Directory): Catalog {
  const region = regionOf(directory);
  const schedules = new Map<string, Schedule>();
  const parsed = new Map<string, WeeklyHours>();
  // Sites whose hours read the same share one schedule, and so its status cache: a screen listing
  // thousands of sites works out a few statuses, not thousands.
  const shared = new Map<string, Schedule>();
  for (const site of directory.sites) {
    const key = JSON.stringify([
      site.hours,
      site.chequeDayHours ?? "",
      site.specialDates.map((d) => [d.day, d.hours]),
      (site.workerDays ?? []).map((d) => [d.day, d.hours]),
    ]);
    let schedule = shared.get(key);
    if (!schedule) {
      schedule = buildSchedule(site, directory.chequeDays, region, directory.info.timezone, parsed);
      shared.set(key, schedule);
    }
    schedules.set(site.id, schedule);
  }
  const sitesByMaterial = new Map<string, Site[]>();
  for (const site of directory.sites)
    for (const id of new Set(site.materials)) {
      const list = sitesByMaterial.get(id) ?? [];
      list.push(site);
      sitesByMaterial.set(id, list);
    }
  const indexes = indexesOf(directory);
  return {
    directory,
    schedules,
    ...indexes,
    lexicon: buildLexicon(Object.values(indexes)),
    sitesById: new Map(directory.sites.map((s) => [s.id, s])),
    materialsById: new Map(directory.materials.map((m) => [m.id, m])),
    placesById: new Map(directory.places.map((p) => [p.id, p])),
    sitesByMaterial,
    siteGrid: buildPointGrid(directory.sites, sitePoints),
  };
}

function indexesOf(directory: Directory) {
  return {
    materialIndex: buildPhraseIndex(
      directory.materials.map((m) => ({
        value: m,
        phrases: toPhrases([m.id.replace(/-/g, " "), m.label.fr, m.label.en, ...m.words]),
      })),
    ),
    placeIndex: buildPhraseIndex(
      directory.places.map((p) => ({
        value: p,
        phrases: toPhrases([
          p.name.fr,
          p.name.en,
          withoutParentheses(p.name.fr),
          withoutParentheses(p.name.en),
          ...directory.vocabulary.placeWords.filter((w) => w.place === p.id).flatMap((w) => w.words),
        ]),
      })),
    ),
    siteIndex: buildPhraseIndex(
      directory.sites.map((s) => ({
        value: s,
        phrases: toPhrases([
          s.name.fr,
          s.name.en,
          withoutParentheses(s.name.fr),
          withoutParentheses(s.name.en),
          ...withoutArticle(withoutParentheses(s.name.fr)),
          ...withoutArticle(withoutParentheses(s.name.en)),
          // A line people know by its short number ("811", "211") is found by typing the number alone.
          ...shortNumberOf(s.phone),
        ]),
      })),
    ),
    substanceIndex: buildPhraseIndex(
      directory.vocabulary.substances.map((substance) => ({
        value: substance.materials.flatMap((id) => directory.materials.filter((m) => m.id === id)),
        phrases: toPhrases(substance.words),
      })),
    ),
    wordIndex: buildPhraseIndex(
      WORD_MEANINGS.map((meaning) => ({
        value: meaning,
        phrases: toPhrases(directory.vocabulary[meaning]),
      })),
    ),
  };
}

export type WordMeaning = "emergency" | "help" | "greetings" | "thanks";
const WORD_MEANINGS: WordMeaning[] = ["emergency", "help", "greetings", "thanks"];

export type SiteWithStatus = { site: Site; status: Status };

/** A site's status at `now` (kept on its schedule while it holds: see statusAt). */
export function siteStatus(catalog: Catalog, site: Site, now: Date): Status {
  const schedule = catalog.schedules.get(site.id);
  return schedule ? statusAt(schedule, now) : { kind: "closed-for-now" };
}

/** Open first (closing latest first), then by next opening, then sites with no opening known. */
export function byOpenness(a: SiteWithStatus, b: SiteWithStatus): number {
  return rank(a.status) - rank(b.status);
}

function rank(status: Status): number {
  switch (status.kind) {
    case "always-open":
      return -2e15;
    case "open":
      return -status.until.getTime();
    case "closed":
      return status.opensAt.getTime();
    case "closed-for-now":
      return 9e15;
  }
}

export function withStatus(catalog: Catalog, sites: readonly Site[], now: Date): SiteWithStatus[] {
  return sites.map((site) => ({ site, status: siteStatus(catalog, site, now) }));
}

/**
 * The first `n` entries in byOpenness order, equal ones in the order given: the same as sorting them all
 * with byOpenness and keeping `n`, which a screen showing six of thousands need not pay for.
 */
export function firstByOpenness(entries: readonly SiteWithStatus[], n: number): SiteWithStatus[] {
  return smallestByKey(entries, n, (entry) => rank(entry.status));
}

/** The sites handing out a material, in the directory's order. */
export function sitesCarrying(catalog: Catalog, materialId: string): Site[] {
  return catalog.sitesByMaterial.get(materialId) ?? [];
}

/** Every site handing out a material, sorted by openness. */
export function sitesWithMaterial(catalog: Catalog, materialId: string, now: Date): SiteWithStatus[] {
  const entries = withStatus(catalog, sitesCarrying(catalog, materialId), now);
  return firstByOpenness(entries, entries.length);
}

/**
 * Places people can walk or call to now, and those that open later within the week, in the directory's
 * order (pick a page with firstByOpenness); crisis lines are kept apart (they have their own card).
 */
export function openAndUpcoming(
  catalog: Catalog,
  now: Date,
): { open: SiteWithStatus[]; upcoming: SiteWithStatus[] } {
  const open: SiteWithStatus[] = [];
  const upcoming: SiteWithStatus[] = [];
  for (const site of catalog.directory.sites) {
    if (site.isCrisisLine) continue;
    const status = siteStatus(catalog, site, now);
    if (isOpen(status)) open.push({ site, status });
    else if (status.kind === "closed") upcoming.push({ site, status });
  }
  return { open, upcoming };
}

export function crisisLines(catalog: Catalog): Site[] {
  return catalog.directory.sites.filter((site) => site.isCrisisLine);
}

export function sitePoints(site: Site): Point[] {
  if (site.location) return [site.location];
  return site.stops.map((stop) => ({ lat: stop.lat, lon: stop.lon }));
}

export type NearbySite = SiteWithStatus & { metres: number };

export function nearestSites(catalog: Catalog, origin: Point, now: Date, k: number): NearbySite[] {
  return nearestInGrid(catalog.siteGrid, origin, k).map(({ item, metres }) => ({
    site: item,
    metres,
    status: siteStatus(catalog, item, now),
  }));
}

export function isChequeDay(catalog: Catalog, now: Date): boolean {
  return catalog.directory.chequeDays.includes(wallDate(now, catalog.directory.info.timezone));
}

export type TextMeaning =
  | { kind: "materials"; materials: Material[] }
  | { kind: "place"; place: Place }
  | { kind: "site"; site: Site }
  | { kind: "nothing" };

/**
 * What a typed text asks for: a material, a neighbourhood or métro, or a site's name. The longest
 * matching phrase wins ("Pointe-Saint-Charles" is a place, though "pointe" is a word for a syringe);
 * on a tie, materials come first, then places, then sites.
 */
export function interpretText(catalog: Catalog, text: string): TextMeaning {
  return interpretResolved(catalog, resolveText(catalog, text));
}

/** A text cut into words, each matched once against every word the catalog knows. */
export function resolveText(catalog: Catalog, text: string): ResolvedText {
  return resolveWords(catalog.lexicon, tokens(text));
}

/**
 * interpretText for a text already resolved. A substance's name ("crack") stands for the materials it calls
 * for, after any material named outright as well; a longer phrase still wins ("pipe à crack" is pipes).
 */
export function interpretResolved(catalog: Catalog, typed: ResolvedText): TextMeaning {
  const named = scoreResolved(catalog.materialIndex, typed);
  const substance = scoreResolved(catalog.substanceIndex, typed)[0];
  const place = scoreResolved(catalog.placeIndex, typed)[0];
  const site = scoreResolved(catalog.siteIndex, typed)[0];
  const materialScore = Math.max(named[0]?.score ?? 0, substance?.score ?? 0);
  const best = Math.max(materialScore, place?.score ?? 0, site?.score ?? 0);
  if (best === 0) return { kind: "nothing" };
  if (materialScore === best) {
    // Only the best matches: "kit naloxone" is naloxone, not also the syringes a lone "kit" means.
    const materials = named.filter((m) => m.score === best).map((m) => m.value);
    if (substance?.score === best)
      for (const m of substance.value) if (!materials.includes(m)) materials.push(m);
    return { kind: "materials", materials };
  }
  if (place && place.score === best) return { kind: "place", place: place.value };
  if (site) return { kind: "site", site: site.value };
  return { kind: "nothing" };
}

/** A public short number (2–4 digits, "811"), never a full phone number: typing a number is not a lookup. */
function shortNumberOf(phone: string | undefined): string[] {
  const digits = phone?.replace(/\D/g, "") ?? "";
  return digits.length >= 2 && digits.length <= 4 && digits === phone?.trim() ? [digits] : [];
}

function withoutParentheses(name: string): string {
  return name.replace(/\([^)]*\)/g, " ").trim();
}

/**
 * A name without the article it starts with ("Le Local de jour" → "Local de jour", "The Day Place" →
 * "Day Place"): people type a site's name as they say it, and rarely with its article. A name that is
 * only an article and one short word keeps it, so "Le Bus" is not found by typing "bus".
 */
function withoutArticle(name: string): string[] {
  const rest = /^(?:le|la|les|l['’]|the)\s*(.+)$/i.exec(name.trim())?.[1]?.trim();
  return rest && rest.length >= 6 ? [rest] : [];
}
