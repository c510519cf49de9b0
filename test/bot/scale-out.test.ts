import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { requestMessages, requests } from "../../src/db/schema";
import { DRIVERS } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { joinTeam } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Past one machine: two instances of the bot on one database, as webhook instances behind a load
 * balancer. Updates are spread over both, some handled by both (a redelivery landing on the other
 * instance), and both delivery loops run at once. Nothing may happen twice and nothing may be lost.
 */
describe.each(DRIVERS)("two instances on one database, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let a: Harness;
  let b: Harness;
  const workers: Person[] = [];
  const people: Person[] = Array.from({ length: 8 }, (_, i) => ({ id: 6_100_000 + i, languageCode: "fr" }));

  beforeAll(async () => {
    database = await open();
    a = await createHarness(database, { instance: "a" });
    b = await createHarness(database, { directory: null, instance: "b" });
    for (const [i, alias] of ["Alex", "Bea", "Cam"].entries())
      workers.push(
        await joinTeam(a, database, { id: 6_000_000 + i, languageCode: "fr" }, alias, { onCall: true }),
      );
    a.telegram.clear();
    b.telegram.clear();
  });
  afterAll(async () => {
    await database.close();
  });

  const instance = (n: number) => (n % 2 === 0 ? a : b);
  const both = async (update: ReturnType<typeof textUpdate>) => {
    // Both instances get the very same update at the same moment; an instance that loses a race on the
    // dialogue's state fails that update (Telegram would redeliver it), never doubles its effect.
    await Promise.allSettled([a.bot.handleUpdate(update), b.bot.handleUpdate(update)]);
  };
  const sentTexts = (chatId: number) => [...a.telegram.textsTo(chatId), ...b.telegram.textsTo(chatId)];

  it("makes one request per person and announces each once to every worker on call", async () => {
    await Promise.all(
      people.map(async (someone, p) => {
        const steps = [
          textUpdate(someone, "/parler"),
          callbackUpdate(someone, "f:cat:housing"),
          textUpdate(someone, `Il me faudrait un lit ce soir (${p})`),
          callbackUpdate(someone, "f:ans:chat"),
          callbackUpdate(someone, "f:area:centre-sud"),
        ];
        // Each step on whichever instance the balancer picks; the dialogue lives in the database.
        for (const [i, step] of steps.entries()) await instance(p + i).send(step);
        await both(callbackUpdate(someone, "f:send"));
      }),
    );
    const made = await database.db.select().from(requests);
    expect(made).toHaveLength(people.length);
    expect(new Set(made.map((r) => r.personPseudonym)).size).toBe(people.length);

    await Promise.all([a.deliver(), b.deliver()]);
    await Promise.all([a.deliver(), b.deliver()]);
    for (const worker of workers) {
      const notices = sentTexts(worker.id).filter((text) => text.startsWith("🆕"));
      expect(notices).toHaveLength(people.length);
      expect(new Set(notices).size).toBe(people.length);
    }
  });

  it("relays a person's words once when both instances handle them, and loses none", async () => {
    const open = await database.db.select().from(requests).where(eq(requests.status, "open"));
    const held = open.slice(0, 3);
    await Promise.all(
      held.map((request, i) =>
        instance(i).send(callbackUpdate(workers[i % workers.length] as Person, `rq:claim:${request.id}`)),
      ),
    );
    await Promise.all([a.deliver(), b.deliver()]);
    const claimed = await database.db.select().from(requests).where(eq(requests.status, "claimed"));
    expect(claimed).toHaveLength(3);

    // Everyone writes, each message handled by both instances: the words join every request once, are
    // relayed to the worker of each of the three held ones, and told to every worker who got the notice
    // of each waiting one (relay.ts), each copy once.
    for (const someone of people) await both(textUpdate(someone, `merci, j'arrive (${someone.id})`));
    await Promise.all([a.deliver(), b.deliver()]);
    await Promise.all([a.deliver(), b.deliver()]);

    const relayed = await database.db
      .select()
      .from(requestMessages)
      .where(eq(requestMessages.author, "person"));
    // The first words of each request, plus one message for each request (waiting or held).
    expect(relayed).toHaveLength(people.length * 2);
    for (const worker of workers) {
      const copies = sentTexts(worker.id).filter((text) => text.includes("merci, j'arrive"));
      expect(new Set(copies).size).toBe(copies.length);
    }
    const allCopies = workers.flatMap((w) =>
      sentTexts(w.id).filter((text) => text.includes("merci, j'arrive")),
    );
    expect(allCopies.filter((text) => !text.startsWith("➕"))).toHaveLength(3);
    expect(allCopies.filter((text) => text.startsWith("➕"))).toHaveLength(
      (people.length - 3) * workers.length,
    );
  });
});
