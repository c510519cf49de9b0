import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Sql } from "postgres";
import { type Database, rowsOf } from "./executor";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../migrations", import.meta.url));

// Any constant works; it only has to be the same for every Perche process.
const MIGRATION_LOCK_KEY = 7_265_108_341;

export async function applyMigrationsPostgres(client: Sql, db: Database): Promise<void> {
  // drizzle's migrate() takes no lock: two instances starting on an empty database would both try to
  // create the tables. A session-level advisory lock on a dedicated connection serialises them.
  const reserved = await client.reserve();
  try {
    await reserved`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migratePostgres(db as unknown as PostgresJsDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
      await checkAllApplied(db);
    } finally {
      await reserved`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    reserved.release();
  }
}

export async function applyMigrationsPglite(db: Database): Promise<void> {
  await migratePglite(db as unknown as PgliteDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
  await checkAllApplied(db);
}

/** drizzle silently skips a migration whose timestamp is older than the newest applied one. */
async function checkAllApplied(db: Database): Promise<void> {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as {
    entries: unknown[];
  };
  const result = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  const rows = rowsOf<{ n: number }>(result);
  const applied = rows[0]?.n ?? 0;
  if (applied !== journal.entries.length) {
    throw new Error(
      `Database has ${applied} migrations applied but migrations/ holds ${journal.entries.length}: a migration was skipped (check the journal timestamps).`,
    );
  }
}
