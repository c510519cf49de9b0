import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Sql } from "postgres";
import { type Database, rowsOf } from "./executor";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../migrations", import.meta.url));

// Any constant works; it only has to be the same for every Perche process.
const MIGRATION_LOCK_KEY = 7_265_108_341;

/**
 * Perche applies its migrations itself instead of through drizzle's migrator, for two reasons:
 * drizzle reads the order from drizzle-kit's `meta/_journal.json` (a layout drizzle v1 drops), and it
 * silently skips a migration whose journal timestamp is older than the newest applied one. Here the
 * order is the files' names (`0007_….sql`, or `0007_…/migration.sql` in drizzle v1's layout), the
 * database's list of applied migrations must be a prefix of it, hash by hash, and whatever follows is
 * applied in one transaction. The bookkeeping table is drizzle's own (same hash of the file), so
 * databases migrated before keep working.
 */
export type Migration = { name: string; hash: string; statements: string[] };

export function readMigrations(folder: string = MIGRATIONS_FOLDER): Migration[] {
  const files: { name: string; file: string }[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isFile() && /^\d{4}_.*\.sql$/.test(entry.name))
      files.push({ name: entry.name.replace(/\.sql$/, ""), file: path.join(folder, entry.name) });
    else if (entry.isDirectory() && existsSync(path.join(folder, entry.name, "migration.sql")))
      files.push({ name: entry.name, file: path.join(folder, entry.name, "migration.sql") });
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return files.map(({ name, file }) => {
    const text = readFileSync(file, "utf8");
    return {
      name,
      hash: createHash("sha256").update(text).digest("hex"),
      statements: text.split("--> statement-breakpoint").filter((statement) => statement.trim() !== ""),
    };
  });
}

/** What is left to apply, or why the database and the files disagree. Pure. */
export function pendingMigrations(
  files: readonly Migration[],
  appliedHashes: readonly string[],
): { kind: "pending"; migrations: Migration[] } | { kind: "mismatch"; message: string } {
  if (appliedHashes.length > files.length)
    return {
      kind: "mismatch",
      message: `The database has ${appliedHashes.length} migrations applied but migrations/ holds ${files.length}: this code is older than the database.`,
    };
  for (const [index, hash] of appliedHashes.entries()) {
    const file = files[index] as Migration;
    if (file.hash !== hash)
      return {
        kind: "mismatch",
        message: `Migration ${file.name} is not the one this database applied as number ${index + 1}: a committed migration must never change, and new ones go after the last.`,
      };
  }
  return { kind: "pending", migrations: files.slice(appliedHashes.length) };
}

async function applyPending(db: Database): Promise<void> {
  await db.execute(sql`create schema if not exists drizzle`);
  await db.execute(
    sql`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
  );
  const applied = rowsOf<{ hash: string }>(
    await db.execute(sql`select hash from drizzle.__drizzle_migrations order by id`),
  ).map((row) => row.hash);
  const plan = pendingMigrations(readMigrations(), applied);
  if (plan.kind === "mismatch") throw new Error(plan.message);
  if (plan.migrations.length === 0) return;
  await db.transaction(async (tx) => {
    for (const migration of plan.migrations) {
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
      await tx.execute(
        sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${Date.now()})`,
      );
    }
  });
}

export async function applyMigrationsPostgres(client: Sql, db: Database): Promise<void> {
  // Two instances starting on an empty database would both try to create the tables. A session-level
  // advisory lock on a dedicated connection serialises them.
  const reserved = await client.reserve();
  try {
    await reserved`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await applyPending(db);
    } finally {
      await reserved`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    reserved.release();
  }
}

export async function applyMigrationsPglite(db: Database): Promise<void> {
  await applyPending(db);
}
