import { and, eq, gt } from "drizzle-orm";
import { Composer } from "grammy";
import type { BotContext } from "../bot/context";
import { showEmergency } from "../bot/emergency-card";
import { ownSnapshot } from "../bot/snapshot";
import { conversationState } from "../db/schema";
import { mentionsEmergency } from "../directory/emergency-words";
import { currentMember } from "./members/current";
import { activeRequestsOf, heldBy } from "./requests/queries";
import { heldRelayedBy } from "./requests/relayed-queries";

// A dialogue step left longer than this is over (steps time out after 30 minutes).
const LIVE_DIALOGUE_MS = 30 * 60_000;

/**
 * A worker typing into a live dialogue (a street note, an alert: "overdoses around here tonight")
 * writes for it, not for help. A dialogue abandoned earlier does not count.
 */
async function inDialogue(ctx: BotContext): Promise<boolean> {
  if (!ctx.pseudonym) return false;
  const since = new Date(ctx.deps.now().getTime() - LIVE_DIALOGUE_MS);
  const rows = await ctx.deps.db
    .select({ key: conversationState.key })
    .from(conversationState)
    .where(and(eq(conversationState.key, ctx.pseudonym), gt(conversationState.updatedAt, since)));
  return rows.length > 0;
}

export const emergencyFeature = new Composer<BotContext>();

emergencyFeature.command(["urgence", "emergency"], showEmergency);

/**
 * Any message mentioning an overdose gets the emergency card before anything else. The message itself
 * still goes on when it belongs to a conversation: to the worker holding the person's request ("my
 * friend ODed, we're at métro X" must reach them), and a worker's words to a person are relayed, not
 * answered with the card. The database being down must not stop the card: those checks come after it.
 */
/**
 * The built-in overdose words, then the directory's emergency words ("urgence", "911", "au secours").
 * The catalog is the one of the version the update's snapshot read (no query), else the last one seen:
 * the words are there even when the database is not.
 */
async function saysEmergency(ctx: BotContext, text: string): Promise<boolean> {
  const version = ownSnapshot(ctx)?.directoryVersion;
  const catalog =
    version === undefined
      ? ctx.deps.catalog.lastKnown()
      : await ctx.deps.catalog.get(ctx.deps.db, version).catch(() => ctx.deps.catalog.lastKnown());
  return mentionsEmergency(text, catalog);
}

emergencyFeature.on("message:text").filter(
  (ctx) => saysEmergency(ctx, ctx.message.text),
  async (ctx, next) => {
    const worker = await currentMember(ctx).catch(() => undefined);
    const holding = async (id: number) => (await heldBy(ctx.deps.db, id).catch(() => [])).length > 0;
    if (
      worker &&
      worker.role !== "peer" &&
      (worker.focusRequestId || (await holding(worker.id)) || (await inDialogue(ctx)))
    )
      return next();
    await showEmergency(ctx);
    const active = ctx.pseudonym ? await activeRequestsOf(ctx.deps.db, ctx.pseudonym).catch(() => []) : [];
    if (active.some((r) => r.status === "claimed")) return next();
    // Part 3 (peers): a peer relaying for someone ("he's not breathing") still reaches the worker.
    if (worker?.role === "peer" && (await heldRelayedBy(ctx.deps.db, worker.id).catch(() => [])).length > 0)
      return next();
  },
);
