import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { openPglite, openPostgres } from "../../src/db/client";
import { DataDirBusyError } from "../../src/db/data-dir-lock";
import { MIGRATIONS_FOLDER } from "../../src/db/migrate";
import { TEST_DATABASE_URL } from "../support/database";

describe("the embedded database", () => {
  it("refuses a second process on the same DATA_DIR, and opens again once the first closed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "perche-lock-"));
    try {
      const first = await openPglite(dir);
      await expect(openPglite(dir)).rejects.toBeInstanceOf(DataDirBusyError);
      await first.close();
      const again = await openPglite(dir);
      await again.migrate();
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes over a lock left by a process that died", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "perche-lock-"));
    try {
      writeFileSync(path.join(dir, "perche.lock"), "999999999");
      const handle = await openPglite(dir);
      await handle.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(TEST_DATABASE_URL)("PostgreSQL migrations", () => {
  it("lets two instances start at once on an empty database", async () => {
    const admin = postgres(TEST_DATABASE_URL as string, { max: 1, onnotice: () => {} });
    const name = `perche_race_${randomBytes(6).toString("hex")}`;
    await admin.unsafe(`create database ${name}`);
    const url = new URL(TEST_DATABASE_URL as string);
    url.pathname = `/${name}`;
    const a = openPostgres(url.href);
    const b = openPostgres(url.href);
    try {
      await Promise.all([a.migrate(), b.migrate()]);
      const check = postgres(url.href, { max: 1 });
      const [row] = await check`select count(*)::int as n from drizzle.__drizzle_migrations`;
      const [sites] = await check`select count(*)::int as n from sites`;
      await check.end();
      expect(row?.n).toBe(journalEntries());
      expect(sites?.n).toBe(0);
    } finally {
      await a.close();
      await b.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});

function journalEntries(): number {
  return (
    JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as {
      entries: unknown[];
    }
  ).entries.length;
}
