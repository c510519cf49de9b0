import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchDatabase, openBenchPglite } from "../../bench/database";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { requests } from "../../src/db/schema";
import { createHarness, type Harness } from "../support/harness";
import { joinTeam } from "../support/team";
import { callbackUpdate, messageUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Addressing costs no round trip of its own: a relayed message stays within 3 SQL statements (the
 * update's snapshot, one read, one write), either way and for a reply that moves the focus, and so do a
 * person's words joining a waiting request. Counted at the driver by the bench's harness
 * (bench/database.ts); the same on PostgreSQL, where every statement is one round trip too.
 */
describe("round trips of addressed words", () => {
  let database: BenchDatabase;
  let bot: Harness;
  let nextId = 9_500_000;
  const person = (): Person => ({ id: nextId++, languageCode: "fr", firstName: "Pic" });

  beforeAll(async () => {
    database = await openBenchPglite();
    bot = await createHarness({ db: database.db } as unknown as DatabaseHandle);
  });
  afterAll(async () => {
    await database.close();
  });

  async function ask(someone: Person): Promise<string> {
    const send = callbackUpdate(someone, "f:send");
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:talk"),
      callbackUpdate(someone, "f:nodetails"),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:skip"),
      send,
    );
    const [request] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.sourceUpdateId, send.update_id));
    return request?.id ?? "";
  }

  /** Statements (and writes) one update costs. */
  async function cost(update: Parameters<Harness["send"]>[0]) {
    const before = { ...database.counter };
    await bot.send(update);
    return {
      statements: database.counter.statements - before.statements,
      writes: database.counter.writes - before.writes,
    };
  }

  it("keeps a relayed message, a reply that moves the focus and a person's added words within 3", async () => {
    const marc = await joinTeam(bot, { db: database.db } as unknown as DatabaseHandle, person(), "Marc", {
      onCall: true,
    });
    const [zoe, alex] = [person(), person()];
    const first = await ask(zoe);
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${first}`));
    await bot.deliver();

    // A person's words to the worker holding the request, and his back, holding one.
    expect(await cost(textUpdate(zoe, "merci"))).toEqual({ statements: 3, writes: 1 });
    expect(await cost(textUpdate(marc, "j'arrive"))).toEqual({ statements: 3, writes: 1 });

    // A second request, waiting: the person's words join it (3), then Marc holds two.
    const second = await ask(alex);
    expect(await cost(textUpdate(alex, "et aussi j'ai faim"))).toEqual({ statements: 3, writes: 1 });
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${second}`));
    await bot.deliver();
    // A reply to the notice of the first moves the focus there, in the same write.
    // The notice of the first request in Marc's chat, as the bot recorded it.
    const [notice] = rowsOf<{ message_id: number }>(
      await database.db.execute(
        sql`select message_id from request_notices where request_id = ${first} order by message_id limit 1`,
      ),
    );
    const reply = messageUpdate(marc, {
      text: "pour Zoé",
      reply_to_message: {
        message_id: Number(notice?.message_id),
        date: 1_790_000_000,
        chat: { id: marc.id, type: "private", first_name: "M" },
        text: "🆕",
      },
    });
    expect(await cost(reply)).toEqual({ statements: 3, writes: 1 });
    await bot.deliver();
    expect(bot.lastText(zoe.id)).toBe("Marc : pour Zoé");
  });
});
