import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../src/db/executor";
import { preparingAll } from "../../src/db/prepared";
import { TEST_DATABASE_URL } from "../support/database";

/**
 * Every query Perche sends to PostgreSQL is a prepared statement (src/db/prepared.ts), so that after its
 * first use on a connection it costs one round trip and no parsing. One connection here, so the server's
 * list of that session's prepared statements can be read back.
 */
describe.runIf(TEST_DATABASE_URL)("prepared statements on PostgreSQL", () => {
  let client: postgres.Sql;
  const db = () => drizzle(client);

  beforeAll(() => {
    client = preparingAll(postgres(TEST_DATABASE_URL as string, { max: 1, onnotice: () => {} }));
  });
  afterAll(async () => {
    await client.end({ timeout: 5 });
  });

  const preparedLike = async (marker: string) =>
    rowsOf<{ n: number }>(
      await db().execute(
        sql`select count(*)::int as n from pg_prepared_statements where statement like ${`%${marker}%`} and statement not like '%pg_prepared_statements%'`,
      ),
    )[0]?.n;

  it("prepares a query with parameters and gives the right answer each time", async () => {
    for (const value of [1, 2, 3]) {
      const rows = rowsOf<{ marker_one: number }>(
        await db().execute(sql`select ${value}::int + 1 as marker_one`),
      );
      expect(rows).toEqual([{ marker_one: value + 1 }]);
    }
    expect(await preparedLike("marker_one")).toBe(1);
  });

  it("prepares inside a transaction and inside a savepoint, and still rolls back", async () => {
    await db().transaction(async (tx) => {
      expect(rowsOf(await tx.execute(sql`select ${"a"}::text as marker_two`))).toEqual([{ marker_two: "a" }]);
      await tx
        .transaction(async (inner) => {
          expect(rowsOf(await inner.execute(sql`select ${"b"}::text as marker_three`))).toEqual([
            { marker_three: "b" },
          ]);
          throw new Error("roll the savepoint back");
        })
        .catch(() => {});
    });
    expect(await preparedLike("marker_two")).toBe(1);
    expect(await preparedLike("marker_three")).toBe(1);
    await db().execute(sql`create temporary table perche_prepared_probe (n int)`);
    await db()
      .transaction(async (tx) => {
        await tx.execute(sql`insert into perche_prepared_probe values (${7})`);
        throw new Error("roll back");
      })
      .catch(() => {});
    expect(rowsOf(await db().execute(sql`select count(*)::int as n from perche_prepared_probe`))).toEqual([
      { n: 0 },
    ]);
  });

  it("runs a statement it has prepared again without preparing it again", async () => {
    for (let i = 0; i < 6; i++) await db().execute(sql`select ${i}::int as marker_four`);
    // One statement on the server, executed six times: the later runs bound and executed it, no parsing.
    const [uses] = rowsOf<{ statements: number; executions: number }>(
      await db().execute(
        sql`select count(*)::int as statements, sum(generic_plans + custom_plans)::int as executions
            from pg_prepared_statements where statement like '%marker_four%' and statement not like '%pg_prepared%'`,
      ),
    );
    expect(uses).toEqual({ statements: 1, executions: 6 });
  });
});
