import { wallDate } from "./clock";
import type { Point } from "./distance";
import { nearest } from "./distance";
import { buildSchedule, isOpen, type Schedule, type Status, statusAt } from "./hours";
import type { Directory, Material, Place, Site } from "./model";
import { type Entry, scoreMatches, toPhrases } from "./text-match";

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
};

export function buildCatalog(directory: Directory): Catalog {
  const region = {
    countryCode: directory.info.countryCode,
    region: directory.info.region,
    lat: directory.places[0]?.lat ?? 45.5,
    lon: directory.places[0]?.lon ?? -73.57,
  };
  const schedules = new Map<string, Schedule>();
  for (const site of directory.sites)
    schedules.set(site.id, buildSchedule(site, directory.chequeDays, region, directory.info.timezone));
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
  };
}

export type SiteWithStatus = { site: Site; status: Status };

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

export function sitesWithMaterial(catalog: Catalog, materialId: string, now: Date): SiteWithStatus[] {
  return catalog.directory.sites
    .filter((site) => site.materials.includes(materialId))
    .map((site) => ({ site, status: siteStatus(catalog, site, now) }))
    .sort(byOpenness);
}

/** Places people can walk or call to now; crisis lines are kept apart (they have their own card). */
export function openNow(catalog: Catalog, now: Date): { open: SiteWithStatus[]; upcoming: SiteWithStatus[] } {
  const all = catalog.directory.sites
    .filter((site) => !site.isCrisisLine)
    .map((site) => ({ site, status: siteStatus(catalog, site, now) }))
    .sort(byOpenness);
  return {
    open: all.filter((s) => isOpen(s.status)),
    upcoming: all.filter((s) => s.status.kind === "closed"),
  };
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
  return nearest(catalog.directory.sites, origin, k, sitePoints).map(({ item, metres }) => ({
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
  const materials = scoreMatches(catalog.materialIndex, text);
  const place = scoreMatches(catalog.placeIndex, text)[0];
  const site = scoreMatches(catalog.siteIndex, text)[0];
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
