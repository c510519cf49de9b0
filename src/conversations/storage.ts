import type { ConversationStorage, VersionedState } from "@grammyjs/conversations";
import { and, eq } from "drizzle-orm";
import type { Context } from "grammy";
import { ownSnapshot, type PersonSnapshot } from "../bot/snapshot";
import type { UpdateClaims } from "../bot/update-claim";
import type { Database } from "../db/executor";
import { conversationState } from "../db/schema";
import type { Sealer } from "../privacy/sealed";

/**
 * Storage for @grammyjs/conversations on the `conversation_state` table.
 * - The plugin keeps every update of a conversation (with the sender's name and id) to replay it, so the
 *   state is sealed with the encryption key before it touches the database.
 * - Rows are keyed by the person's pseudonym, never by a chat id.
 * - Writes are compare-and-swap on `version`: two instances cannot silently overwrite each other; the
 *   loser throws and its update is handled again (bot/retry-update.ts): Telegram redelivers it after
 *   the webhook's 500; the poller retries it.
 * - `updatedAt` lets the retention sweep drop abandoned conversations (the plugin never does).
 */
export class ConversationConflictError extends Error {
  constructor() {
    super("conversation state changed under us (another instance handled this chat)");
  }
}

// Bump when a conversation's steps change shape: in-flight conversations are dropped, not misreplayed.
export const CONVERSATION_STATE_VERSION = 1;

type Keyed = Context & { pseudonym?: string; snapshot?: PersonSnapshot };

export function conversationStorage<C extends Keyed, S>(
  db: Database,
  sealer: Sealer,
  now: () => Date,
  claims?: UpdateClaims,
): ConversationStorage<C, S> {
  // An instance that lost this update to another (src/bot/update-claim.ts) leaves the state alone: the
  // plugin would otherwise delete it as it unwinds, under the instance that handled the update. One
  // that has not claimed it yet (a step that sent nothing) takes it before writing.
  const mayWrite = async (ctx: C) => {
    const claim = claims?.of(ctx.update.update_id);
    if (!claim) return true;
    if (claim.status === "done" || claim.status === "held") return false;
    await claim.take();
    return true;
  };
  const seen = new WeakMap<C, number>();
  return {
    type: "context",
    version: CONVERSATION_STATE_VERSION,
    adapter: {
      async read(ctx) {
        if (!ctx.pseudonym) return undefined;
        // The update's snapshot already read this row (one round trip less per update).
        const snapshot = ownSnapshot(ctx);
        const [row] = snapshot
          ? snapshot.conversation
            ? [snapshot.conversation]
            : []
          : await db
              .select({ state: conversationState.state, version: conversationState.version })
              .from(conversationState)
              .where(eq(conversationState.key, ctx.pseudonym));
        if (!row) {
          seen.set(ctx, -1);
          return undefined;
        }
        seen.set(ctx, row.version);
        try {
          return JSON.parse(sealer.open((row.state as { sealed: string }).sealed)) as VersionedState<S>;
        } catch {
          // Unreadable (key changed, damaged): start afresh rather than trap the person.
          return undefined;
        }
      },
      async write(ctx, state) {
        if (!ctx.pseudonym || !(await mayWrite(ctx))) return;
        const sealed = { sealed: sealer.seal(JSON.stringify(state)) };
        const expected = seen.get(ctx) ?? -1;
        if (expected === -1) {
          const inserted = await db
            .insert(conversationState)
            .values({ key: ctx.pseudonym, state: sealed, version: 1, updatedAt: now() })
            .onConflictDoNothing()
            .returning({ version: conversationState.version });
          if (inserted.length === 0) throw new ConversationConflictError();
          seen.set(ctx, 1);
          return;
        }
        const updated = await db
          .update(conversationState)
          .set({ state: sealed, version: expected + 1, updatedAt: now() })
          .where(and(eq(conversationState.key, ctx.pseudonym), eq(conversationState.version, expected)))
          .returning({ version: conversationState.version });
        if (updated.length === 0) throw new ConversationConflictError();
        seen.set(ctx, expected + 1);
      },
      async delete(ctx) {
        if (!ctx.pseudonym || !(await mayWrite(ctx))) return;
        // Only the state as it was read: a newer one, written by another instance meanwhile, stays.
        const expected = seen.get(ctx);
        await db
          .delete(conversationState)
          .where(
            expected === undefined || expected === -1
              ? eq(conversationState.key, ctx.pseudonym)
              : and(eq(conversationState.key, ctx.pseudonym), eq(conversationState.version, expected)),
          );
        seen.set(ctx, -1);
      },
    },
  };
}
