import { Composer, type Middleware, type MiddlewareFn, type NextFunction } from "grammy";
import type { Message } from "grammy/types";
import type { BotContext, BotDeps } from "./context";
import { type MenuLabel, menuLabelOf } from "./menu-labels";
import { ownSnapshot, type PersonSnapshot } from "./snapshot";

/**
 * Part 6's one router. What a private update means and who answers it is decided here, in two steps:
 *
 * 1. **Its audience**, from the update's snapshot (one round trip, read before): someone only looking
 *    things up, a person with a request under way (or one that just ended), a worker, a coordinator, a
 *    peer helper. Dialogues come first and are not routed: an active dialogue takes its updates before
 *    the router sees them (create-bot mounts them in front), and hands back the ones it does not want.
 * 2. **Its kind**: a command, a button (by its callback-data prefix), a menu label, plain words, a photo
 *    or voice note, a location, anything else.
 *
 * `routes.ts` declares, for every kind, which feature owns it, and who may use it. Dispatch is one map
 * lookup. Role checks happen here, once, from the snapshot's member row: a peer tapping a worker's
 * button, or a stranger typing a coordinator's command, is refused before any feature runs. When the
 * snapshot could not be read (the database down), the audience is unknown and the feature decides
 * from the member row it reads itself, so a lost snapshot never opens a door.
 */

export const AUDIENCES = ["looking", "requester", "worker", "coordinator", "peer", "unknown"] as const;
export type Audience = (typeof AUDIENCES)[number];

export const FEATURES = [
  "emergency",
  "forget",
  "cancel",
  "info",
  "language",
  "directory",
  "requests",
  "peers",
  "onCall",
  "admin",
  "referral",
  "stats",
  "alerts",
  "tools",
  "reminders",
  "passMedia",
  "fallback",
] as const;
export type FeatureName = (typeof FEATURES)[number];

/** What kind of update this is, as the routing table names it. */
export type UpdateKind =
  | `command:${string}`
  | `callback:${string}`
  | `label:${MenuLabel}`
  | "text"
  | "media"
  | "location"
  | "other";

export type Route = {
  /** The features that answer, in order: each passes on (next) what is not its own to the next. */
  owners:
    | readonly FeatureName[]
    | ({ readonly [A in Audience]?: readonly FeatureName[] } & {
        readonly default: readonly FeatureName[];
      });
  /** Who may use it; anyone when absent. An unknown audience always goes on (see above). */
  allow?: readonly Audience[];
  /**
   * The refusal for the others: a text key, or one per audience (`default` for the rest). AS_UNKNOWN
   * answers as if the command or button did not exist (what someone on no team is told: it reveals no
   * team, and a worker's button in a stranger's hands is forged or left from a past membership).
   */
  refuse?: Refusal | ({ readonly [A in Audience]?: Refusal } & { readonly default: Refusal });
  /**
   * Answered in front of every dialogue (the emergency card, forgetting): declared here so the table is
   * whole, dispatched by the middleware create-bot mounts before the dialogues, never by the router.
   */
  ahead?: true;
};

export const AS_UNKNOWN = "as-unknown";
type Refusal = string;

export type RouteTable = ReadonlyMap<UpdateKind, Route>;

export type Resolution =
  | { kind: "dispatch"; owners: readonly FeatureName[] }
  | { kind: "refuse"; text: string }
  | { kind: "as-unknown"; owners: readonly FeatureName[] }
  | { kind: "ahead"; owners: readonly FeatureName[] };

export function audienceOf(snapshot: PersonSnapshot | undefined): Audience {
  if (!snapshot) return "unknown";
  switch (snapshot.memberRole) {
    case "peer":
      return "peer";
    case "worker":
      return "worker";
    case "admin":
      return "coordinator";
    case undefined:
      return snapshot.hasActiveRequest || snapshot.hasEndedUntold ? "requester" : "looking";
  }
}

// Everything a person can send that is neither words nor a position: it may cross to a worker.
const MEDIA: readonly (keyof Message)[] = [
  "photo",
  "voice",
  "document",
  "sticker",
  "contact",
  "video",
  "audio",
  "animation",
  "video_note",
];

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s|$)/;

/**
 * The update's kind. `commands` holds every command name the table knows: any other "/word" (or one
 * addressed to another bot) is `command:?`. A button's kind is its prefix and verb when the table has
 * that pair ("rq:claim"), else its prefix ("oc"), else `callback:?` (forged, or from an old version).
 */
export function kindOf(
  update: { message?: Message; callback_query?: { data?: string } },
  deps: Pick<BotDeps, "translations">,
  table: RouteTable,
  botUsername?: string,
): UpdateKind {
  const message = update.message;
  if (message) {
    const text = message.text;
    if (text !== undefined) {
      if (text.startsWith("/")) {
        const match = COMMAND.exec(text);
        const name = match?.[1]?.toLowerCase();
        const addressee = match?.[2];
        const forUs = addressee === undefined || addressee.toLowerCase() === botUsername?.toLowerCase();
        return name && forUs && table.has(`command:${name}`) ? `command:${name}` : "command:?";
      }
      const label = menuLabelOf(deps, text);
      return label ? `label:${label}` : "text";
    }
    if (message.location) return "location";
    if (MEDIA.some((field) => message[field] !== undefined)) return "media";
    return "other";
  }
  const data = update.callback_query?.data;
  if (data !== undefined) {
    const [prefix, verb] = data.split(":", 2);
    if (verb !== undefined && table.has(`callback:${prefix}:${verb}`)) return `callback:${prefix}:${verb}`;
    return table.has(`callback:${prefix}`) ? `callback:${prefix}` : "callback:?";
  }
  return "other";
}

/** Who answers this kind of update for this audience (pure: the routing table test reads it). */
export function resolve(table: RouteTable, kind: UpdateKind, audience: Audience): Resolution {
  const route = table.get(kind) ?? table.get("other");
  if (!route) return { kind: "dispatch", owners: [] };
  const owners = ownersFor(route, audience);
  if (route.ahead) return { kind: "ahead", owners };
  if (route.allow && audience !== "unknown" && !route.allow.includes(audience)) {
    const refuse = route.refuse ?? "team.onCall.notMember";
    const text = typeof refuse === "string" ? refuse : (refuse[audience] ?? refuse.default);
    if (text !== AS_UNKNOWN) return { kind: "refuse", text };
    const unknown = table.get(kind.startsWith("callback:") ? "callback:?" : "command:?");
    return { kind: "as-unknown", owners: unknown ? ownersFor(unknown, audience) : [] };
  }
  return { kind: "dispatch", owners };
}

function ownersFor(route: Route, audience: Audience): readonly FeatureName[] {
  if (isOwnerList(route.owners)) return route.owners;
  return route.owners[audience] ?? route.owners.default;
}

function isOwnerList(owners: Route["owners"]): owners is readonly FeatureName[] {
  return Array.isArray(owners);
}

/**
 * The router itself: the table, and each routed feature's middleware. Every feature is mounted here and
 * nowhere else; an owner's `next` is the next owner in its route, and the last one's is the end.
 */
export function createRouter(
  table: RouteTable,
  features: Partial<Record<FeatureName, Middleware<BotContext>>>,
): MiddlewareFn<BotContext> {
  const run = new Map<FeatureName, MiddlewareFn<BotContext>>();
  for (const [name, feature] of Object.entries(features) as [FeatureName, Middleware<BotContext>][])
    run.set(name, new Composer<BotContext>(feature).middleware());
  // A table naming a feature the router was not given would drop its updates: refuse to start instead.
  for (const [kind, route] of table) {
    if (route.ahead) continue;
    const named = isOwnerList(route.owners) ? route.owners : Object.values(route.owners).flat();
    const missing = named.find((owner) => !run.has(owner));
    if (missing) throw new Error(`routing table: ${kind} names ${missing}, which the router was not given`);
  }

  return async (ctx, next) => {
    const kind = kindOf(ctx.update, ctx.deps, table, ctx.me?.username);
    const resolution = resolve(table, kind, audienceOf(ownSnapshot(ctx)));
    switch (resolution.kind) {
      case "refuse":
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t(resolution.text) });
        else await ctx.reply(ctx.t(resolution.text));
        return;
      case "ahead":
        return next();
      case "as-unknown":
        return chain(resolution.owners, run, ctx, next);
      case "dispatch": {
        // A button its owner does not recognise (forged, or from an old version) is answered as any
        // unknown button is: "out of date", with the menu. Never silence.
        const unknownButton = kind.startsWith("callback:") && kind !== "callback:?";
        const end: NextFunction = unknownButton
          ? () => chain(ownersFor(table.get("callback:?") ?? { owners: [] }, "unknown"), run, ctx, next)
          : next;
        return chain(resolution.owners, run, ctx, end);
      }
    }
  };
}

function chain(
  owners: readonly FeatureName[],
  run: ReadonlyMap<FeatureName, MiddlewareFn<BotContext>>,
  ctx: BotContext,
  end: NextFunction,
): Promise<void> {
  const step = async (index: number): Promise<void> => {
    const owner = owners[index];
    if (owner === undefined) return end();
    const feature = run.get(owner);
    if (!feature) throw new Error(`routing table names ${owner}, which the router was not given`);
    await feature(ctx, () => step(index + 1));
  };
  return step(0);
}
