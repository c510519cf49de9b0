import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate as drizzleMigrate } from "drizzle-orm/pglite/migrator";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { type DatabaseHandle, openPglite, openPostgres, wrapPglite } from "../../src/db/client";
import { DataDirBusyError } from "../../src/db/data-dir-lock";
import { rowsOf } from "../../src/db/executor";
import { MIGRATIONS_FOLDER, pendingMigrations, readMigrations } from "../../src/db/migrate";
import { DRIVERS, TEST_DATABASE_URL, useDatabase } from "../support/database";

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
  return readMigrations().length;
}

describe("the migration runner", () => {
  it("reads the migrations in the order of their names, from flat files and from drizzle v1's folders", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "perche-migrations-"));
    try {
      writeFileSync(path.join(dir, "0001_b.sql"), "create table b (x int);");
      writeFileSync(
        path.join(dir, "0000_a.sql"),
        "create table a (x int);--> statement-breakpoint\ncreate table c (x int);",
      );
      mkdirSync(path.join(dir, "0002_c"));
      writeFileSync(path.join(dir, "0002_c", "migration.sql"), "create table d (x int);");
      writeFileSync(path.join(dir, "notes.txt"), "not a migration");
      const migrations = readMigrations(dir);
      expect(migrations.map((m) => m.name)).toEqual(["0000_a", "0001_b", "0002_c"]);
      expect(migrations[0]?.statements.map((s) => s.trim())).toEqual([
        "create table a (x int);",
        "create table c (x int);",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const files = readMigrations();
  const hashes = files.map((file) => file.hash);
  it.each([
    { case: "an empty database gets every migration", applied: [], pending: files.length },
    { case: "an up-to-date database gets none", applied: hashes, pending: 0 },
    { case: "a database one behind gets the last", applied: hashes.slice(0, -1), pending: 1 },
  ])("$case", ({ applied, pending }) => {
    const plan = pendingMigrations(files, applied);
    expect(plan.kind === "pending" && plan.migrations.length).toBe(pending);
  });

  it.each([
    { case: "a changed migration", applied: ["0".repeat(64), ...hashes.slice(1)], says: /must never change/ },
    {
      case: "a database newer than the code",
      applied: [...hashes, "f".repeat(64)],
      says: /older than the database/,
    },
  ])("refuses $case with a clear message", ({ applied, says }) => {
    const plan = pendingMigrations(files, applied);
    expect(plan.kind).toBe("mismatch");
    expect(plan.kind === "mismatch" && plan.message).toMatch(says);
  });

  it("takes over a database that drizzle's own migrator made, applying nothing twice", async () => {
    const client = await PGlite.create();
    try {
      await drizzleMigrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
      const handle = wrapPglite(client);
      await handle.migrate();
      const count = rowsOf<{ n: number }>(
        await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
      );
      expect(count[0]?.n).toBe(files.length);
    } finally {
      await client.close();
    }
  });
});

type ConstraintError = Error & { constraint_name?: string; constraint?: string };

describe.each(DRIVERS)("CHECK constraints on $name", ({ open }) => {
  let database: DatabaseHandle;
  useDatabase(open, (handle) => {
    database = handle;
  });

  it.each([
    [
      "members_role_check",
      "insert into members (organisation_id, role, alias, pseudonym, chat_id_enc, locale) values ('o', 'boss', 'a', 'p', 'c', 'fr')",
    ],
    [
      "requests_status_check",
      "insert into requests (id, organisation_id, person_pseudonym, nickname_animal, nickname_colour, locale, category, answer_mode, status, created_at) values ('r', 'o', 'p', 'a', 'c', 'fr', 'talk', 'chat', 'lost', now())",
    ],
    [
      "outbox_method_check",
      "insert into outbox (dedupe_key, recipient_kind, recipient_id, method, payload) values ('k', 'member', '1', 'forwardMessage', '{}')",
    ],
    [
      "outbox_status_check",
      "insert into outbox (dedupe_key, recipient_kind, recipient_id, method, payload, status) values ('k', 'member', '1', 'sendMessage', '{}', 'maybe')",
    ],
    ["language_choices_locale_check", "insert into language_choices (pseudonym, locale) values ('p', 'de')"],
  ])("%s refuses a value the code does not know", async (constraint, statement) => {
    await database.db.execute(
      sql.raw(
        "insert into organisations (id, name_fr, name_en) values ('o', 'O', 'O') on conflict do nothing",
      ),
    );
    const error = await database.db.execute(sql.raw(statement)).then(
      () => undefined,
      (e: unknown) => e as ConstraintError & { cause?: ConstraintError },
    );
    expect(error).toBeDefined();
    const cause: ConstraintError | undefined = error?.cause ?? error;
    expect(`${cause?.message} ${cause?.constraint_name ?? cause?.constraint ?? ""}`).toContain(constraint);
  });

  it("accepts the values the code writes", async () => {
    await database.db.execute(
      sql.raw(
        "insert into organisations (id, name_fr, name_en) values ('o', 'O', 'O') on conflict do nothing",
      ),
    );
    await database.db.execute(
      sql.raw(
        "insert into outbox (dedupe_key, recipient_kind, recipient_id, method, payload, status) values ('ok', 'request', 'r', 'sendVoice', '{}', 'unreachable')",
      ),
    );
  });
});
