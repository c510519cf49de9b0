import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Message } from "grammy/types";
import { describe, expect, it } from "vitest";
import { callbackData } from "../../src/bot/callback-data";
import { COMMAND_NAMES } from "../../src/bot/commands";
import { createTranslations } from "../../src/bot/i18n";
import { MENU_LABELS, type MenuLabel } from "../../src/bot/menu-labels";
import {
  AUDIENCES,
  type Audience,
  type FeatureName,
  kindOf,
  type Resolution,
  resolve,
  type UpdateKind,
} from "../../src/bot/router";
import { ROUTES } from "../../src/bot/routes";
import { requestCallback } from "../../src/features/requests/notices";
import { whichCallback } from "../../src/features/requests/pending-words";

/**
 * Part 6's routing table: every kind of update × every audience → the feature that answers it, or the
 * refusal. A feature that registers a command or a button without declaring it in src/bot/routes.ts
 * fails here (the router would never hand it the update).
 */
const deps = { translations: createTranslations() };
const t = { fr: deps.translations.forLocale("fr"), en: deps.translations.forLocale("en") };
const text = (words: string) => ({ message: { text: words } as Message });
const tap = (data: string) => ({ callback_query: { data } });
const ID = "AbCdEfGhIjKl";

describe("which kind of update", () => {
  it.each(Object.values(COMMAND_NAMES).flatMap(({ fr, en }) => [fr, en]))(
    "/%s is a command the table knows, with or without the bot's name and words after it",
    (name) => {
      expect(kindOf(text(`/${name}`), deps, ROUTES, "PercheBot")).toBe(`command:${name}`);
      expect(kindOf(text(`/${name.toUpperCase()}@percheBOT arg`), deps, ROUTES, "PercheBot")).toBe(
        `command:${name}`,
      );
    },
  );

  it.each([
    ["/nimportequoi", "command:?"],
    ["/parler@AutreBot", "command:?"],
    ["/", "command:?"],
    [`/${"x".repeat(40)}`, "command:?"],
    ["naloxone", "text"],
    ["", "text"],
    ["parler", "text"],
  ] as const)("%j is %s", (words, kind) => {
    expect(kindOf(text(words), deps, ROUTES, "PercheBot")).toBe(kind);
  });

  it.each(Object.keys(MENU_LABELS) as MenuLabel[])(
    "the menu button %s, in French and in English",
    (label) => {
      for (const locale of ["fr", "en"] as const)
        expect(kindOf(text(t[locale](MENU_LABELS[label])), deps, ROUTES)).toBe(`label:${label}`);
    },
  );

  const buttons: [string, UpdateKind][] = [
    [callbackData.suppliesMenu(), "callback:sup"],
    [callbackData.material("naloxone", 6), "callback:mat"],
    [callbackData.site("cactus"), "callback:site"],
    [callbackData.pin("cactus"), "callback:pin"],
    [callbackData.open(6), "callback:open"],
    [callbackData.language("en"), "callback:lang"],
    [callbackData.onCall("on"), "callback:oc"],
    [callbackData.forget("yes"), "callback:fg"],
    [callbackData.alertSubscribe(null), "callback:al"],
    [callbackData.alertStop(), "callback:al"],
    [callbackData.broadcast("send"), "callback:bc"],
    [callbackData.toolsList(), "callback:wtl"],
    [callbackData.toolsSite("cactus"), "callback:wtp"],
    [callbackData.toolsStock("cactus", "naloxone", true), "callback:wto"],
    [callbackData.toolsStock("cactus", "naloxone", false), "callback:wti"],
    [callbackData.toolsCloseToday("cactus"), "callback:wtc"],
    [callbackData.toolsCloseNow("cactus"), "callback:wte"],
    [callbackData.toolsResetToday("cactus"), "callback:wtr"],
    [callbackData.toolsInput("cactus", "close-day"), "callback:wtd"],
    [callbackData.toolsInput("cactus", "hours"), "callback:wth"],
    [callbackData.toolsInput("cactus", "note"), "callback:wtn"],
    [callbackData.toolsNoteRemove("cactus"), "callback:wtx"],
    [callbackData.toolsUndo(3), "callback:wtu"],
    [callbackData.toolsAlert("cactus", "2026-12-03"), "callback:wta"],
    [callbackData.toolsAlert("cactus", null), "callback:wta"],
    [callbackData.toolsVerify("cactus"), "callback:wtv"],
    [callbackData.toolsEdit("cactus"), "callback:wed"],
    [callbackData.toolsEditField("cactus", "materials"), "callback:wef"],
    [callbackData.siteEdit("k3x9", "t", 2330), "callback:se"],
    [callbackData.peerFocus(ID), "callback:pr"],
    [callbackData.peerWithdraw(ID), "callback:pr"],
    [callbackData.referPick(ID), "callback:rf:pick"],
    [callbackData.referTo(ID, "cactus"), "callback:rf:to"],
    [callbackData.referAnswer(4, true), "callback:rf"],
    [callbackData.reminderEvery(2), "callback:rm"],
    [callbackData.reminderDay(5), "callback:rm"],
    [callbackData.reminderTime(600), "callback:rm"],
    [requestCallback.claim(ID), "callback:rq:claim"],
    [requestCallback.pass(ID), "callback:rq:pass"],
    [requestCallback.focus(ID), "callback:rq:focus"],
    [requestCallback.close(ID), "callback:rq:close"],
    [requestCallback.release(ID), "callback:rq:release"],
    [requestCallback.handOver(ID), "callback:rq:hand"],
    [requestCallback.handTo(ID, 7), "callback:rq:to"],
    [requestCallback.outcome(ID, "helped"), "callback:rq:out"],
    [requestCallback.withdraw(ID), "callback:rq:withdraw"],
    [requestCallback.add(ID), "callback:rq:add"],
    [whichCallback(12, ID), "callback:rq:which"],
    ["rq:noop", "callback:rq:noop"],
    ["talk", "callback:talk"],
    ["md:pass", "callback:md"],
    ["f:send", "callback:f"],
    ["rq:nope", "callback:?"],
    ["zzz:1", "callback:?"],
    ["", "callback:?"],
  ];
  it.each(buttons)("the button %j is %s", (data, kind) => {
    expect(kindOf(tap(data), deps, ROUTES)).toBe(kind);
  });

  it.each([
    [{ location: { latitude: 45.5, longitude: -73.6 } }, "location"],
    [{ photo: [] }, "media"],
    [{ voice: {} }, "media"],
    [{ document: {} }, "media"],
    [{ sticker: {} }, "media"],
    [{ contact: {} }, "media"],
    [{ video_note: {} }, "media"],
    [{ dice: {} }, "other"],
    [{ poll: {} }, "other"],
  ] as const)("a message with %j is %s", (fields, kind) => {
    expect(kindOf({ message: fields as unknown as Message }, deps, ROUTES)).toBe(kind);
  });
});

/** What each audience meets, row by row: the owners in order, or the refusal's text key. */
type Expected = FeatureName[] | `refuse ${string}` | `ahead ${string}` | `as unknown ${string}`;
const every = (answer: Expected): Record<Audience, Expected> =>
  Object.fromEntries(AUDIENCES.map((a) => [a, answer])) as Record<Audience, Expected>;
const workersOnly = (owner: FeatureName, refusal: string, peer = refusal): Record<Audience, Expected> => ({
  looking: `refuse ${refusal}`,
  requester: `refuse ${refusal}`,
  worker: [owner],
  coordinator: [owner],
  peer: `refuse ${peer}`,
  unknown: [owner],
});
/** A worker's button: someone on no team is answered as for any unknown button; a peer is told. */
const workerButton = (owner: FeatureName, peer = "common.workersButton"): Record<Audience, Expected> => ({
  ...workersOnly(owner, "", peer),
  looking: "as unknown directory",
  requester: "as unknown directory",
});
const coordinatorOnly = (owner: FeatureName, refusal: string): Record<Audience, Expected> => ({
  ...every(`refuse ${refusal}`),
  coordinator: [owner],
  unknown: [owner],
});
const peersOnly = (owner: FeatureName): Record<Audience, Expected> => ({
  ...every("refuse peers.notPeer"),
  peer: [owner],
  unknown: [owner],
});
const byWhom = (last: FeatureName): Record<Audience, Expected> => ({
  looking: [last],
  requester: ["requests", last],
  worker: ["requests", last],
  coordinator: ["requests", last],
  peer: ["peers", "requests", last],
  unknown: ["peers", "requests", last],
});

const TABLE: [UpdateKind, Record<Audience, Expected>][] = [
  ["command:urgence", every("ahead emergency")],
  ["command:emergency", every("ahead emergency")],
  ["command:oublier", every("ahead forget")],
  ["command:annuler", every("ahead cancel")],
  ["command:start", every(["info"])],
  ["command:aide", every(["info"])],
  ["command:privacy", every(["info"])],
  ["command:langue", every(["language"])],
  ["command:materiel", every(["directory"])],
  ["command:open", every(["directory"])],
  ["command:pres", every(["directory"])],
  ["command:menu", every(["directory"])],
  ["command:alertes", every(["alerts"])],
  ["command:parler", every(["requests"])],
  ["command:talk", every(["requests"])],
  ["command:mademande", { ...every(["requests"]), peer: ["peers", "requests"] }],
  ["command:?", every(["directory"])],
  ["command:garde", workersOnly("onCall", "team.onCall.notMember", "team.onCall.peer")],
  ["command:lieux", workersOnly("tools", "tools.notStaff")],
  // On no team, /stats is answered as if it did not exist.
  ["command:stats", { ...workerButton("stats", "stats.notAllowed") }],
  ["command:statistiques", { ...workerButton("stats", "stats.notAllowed") }],
  ["command:diffuser", workersOnly("alerts", "alerts.write.notAllowed")],
  ["command:inviter", coordinatorOnly("admin", "admin.notAdmin")],
  ["command:members", coordinatorOnly("admin", "admin.notAdmin")],
  ["command:journal", coordinatorOnly("tools", "tools.notAdmin")],
  ["command:rappel", coordinatorOnly("reminders", "admin.notAdmin")],
  ["command:reminder", coordinatorOnly("reminders", "admin.notAdmin")],
  ["command:relais", peersOnly("peers")],
  ["command:backup", peersOnly("peers")],
  ["label:supplies", every(["directory"])],
  ["label:open", every(["directory"])],
  ["label:near", every(["directory"])],
  ["label:emergency", every(["directory"])],
  ["label:back", every(["directory"])],
  ["label:talk", every(["requests"])],
  ["label:relay", peersOnly("peers")],
  ["label:backup", peersOnly("peers")],
  ["callback:sup", every(["directory"])],
  ["callback:site", every(["directory"])],
  ["callback:lang", every(["language"])],
  ["callback:al", every(["alerts"])],
  ["callback:fg", every("ahead forget")],
  ["callback:md", every(["passMedia"])],
  ["callback:f", every(["requests"])],
  ["callback:bc", every(["directory"])],
  ["callback:rq:withdraw", every(["requests"])],
  ["callback:rq:add", every(["requests"])],
  ["callback:rq:claim", workerButton("requests")],
  ["callback:rq:hand", workerButton("requests")],
  ["callback:rq:focus", workerButton("requests")],
  ["callback:rq:which", { ...workerButton("requests"), peer: ["requests"] }],
  ["callback:pr", peersOnly("peers")],
  ["callback:rf:pick", workerButton("referral")],
  ["callback:rf:to", workerButton("referral")],
  ["callback:rf", every(["referral"])],
  ["callback:oc", workersOnly("onCall", "team.onCall.notMember", "team.onCall.peer")],
  ["callback:adm", coordinatorOnly("admin", "admin.notAdmin")],
  // Someone no longer a coordinator holds an old screen: "out of date", as for any old button.
  ["callback:rm", { ...every("as unknown directory"), coordinator: ["reminders"], unknown: ["reminders"] }],
  ["callback:wtp", workerButton("tools", "tools.notStaff")],
  ["callback:wtu", workerButton("tools", "tools.notStaff")],
  // A site's listing: a coordinator's; a worker is told so, a peer that it is the staff's, others "out of date".
  [
    "callback:wed",
    {
      ...workerButton("tools", "tools.notStaff"),
      worker: "refuse tools.edit.notAdmin",
    },
  ],
  ["callback:se", every(["directory"])],
  ["callback:?", every(["directory"])],
  ["text", byWhom("directory")],
  ["media", byWhom("fallback")],
  ["location", { ...every(["requests", "directory"]), looking: ["directory"] }],
  ["other", every(["fallback"])],
];

function shown(resolution: Resolution): Expected {
  if (resolution.kind === "refuse") return `refuse ${resolution.text}`;
  if (resolution.kind === "ahead") return `ahead ${resolution.owners.join(",")}`;
  if (resolution.kind === "as-unknown") return `as unknown ${resolution.owners.join(",")}`;
  return [...resolution.owners];
}

describe("who answers", () => {
  it.each(TABLE.flatMap(([kind, row]) => AUDIENCES.map((a) => [kind, a, row[a]] as const)))(
    "%s from %s → %j",
    (kind, audience, expected) => {
      expect(shown(resolve(ROUTES, kind, audience))).toEqual(expected);
    },
  );

  it("every route of the table is in the rows above (a new route comes with its row)", () => {
    const rows = new Set(TABLE.map(([kind]) => kind));
    const untested = [...ROUTES.keys()].filter(
      (kind) =>
        !rows.has(kind) &&
        // Routes alike (both names of a command, the tools' many buttons): one of them is enough.
        ![...rows].some((row) => JSON.stringify(ROUTES.get(row)) === JSON.stringify(ROUTES.get(kind))),
    );
    expect(untested).toEqual([]);
  });

  it("a refusal's text exists in both languages", () => {
    const refusals = new Set<string>();
    for (const kind of ROUTES.keys())
      for (const audience of AUDIENCES) {
        const resolution = resolve(ROUTES, kind, audience);
        if (resolution.kind === "refuse") refusals.add(resolution.text);
      }
    expect(refusals.size).toBeGreaterThan(4);
    for (const key of refusals)
      for (const locale of ["fr", "en"] as const) expect(t[locale](key), `${locale} ${key}`).not.toBe(key);
  });
});

/**
 * Whatever a feature registers, the table must declare: a command or a button prefix in a feature's
 * source that the table does not know would never reach it (the router hands it to someone else).
 */
describe("every feature declares what it owns", () => {
  const FEATURES_DIR = join(import.meta.dirname, "../../src/features");
  const sources = readdirSync(FEATURES_DIR, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    // Group chats have their own, smaller path (create-bot.ts): not routed.
    .filter((file) => !file.endsWith(join("team", "group.ts")))
    .map((file) => readFileSync(join(FEATURES_DIR, file), "utf8"));

  it("every command a feature registers is a route", () => {
    const names = new Set<string>();
    for (const source of sources)
      for (const [, args] of source.matchAll(/\.command\(\s*(\[[^\]]*\]|"[^"]*")/g))
        for (const [, name] of (args ?? "").matchAll(/"([^"]+)"/g)) if (name) names.add(name);
    expect(names.size).toBeGreaterThan(20);
    expect([...names].filter((name) => !ROUTES.has(`command:${name}`))).toEqual([]);
  });

  it("every button a feature registers reaches it", () => {
    const prefixes = new Set<string>();
    for (const source of sources) {
      for (const [, literal] of source.matchAll(/\.callbackQuery\(\s*"([^"]+)"/g))
        if (literal) prefixes.add(literal);
      for (const [, start] of source.matchAll(/\.callbackQuery\(\s*(?:new RegExp\(`|\/)\^([a-z:!]+)/g))
        if (start) prefixes.add(start.replace(/:$/, ""));
    }
    expect(prefixes.size).toBeGreaterThan(10);
    const unrouted = [...prefixes].filter((prefix) => kindOf(tap(prefix), deps, ROUTES) === "callback:?");
    expect(unrouted).toEqual([]);
  });
});
