import type { Catalog } from "../../directory/catalog";
import type { Directory } from "../../directory/model";
import { servedPlaces } from "../../directory/serves";
import { isOnCall, type Member } from "../members/queries";
import { nextShiftStart } from "../members/shifts";
import type { Request } from "./queries";
import { type OrganisationRule, type Route, routeRequest, type TeamNow } from "./routing";

/** What the routing rule (routing.ts) needs to know, read from the directory and the team. */

const rulesOf = new WeakMap<object, OrganisationRule[]>();

/** Each organisation's served places and whether it keeps its requests; worked out once per directory. */
export function organisationRules(directory: Directory | undefined): OrganisationRule[] {
  if (!directory) return [];
  const known = rulesOf.get(directory);
  if (known) return known;
  const served = servedPlaces(directory);
  const rules = directory.organisations.map((o) => ({
    id: o.id,
    serves: served.get(o.id) ?? new Set<string>(),
    keepsRequests: o.keepsRequests,
  }));
  rulesOf.set(directory, rules);
  return rules;
}

/** Every organisation with reachable workers: how many are on call now, and when its next shift starts. */
export function teamsNow(team: readonly Member[], now: Date, zone: string | undefined): TeamNow[] {
  const byOrganisation = new Map<string, Member[]>();
  for (const m of team)
    byOrganisation.set(m.organisationId, [...(byOrganisation.get(m.organisationId) ?? []), m]);
  return [...byOrganisation].map(([organisationId, members]) => ({
    organisationId,
    onCall: members.filter((m) => isOnCall(m, now)).length,
    nextShift: nextShiftStart(
      members.flatMap((m) => (m.shiftHours ? [m.shiftHours] : [])),
      now,
      zone,
    ),
  }));
}

/** Where a request already made goes now, by the same rule as when it was sent. */
export function routeNow(
  request: Request,
  catalog: Catalog | undefined,
  team: readonly Member[],
  now: Date,
): Route {
  return routeRequest(
    {
      requestId: request.id,
      areaPlaceId: request.areaPlaceId,
      preferredOrganisationId: keptBy(request, catalog),
    },
    organisationRules(catalog?.directory),
    teamsNow(team, now, catalog?.directory.info.timezone),
  );
}

/**
 * The organisation a request stays with whatever its area: a referred one went there with the person's
 * consent, a peer's stays with the peer's organisation, one to meet at a site with that site's.
 */
function keptBy(request: Request, catalog: Catalog | undefined): string | undefined {
  if (request.outcome === "referred" || request.relayedByMemberId !== null) return request.organisationId;
  return request.meetSiteId ? catalog?.sitesById.get(request.meetSiteId)?.organisationId : undefined;
}
