/**
 * Which organisation receives a request. Pure. A request to meet at a site goes to that site's
 * organisation when it has a team; otherwise to the team with the most people on call now (so it is
 * answered soonest), then to any team, alphabetically for a stable choice.
 */
export function pickOrganisation(
  preferred: string | undefined,
  teams: { organisationId: string; onCall: number }[],
): string | undefined {
  if (preferred && teams.some((t) => t.organisationId === preferred)) return preferred;
  return [...teams].sort((a, b) => b.onCall - a.onCall || a.organisationId.localeCompare(b.organisationId))[0]
    ?.organisationId;
}
