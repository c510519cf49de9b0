import { randomBytes } from "node:crypto";
import { cpSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll, inject } from "vitest";
import { type DatabaseHandle, openPostgres, wrapPglite } from "../../src/db/client";

/**
 * Databases for tests, on both drivers. PGlite: the migrated template the run's globalSetup built
 * (test/support/pglite-template.ts), cloned in memory per test file (a fresh initdb costs seconds).
 * PostgreSQL: a new database per call on TEST_DATABASE_URL's server, dropped on close.
 */
let template: Promise<File | Blob> | undefined;

async function pgliteTemplate(): Promise<File | Blob> {
  template ??= (async () => {
    const built = inject("pgliteTemplate")?.tarball;
    if (built) return new Blob([await readFile(built)]);
    // Run under a configuration without the globalSetup: this process builds its own.
    const client = await PGlite.create();
    await wrapPglite(client).migrate();
    const dump = await client.dumpDataDir("none");
    await client.close();
    return dump;
  })();
  return template;
}

/**
 * DATA_DIR as a first start leaves it: the migrated template copied to `dataDir`/pglite (see
 * pglite-template.ts), for a process that would otherwise spend seconds on an initdb. Returns `dataDir`.
 */
export function seedPgliteDataDir(dataDir: string): string {
  const folder = inject("pgliteTemplate")?.dataFolder;
  if (!folder) throw new Error("no PGlite template: run the tests with vitest.config.ts's globalSetup");
  cpSync(folder, path.join(dataDir, "pglite"), { recursive: true });
  return dataDir;
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
