import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type OrganisationRule,
  type RequestToRoute,
  routeRequest,
  type TeamNow,
  tiersFor,
} from "../../src/features/requests/routing";

const at = (iso: string) => new Date(iso);
const rule = (id: string, serves: string[], keepsRequests = false): OrganisationRule => ({
  id,
  serves: new Set(serves),
  keepsRequests,
});
const team = (organisationId: string, onCall: number, nextShift?: string): TeamNow => ({
  organisationId,
  onCall,
  nextShift: nextShift ? at(nextShift) : undefined,
});

// Three organisations: one for Centre-Sud, one for Hochelaga, one for Verdun that keeps its requests.
const organisations = [
  rule("sud", ["centre-sud"]),
  rule("hochelaga", ["hochelaga"]),
  rule("verdun", ["verdun"], true),
];

type Case = {
  name: string;
  request: Omit<RequestToRoute, "requestId">;
  teams: TeamNow[];
  onCall: string[];
  receivers: string[];
  owner?: string[];
  nextShift?: string;
  /** Another directory than the three organisations above. */
  rules?: OrganisationRule[];
};

const cases: Case[] = [
  {
    name: "a Centre-Sud request goes to the organisation serving Centre-Sud, though others have more on call",
    request: { areaPlaceId: "centre-sud" },
    teams: [team("sud", 1), team("hochelaga", 3), team("verdun", 2)],
    onCall: ["sud"],
    receivers: ["sud"],
    owner: ["sud"],
  },
  {
    name: "with nobody on call at the serving organisation, it goes to every other one's workers on call",
    request: { areaPlaceId: "centre-sud" },
    teams: [team("sud", 0, "2026-11-19T13:00:00Z"), team("hochelaga", 1), team("verdun", 2)],
    onCall: ["hochelaga", "verdun"],
    receivers: ["hochelaga", "verdun"],
    owner: ["verdun"],
  },
  {
    name: "an organisation that keeps its requests: nobody on call there, the request waits for its shift",
    request: { areaPlaceId: "verdun" },
    teams: [team("sud", 2), team("hochelaga", 1), team("verdun", 0, "2026-11-19T13:00:00Z")],
    onCall: [],
    receivers: ["verdun"],
    owner: ["verdun"],
    nextShift: "2026-11-19T13:00:00Z",
  },
  {
    name: "keeping its requests does not stop it taking others' when someone is on call there",
    request: { areaPlaceId: "centre-sud" },
    teams: [team("sud", 0), team("verdun", 1)],
    onCall: ["verdun"],
    receivers: ["verdun"],
  },
  {
    name: "nobody on call anywhere: it waits for the next shift among all who would receive it",
    request: { areaPlaceId: "centre-sud" },
    teams: [
      team("sud", 0, "2026-11-19T15:00:00Z"),
      team("hochelaga", 0, "2026-11-19T12:00:00Z"),
      team("verdun", 0, "2026-11-19T11:00:00Z"),
    ],
    onCall: [],
    receivers: ["sud", "hochelaga", "verdun"],
    owner: ["verdun"],
    nextShift: "2026-11-19T11:00:00Z",
  },
  {
    name: "nobody on call and no shift set: it waits for every receiver, and no time is promised",
    request: { areaPlaceId: "centre-sud" },
    teams: [team("sud", 0), team("hochelaga", 0)],
    onCall: [],
    receivers: ["sud", "hochelaga"],
  },
  {
    name: "two organisations serve the area: both get it, and the busier one files it",
    rules: [rule("sud", ["centre-sud"]), rule("hochelaga", ["hochelaga", "centre-sud"])],
    request: { areaPlaceId: "centre-sud" },
    teams: [team("sud", 1), team("hochelaga", 2)],
    onCall: ["sud", "hochelaga"],
    receivers: ["sud", "hochelaga"],
    owner: ["hochelaga"],
  },
  {
    name: "without an area: every organisation taking requests with someone on call",
    request: { areaPlaceId: null },
    teams: [team("sud", 1), team("hochelaga", 0), team("verdun", 1)],
    onCall: ["sud", "verdun"],
    receivers: ["sud", "verdun"],
    owner: ["sud", "verdun"],
  },
  {
    name: "an area nobody with a team serves is every organisation's",
    request: { areaPlaceId: "rosemont" },
    teams: [team("sud", 1), team("hochelaga", 1)],
    onCall: ["sud", "hochelaga"],
    receivers: ["sud", "hochelaga"],
  },
  {
    name: "the serving organisation has no team: the others take it",
    request: { areaPlaceId: "verdun" },
    teams: [team("sud", 1)],
    onCall: ["sud"],
    receivers: ["sud"],
    owner: ["sud"],
  },
  {
    name: "to meet at a site: that site's organisation, even with nobody on call there",
    request: { areaPlaceId: "centre-sud", preferredOrganisationId: "verdun" },
    teams: [team("sud", 2), team("verdun", 0, "2026-11-19T13:00:00Z")],
    onCall: [],
    receivers: ["verdun"],
    owner: ["verdun"],
    nextShift: "2026-11-19T13:00:00Z",
  },
  {
    name: "to meet at a site whose organisation has no team: the area decides",
    request: { areaPlaceId: "centre-sud", preferredOrganisationId: "verdun" },
    teams: [team("sud", 1), team("hochelaga", 1)],
    onCall: ["sud"],
    receivers: ["sud"],
  },
  {
    name: "no team at all: nowhere to go",
    request: { areaPlaceId: "centre-sud" },
    teams: [],
    onCall: [],
    receivers: [],
    owner: [],
  },
];

describe("which organisations receive a request", () => {
  it.each(cases)("$name", (c) => {
    const route = routeRequest({ requestId: "req-1", ...c.request }, c.rules ?? organisations, c.teams);
    expect(new Set(route.onCall)).toEqual(new Set(c.onCall));
    expect(new Set(route.receivers)).toEqual(new Set(c.receivers));
    if (c.owner) {
      if (c.owner.length === 0) expect(route.owner).toBeUndefined();
      else expect(c.owner).toContain(route.owner);
    } else expect(c.receivers).toContain(route.owner);
    expect(route.nextShift?.toISOString()).toBe(c.nextShift ? at(c.nextShift).toISOString() : undefined);
  });

  it("escalates in the same order: the serving organisations first, then the others unless one keeps", () => {
    const teams = [team("sud", 0), team("hochelaga", 0), team("verdun", 0)];
    expect(tiersFor({ requestId: "r", areaPlaceId: "centre-sud" }, organisations, teams)).toEqual([
      ["sud"],
      ["hochelaga", "verdun"],
    ]);
    expect(tiersFor({ requestId: "r", areaPlaceId: "verdun" }, organisations, teams)).toEqual([["verdun"]]);
    expect(tiersFor({ requestId: "r", areaPlaceId: null }, organisations, teams)).toEqual([
      ["sud", "hochelaga", "verdun"],
    ]);
  });

  it("spreads ties across requests instead of always choosing the same organisation", () => {
    const teams = [team("sud", 1), team("hochelaga", 1), team("verdun", 1)];
    const owners = new Set(
      Array.from(
        { length: 60 },
        (_, i) => routeRequest({ requestId: `req-${i}`, areaPlaceId: null }, organisations, teams).owner,
      ),
    );
    expect(owners).toEqual(new Set(["sud", "hochelaga", "verdun"]));
  });
});

// Random directories: up to five organisations over four places, random on-call counts and shifts.
const PLACES = ["p1", "p2", "p3", "p4"];
const worldArbitrary = fc
  .uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 5 })
  .chain((ids) =>
    fc.record({
      organisations: fc.tuple(
        ...ids.map((id) =>
          fc.record({
            id: fc.constant(id),
            serves: fc.subarray(PLACES),
            keepsRequests: fc.boolean(),
            hasTeam: fc.boolean(),
            onCall: fc.nat(3),
            shiftInHours: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
          }),
        ),
      ),
      area: fc.option(fc.constantFrom(...PLACES), { nil: null }),
      requestId: fc.string({ minLength: 1, maxLength: 12 }),
    }),
  );

type World = {
  organisations: {
    id: string;
    serves: string[];
    keepsRequests: boolean;
    hasTeam: boolean;
    onCall: number;
    shiftInHours: number | undefined;
  }[];
  area: string | null;
  requestId: string;
};

const NOW = at("2026-11-18T19:00:00Z").getTime();
function inputs(world: World, rename: (id: string) => string = (id) => id) {
  return {
    rules: world.organisations.map((o) => rule(rename(o.id), o.serves, o.keepsRequests)),
    teams: world.organisations
      .filter((o) => o.hasTeam)
      .map((o) => ({
        organisationId: rename(o.id),
        onCall: o.onCall,
        nextShift: o.shiftInHours ? new Date(NOW + o.shiftInHours * 3_600_000) : undefined,
      })),
  };
}

/** The route of a random world's request, and the organisations with a team that serve its area. */
function routed(world: World) {
  const { rules, teams } = inputs(world);
  const route = routeRequest({ requestId: world.requestId, areaPlaceId: world.area }, rules, teams);
  const serving = world.organisations.filter(
    (o) => o.hasTeam && world.area !== null && o.serves.includes(world.area),
  );
  return { route, serving, teams };
}

describe("the routing rule, on random directories", () => {
  it("reaches only organisations serving the area whenever one of them has someone on call", () => {
    fc.assert(
      fc.property(worldArbitrary, (world) => {
        const { route, serving } = routed(world);
        if (serving.some((o) => o.onCall > 0)) {
          expect(route.onCall.length).toBeGreaterThan(0);
          for (const id of route.receivers) expect(serving.map((o) => o.id)).toContain(id);
          // …and every serving organisation with someone on call.
          expect(new Set(route.onCall)).toEqual(
            new Set(serving.filter((o) => o.onCall > 0).map((o) => o.id)),
          );
        }
      }),
    );
  });

  it("never sends a kept area's request to another organisation", () => {
    fc.assert(
      fc.property(worldArbitrary, (world) => {
        const { route, serving } = routed(world);
        if (serving.some((o) => o.keepsRequests))
          for (const id of route.receivers) expect(serving.map((o) => o.id)).toContain(id);
      }),
    );
  });

  it("goes to someone on call whenever someone it may reach is on call, and files it under a receiver", () => {
    fc.assert(
      fc.property(worldArbitrary, (world) => {
        const { rules, teams } = inputs(world);
        const route = routeRequest({ requestId: world.requestId, areaPlaceId: world.area }, rules, teams);
        const reachable = new Set(route.tiers.flat());
        const someoneOnCall = teams.some((t) => reachable.has(t.organisationId) && t.onCall > 0);
        expect(route.onCall.length > 0).toBe(someoneOnCall);
        if (teams.length > 0) expect(route.receivers).toContain(route.owner);
        else expect(route.owner).toBeUndefined();
        // The time told is the earliest shift among those it waits for, and only when nobody is on call.
        if (someoneOnCall) expect(route.nextShift).toBeUndefined();
        else {
          const starts = teams
            .filter((t) => route.receivers.includes(t.organisationId) && t.nextShift)
            .map((t) => t.nextShift?.getTime() ?? 0);
          expect(route.nextShift?.getTime()).toBe(starts.length > 0 ? Math.min(...starts) : undefined);
        }
      }),
    );
  });

  it("does not depend on the order of ids: shuffled input and renamed ids give the same organisations", () => {
    fc.assert(
      fc.property(worldArbitrary, fc.infiniteStream(fc.nat()), (world, seeds) => {
        const { rules, teams } = inputs(world);
        const request = { requestId: world.requestId, areaPlaceId: world.area };
        const route = routeRequest(request, rules, teams);
        const shuffled = <T>(items: T[]) => {
          const keyed = items.map((item) => ({ item, key: seeds.next().value as number }));
          return keyed.sort((a, b) => a.key - b.key).map((k) => k.item);
        };
        const again = routeRequest(request, shuffled(rules), shuffled(teams));
        expect(new Set(again.receivers)).toEqual(new Set(route.receivers));
        expect(again.owner).toBe(route.owner);
        // Renaming every id so that they sort the other way round (a↔z) changes nothing but the names.
        const mirror = (id: string) =>
          [...id].map((c) => String.fromCharCode(219 - c.charCodeAt(0))).join("");
        const renamed = inputs(world, mirror);
        const named = routeRequest(request, renamed.rules, renamed.teams);
        expect(new Set(named.receivers)).toEqual(new Set(route.receivers.map(mirror)));
        expect(new Set(named.onCall)).toEqual(new Set(route.onCall.map(mirror)));
      }),
    );
  });
});

describe("the routing rule's edges", () => {
  const request = (areaPlaceId: string | null, requestId = "r") => ({ requestId, areaPlaceId });

  it("gives no tier at all when no organisation has a team", () => {
    expect(tiersFor(request(null), organisations, [])).toEqual([]);
    expect(tiersFor(request("centre-sud"), organisations, [])).toEqual([]);
    expect(tiersFor(request("rosemont"), organisations, [])).toEqual([]);
  });

  it("puts everyone in one tier for an area nobody with a team serves", () => {
    expect(tiersFor(request("rosemont"), organisations, [team("sud", 0), team("verdun", 0)])).toEqual([
      ["sud", "verdun"],
    ]);
    expect(tiersFor(request("verdun"), organisations, [team("sud", 0), team("hochelaga", 0)])).toEqual([
      ["sud", "hochelaga"],
    ]);
  });

  it("has no second tier when the serving organisations are all there is", () => {
    expect(tiersFor(request("centre-sud"), organisations, [team("sud", 0)])).toEqual([["sud"]]);
  });

  it("keeps the area's requests when one of several serving organisations keeps them", () => {
    const rules = [rule("sud", ["centre-sud"]), rule("hochelaga", ["centre-sud"], true), rule("verdun", [])];
    const teams = [team("sud", 0), team("hochelaga", 0), team("verdun", 2)];
    expect(tiersFor(request("centre-sud"), rules, teams)).toEqual([["sud", "hochelaga"]]);
    expect(routeRequest(request("centre-sud"), rules, teams).receivers).toEqual(["sud", "hochelaga"]);
  });

  it("with nobody on call, files every request under the organisation whose shift comes first", () => {
    const teams = [
      team("sud", 0, "2026-11-19T15:00:00Z"),
      team("hochelaga", 0),
      team("verdun", 0, "2026-11-19T11:00:00Z"),
    ];
    for (let i = 0; i < 40; i++)
      expect(routeRequest(request(null, `req-${i}`), organisations, teams).owner).toBe("verdun");
  });

  // Every instance (and the next version, during a deploy) must file a request under the same
  // organisation: the draw is part of the contract, pinned here.
  it("draws the same organisation for a request on every instance", () => {
    const teams = [team("sud", 1), team("hochelaga", 1), team("verdun", 1)];
    const owners = ["req-1", "req-2", "req-3", "req-4", "req-5", "req-6"].map(
      (id) => routeRequest(request(null, id), organisations, teams).owner,
    );
    expect(owners).toEqual(["verdun", "sud", "hochelaga", "sud", "verdun", "hochelaga"]);
  });

  it("breaks even a tie of the draw itself without looking at the order it was given", () => {
    // The two ids draw the same 32-bit score for req-1 (found by search).
    const tied = [team("org-dxzp", 1), team("org-qaaab", 1)];
    const owner = routeRequest(request(null, "req-1"), [], tied).owner;
    expect(routeRequest(request(null, "req-1"), [], [...tied].reverse()).owner).toBe(owner);
  });
});
