import type { Directory, Place, Site } from "./model";

/**
 * Which places each organisation serves. Pure. The file's `serves` list when it has one; otherwise the
 * places named like its sites' neighbourhoods (a site in "Centre-Sud" makes it serve the place
 * centre-sud), so a file written before `serves` existed still routes by area.
 */
export function servedPlaces(directory: Pick<Directory, "organisations" | "sites" | "places">) {
  const placeByName = neighbourhoodsByName(directory);
  const served = new Map<string, ReadonlySet<string>>();
  for (const organisation of directory.organisations) {
    if (organisation.serves) {
      served.set(organisation.id, new Set(organisation.serves));
      continue;
    }
    const places = new Set<string>();
    for (const site of directory.sites) {
      if (site.organisationId !== organisation.id || !site.neighbourhood) continue;
      const placeId = placeByName.get(fold(site.neighbourhood));
      if (placeId) places.add(placeId);
    }
    served.set(organisation.id, places);
  }
  return served;
}

/** "Côte-des-Neiges", "cote des neiges" and "cote-des-neiges" are one name. */
function fold(name: string): string {
  return name
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** Neighbourhoods by folded id and name (a métro station can share a neighbourhood's name), ids first. */
function neighbourhoodsByName(directory: Pick<Directory, "places">): Map<string, string> {
  const neighbourhoods = directory.places.filter((p) => p.kind === "neighbourhood");
  const placeByName = new Map<string, string>();
  for (const names of [(p: Place) => [p.id], (p: Place) => [p.name.fr, p.name.en]])
    for (const place of neighbourhoods)
      for (const name of names(place))
        if (!placeByName.has(fold(name))) placeByName.set(fold(name), place.id);
  return placeByName;
}

/** The neighbourhood a site is in, as a place id: what its closure's alert is for (none: all of Montreal). */
export function placeOfSite(directory: Pick<Directory, "places">, site: Pick<Site, "neighbourhood">) {
  return site.neighbourhood ? neighbourhoodsByName(directory).get(fold(site.neighbourhood)) : undefined;
}
