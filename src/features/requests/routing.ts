/**
 * Which organisations receive a request, and in what order it reaches further. Pure.
 *
 * The request is for the organisations serving its area (or, to meet at a site, that site's
 * organisation; for a peer's request, the peer's). Those with someone on call get it now. With nobody
 * on call among them, it goes to every other organisation's workers on call, unless one of them keeps
 * its requests. With nobody on call anywhere, it waits for whichever of those organisations has the
 * next shift, and that is the time the person is told. Ties never go by the order of ids: they go to
 * every tied organisation, and the one the request is filed under until someone claims it is drawn
 * from the request's own id.
 */

export type OrganisationRule = {
  id: string;
  /** The places whose requests it answers first (see directory/serves.ts). */
  serves: ReadonlySet<string>;
  /** Its area's requests never go to other organisations. */
  keepsRequests: boolean;
};

/** An organisation with at least one reachable worker or coordinator. */
export type TeamNow = { organisationId: string; onCall: number; nextShift: Date | undefined };

export type RequestToRoute = {
  /** Drawn from to break ties: the same request always gets the same answer. */
  requestId: string;
  areaPlaceId: string | null;
  /** A site's organisation (meeting there) or a peer's own: the request stays with it when it has a team. */
  preferredOrganisationId?: string | undefined;
};

export type Route = {
  /** The organisations the request is for, nearest first: where it goes, then where it overflows. */
  tiers: string[][];
  /** The organisations whose workers on call get it now (none when nobody is on call among them). */
  onCall: string[];
  /** Every organisation that would receive it: those on call now, or else those it waits for. */
  receivers: string[];
  /** The organisation it is filed under until a claim: one of the receivers. */
  owner: string | undefined;
  /** When nobody is on call among the receivers: the next shift among them, if any is set. */
  nextShift: Date | undefined;
};

/** The organisations a request is for, nearest first (see the module comment). */
export function tiersFor(
  request: RequestToRoute,
  organisations: readonly OrganisationRule[],
  teams: readonly TeamNow[],
): string[][] {
  const withTeam = new Set(teams.map((t) => t.organisationId));
  if (request.preferredOrganisationId && withTeam.has(request.preferredOrganisationId))
    return [[request.preferredOrganisationId]];
  const everyone = [...withTeam];
  const area = request.areaPlaceId;
  if (area === null) return everyone.length > 0 ? [everyone] : [];
  const serving = organisations.filter((o) => withTeam.has(o.id) && o.serves.has(area));
  // An area nobody with a team serves is every organisation's, as if no area were given.
  if (serving.length === 0) return everyone.length > 0 ? [everyone] : [];
  const servingIds = serving.map((o) => o.id);
  const others = everyone.filter((id) => !servingIds.includes(id));
  if (others.length === 0 || serving.some((o) => o.keepsRequests)) return [servingIds];
  return [servingIds, others];
}

/** Where a request goes now: its first tier with someone on call, else it waits (see module comment). */
export function routeRequest(
  request: RequestToRoute,
  organisations: readonly OrganisationRule[],
  teams: readonly TeamNow[],
): Route {
  const tiers = tiersFor(request, organisations, teams);
  const team = new Map(teams.map((t) => [t.organisationId, t]));
  const onCallIn = (tier: string[]) => tier.filter((id) => (team.get(id)?.onCall ?? 0) > 0);
  const tier = tiers.find((t) => onCallIn(t).length > 0);
  if (tier) {
    const onCall = onCallIn(tier);
    const most = Math.max(...onCall.map((id) => team.get(id)?.onCall ?? 0));
    const busiest = onCall.filter((id) => team.get(id)?.onCall === most);
    return {
      tiers,
      onCall,
      receivers: onCall,
      owner: drawFor(request.requestId, busiest),
      nextShift: undefined,
    };
  }
  const receivers = tiers.flat();
  const starts = receivers.flatMap((id) => {
    const next = team.get(id)?.nextShift;
    return next ? [{ id, at: next.getTime() }] : [];
  });
  const earliest = Math.min(...starts.map((s) => s.at));
  const first = starts.filter((s) => s.at === earliest).map((s) => s.id);
  return {
    tiers,
    onCall: [],
    receivers,
    // Filed under the organisation whose shift comes first, so that shift brings it to them.
    owner: drawFor(request.requestId, first.length > 0 ? first : receivers),
    nextShift: starts.length > 0 ? new Date(earliest) : undefined,
  };
}

/**
 * One of these organisations, drawn from the request's id (FNV-1a of id and organisation): stable for
 * a request, spread across requests, and blind to how the ids sort.
 */
function drawFor(requestId: string, organisationIds: string[]): string | undefined {
  let best: { id: string; score: number } | undefined;
  for (const id of organisationIds) {
    const score = fnv1a(`${requestId}\u0000${id}`);
    if (!best || score > best.score || (score === best.score && id > best.id)) best = { id, score };
  }
  return best?.id;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
