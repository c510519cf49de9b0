import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";
import { wrapPglite } from "../../src/db/client";

/**
 * vitest's globalSetup: the embedded database initialised and migrated once for the whole run, before
 * any test file starts, instead of once per file (every file runs in a process of its own, and an initdb
 * in WebAssembly costs 3 to 9 s on a busy 2-core machine). Two forms of the same database:
 * - `tarball`, PGlite's dump, which test/support/database.ts clones in memory for each test file;
 * - `dataFolder`, the same database as a folder on disk, which the end-to-end and command-line tests copy
 *   to DATA_DIR/pglite before their first `npm start` or `npm run admin` (what a restart finds there).
 * Kept between runs in node_modules/.cache/perche (or the folder PGLITE_TEMPLATE_CACHE names), named for
 * the migrations, the migration code and PGlite's version, so that any change to them builds a new one;
 * `npm ci` starts from none.
 */

export type PgliteTemplate = { tarball: string; dataFolder: string };

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: PgliteTemplate;
  }
}

const ROOT = path.resolve(import.meta.dirname, "../..");

function templateName(): string {
  const hash = createHash("sha256");
  const migrations = path.join(ROOT, "migrations");
  const files = readdirSync(migrations, { recursive: true, encoding: "utf8" }).sort();
  for (const file of files.filter((f) => f.endsWith(".sql") || f.endsWith(".json")))
    hash.update(file).update(readFileSync(path.join(migrations, file)));
  hash.update(readFileSync(path.join(ROOT, "src/db/migrate.ts")));
  hash.update(readFileSync(path.join(ROOT, "node_modules/@electric-sql/pglite/package.json")));
  return `pglite-template-${hash.digest("hex").slice(0, 16)}`;
}

/** Initialises and migrates a database in `dataFolder` and writes its dump to `tarball`. */
async function build(template: PgliteTemplate): Promise<void> {
  // Built aside and renamed into place, so another run sharing the cache never sees half a template.
  const partial = `${template.dataFolder}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const client = await PGlite.create(partial);
  await wrapPglite(client).migrate();
  const dump = await client.dumpDataDir("none");
  await client.close();
  await writeFile(`${partial}.tar`, Buffer.from(await dump.arrayBuffer()));
  try {
    renameSync(`${partial}.tar`, template.tarball);
    renameSync(partial, template.dataFolder);
  } catch (error) {
    // Another run renamed its own first: theirs is the same database.
    if (!existsSync(template.dataFolder) || !existsSync(template.tarball)) throw error;
  } finally {
    rmSync(partial, { recursive: true, force: true });
    rmSync(`${partial}.tar`, { force: true });
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const cache =
    project.config.env.PGLITE_TEMPLATE_CACHE ??
    process.env.PGLITE_TEMPLATE_CACHE ??
    "node_modules/.cache/perche";
  const folder = path.resolve(ROOT, cache);
  mkdirSync(folder, { recursive: true });
  const name = templateName();
  const template = { tarball: path.join(folder, `${name}.tar`), dataFolder: path.join(folder, name) };
  if (!existsSync(template.tarball) || !existsSync(template.dataFolder)) await build(template);
  project.provide("pgliteTemplate", template);
}
