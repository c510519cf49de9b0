import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { requests } from "../../src/db/schema";
import { DRIVERS, useDatabase } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

/**
 * A rule that mutating the source showed no test guarded: the person hears that their request was
 * closed in their own language, whatever the language of the worker who closed it.
 */
describe.each(DRIVERS)("closing a request across languages, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 8_600_000;
  const person = (languageCode: string): Person => ({ id: nextId++, languageCode });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
  });

  async function askAndClaim(worker: Person, someone: Person, category: string, words: string) {
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, `f:cat:${category}`),
      textUpdate(someone, words),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:area:centre-sud"),
      callbackUpdate(someone, "f:send"),
    );
    const [request] = await database.db.select().from(requests).where(eq(requests.status, "open"));
    if (!request) throw new Error("no request was made");
    await bot.deliver();
    await bot.send(callbackUpdate(worker, `rq:claim:${request.id}`));
    await bot.deliver();
    return request.id;
  }

  async function close(worker: Person, requestId: string) {
    await bot.send(callbackUpdate(worker, `rq:out:${requestId}:answered`));
    await bot.deliver();
  }

  it.each([
    {
      worker: "fr",
      person: "en",
      told: "✔️ Marc closed your request. You can make another whenever you want: 💬.",
    },
    {
      worker: "en",
      person: "fr",
      told: "✔️ Marc a fermé ta demande. Tu peux en faire une autre quand tu veux : 💬.",
    },
  ])(
    "tells a $person-speaking person in their language when a $worker-speaking worker closes their request",
    async (languages) => {
      const marc = await joinTeam(bot, database, person(languages.worker), "Marc", { onCall: true });
      const someone = person(languages.person);
      const requestId = await askAndClaim(marc, someone, "food", "need food tonight");
      bot.telegram.clear();

      await close(marc, requestId);
      expect(bot.telegram.textsTo(someone.id)).toEqual([languages.told]);
      // The worker, for their part, is answered in theirs.
      expect(bot.lastText(marc.id)).toMatch(
        languages.worker === "fr"
          ? /^✔️ Demande (de |d')\S.* fermée\. Merci\.$/
          : /^✔️ .+'s request closed\. Thank you\.$/,
      );
    },
  );
});
