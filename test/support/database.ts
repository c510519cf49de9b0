import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { type DatabaseHandle, openPostgres, wrapPglite } from "../../src/db/client";

/**
 * Databases for tests, on both drivers. PGlite: one migrated template per worker, cloned per test file
 * (a fresh initdb costs seconds). PostgreSQL: a new database per call on TEST_DATABASE_URL's server,
 * dropped on close.
 */
let template: Promise<File | Blob> | undefined;

async function pgliteTemplate(): Promise<File | Blob> {
  template ??= (async () => {
    const cached = templateCacheFile();
    if (cached && existsSync(cached)) return new Blob([await readFile(cached)]);
    const client = await PGlite.create();
    await wrapPglite(client).migrate();
    const dump = await client.dumpDataDir("none");
    await client.close();
    if (cached) {
      // Written aside then renamed, so a process reading it never sees half a file.
      await mkdir(path.dirname(cached), { recursive: true });
      const partial = `${cached}.${process.pid}.partial`;
      await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
      await rename(partial, cached);
    }
    return dump;
  })();
  return template;
}

/**
 * Where the migrated template is kept between processes, when PGLITE_TEMPLATE_CACHE names a folder (the
 * mutation run sets it: there every mutant's run is a new process, and an initdb costs it ~20 s on a
 * busy machine). Named for the migrations, the migration code and PGlite's version, so any change to
 * them builds a new one.
 */
function templateCacheFile(): string | undefined {
  const folder = process.env.PGLITE_TEMPLATE_CACHE;
  if (!folder) return undefined;
  const root = path.resolve(import.meta.dirname, "../..");
  const hash = createHash("sha256");
  const migrations = path.join(root, "migrations");
  const files = readdirSync(migrations, { recursive: true, encoding: "utf8" }).sort();
  for (const file of files.filter((f) => f.endsWith(".sql") || f.endsWith(".json")))
    hash.update(file).update(readFileSync(path.join(migrations, file)));
  hash.update(readFileSync(path.join(root, "src/db/migrate.ts")));
  hash.update(readFileSync(path.join(root, "node_modules/@electric-sql/pglite/package.json")));
  return path.resolve(root, folder, `pglite-template-${hash.digest("hex").slice(0, 16)}.tar`);
}

export async function createPgliteDatabase(): Promise<DatabaseHandle> {
  const client = await PGlite.create({ loadDataDir: await pgliteTemplate() });
  return wrapPglite(client);
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

export async function createPostgresDatabase(): Promise<DatabaseHandle> {
  if (!TEST_DATABASE_URL) throw new Error("TEST_DATABASE_URL is not set");
  const name = `perche_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.href);
  await handle.migrate();
  return {
    ...handle,
    async close() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** The drivers every database and bot test runs on: PGlite always, PostgreSQL when configured. */
export const DRIVERS: { name: string; open: () => Promise<DatabaseHandle> }[] = [
  { name: "PGlite", open: createPgliteDatabase },
  ...(TEST_DATABASE_URL ? [{ name: "PostgreSQL", open: createPostgresDatabase }] : []),
];

/**
 * One database per test file and driver: opened before its tests, closed after them. `use` receives it
 * (each file keeps its own `database` variable, assigned here).
 */
export function useDatabase(
  open: () => Promise<DatabaseHandle>,
  use: (database: DatabaseHandle) => void,
): void {
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    handle = await open();
    use(handle);
  });
  afterAll(async () => {
    await handle?.close();
  });
}
