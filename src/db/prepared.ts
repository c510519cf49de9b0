import type { Sql } from "postgres";

/**
 * drizzle hands postgres.js every query unprepared unless it was built with `.prepare(name)`, and
 * postgres.js sends an unprepared query that has parameters in two round trips (describe its parameter
 * types, then bind and execute), while the server parses and plans it again each time. Perche's queries
 * are a fixed set of shapes, so all of them are prepared, inside transactions too: the first use on a
 * connection costs what it did, every later one a single round trip with no parsing. Measured with
 * `npm run bench`: a lookup's statement went from two round trips to one.
 *
 * Prepared statements live with their connection; postgres.js replaces connections after 30 to 60
 * minutes (max_lifetime), which bounds how many a long-running bot keeps on the server.
 */
export function preparingAll(client: Sql): Sql {
  preparedUnsafe(client);
  const begin = client.begin.bind(client) as (...args: unknown[]) => Promise<unknown>;
  client.begin = ((options: unknown, body?: unknown) => {
    const [mode, callback] = typeof options === "function" ? ["", options] : [options, body];
    return begin(mode, (tx: Sql) => (callback as (tx: Sql) => unknown)(inTransaction(tx)));
  }) as Sql["begin"];
  return client;
}

/** drizzle sends everything through `unsafe`, with `prepare: false`: this one prepares. */
function preparedUnsafe(sql: Sql): void {
  const unsafe = sql.unsafe;
  sql.unsafe = ((text: string, args?: unknown, options?: Record<string, unknown>) => {
    const [values, given] = Array.isArray(args) ? [args, options] : [[], args as typeof options];
    return unsafe(text, values, { ...given, prepare: true });
  }) as Sql["unsafe"];
}

type Scoped = Sql & { savepoint?: (name: unknown, body?: unknown) => Promise<unknown> };

/** A transaction's own `sql`, and those of its savepoints (drizzle's nested transactions), prepare too. */
function inTransaction(tx: Sql): Sql {
  preparedUnsafe(tx);
  const scoped = tx as Scoped;
  const savepoint = scoped.savepoint;
  if (savepoint)
    scoped.savepoint = (name: unknown, body?: unknown) =>
      typeof name === "function"
        ? savepoint((inner: Sql) => (name as (s: Sql) => unknown)(inTransaction(inner)))
        : savepoint(name, (inner: Sql) => (body as (s: Sql) => unknown)(inTransaction(inner)));
  return tx;
}
