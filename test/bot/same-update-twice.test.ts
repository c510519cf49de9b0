import { eq } from "drizzle-orm";
import fc from "fast-check";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RetryUpdateError } from "../../src/bot/retry-update";
import type { DatabaseHandle } from "../../src/db/client";
import { requests, updateClaims } from "../../src/db/schema";
import { pseudonymFor } from "../../src/privacy/pseudonym";
import { LookupTally } from "../../src/stats/lookup-tally";
import { DRIVERS } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { joinTeam } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Several instances, the same update: a load balancer hands an update to one instance, to both one after
 * the other (a retry that lands on the other one), or to both at once (Telegram redelivering while the
 * first is still at it). Whatever the interleaving, each update is handled once: every prompt, every
 * confirmation and every relayed message reaches its chat once, and a worker's words reach only the
 * person of the request they are for.
 */

const PATTERNS = ["a", "b", "a then b", "b then a", "at once"] as const;
type Pattern = (typeof PATTERNS)[number];

describe.each(DRIVERS)("the same update to two instances, on $name", ({ name, open }) => {
  let database: DatabaseHandle;
  let a: Harness;
  let b: Harness;
  let nextId = 6_500_000;
  const someone = (): Person => ({ id: nextId++, languageCode: "fr" });

  beforeAll(async () => {
    database = await open();
    a = await createHarness(database, { instance: "a", retryUpdates: true });
    b = await createHarness(database, { directory: null, instance: "b", retryUpdates: true });
  });
  afterAll(async () => {
    await database.close();
  });

  /**
   * As Telegram does: an instance that answers "later" (another has the update in hand, or moved the
   * dialogue on) gets the update again, until it takes it. Any other failure fails the test.
   */
  async function untilTaken(instance: Harness, update: Update): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        return await instance.bot.handleUpdate(update);
      } catch (error) {
        const cause = (error as { error?: unknown }).error ?? error;
        if (!(cause instanceof RetryUpdateError)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    throw new Error(`update ${update.update_id} never taken`);
  }

  async function deliver(update: Update, pattern: Pattern): Promise<void> {
    switch (pattern) {
      case "a":
        return untilTaken(a, update);
      case "b":
        return untilTaken(b, update);
      case "a then b":
        await untilTaken(a, update);
        return untilTaken(b, update);
      case "b then a":
        await untilTaken(b, update);
        return untilTaken(a, update);
      case "at once":
        await Promise.all([untilTaken(a, update), untilTaken(b, update)]);
    }
  }

  const texts = (chatId: number) => [...a.telegram.textsTo(chatId), ...b.telegram.textsTo(chatId)];
  const deliverOutboxes = async () => {
    await Promise.all([a.deliver(), b.deliver()]);
    await Promise.all([a.deliver(), b.deliver()]);
  };

  /**
   * Two people ask, a worker takes both and answers each (switching focus between them), and each
   * person answers back; the n-th update goes to the instances as `patterns[n]` says (cycling).
   */
  async function journey(patterns: readonly Pattern[]) {
    const worker = await joinTeam(a, database, someone(), "Marc", { onCall: true });
    const [p1, p2] = [someone(), someone()] as [Person, Person];
    let n = 0;
    const next = (update: Update) => deliver(update, patterns[n++ % patterns.length] as Pattern);

    for (const [i, person] of [p1, p2].entries()) {
      for (const step of [
        textUpdate(person, "/parler"),
        callbackUpdate(person, "f:cat:housing"),
        textUpdate(person, `Il me faudrait un lit ce soir (${i})`),
        callbackUpdate(person, "f:ans:chat"),
        callbackUpdate(person, "f:area:centre-sud"),
        callbackUpdate(person, "f:send"),
      ])
        await next(step);
    }
    await deliverOutboxes();
    const requestOf = async (person: Person) => {
      const made = await database.db
        .select()
        .from(requests)
        .where(eq(requests.personPseudonym, pseudonymFor(a.deps.pseudonymKey, person.id)));
      expect(made).toHaveLength(1);
      return made[0] as typeof requests.$inferSelect;
    };
    const [r1, r2] = [await requestOf(p1), await requestOf(p2)];

    await next(callbackUpdate(worker, `rq:claim:${r1.id}`));
    await next(callbackUpdate(worker, `rq:claim:${r2.id}`));
    // Holding two, a worker chooses which one their words are for (a claim does not move the focus).
    await next(callbackUpdate(worker, `rq:focus:${r2.id}`));
    await next(textUpdate(worker, `pour la deuxième personne, tok-${p2.id}`));
    await next(callbackUpdate(worker, `rq:focus:${r1.id}`));
    await next(textUpdate(worker, `pour la première personne, tok-${p1.id}`));
    await next(textUpdate(p1, `merci de la première, tok-w${p1.id}`));
    await next(textUpdate(p2, `merci de la deuxième, tok-w${p2.id}`));
    await deliverOutboxes();
    return { worker, p1, p2 };
  }

  /** What must hold after any journey: everything once, and only where it belongs. */
  function expectEachOnce({ worker, p1, p2 }: Awaited<ReturnType<typeof journey>>) {
    for (const [person, other] of [
      [p1, p2],
      [p2, p1],
    ] as const) {
      const received = texts(person.id);
      // Every prompt, summary and confirmation differs from the others: none may come twice.
      expect(received.filter((t, i) => received.indexOf(t) !== i)).toEqual([]);
      expect(received.filter((t) => t.startsWith("✅ C'est envoyé"))).toHaveLength(1);
      expect(received.filter((t) => t.includes("Écris ce que tu veux dire"))).toHaveLength(1);
      expect(received.filter((t) => t.includes(`tok-${person.id}`))).toEqual([
        expect.stringMatching(/^Marc : /),
      ]);
      expect(received.filter((t) => t.includes(`tok-${other.id}`))).toEqual([]);
      expect(texts(worker.id).filter((t) => t.includes(`tok-w${person.id}`))).toHaveLength(1);
    }
    const toWorker = texts(worker.id);
    expect(toWorker.filter((t) => t.startsWith("🆕"))).toHaveLength(2);
    expect(toWorker.filter((t) => t.startsWith("✅ Tu as pris cette demande"))).toHaveLength(2);
    expect(toWorker.filter((t, i) => toWorker.indexOf(t) !== i)).toEqual([]);
  }

  it.each(PATTERNS)(
    "every update delivered as “%s”: each message once, where it belongs",
    async (pattern) => {
      expectEachOnce(await journey([pattern]));
    },
  );

  it("any interleaving of the same updates over both instances: each message once, where it belongs", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...PATTERNS), { minLength: 20, maxLength: 20 }),
        async (patterns) => {
          expectEachOnce(await journey(patterns));
        },
      ),
      { numRuns: 8 },
    );
  });

  /**
   * Statements the database receives while `work` runs, and how many write (as the bench counts them).
   * On PGlite, where every statement passes through the client's query, exec or transaction.
   */
  async function counting(work: () => Promise<void>): Promise<{ statements: number; writes: number }> {
    const client = (database.db as unknown as { $client: Record<string, unknown> }).$client;
    const counted = { statements: 0, writes: 0 };
    const WRITE = /^\s*(insert|update|delete)\b|^\s*with\b[\s\S]*\b(insert|update|delete)\b/i;
    const originals = { query: client.query, exec: client.exec, transaction: client.transaction };
    const wrap =
      (original: unknown) =>
      (text: string, ...rest: unknown[]) => {
        counted.statements++;
        if (WRITE.test(text)) counted.writes++;
        return (original as (...args: unknown[]) => unknown).call(client, text, ...rest);
      };
    client.query = wrap(originals.query);
    client.exec = wrap(originals.exec);
    client.transaction = (callback: unknown) => {
      counted.statements += 2; // BEGIN and COMMIT, and each statement inside through the transaction
      return (originals.transaction as (cb: unknown) => unknown).call(client, callback);
    };
    try {
      await work();
    } finally {
      Object.assign(client, originals);
    }
    return counted;
  }

  // Counted on PGlite, whose client every statement passes through; the counts are the same on both.
  if (name === "PGlite")
    it("a lookup is still one statement and no write; a relayed message still three", async () => {
      // As the app runs: lookups counted in memory (written every few seconds, not per lookup).
      a.deps.lookupTally = new LookupTally();
      const looking = someone();
      await untilTaken(a, textUpdate(looking, "naloxone"));
      expect(await counting(() => untilTaken(a, textUpdate(looking, "naloxone")))).toEqual({
        statements: 1,
        writes: 0,
      });
      const { p1 } = await journey(["a"]);
      const relay = await counting(() => untilTaken(b, textUpdate(p1, "encore un mot")));
      expect(relay.statements).toBe(3);
      // And a redelivery of it stops at its first statement, on either instance.
      const again = textUpdate(p1, "un dernier mot");
      await untilTaken(a, again);
      expect(await counting(() => untilTaken(b, again))).toEqual({ statements: 1, writes: 0 });
    });

  it("records each update handled as done, and none left in hand", async () => {
    const rows = await database.db.select().from(updateClaims);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.doneAt === null)).toEqual([]);
    // Once done, nothing about anyone: an update id, an instance's name, two times.
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual([
      "doneAt",
      "holder",
      "leaseUntil",
      "person",
      "updateId",
    ]);
    expect(rows.filter((row) => row.person !== null)).toEqual([]);
    expect(new Set(rows.map((row) => row.holder))).toEqual(new Set(["a", "b"]));
  });
});
