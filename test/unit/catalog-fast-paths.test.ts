import { describe, expect, it } from "vitest";
import { seededRandom } from "../../bench/stats";
import {
  buildCatalog,
  byOpenness,
  firstByOpenness,
  nearestSites,
  openAndUpcoming,
  type SiteWithStatus,
  sitePoints,
  sitesCarrying,
  sitesWithMaterial,
  withStatus,
} from "../../src/directory/catalog";
import {
  distanceMetres,
  haversineTerm,
  metresOfTerm,
  nearest,
  type Point,
} from "../../src/directory/distance";
import { fromDirectoryFile } from "../../src/directory/file-model";
import { buildSchedule, isOpen, statusAt } from "../../src/directory/hours";
import { MONTREAL_REGION } from "../../src/directory/hours-syntax";
import type { Directory, Site } from "../../src/directory/model";
import { smallestByKey } from "../../src/directory/smallest";
import { fixtureDirectory, WEDNESDAY_2PM } from "../support/directory-fixture";

/**
 * The catalog answers "near me" through a grid, and lists by openness without sorting every site, with
 * statuses kept between edges. Each answer must be the one the plain computation gives: every site
 * measured and sorted, every status worked out afresh.
 */
const HOURS = [
  "Mo-Fr 09:00-17:00; PH off",
  "Mo-Su 20:00-03:00",
  "24/7",
  "Tu,Th 13:00-21:00",
  "off",
  "Sa 10:00-14:00",
];

function generatedDirectory(count: number, seed: number): Directory {
  const random = seededRandom(seed);
  const base = fromDirectoryFile(fixtureDirectory());
  const fixed = base.sites.find((s) => s.id === "day-site") as Site;
  const van = base.sites.find((s) => s.id === "van") as Site;
  const materials = base.materials.map((m) => m.id);
  // On a coarse lattice, many sites stand at the very same spot: ties on distance and on status.
  const spot = () => ({
    lat: 45.41 + Math.round(random() * 40) * 0.0075,
    lon: -73.97 + Math.round(random() * 40) * 0.012,
  });
  const sites = Array.from({ length: count }, (_, i): Site => {
    const kind = random();
    const common = {
      id: `site-${i}`,
      name: { fr: `Site ${i}`, en: `Site ${i}` },
      hours: HOURS[Math.floor(random() * HOURS.length)] as string,
      materials: materials.filter(() => random() < 0.5),
      specialDates: random() < 0.1 ? [{ day: "2026-11-19", hours: "off" }] : [],
      isCrisisLine: random() < 0.03,
    };
    if (kind < 0.1)
      return { ...van, ...common, stops: [spot(), spot(), spot()].map((p) => ({ ...p, name: van.name })) };
    if (kind < 0.15) return { ...fixed, ...common, location: undefined, stops: [] };
    return { ...fixed, ...common, location: spot() };
  });
  return { ...base, sites };
}

/** Every site measured, nearest first, equal distances in the directory's order. */
function bruteNearest(sites: Site[], origin: Point, k: number) {
  const term = haversineTerm(origin);
  return sites
    .map((site, index) => ({ site, index, h: Math.min(...sitePoints(site).map(term)) }))
    .filter((s) => Number.isFinite(s.h))
    .sort((a, b) => a.h - b.h || a.index - b.index)
    .slice(0, k)
    .map((s) => ({ site: s.site, metres: metresOfTerm(s.h) }));
}

/** Every status worked out on a schedule of its own, then a stable sort by openness. */
function bruteSorted(directory: Directory, sites: Site[], now: Date): SiteWithStatus[] {
  return sites
    .map((site) => ({
      site,
      status: statusAt(
        buildSchedule(site, directory.chequeDays, MONTREAL_REGION, directory.info.timezone),
        now,
      ),
    }))
    .sort(byOpenness);
}

const names = (entries: { site: Site }[]) => entries.map((e) => e.site.id);

describe("nearest sites through the grid", () => {
  const directory = generatedDirectory(3000, 11);
  const catalog = buildCatalog(directory);
  const random = seededRandom(12);
  const origins: Point[] = [
    ...Array.from({ length: 150 }, () => ({ lat: 45.4 + random() * 0.32, lon: -73.98 + random() * 0.5 })),
    // Standing exactly on a spot several sites share.
    ...directory.sites.slice(0, 40).flatMap((s) => sitePoints(s).slice(0, 1)),
    // Outside the island, and far away.
    { lat: 46.81, lon: -71.21 },
    { lat: 45.0, lon: -74.5 },
    { lat: -33.9, lon: 151.2 },
    { lat: 45.55, lon: 106.4 },
  ];

  it("gives the sites a full scan gives, in the same order, at the same distances", () => {
    for (const origin of origins)
      for (const k of [1, 5, 10]) {
        const found = nearestSites(catalog, origin, WEDNESDAY_2PM, k);
        const expected = bruteNearest(directory.sites, origin, k);
        expect({ origin, k, found: found.map((e) => [e.site.id, e.metres]) }).toEqual({
          origin,
          k,
          found: expected.map((e) => [e.site.id, e.metres]),
        });
        expect(names(found)).toEqual(nearest(directory.sites, origin, k, sitePoints).map((e) => e.item.id));
      }
  });

  it("measures what distanceMetres measures", () => {
    const origin = { lat: 45.5152, lon: -73.561 };
    for (const entry of nearestSites(catalog, origin, WEDNESDAY_2PM, 10)) {
      const closest = Math.min(...sitePoints(entry.site).map((p) => distanceMetres(origin, p)));
      expect(entry.metres).toBeCloseTo(closest, 6);
    }
  });

  it("answers a small directory and one with nowhere to point to", () => {
    const small = buildCatalog(fromDirectoryFile(fixtureDirectory()));
    expect(names(nearestSites(small, { lat: 45.5152, lon: -73.561 }, WEDNESDAY_2PM, 5))).toEqual([
      "night-site",
      "day-site",
      "van",
      "verdun-pharmacy",
    ]);
    const lines = buildCatalog({
      ...directory,
      sites: directory.sites.filter((s) => sitePoints(s).length === 0),
    });
    expect(nearestSites(lines, { lat: 45.5, lon: -73.6 }, WEDNESDAY_2PM, 5)).toEqual([]);
  });
});

describe("lists by openness without sorting every site", () => {
  const directory = generatedDirectory(400, 21);
  const catalog = buildCatalog(directory);
  // A weekday afternoon, late at night, a Saturday, the day of the special closure, the autumn change.
  const nows = [
    WEDNESDAY_2PM,
    new Date("2026-11-19T04:00:00Z"),
    new Date("2026-11-21T16:00:00Z"),
    new Date("2026-11-19T15:00:00Z"),
    new Date("2026-11-01T06:30:00Z"),
    WEDNESDAY_2PM,
  ];

  it("pages the sites with a material as the full sort does, ties in the directory's order", () => {
    for (const now of nows)
      for (const material of directory.materials) {
        const sites = sitesCarrying(catalog, material.id);
        const expected = bruteSorted(
          directory,
          directory.sites.filter((s) => s.materials.includes(material.id)),
          now,
        );
        expect(sites.length).toBe(expected.length);
        expect(sitesWithMaterial(catalog, material.id, now)).toEqual(expected);
        for (const from of [0, 6, 12, 96, expected.length - 3])
          expect(firstByOpenness(withStatus(catalog, sites, now), from + 6).slice(from)).toEqual(
            expected.slice(from, from + 6),
          );
      }
  });

  it("pages what is open now and what opens next as the full sort does", () => {
    for (const now of nows) {
      const sorted = bruteSorted(
        directory,
        directory.sites.filter((s) => !s.isCrisisLine),
        now,
      );
      const { open, upcoming } = openAndUpcoming(catalog, now);
      const expectedOpen = sorted.filter((e) => isOpen(e.status));
      const expectedUpcoming = sorted.filter((e) => e.status.kind === "closed");
      expect([open.length, upcoming.length]).toEqual([expectedOpen.length, expectedUpcoming.length]);
      for (const from of [0, 6, 60])
        expect(firstByOpenness(open, from + 6).slice(from)).toEqual(expectedOpen.slice(from, from + 6));
      expect(firstByOpenness(upcoming, 4)).toEqual(expectedUpcoming.slice(0, 4));
    }
  });

  it("keeps the n smallest keys as a stable sort would", () => {
    const random = seededRandom(31);
    for (const size of [0, 1, 5, 50, 500]) {
      const items = Array.from({ length: size }, (_, index) => ({ index, key: Math.floor(random() * 20) }));
      for (const n of [0, 1, 6, 40, size, size + 3])
        expect(smallestByKey(items, n, (i) => i.key)).toEqual(
          [...items].sort((a, b) => a.key - b.key).slice(0, Math.max(n, 0)),
        );
    }
  });
});
