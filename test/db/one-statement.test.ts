import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { inOneStatement } from "../../src/db/executor";
import { organisations, outbox, requestMessages, requests, statCounters } from "../../src/db/schema";
import { insertRequestStatements, type NewRequest, newRequestRow } from "../../src/features/requests/queries";
import { enqueueStatement } from "../../src/outbox/enqueue";
import { createSealer } from "../../src/privacy/sealed";
import { countRequestSentStatement } from "../../src/stats/counters";
import { DRIVERS, useDatabase } from "../support/database";
import { requestDraft } from "../support/request-draft";

const sealer = createSealer(Buffer.alloc(32, 3).toString("base64"));
const NOW = new Date("2026-11-25T19:00:00Z");

function draft(id: string, sourceUpdateId: number): NewRequest {
  return requestDraft(sealer, {
    id,
    organisationId: "org-one",
    message: "J'ai besoin d'un endroit pour dormir",
    createdAt: NOW,
    sourceUpdateId,
  });
}

const notice = (requestId: string) => ({
  dedupeKey: `notice:${requestId}:1`,
  recipient: { kind: "member" as const, id: "1" },
  method: "sendMessage" as const,
  payload: { text: "🆕" },
});

/** A request is sent with one write: the request, its first words, its counters and its notices together. */
describe.each(DRIVERS)("several writes in one statement, on $name", ({ open }) => {
  let database: DatabaseHandle;
  useDatabase(open, (opened) => {
    database = opened;
  });

  it("writes a request with its first words (which refer to it), its counters and its notices", async () => {
    const { db } = database;
    await db.insert(organisations).values({ id: "org-one", nameFr: "Un", nameEn: "One" });
    const row = newRequestRow(draft("rq-one", 501), NOW);
    await db.transaction((tx) =>
      inOneStatement(tx, [
        ...insertRequestStatements(tx, row, "J'ai besoin d'un endroit pour dormir", sealer),
        countRequestSentStatement(tx, NOW, row, 1),
        enqueueStatement(tx, [notice(row.id)], sealer),
      ]),
    );
    // What was read back is what was built: the notices were made from the row before it was written.
    expect(await db.select().from(requests).where(eq(requests.id, "rq-one"))).toEqual([row]);
    const words = await db.select().from(requestMessages).where(eq(requestMessages.requestId, "rq-one"));
    expect(words.map((w) => [w.author, sealer.open(w.bodyEnc)])).toEqual([
      ["person", "J'ai besoin d'un endroit pour dormir"],
    ]);
    const counters = await db.select().from(statCounters).where(eq(statCounters.organisationId, "org-one"));
    expect(counters.map((c) => [c.metric, c.key, c.value]).sort()).toEqual([
      ["request.category", "housing", 1],
      ["request.hour", "14", 1],
    ]);
    expect(await db.select().from(outbox).where(eq(outbox.dedupeKey, "notice:rq-one:1"))).toHaveLength(1);
  });

  it("writes nothing at all when one of the writes fails (a second 'send' of the same update)", async () => {
    const { db } = database;
    const twin = newRequestRow(draft("rq-twin", 501), NOW);
    const attempt = inOneStatement(db, [
      ...insertRequestStatements(db, twin, "encore", sealer),
      countRequestSentStatement(db, NOW, twin, 0),
      enqueueStatement(db, [notice(twin.id)], sealer),
    ]);
    await expect(attempt).rejects.toSatisfy((error: { code?: string; cause?: { code?: string } }) =>
      [error.code, error.cause?.code].includes("23505"),
    );
    expect(await db.select().from(requests).where(eq(requests.id, "rq-twin"))).toEqual([]);
    expect(await db.select().from(requestMessages).where(eq(requestMessages.requestId, "rq-twin"))).toEqual(
      [],
    );
    expect(await db.select().from(outbox).where(eq(outbox.dedupeKey, "notice:rq-twin:1"))).toEqual([]);
    const counters = await db.select().from(statCounters).where(eq(statCounters.organisationId, "org-one"));
    expect(counters.map((c) => [c.metric, c.value]).sort()).toEqual([
      ["request.category", 1],
      ["request.hour", 1],
    ]);
  });

  it("sends nothing when there is nothing to write", async () => {
    await expect(inOneStatement(database.db, [undefined, undefined])).resolves.toBeUndefined();
  });
});
