import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import {
  members,
  organisations,
  outbox,
  requestMessages,
  requestNotices,
  requests,
} from "../../src/db/schema";
import { newRequestRow, setFocusStatement } from "../../src/features/requests/queries";
import {
  addMessageAndRelay,
  heldRequestOf,
  memberAddressing,
} from "../../src/features/requests/relay-queries";
import type { OutboxMessage } from "../../src/outbox/enqueue";
import { createSealer } from "../../src/privacy/sealed";
import { DRIVERS, useDatabase } from "../support/database";
import { requestDraft } from "../support/request-draft";

const sealer = createSealer(Buffer.alloc(32, 5).toString("base64"));
const NOW = new Date("2026-11-25T19:00:00Z");
const minutesBefore = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

const relayTo = (memberId: number, updateId: number, text: string): OutboxMessage => ({
  dedupeKey: `relay:${updateId}`,
  recipient: { kind: "member", id: String(memberId) },
  method: "sendMessage",
  payload: { text, protect_content: true },
});

/** A relayed message is one read and one write: the message, what relays it and the focus together. */
describe.each(DRIVERS)("a relayed message's statements, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let next = 0;
  useDatabase(open, (opened) => {
    database = opened;
  });

  async function worker(alias: string) {
    const { db } = database;
    await db.insert(organisations).values({ id: "org-r", nameFr: "R", nameEn: "R" }).onConflictDoNothing();
    const [row] = await db
      .insert(members)
      .values({
        organisationId: "org-r",
        role: "worker",
        alias,
        pseudonym: `member-${alias}`,
        chatIdEnc: sealer.seal("1"),
        locale: "fr",
      })
      .returning();
    if (!row) throw new Error("no member");
    return row;
  }

  /** A request of `person`, claimed by `holder` at `claimedAt` (still open without a holder). */
  async function request(person: string, holder?: { id: number }, claimedAt = NOW) {
    next += 1;
    const row = newRequestRow(
      requestDraft(sealer, {
        id: `rq-relay-${String(next).padStart(3, "0")}`,
        organisationId: "org-r",
        personPseudonym: person,
        createdAt: minutesBefore(60 - next),
      }),
      NOW,
    );
    const claimed = holder ? { status: "claimed" as const, claimedByMemberId: holder.id, claimedAt } : {};
    await database.db.insert(requests).values({ ...row, ...claimed });
    return row.id;
  }

  it("adds the message sealed, queues its relay and moves the focus, in one statement", async () => {
    const { db } = database;
    const marc = await worker("Marc");
    const id = await request("person-a", marc);
    const result = await addMessageAndRelay(
      db,
      { requestId: id, author: "person", body: "Merci, j'arrive", sourceUpdateId: 7001, now: NOW },
      [relayTo(marc.id, 7001, "Héron bleu : Merci, j'arrive")],
      sealer,
      { alongside: [setFocusStatement(db, marc.id, id, NOW)] },
    );
    expect(result).toEqual({ added: true, personBefore: 0 });
    const [message] = await db.select().from(requestMessages).where(eq(requestMessages.sourceUpdateId, 7001));
    expect([message?.requestId, message?.author, sealer.open(message?.bodyEnc ?? "")]).toEqual([
      id,
      "person",
      "Merci, j'arrive",
    ]);
    expect(message?.bodyEnc).not.toContain("arrive");
    const [queued] = await db.select().from(outbox).where(eq(outbox.dedupeKey, "relay:7001"));
    expect(queued).toMatchObject({
      recipientKind: "member",
      recipientId: String(marc.id),
      method: "sendMessage",
      status: "pending",
      nextAttemptAt: new Date(0),
      alertId: null,
    });
    // Sealed like every payload: an object holding the sealed text, which opens to the message.
    const sealed = (queued?.payload as { sealed: string } | undefined)?.sealed ?? "";
    expect(JSON.parse(sealer.open(sealed))).toEqual({
      text: "Héron bleu : Merci, j'arrive",
      protect_content: true,
    });
    const [focused] = await db.select().from(members).where(eq(members.id, marc.id));
    expect([focused?.focusRequestId, focused?.focusSetAt]).toEqual([id, NOW]);
  });

  it("adds and queues nothing for an update it already has, even once the first relay's row is gone", async () => {
    const { db } = database;
    const [marc] = await db.select().from(members).where(eq(members.alias, "Marc"));
    const [first] = await db.select().from(requestMessages).where(eq(requestMessages.sourceUpdateId, 7001));
    // Sent and cleared from the outbox long ago: only the message itself still says it was relayed.
    await db.delete(outbox).where(eq(outbox.dedupeKey, "relay:7001"));
    const result = await addMessageAndRelay(
      db,
      { requestId: first?.requestId ?? "", author: "person", body: "encore", sourceUpdateId: 7001, now: NOW },
      [relayTo(marc?.id ?? 0, 7001, "Héron bleu : encore")],
      sealer,
    );
    expect(result.added).toBe(false);
    expect(await db.select().from(outbox).where(like(outbox.dedupeKey, "relay:7001%"))).toEqual([]);
    expect(
      await db
        .select()
        .from(requestMessages)
        .where(eq(requestMessages.requestId, first?.requestId ?? "")),
    ).toHaveLength(1);
  });

  it("counts the person's messages of the minute before this one, not the worker's nor older ones", async () => {
    const { db } = database;
    const lea = await worker("Léa");
    const id = await request("person-b", lea);
    const add = (author: "person" | "worker", updateId: number, at: Date) =>
      addMessageAndRelay(
        db,
        { requestId: id, author, body: "…", sourceUpdateId: updateId, now: at },
        [],
        sealer,
        { countPersonSince: new Date(NOW.getTime() - 60_000) },
      );
    await add("person", 7101, minutesBefore(3));
    await add("person", 7102, minutesBefore(0.5));
    await add("worker", 7103, minutesBefore(0.4));
    await add("person", 7104, minutesBefore(0.2));
    expect(await add("person", 7105, NOW)).toEqual({ added: true, personBefore: 2 });
  });

  it("writes nothing at all when one of its writes fails", async () => {
    const { db } = database;
    const sam = await worker("Sam");
    const id = await request("person-c", sam);
    const attempt = addMessageAndRelay(
      db,
      { requestId: id, author: "worker", memberId: sam.id, body: "Salut", sourceUpdateId: 7201, now: NOW },
      [relayTo(sam.id, 7201, "Sam : Salut")],
      sealer,
      // The organisation exists already: this write fails, and the others with it.
      {
        alongside: [
          setFocusStatement(db, sam.id, id, NOW),
          db.insert(organisations).values({ id: "org-r", nameFr: "R", nameEn: "R" }),
        ],
      },
    );
    await expect(attempt).rejects.toSatisfy((error: { code?: string; cause?: { code?: string } }) =>
      [error.code, error.cause?.code].includes("23505"),
    );
    expect(await db.select().from(requestMessages).where(eq(requestMessages.sourceUpdateId, 7201))).toEqual(
      [],
    );
    expect(await db.select().from(outbox).where(eq(outbox.dedupeKey, "relay:7201"))).toEqual([]);
    const [unchanged] = await db.select().from(members).where(eq(members.id, sam.id));
    expect(unchanged?.focusRequestId).toBeNull();
  });

  it("reads the request a person talks in with its holder, and what a worker's words could go to, in one statement each", async () => {
    const { db } = database;
    const [ana, bob] = [await worker("Ana"), await worker("Bob")];
    // The older request was taken last: the person talks in that one.
    const older = await request("person-d", bob, minutesBefore(5));
    const newer = await request("person-d", ana, minutesBefore(10));
    await request("person-d"); // newer still, but waiting: not a conversation
    const held = await heldRequestOf(db, "person-d");
    expect([held?.request.id, held?.holder?.alias]).toEqual([older, "Bob"]);
    expect(await heldRequestOf(db, "person-nobody")).toBeUndefined();

    // What Ana's words could go to: the request she holds, and the one whose message she answers.
    await db.insert(requestNotices).values({ requestId: older, memberId: ana.id, messageId: 901 });
    await db.insert(requestMessages).values({
      requestId: newer,
      author: "person",
      bodyEnc: sealer.seal("là?"),
      createdAt: minutesBefore(2),
    });
    const answered = await memberAddressing(db, "member-Ana", 901);
    expect(answered?.member.alias).toBe("Ana");
    expect(answered?.held.map((h) => [h.request.id, h.lastActivityAt])).toEqual([[newer, minutesBefore(2)]]);
    expect([answered?.replied?.request.id, answered?.replied?.holder?.alias, answered?.repliedGone]).toEqual([
      older,
      "Bob",
      false,
    ]);
    // A message of no request, or no reply at all: nothing replied to.
    const plain = await memberAddressing(db, "member-Ana", 902);
    expect([plain?.held.length, plain?.replied, plain?.repliedGone]).toEqual([1, undefined, false]);
    expect((await memberAddressing(db, "member-Ana", undefined))?.replied).toBeUndefined();
    // Bob holds the older one, with no message yet: its activity is when he took it.
    const bob2 = await memberAddressing(db, "member-Bob", undefined);
    expect(bob2?.held.map((h) => [h.request.id, h.lastActivityAt])).toEqual([[older, minutesBefore(5)]]);
    await db.update(members).set({ revokedAt: NOW }).where(eq(members.id, ana.id));
    expect(await memberAddressing(db, "member-Ana", 901)).toBeUndefined();
  });
});
