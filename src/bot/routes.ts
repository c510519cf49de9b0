import { type CommandPurpose, commandNames } from "./commands";
import type { MenuLabel } from "./menu-labels";
import {
  AS_UNKNOWN,
  type Audience,
  type FeatureName,
  type Route,
  type RouteTable,
  type UpdateKind,
} from "./router";

/**
 * Who answers what, in private chats (src/bot/router.ts reads it; test/unit/routing-table.test.ts holds
 * it whole: every command, button prefix, menu label and kind of message, for every audience).
 *
 * Reading a row: `owners` answer in order, each passing on (next) what is not its own; `allow` is who
 * may use it, `refuse` what the others are told. Words, media and positions depend on who sends them:
 * a peer's words go to the request they relay, a worker's to the request they hold, a person's to their
 * own request, and everything else is a lookup.
 */

const WORKERS: readonly Audience[] = ["worker", "coordinator"];
const NOT_MEMBER = "team.onCall.notMember";

const command = (purpose: CommandPurpose, route: Route): [UpdateKind, Route][] =>
  commandNames(purpose).map((name) => [`command:${name}`, route]);
const label = (name: MenuLabel, route: Route): [UpdateKind, Route] => [`label:${name}`, route];
const button = (prefix: string, route: Route): [UpdateKind, Route] => [`callback:${prefix}`, route];
const only = (...owners: FeatureName[]): Route => ({ owners });

// A person's words, photos and positions: whose they are decides where they go.
const words = (last: FeatureName): Route => ({
  owners: {
    default: [last],
    looking: [last],
    requester: ["requests", last],
    worker: ["requests", last],
    coordinator: ["requests", last],
    // A peer's words go to the request they relay; a peer's own request, as anyone's, after that.
    peer: ["peers", "requests", last],
    // No snapshot (the database down): every owner reads for itself, in this order.
    unknown: ["peers", "requests", last],
  },
});

// A worker's button in the hands of someone on no team is forged, or left from a past membership: it is
// answered as any unknown button ("out of date", with the menu). A peer is told it is not theirs.
const WORKER_BUTTON: Route["refuse"] = { default: AS_UNKNOWN, peer: "common.workersButton" };

const forWorkers = (owner: FeatureName, refuse: Route["refuse"] = NOT_MEMBER): Route => ({
  owners: [owner],
  allow: WORKERS,
  refuse,
});

export const ROUTES: RouteTable = new Map<UpdateKind, Route>([
  // --- Anyone ---------------------------------------------------------------------------------------
  ...command("emergency", { owners: ["emergency"], ahead: true }),
  ...command("forget", { owners: ["forget"], ahead: true }),
  ...command("start", only("info")),
  ...command("help", only("info")),
  ...command("privacy", only("info")),
  ...command("cancel", { owners: ["cancel"], ahead: true }),
  ...command("language", only("language")),
  ...command("supplies", only("directory")),
  ...command("open", only("directory")),
  ...command("near", only("directory")),
  ["command:menu", only("directory")],
  ...command("alerts", only("alerts")),
  ...command("talk", only("requests")),
  // A peer's relayed requests first, then their own as anyone's.
  ...command("myrequest", { owners: { default: ["requests"], peer: ["peers", "requests"] } }),
  // Any other "/word": read as typed words (it may be a typo of a lookup), never silence.
  ["command:?", only("directory")],

  // --- Team members (the router refuses the others, in their language) ---------------------------
  ...command("oncall", forWorkers("onCall", { peer: "team.onCall.peer", default: NOT_MEMBER })),
  ...command("sites", forWorkers("tools", "tools.notStaff")),
  // Someone on no team is answered as if the command did not exist: /stats reveals no team.
  ...command("stats", forWorkers("stats", { peer: "stats.notAllowed", default: AS_UNKNOWN })),
  ...command("broadcast", forWorkers("alerts", "alerts.write.notAllowed")),
  ...command("invite", { owners: ["admin"], allow: ["coordinator"], refuse: "admin.notAdmin" }),
  ...command("members", { owners: ["admin"], allow: ["coordinator"], refuse: "admin.notAdmin" }),
  ...command("log", { owners: ["tools"], allow: ["coordinator"], refuse: "tools.notAdmin" }),
  ...command("reminder", { owners: ["reminders"], allow: ["coordinator"], refuse: "admin.notAdmin" }),
  ...command("relay", { owners: ["peers"], allow: ["peer"], refuse: "peers.notPeer" }),
  ...command("backup", { owners: ["peers"], allow: ["peer"], refuse: "peers.notPeer" }),

  // --- Menu buttons (typed as text by the keyboard) ----------------------------------------------
  label("supplies", only("directory")),
  label("open", only("directory")),
  label("near", only("directory")),
  label("emergency", only("directory")),
  label("back", only("directory")),
  label("talk", only("requests")),
  label("relay", { owners: ["peers"], allow: ["peer"], refuse: "peers.notPeer" }),
  label("backup", { owners: ["peers"], allow: ["peer"], refuse: "peers.notPeer" }),

  // --- Inline buttons, by the prefix of their data (src/bot/callback-data.ts, requests/notices.ts) ---
  button("sup", only("directory")),
  button("mat", only("directory")),
  button("site", only("directory")),
  button("pin", only("directory")),
  button("open", only("directory")),
  button("lang", only("language")),
  button("al", only("alerts")),
  button("fg", { owners: ["forget"], ahead: true }),
  button("md", only("passMedia")),
  button("talk", only("requests")),
  // A request dialogue's buttons belong to the dialogue; one arriving outside it is from an ended draft.
  button("f", only("requests")),
  // A broadcast's buttons belong to its dialogue; outside it, they are stale.
  button("bc", only("directory")),
  // The person's own buttons on their request.
  button("rq:withdraw", only("requests")),
  button("rq:add", only("requests")),
  button("rq:noop", only("requests")),
  // The worker's buttons on a request.
  button("rq:claim", forWorkers("requests", WORKER_BUTTON)),
  button("rq:pass", forWorkers("requests", WORKER_BUTTON)),
  button("rq:close", forWorkers("requests", WORKER_BUTTON)),
  button("rq:out", forWorkers("requests", WORKER_BUTTON)),
  button("rq:release", forWorkers("requests", WORKER_BUTTON)),
  button("rq:hand", forWorkers("requests", WORKER_BUTTON)),
  button("rq:to", forWorkers("requests", WORKER_BUTTON)),
  button("rq:focus", forWorkers("requests", WORKER_BUTTON)),
  // "Which request?": asked of workers and peers alike.
  button("rq:which", { owners: ["requests"], allow: [...WORKERS, "peer"], refuse: AS_UNKNOWN }),
  button("pr", { owners: ["peers"], allow: ["peer"], refuse: "peers.notPeer" }),
  // Referring a request on is a worker's; the question it asks is answered by the person (or their peer).
  button("rf:pick", forWorkers("referral", WORKER_BUTTON)),
  button("rf:to", forWorkers("referral", WORKER_BUTTON)),
  button("rf", only("referral")),
  button("oc", forWorkers("onCall", { peer: "team.onCall.peer", default: NOT_MEMBER })),
  button("adm", { owners: ["admin"], allow: ["coordinator"], refuse: "admin.notAdmin" }),
  ...["wtl", "wtp", "wto", "wti", "wtc", "wte", "wtr", "wtd", "wth", "wtn", "wtx", "wtu", "wta", "wtv"].map(
    (prefix) => button(prefix, forWorkers("tools", { default: AS_UNKNOWN, peer: "tools.notStaff" })),
  ),
  // A site's listing (what the file says) is a coordinator's; a worker is told so, a stranger nothing.
  ...["wed", "wef"].map((prefix) =>
    button(prefix, {
      owners: ["tools"],
      allow: ["coordinator"],
      refuse: { default: AS_UNKNOWN, worker: "tools.edit.notAdmin", peer: "tools.notStaff" },
    }),
  ),
  // The site editor's buttons belong to its dialogue; outside it, they are stale.
  button("se", only("directory")),
  // /rappel's choices: in anyone else's hands, a button from a past role, answered as out of date.
  button("rm", { owners: ["reminders"], allow: ["coordinator"], refuse: AS_UNKNOWN }),
  // Forged, or from an old version: the directory's "this button is out of date", with the menu.
  ["callback:?", only("directory")],

  // --- What people send ----------------------------------------------------------------------------
  ["text", words("directory")],
  ["media", words("fallback")],
  // A position is never relayed (requests says so to someone in a conversation); otherwise "near me".
  [
    "location",
    {
      owners: {
        default: ["requests", "directory"],
        looking: ["directory"],
      },
    },
  ],
  ["other", only("fallback")],
]);
