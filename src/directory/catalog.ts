import { wallDate } from "./clock";
import type { Point } from "./distance";
import { buildSchedule, isOpen, type Schedule, type Status, statusAt, type WeeklyHours } from "./hours";
import type { Directory, Material, Place, Site } from "./model";
import { buildPointGrid, nearestInGrid, type PointGrid } from "./point-grid";
import { smallestByKey } from "./smallest";
import { type Entry, scoreTokens, tokens, toPhrases } from "./text-match";

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
  materialIndex: Entry<Material>[];
  placeIndex: Entry<Place>[];
  siteIndex: Entry<Site>[];
  /** The sites handing out each material, in the directory's order. */
  sitesByMaterial: Map<string, Site[]>;
  /** Where the sites are, for "near me". */
  siteGrid: PointGrid<Site>;
};

export function buildCatalog(directory: Directory): Catalog {
  const region = {
    countryCode: directory.info.countryCode,
    region: directory.info.region,
    lat: directory.places[0]?.lat ?? 45.5,
    lon: directory.places[0]?.lon ?? -73.57,
  };
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
  return {
    directory,
    schedules,
    sitesById: new Map(directory.sites.map((s) => [s.id, s])),
    materialsById: new Map(directory.materials.map((m) => [m.id, m])),
    placesById: new Map(directory.places.map((p) => [p.id, p])),
    materialIndex: directory.materials.map((m) => ({
      value: m,
      phrases: toPhrases([m.id.replace(/-/g, " "), m.label.fr, m.label.en, ...m.words]),
    })),
    placeIndex: directory.places.map((p) => ({ value: p, phrases: toPhrases([p.name.fr, p.name.en]) })),
    siteIndex: directory.sites.map((s) => ({
      value: s,
      phrases: toPhrases([
        s.name.fr,
        s.name.en,
        withoutParentheses(s.name.fr),
        withoutParentheses(s.name.en),
      ]),
    })),
    sitesByMaterial,
    siteGrid: buildPointGrid(directory.sites, sitePoints),
  };
}

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
  const typed = tokens(text);
  const materials = scoreTokens(catalog.materialIndex, typed);
  const place = scoreTokens(catalog.placeIndex, typed)[0];
  const site = scoreTokens(catalog.siteIndex, typed)[0];
  const best = Math.max(materials[0]?.score ?? 0, place?.score ?? 0, site?.score ?? 0);
  if (best === 0) return { kind: "nothing" };
  if ((materials[0]?.score ?? 0) === best)
    return { kind: "materials", materials: materials.map((m) => m.value) };
  if (place && place.score === best) return { kind: "place", place: place.value };
  if (site) return { kind: "site", site: site.value };
  return { kind: "nothing" };
}

function withoutParentheses(name: string): string {
  return name.replace(/\([^)]*\)/g, " ").trim();
}
