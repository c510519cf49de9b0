import { performance } from "node:perf_hooks";
import { PAGE_SIZE } from "../src/bot/keyboards";
import {
  buildCatalog,
  type Catalog,
  firstByOpenness,
  nearestSites,
  sitesCarrying,
  withStatus,
} from "../src/directory/catalog";
import { fromDirectoryFile } from "../src/directory/file-model";
import type { DirectoryFile } from "../src/directory/file-schema";
import { fixtureDirectory, WEDNESDAY_2PM } from "../test/support/directory-fixture";
import { round, seededRandom, summarise } from "./stats";

/**
 * Section 3: a directory of `sites` generated sites over the island of Montreal, each with hours of its
 * own (parsed once per distinct text, as buildCatalog does), then the nearest five to random points and
 * the first page of the sites with a given material (what the screen computes: every such site's status,
 * the six most open in order, and how many there are), timed one call at a time.
 */
export type DirectoryScaleResult = {
  sites: number;
  buildCatalogMs: number;
  nearestSites: { p50: number; p99: number; max: number };
  sitesWithMaterial: { p50: number; p99: number; max: number };
  queries: number;
};

const HOURS = [
  "Mo-Fr 09:00-17:00",
  "Mo-Su 20:00-03:00",
  "Mo-Sa 10:00-18:00; PH off",
  "24/7",
  "Tu,Th 13:00-21:00",
];

export function generatedDirectory(sites: number): DirectoryFile {
  const random = seededRandom(514);
  const base = fixtureDirectory();
  const template = base.sites[0] as DirectoryFile["sites"][number];
  const materials = base.materials.map((m) => m.id);
  return {
    ...base,
    sites: Array.from({ length: sites }, (_, i) => ({
      ...template,
      id: `site-${i}`,
      name: { fr: `Site ${i}`, en: `Site ${i}` },
      location: { lat: 45.41 + random() * 0.29, lon: -73.97 + random() * 0.48 },
      hours: HOURS[i % HOURS.length] as string,
      materials: materials.filter(() => random() < 0.5),
      special_dates: [],
    })),
  };
}

export function runDirectoryScale(sites: number, queries: number): DirectoryScaleResult {
  const file = generatedDirectory(sites);
  const t0 = performance.now();
  const catalog = buildCatalog(fromDirectoryFile(file));
  const buildCatalogMs = performance.now() - t0;
  const random = seededRandom(4242);
  const materialIds = catalog.directory.materials.map((m) => m.id);
  const time = (call: () => unknown) => {
    const start = performance.now();
    call();
    return performance.now() - start;
  };
  // Warm-up, so the JIT is measured at its steady state.
  for (let i = 0; i < 200; i++) {
    nearestSites(catalog, { lat: 45.5, lon: -73.6 }, WEDNESDAY_2PM, 5);
    materialPage(catalog, materialIds[i % materialIds.length] as string, WEDNESDAY_2PM);
  }
  const nearest: number[] = [];
  const material: number[] = [];
  for (let i = 0; i < queries; i++) {
    const origin = { lat: 45.41 + random() * 0.29, lon: -73.97 + random() * 0.48 };
    const now = new Date(WEDNESDAY_2PM.getTime() + Math.floor(random() * 7 * 24) * 3_600_000);
    nearest.push(time(() => nearestSites(catalog, origin, now, 5)));
    material.push(time(() => materialPage(catalog, materialIds[i % materialIds.length] as string, now)));
  }
  const brief = (values: number[]) => {
    const s = summarise(values);
    return { p50: round(s.p50, 3), p99: round(s.p99, 3), max: round(s.max, 3) };
  };
  return {
    sites,
    buildCatalogMs: round(buildCatalogMs, 0),
    nearestSites: brief(nearest),
    sitesWithMaterial: brief(material),
    queries,
  };
}

/** As the material screen does it (src/features/directory/screens.ts): the first page, and the count. */
function materialPage(catalog: Catalog, materialId: string, now: Date) {
  const sites = sitesCarrying(catalog, materialId);
  return { page: firstByOpenness(withStatus(catalog, sites, now), PAGE_SIZE), total: sites.length };
}
