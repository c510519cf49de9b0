import type { ExtractTablesWithRelations } from "drizzle-orm";
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
