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
  { table: "team_groups", key: "organisation_id", column: "chat_id_enc", shape: "text" },
  { table: "conversation_state", key: "key", column: "state", shape: "json" },
  { table: "outbox", key: "id", column: "payload", shape: "json" },
  { table: "alert_subscribers", key: "id", column: "chat_id_enc", shape: "text" },
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
      const batch = rowsOf<{ k: string; v: unknown }>(
        await db.execute(
          sql`select ${sql.raw(target.key)}::text as k, ${sql.raw(target.column)} as v
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
          await tx.execute(
            sql`update ${sql.raw(target.table)}
                set ${sql.raw(target.column)} = ${value}${sql.raw(target.shape === "json" ? "::jsonb" : "")}
                where ${sql.raw(target.key)}::text = ${row.k}`,
          );
          counts[name] = (counts[name] ?? 0) + 1;
        }
      });
    }
  }
  return counts;
}

function sealedOf(value: unknown, shape: "text" | "json"): string | undefined {
  if (shape === "text") return typeof value === "string" ? value : undefined;
  const object = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
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
