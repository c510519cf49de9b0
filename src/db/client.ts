import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
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
  const client = preparingAll(
    postgres(url, {
      max: 10,
      connect_timeout: 5,
      onnotice: () => {},
      connection: { application_name: "perche" },
    }),
  );
  const db = drizzlePostgres(client, { schema, casing: "snake_case" }) as unknown as Database;
  return {
    db,
    kind: "postgres",
    migrate: () => applyMigrationsPostgres(client, db),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
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
