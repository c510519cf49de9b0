import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres, { type PendingQuery, type Row, type Sql } from "postgres";
import { type DataDirLock, lockDataDir } from "./data-dir-lock";
import type { Database } from "./executor";
import { applyMigrationsPglite, applyMigrationsPostgres } from "./migrate";
import { preparingAll } from "./prepared";
import * as schema from "./schema";

export type DatabaseHandle = {
  db: Database;
  kind: "pglite" | "postgres";
  /** Applies pending migrations (under an advisory lock on PostgreSQL) and checks none was skipped. */
  migrate(): Promise<void>;
  /** Throws when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
};

export type StorageOptions = { databaseUrl: string | undefined; dataDir: string };

export async function openDatabase(options: StorageOptions): Promise<DatabaseHandle> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir);
}

export function openPostgres(url: string): DatabaseHandle {
  // A database that does not answer fails within 5 s (postgres.js waits 30 s by default), well inside
  // the webhook's answer time, so Telegram is told to redeliver instead of the update being lost.
  const client = retryingLostConnections(
    preparingAll(
      postgres(url, {
        max: 10,
        connect_timeout: 5,
        // postgres.js waits longer after each lost connection, up to 20 s, before it tries again, and the
        // statements queued wait with it: the bot would answer 20 s after the database came back. Tried
        // again after 50 ms doubling to 1 s at most, it answers within a second or two.
        backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
        onnotice: () => {},
        connection: { application_name: "perche" },
      }),
    ),
  );
  const db = drizzlePostgres(client, { schema, casing: "snake_case" }) as unknown as Database;
  return {
    db,
    kind: "postgres",
    migrate: () => applyMigrationsPostgres(client, db),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    // The updates in hand are done by now; a connection PostgreSQL ended earlier would hold end() for its
    // whole timeout.
    close: () => client.end({ timeout: 2 }),
  };
}

/**
 * Whether an error says the connection was lost or refused rather than anything about the query:
 * postgres.js's own codes, the network's, and PostgreSQL's 57P0x (terminated: an administrator, a
 * shutdown, a failover) and 08xxx (connection exception) classes, anywhere in the cause chain.
 */
export function isConnectionLost(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_CODES.test(code)) return true;
  }
  return false;
}

const CONNECTION_CODES =
  /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED|CONNECT_TIMEOUT|57P0[123]|08...)$/;

// Pauses of 50 ms doubling: about 3 s in all, long enough for postgres.js to open a fresh connection after
// a cut (its own back-off grows with each lost connection), short enough to leave a longer outage to the
// update's own retries.
const LOST_CONNECTION_RETRIES = 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` again, on the fresh connection postgres.js opens, while the connection was what failed. */
async function onFreshConnection<T>(
  attempt: () => Promise<T>,
  mayRetry: () => boolean = () => true,
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries > LOST_CONNECTION_RETRIES || !isConnectionLost(error) || !mayRetry()) throw error;
      await sleep(25 * 2 ** tries);
    }
  }
}

/**
 * A connection PostgreSQL ended (pg_terminate_backend, a restart, a failover) or the network cut is
 * replaced by postgres.js, but the statements that were on it fail: each would fail an update, an outbox
 * round or a timer. So a statement outside a transaction that failed that way is sent again on a fresh
 * connection (for about 3 s), and so is a transaction that failed before its body ran (at BEGIN). A
 * transaction that failed later is not: whether it committed cannot be known, so it fails, and the update
 * is handled again as a whole (its effects are keyed on the update id). A lone statement whose connection
 * died after it ran is sent twice: Perche's are reads, keyed inserts, fenced updates or counters, and a
 * counter may then count one more.
 */
function retryingLostConnections(client: Sql): Sql {
  const unsafe = client.unsafe;
  client.unsafe = ((text: string, args?: unknown, options?: { onexecute?: unknown }) => {
    // postgres.js's own use (its BEGIN, inside `begin`) gets the query itself.
    if (options?.onexecute) return (unsafe as (...a: unknown[]) => unknown)(text, args, options);
    const run = (shape: "rows" | "values") =>
      onFreshConnection(async () => {
        const query = (unsafe as (...a: unknown[]) => PendingQuery<Row[]>)(text, args, options);
        return shape === "values" ? await query.values() : await query;
      });
    let rows: Promise<unknown> | undefined;
    const once = () => {
      rows ??= run("rows");
      return rows;
    };
    return {
      // biome-ignore lint/suspicious/noThenProperty: drizzle awaits what unsafe returns, as postgres.js's own.
      then: (resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) =>
        once().then(resolve, reject),
      catch: (reject: (e: unknown) => unknown) => once().catch(reject),
      finally: (done: () => void) => once().finally(done),
      values: () => run("values"),
    };
  }) as unknown as Sql["unsafe"];
  const begin = client.begin.bind(client) as (...args: unknown[]) => Promise<unknown>;
  client.begin = ((options: unknown, body?: unknown) => {
    const [mode, callback] = typeof options === "function" ? ["", options] : [options, body];
    let bodyRan = false;
    return onFreshConnection(
      () =>
        begin(mode, (tx: Sql) => {
          bodyRan = true;
          return (callback as (tx: Sql) => unknown)(tx);
        }),
      () => !bodyRan,
    );
  }) as Sql["begin"];
  return client;
}

export async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  const lock = lockDataDir(dataDir);
  try {
    const client = await PGlite.create(path.join(dataDir, "pglite"));
    return wrapPglite(client, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Also used by the tests, which clone a migrated in-memory template instead of initialising each time. */
export function wrapPglite(client: PGlite, lock?: DataDirLock): DatabaseHandle {
  const db = drizzlePglite(client, { schema, casing: "snake_case" }) as unknown as Database;
  return {
    db,
    kind: "pglite",
    migrate: () => applyMigrationsPglite(db),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {
      try {
        if (!client.closed) await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}
