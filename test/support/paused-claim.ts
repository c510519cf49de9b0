import { randomBytes } from "node:crypto";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "../../src/db/executor";
import * as schema from "../../src/db/schema";

/**
 * A second deliverer whose statements can be paused after they took their snapshot and before they
 * lock anything, on PostgreSQL: it connects as its own role, and a row-security policy on `outbox`
 * for that role only makes every row it reads wait on an advisory lock that `pause()` holds. That
 * opens, on purpose and every time, the window that a race opens only now and then: its claim sees
 * rows as they were when it began while another deliverer claims, sends and settles them.
 *
 * The main connection (a superuser) is not subject to row security and never waits.
 */
export type PausedDeliverer = {
  db: Database;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Whether a statement of this deliverer is waiting on the pause now. */
  waiting(): Promise<boolean>;
  close(): Promise<void>;
};

const PAUSE_LOCK = 7_321_001;

export async function openPausedDeliverer(databaseUrl: string): Promise<PausedDeliverer> {
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const role = `perche_paused_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`create role ${role} login`);
  await admin.unsafe(`grant select, update on outbox to ${role}`);
  await admin.unsafe(`
    create or replace function perche_test_pause() returns boolean language plpgsql volatile as $$
    begin
      perform pg_advisory_xact_lock_shared(${PAUSE_LOCK});
      return true;
    end $$`);
  await admin.unsafe("alter table outbox enable row level security");
  await admin.unsafe(`create policy perche_test_pause on outbox to ${role} using (perche_test_pause())`);

  const url = new URL(databaseUrl);
  url.username = role;
  const client = postgres(url.href, { max: 1, onnotice: () => {} });
  return {
    db: drizzle(client, { schema, casing: "snake_case" }) as unknown as Database,
    async pause() {
      await admin`select pg_advisory_lock(${PAUSE_LOCK})`;
    },
    async resume() {
      await admin`select pg_advisory_unlock(${PAUSE_LOCK})`;
    },
    async waiting() {
      const [row] = await admin<{ n: number }[]>`
        select count(*)::int as n from pg_locks
         where locktype = 'advisory' and objid = ${PAUSE_LOCK} and not granted
           and database = (select oid from pg_database where datname = current_database())`;
      return (row?.n ?? 0) > 0;
    },
    async close() {
      await client.end({ timeout: 5 });
      await admin.unsafe(`drop policy if exists perche_test_pause on outbox`);
      await admin.unsafe("alter table outbox disable row level security");
      await admin.unsafe(`drop owned by ${role}`);
      await admin.unsafe(`drop role ${role}`);
      await admin.end({ timeout: 5 });
    },
  };
}
