import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The direction of imports (part 6): features should not reach into each other, and never both ways.
 * Shared pieces (menu labels, the callback-data codec, the emergency card, the directory's text and time
 * formatting) live in src/bot, src/text or src/directory, where both sides can import them; who is on
 * which team (features/members) is read by all and reads none. No two features import each other,
 * even around a loop. The one-way imports of one feature by another that remain are listed below, and
 * the list may only shrink: a new one fails this test, and so does a listed one that is gone (take it
 * off the list, so it cannot come back unnoticed). Outside the features, only the composition roots
 * (create-bot, the router's table, app, the command line) know the features.
 */
const SRC = join(import.meta.dirname, "../../src");

/** "features/requests" for anything under it, "features/cancel" for a file, "bot/router.ts" elsewhere. */
function areaOf(path: string): string {
  const parts = relative(SRC, path).split(sep);
  if (parts[0] === "features") return `features/${(parts[1] ?? "").replace(/\.ts$/, "")}`;
  return parts.join("/");
}

function imports(): [string, string][] {
  const edges = new Set<string>();
  for (const file of readdirSync(SRC, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".ts")) continue;
    const path = join(SRC, file);
    for (const [, target] of readFileSync(path, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
      const from = areaOf(path);
      const to = areaOf(normalize(join(dirname(path), target ?? "")));
      const feature = (area: string) => area.startsWith("features/") && area.split("/")[1];
      if (feature(to) && feature(from) !== feature(to)) edges.add(`${from} -> ${to}`);
    }
  }
  return [...edges].sort().map((edge) => edge.split(" -> ") as [string, string]);
}

// Who is on which team, in which role, on call: the rows every feature reads. Anyone may import it; it
// imports no feature.
const FOUNDATION = "features/members";

// Between features: what is left to untangle (each line one feature folder importing another).
const FEATURE_TO_FEATURE = [
  "features/emergency -> features/requests",
  "features/fallback -> features/directory",
  "features/fallback -> features/requests",
  "features/forget -> features/alerts",
  "features/forget -> features/requests",
  "features/info -> features/directory",
  "features/info -> features/team",
  "features/language -> features/alerts",
  "features/peers -> features/requests",
  "features/referral -> features/requests",
  "features/requests -> features/directory",
  "features/team -> features/requests",
  "features/worker-tools -> features/alerts",
];

// Loops between features still to break (each starts at its smallest folder name); the list only shrinks.
const KNOWN_LOOPS: string[] = [];

// Outside the features: the composition roots, and what still reaches in (to move out later).
const COMPOSITION_ROOTS = new Set(["bot/create-bot.ts", "app.ts", "cli/admin.ts", "cli/admin-commands.ts"]);
const OTHERS_REACHING_IN = [
  "bot/snapshot.ts -> features/requests",
  "bot/context.ts -> features/requests",
  "privacy/retention.ts -> features/requests",
];

describe("the direction of imports", () => {
  const edges = imports();

  it("features import one another only where the list still says so, and the list only shrinks", () => {
    const found = edges
      .filter(([from, to]) => from.startsWith("features/") && to !== FOUNDATION)
      .map(([from, to]) => `${from} -> ${to}`);
    expect(found.filter((edge) => !FEATURE_TO_FEATURE.includes(edge))).toEqual([]);
    expect(FEATURE_TO_FEATURE.filter((edge) => !found.includes(edge))).toEqual([]);
  });

  it("outside the features, only the composition roots import them", () => {
    const found = edges
      .filter(([from]) => !from.startsWith("features/") && !COMPOSITION_ROOTS.has(from))
      .map(([from, to]) => `${from} -> ${to}`);
    expect(found.filter((edge) => !OTHERS_REACHING_IN.includes(edge))).toEqual([]);
    expect(OTHERS_REACHING_IN.filter((edge) => !found.includes(edge))).toEqual([]);
  });

  it("the members' rows import no feature", () => {
    expect(edges.filter(([from]) => from === FOUNDATION)).toEqual([]);
  });

  it("no two features import each other, directly or around a loop", () => {
    const next = new Map<string, string[]>();
    for (const [from, to] of edges)
      if (from.startsWith("features/")) next.set(from, [...(next.get(from) ?? []), to]);
    const loops: string[] = [];
    const visit = (node: string, path: string[]) => {
      for (const to of next.get(node) ?? []) {
        if (to === path[0]) loops.push([...path, to].join(" -> "));
        else if (!path.includes(to) && to > (path[0] ?? "")) visit(to, [...path, to]);
      }
    };
    for (const start of next.keys()) visit(start, [start]);
    expect(loops).toEqual(KNOWN_LOOPS);
  });

  it("the router and its table know no feature's code: only their names", () => {
    const targets = edges.filter(([from]) => from === "bot/router.ts" || from === "bot/routes.ts");
    expect(targets).toEqual([]);
  });
});
