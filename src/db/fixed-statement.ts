import type { Database } from "./executor";

type PostgresClient = {
  unsafe(text: string, params: unknown[], options: { prepare: boolean }): Promise<unknown[]>;
};
type PgliteClient = { query(text: string, params: unknown[]): Promise<{ rows: unknown[] }> };

/**
 * A statement whose text never changes, sent with its values straight through the driver. drizzle
 * builds a statement from its parts on every call, which was 6 % of the CPU of a lookup: the update's
 * snapshot, run on every update, is written once as text instead. Values are always bound as
 * parameters ($1, $2…), never put into the text. On PostgreSQL it is a prepared statement like every
 * other (src/db/prepared.ts).
 */
export async function runFixed<Row>(db: Database, text: string, params: unknown[]): Promise<Row[]> {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (typeof client === "function" && typeof (client as Partial<PostgresClient>).unsafe === "function")
    return (await (client as unknown as PostgresClient).unsafe(text, params, { prepare: true })) as Row[];
  if (client && typeof (client as Partial<PgliteClient>).query === "function")
    return (await (client as PgliteClient).query(text, params)).rows as Row[];
  throw new Error("runFixed: a database opened by src/db/client.ts is needed (not a transaction)");
}
