import { randomBytes } from "node:crypto";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "../src/db/executor";
import { applyMigrationsPglite, applyMigrationsPostgres } from "../src/db/migrate";
import { preparingAll } from "../src/db/prepared";
import * as schema from "../src/db/schema";

/**
 * The bench's databases, opened like src/db/client.ts opens them, with every statement sent to the
 * database counted at the driver (transaction BEGIN and COMMIT included): a round trip is a statement.
 */
export type QueryCounter = { statements: number; writes: number };

export type BenchDatabase = {
  db: Database;
  kind: "pglite" | "postgres";
  counter: QueryCounter;
  close(): Promise<void>;
};

const WRITE =
  /^\s*(insert|update|delete)\b|\bupdate\s+"?\w+"?\s+set\b|^\s*with\b[\s\S]*\b(insert|update|delete)\b/i;

function count(counter: QueryCounter, text: string): void {
  counter.statements += 1;
  if (WRITE.test(text)) counter.writes += 1;
}

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

/** An in-memory PGlite, migrated; PGlite's query and transaction entry points counted. */
export async function openBenchPglite(): Promise<BenchDatabase> {
  const client = await PGlite.create();
  const counter: QueryCounter = { statements: 0, writes: 0 };
  const query = client.query.bind(client);
  const exec = client.exec.bind(client);
  const transaction = client.transaction.bind(client);
  const countTx = (tx: Transaction): Transaction => {
    const txQuery = tx.query.bind(tx);
    const txExec = tx.exec.bind(tx);
    tx.query = ((text: string, ...rest: unknown[]) => {
      count(counter, text);
      return (txQuery as (...a: unknown[]) => unknown)(text, ...rest);
    }) as Transaction["query"];
    tx.exec = ((text: string, ...rest: unknown[]) => {
      count(counter, text);
      return (txExec as (...a: unknown[]) => unknown)(text, ...rest);
    }) as Transaction["exec"];
    return tx;
  };
  client.query = ((text: string, ...rest: unknown[]) => {
    count(counter, text);
    return (query as (...a: unknown[]) => unknown)(text, ...rest);
  }) as PGlite["query"];
  client.exec = ((text: string, ...rest: unknown[]) => {
    count(counter, text);
    return (exec as (...a: unknown[]) => unknown)(text, ...rest);
  }) as PGlite["exec"];
  client.transaction = (<T>(callback: (tx: Transaction) => Promise<T>) => {
    counter.statements += 2; // BEGIN and COMMIT
    return transaction((tx) => callback(countTx(tx)));
  }) as PGlite["transaction"];
  const db = drizzlePglite(client, { schema, casing: "snake_case" }) as unknown as Database;
  await applyMigrationsPglite(db);
  return {
    db,
    kind: "pglite",
    counter,
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}

/** A database of its own on the server at `url`, migrated, dropped on close; statements counted by postgres.js. */
export async function openBenchPostgres(url: string): Promise<BenchDatabase> {
  const name = `perche_bench_${randomBytes(6).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const counter: QueryCounter = { statements: 0, writes: 0 };
  // The same pool as production (src/db/client.ts).
  const client = preparingAll(
    postgres(target.href, {
      max: 10,
      onnotice: () => {},
      debug: (_connection, text) => count(counter, text),
    }),
  );
  const db = drizzlePostgres(client, { schema, casing: "snake_case" }) as unknown as Database;
  await applyMigrationsPostgres(client, db);
  return {
    db,
    kind: "postgres",
    counter,
    close: async () => {
      await client.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
