import { type ExtractTablesWithRelations, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type * as schema from "./schema";

type Schema = typeof schema;

/** A database or a transaction on either driver: every query function takes one of these first. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Executor = Database | PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

/** The rows of `db.execute(...)`: postgres.js answers an array, PGlite an object with `rows`. */
export function rowsOf<Row = Record<string, unknown>>(result: unknown): Row[] {
  return (Array.isArray(result) ? result : (result as { rows: Row[] }).rows) as Row[];
}

/**
 * Sends several writes (drizzle insert, update or delete builders, unsent) as ONE statement, each a
 * data-modifying CTE: one round trip instead of one each, and all or nothing like any statement.
 * They all see the database as it was before the statement and run in no set order, so none may
 * read what another writes, nor two touch the same row; foreign keys are checked at the end of the
 * statement, so a row may refer to one inserted beside it. `undefined` entries (nothing to write) are
 * left out.
 */
export async function inOneStatement(db: Executor, writes: (SQLWrapper | undefined)[]): Promise<void> {
  const ctes = writeCtes(writes);
  if (ctes.length === 0) return;
  await db.execute(sql`with ${sql.join(ctes, sql`, `)} select 1`);
}

/** Writes as CTEs named w0, w1…, `undefined` entries left out: for a statement that does more besides. */
export function writeCtes(writes: (SQLWrapper | undefined)[]): SQL[] {
  // A builder embedded in `sql` renders in parentheses: exactly the body a CTE takes.
  return writes
    .filter((write): write is SQLWrapper => write !== undefined)
    .map((write, i) => sql`${sql.raw(`w${i}`)} as ${write}`);
}
