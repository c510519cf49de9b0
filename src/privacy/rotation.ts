import { sql } from "drizzle-orm";
import type { Database, Executor } from "../db/executor";
import { rowsOf } from "../db/executor";
import { pseudonymFor } from "./pseudonym";
import type { Sealer } from "./sealed";

/**
 * Key rotation. Every sealed value and every pseudonym column is listed here, so a new one cannot be
 * forgotten by the rotation without a test failing (test/db/key-rotation.test.ts seals one of each).
 */

type SealedColumn = {
  table: string;
  key: string;
  column: string;
  /** Text holding the sealed value, or a JSON object `{ sealed }`. */
  shape: "text" | "json";
};

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: "members", key: "id", column: "chat_id_enc", shape: "text" },
  { table: "requests", key: "id", column: "chat_id_enc", shape: "text" },
  { table: "request_messages", key: "id", column: "body_enc", shape: "text" },
  { table: "request_messages", key: "id", column: "media_enc", shape: "text" },
  { table: "team_groups", key: "organisation_id", column: "chat_id_enc", shape: "text" },
  { table: "conversation_state", key: "key", column: "state", shape: "json" },
  { table: "outbox", key: "id", column: "payload", shape: "json" },
  { table: "alert_subscribers", key: "id", column: "chat_id_enc", shape: "text" },
  { table: "pending_words", key: "id", column: "content_enc", shape: "text" },
];

const BATCH = 500;

/**
 * Re-seals with the current key every value that still needs a previous one. Each batch is its own
 * transaction and the work is idempotent, so it can be interrupted and run again; the bot may run
 * meanwhile (it opens both keys).
 */
export async function resealAll(db: Database, sealer: Sealer): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const target of SEALED_COLUMNS) {
    const name = `${target.table}.${target.column}`;
    counts[name] = 0;
    let after = "";
    for (;;) {
      const batch = rowsOf<{ k: string; v: string }>(
        await db.execute(
          sql`select ${sql.raw(target.key)}::text as k, ${sql.raw(target.column)}::text as v
              from ${sql.raw(target.table)}
              where ${sql.raw(target.column)} is not null and ${sql.raw(target.key)}::text > ${after}
              order by ${sql.raw(target.key)}::text limit ${BATCH}`,
        ),
      );
      if (batch.length === 0) break;
      after = batch[batch.length - 1]?.k ?? after;
      await db.transaction(async (tx) => {
        for (const row of batch) {
          const sealed = sealedOf(row.v, target.shape);
          if (sealed === undefined || sealer.isCurrent(sealed)) continue;
          const resealed = sealer.seal(sealer.open(sealed));
          const value = target.shape === "text" ? resealed : JSON.stringify({ sealed: resealed });
          // Only if the value is still the one read: the bot runs meanwhile, and a value it emptied or
          // erased since (a sent message, an ended request's chat id) must not come back.
          const updated = rowsOf(
            await tx.execute(
              sql`update ${sql.raw(target.table)}
                  set ${sql.raw(target.column)} = ${value}${sql.raw(target.shape === "json" ? "::jsonb" : "")}
                  where ${sql.raw(target.key)}::text = ${row.k} and ${sql.raw(target.column)}::text = ${row.v}
                  returning 1 as done`,
            ),
          );
          counts[name] = (counts[name] ?? 0) + updated.length;
        }
      });
    }
  }
  return counts;
}

function sealedOf(value: string, shape: "text" | "json"): string | undefined {
  if (shape === "text") return value;
  const object = JSON.parse(value) as unknown;
  const sealed = (object as { sealed?: unknown } | null)?.sealed;
  return typeof sealed === "string" ? sealed : undefined;
}

type PseudonymColumn = { table: string; column: string; purpose: string; unique: boolean };

export const PSEUDONYM_COLUMNS: readonly PseudonymColumn[] = [
  { table: "language_choices", column: "pseudonym", purpose: "person", unique: true },
  { table: "conversation_state", column: "key", purpose: "person", unique: true },
  { table: "requests", column: "person_pseudonym", purpose: "person", unique: false },
  { table: "members", column: "pseudonym", purpose: "member", unique: true },
  { table: "alert_subscribers", column: "pseudonym", purpose: "alerts", unique: true },
];

/**
 * Pseudonyms cannot be recomputed without the Telegram ids, which Perche never keeps: after a pseudonym
 * key changes, each person's rows are moved to their new pseudonym the next time they write, while the
 * previous key is still configured. Returns how many rows moved (0 almost always: it runs once per
 * person and process).
 */
export async function adoptPreviousPseudonyms(
  db: Executor,
  currentKey: string,
  previousKeys: readonly string[],
  telegramUserId: number,
): Promise<number> {
  let moved = 0;
  for (const previousKey of previousKeys) {
    for (const target of PSEUDONYM_COLUMNS) {
      const before = pseudonymFor(previousKey, telegramUserId, target.purpose);
      const after = pseudonymFor(currentKey, telegramUserId, target.purpose);
      const table = sql.raw(target.table);
      const column = sql.raw(target.column);
      // Where the new pseudonym already has its own row, it wins and the old one is dropped.
      const updated = rowsOf(
        await db.execute(
          target.unique
            ? sql`update ${table} set ${column} = ${after} where ${column} = ${before}
                  and not exists (select 1 from ${table} where ${column} = ${after}) returning 1 as moved`
            : sql`update ${table} set ${column} = ${after} where ${column} = ${before} returning 1 as moved`,
        ),
      );
      moved += updated.length;
      if (target.unique && target.table !== "members")
        await db.execute(sql`delete from ${table} where ${column} = ${before}`);
    }
  }
  return moved;
}

/**
 * The rows that keep a sealed private chat id (team members, alert subscribers, requests still open)
 * hold the Telegram user id in it (a private chat's id is its user's), so they can be moved to the
 * current pseudonym key at once, without waiting for the person to write: `admin rotate-keys` does it.
 * Each update checks the old pseudonym is still there, so a running bot is never overwritten.
 */
export async function rekeyPseudonyms(
  db: Database,
  sealer: Sealer,
  currentKey: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = { members: 0, alert_subscribers: 0, requests: 0 };
  const targets = [
    // A removed member cannot come back under their old pseudonym anyway.
    { table: "members", column: "pseudonym", purpose: "member", where: sql`revoked_at is null` },
    { table: "alert_subscribers", column: "pseudonym", purpose: "alerts", where: sql`true` },
    // A relayed request's pseudonym is random (it names nobody) and its chat id is the peer's.
    {
      table: "requests",
      column: "person_pseudonym",
      purpose: "person",
      where: sql`chat_id_enc is not null and relayed_by_member_id is null`,
    },
  ] as const;
  for (const target of targets) {
    const table = sql.raw(target.table);
    const column = sql.raw(target.column);
    const rows = rowsOf<{ id: string; pseudonym: string; chat: string }>(
      await db.execute(
        sql`select id::text as id, ${column} as pseudonym, chat_id_enc as chat from ${table} where ${target.where}`,
      ),
    );
    for (const row of rows) {
      let userId: number;
      try {
        userId = Number(sealer.open(row.chat));
      } catch {
        // Sealed with a key that is gone: nothing to move it with (resealing reports the same value).
        continue;
      }
      if (!Number.isSafeInteger(userId) || userId <= 0) continue;
      const fresh = pseudonymFor(currentKey, userId, target.purpose);
      if (fresh === row.pseudonym) continue;
      await db.transaction(async (tx) => {
        // Someone who subscribed again under the new key keeps that subscription; the old one goes.
        if (target.table === "alert_subscribers") {
          const taken = rowsOf(
            await tx.execute(sql`select 1 from alert_subscribers where pseudonym = ${fresh}`),
          );
          if (taken.length > 0) {
            await tx.execute(
              sql`delete from alert_subscribers where id::text = ${row.id} and pseudonym = ${row.pseudonym}`,
            );
            return;
          }
        }
        const moved = rowsOf(
          await tx.execute(
            sql`update ${table} set ${column} = ${fresh} where id::text = ${row.id} and ${column} = ${row.pseudonym} returning 1 as done`,
          ),
        );
        counts[target.table] = (counts[target.table] ?? 0) + moved.length;
      });
    }
  }
  return counts;
}
