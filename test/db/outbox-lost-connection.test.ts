import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openPostgres } from "../../src/db/client";
import { outbox } from "../../src/db/schema";
import { createLogger } from "../../src/logger";
import { createOutboxDelivery, type OutboxDelivery } from "../../src/outbox/delivery";
import { enqueueMessages, type OutboxRecipient } from "../../src/outbox/enqueue";
import { startTcpProxy, type TcpProxy } from "../e2e/outside/tcp-proxy";
import { TEST_DATABASE_URL } from "../support/database";

/**
 * PostgreSQL out of reach in the middle of an outbox round, longer than a lone statement's own retries
 * (about 3 s): the message Telegram just took must be recorded once the database is back, not sent again,
 * and the other rows the round had claimed must go then, not when their lock ends. (A round that gave up
 * left its rows locked, and each recipient's later messages queued behind them: relayed messages arrived
 * 30 s after a 3 s outage, which test/e2e/outside/database-faults.test.ts saw as lost under load.)
 */

const ALICE: OutboxRecipient = { kind: "member", id: "1" };
const BOB: OutboxRecipient = { kind: "request", id: "r-1" };
const CHATS: Record<string, number> = { "member:1": 1001, "request:r-1": 2002 };
const OUTAGE_MS = 5_000;
// Far longer than the outage: a row left locked would not come back within the test.
const LOCK_SECONDS = 600;

describe.runIf(TEST_DATABASE_URL)("the outbox when PostgreSQL refuses connections mid-round", () => {
  const name = `perche_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(TEST_DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
  let proxy: TcpProxy;
  let handle: DatabaseHandle;
  let delivery: OutboxDelivery | undefined;

  beforeAll(async () => {
    await admin.unsafe(`create database ${name}`);
    const url = new URL(TEST_DATABASE_URL ?? "");
    url.pathname = `/${name}`;
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    handle = openPostgres(proxy.via(url.href));
    await handle.migrate();
  });

  afterAll(async () => {
    await delivery?.stop();
    await handle?.close();
    await proxy?.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it("records the sent message once the database is back, and sends the round's other rows then", async () => {
    await enqueueMessages(handle.db, [
      { dedupeKey: "lost:one", recipient: ALICE, method: "sendMessage", payload: { text: "one" } },
      { dedupeKey: "lost:two", recipient: BOB, method: "sendMessage", payload: { text: "two" } },
    ]);
    const sent: string[] = [];
    let outage: Promise<void> | undefined;
    delivery = createOutboxDelivery({
      db: handle.db,
      // Telegram takes the first message; then the database goes out of reach before it is recorded.
      call: async (_method, params) => {
        sent.push(String(params.text));
        if (!outage) {
          await proxy.refuse(true);
          proxy.resetAll();
          outage = new Promise<void>((resolve) => setTimeout(resolve, OUTAGE_MS)).then(() =>
            proxy.refuse(false),
          );
        }
        return { message_id: sent.length };
      },
      resolveChat: async (recipient) => CHATS[`${recipient.kind}:${recipient.id}`],
      lockSeconds: LOCK_SECONDS,
      logger: createLogger("silent"),
    });
    delivery.start(100);

    await expect.poll(() => sent, { timeout: OUTAGE_MS + 15_000, interval: 100 }).toContain("two");
    await delivery.stop();
    expect(sent.toSorted()).toEqual(["one", "two"]);
    const rows = await handle.db.select({ key: outbox.dedupeKey, status: outbox.status }).from(outbox);
    expect(rows.toSorted((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: "lost:one", status: "sent" },
      { key: "lost:two", status: "sent" },
    ]);
    const [one] = await handle.db.select().from(outbox).where(eq(outbox.dedupeKey, "lost:one"));
    expect(one?.lockedUntil).toBeNull();
  }, 60_000);
});
