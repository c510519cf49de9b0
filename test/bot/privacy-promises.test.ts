import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { requests } from "../../src/db/schema";
import { DRIVERS, useDatabase } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, locationUpdate, messageUpdate, type Person, textUpdate } from "../support/updates";

/**
 * The privacy promises of /confidentialite, each checked over a whole session: lookups, a language
 * choice, an alert subscription, a request with its relay both ways (text and a photo), a close, a
 * peer's relayed request, /stats. Then every table of the schema (whatever it holds now or later), every
 * payload a worker received, and every log line are searched for who the people are and what they wrote.
 */
describe.each(DRIVERS)("the privacy promises over a whole session, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
  });

  const PERSON: Person = {
    id: 7_777_123_456,
    languageCode: "fr",
    firstName: "Zéphirine",
    username: "zephirine_secret",
  };
  const WORKER: Person = {
    id: 5_555_987_654,
    languageCode: "fr",
    firstName: "Aurélien",
    username: "aurelien_secret",
  };
  const PEER: Person = {
    id: 6_666_246_810,
    languageCode: "fr",
    firstName: "Séraphin",
    username: "seraphin_secret",
  };
  const CANARIES = ["okapi-5150", "lynx-7272", "ibis-3838", "yak-9090"];

  /** Every table of the schema, whole: a table added later is searched too. */
  async function dumpEveryTable(): Promise<string> {
    const tables = rowsOf<{ name: string }>(
      await database.db.execute(
        sql`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`,
      ),
    ).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining(["requests", "members", "alert_subscribers", "stat_counters"]),
    );
    let dump = "";
    for (const table of tables)
      dump += JSON.stringify(rowsOf(await database.db.execute(sql.raw(`select * from "${table}"`))));
    return dump;
  }

  it("keeps no name, username, id or words in the clear anywhere, shows workers no identifier, and logs none", async () => {
    const worker = await joinTeam(bot, database, WORKER, "Marc", { onCall: true });
    const peer = await joinTeam(bot, database, PEER, "Sam", { role: "peer" });

    // Looking things up, with a shared location, a language choice and an alert subscription.
    await bot.send(
      textUpdate(PERSON, "naloxone"),
      locationUpdate(PERSON, 45.5201, -73.5601),
      textUpdate(PERSON, "/langue"),
      callbackUpdate(PERSON, "lang:fr"),
      textUpdate(PERSON, "/alertes"),
      callbackUpdate(PERSON, "al:all"),
    );

    // A request, with a text link to their Telegram account in it; relayed both ways.
    await bot.send(
      textUpdate(PERSON, "/parler"),
      callbackUpdate(PERSON, "f:cat:housing"),
      // A text link hides an account in its URL (what they typed themselves is theirs to show).
      messageUpdate(PERSON, {
        text: `mon profil, un lit ce soir ${CANARIES[0]}`,
        entities: [{ type: "text_link", offset: 0, length: 10, url: `tg://user?id=${PERSON.id}` }],
      }),
      callbackUpdate(PERSON, "f:ans:chat"),
      callbackUpdate(PERSON, "f:area:centre-sud"),
      callbackUpdate(PERSON, "f:send"),
    );
    await bot.deliver();
    const [request] = await database.db.select().from(requests);
    await bot.send(callbackUpdate(worker, `rq:claim:${request?.id}`));
    await bot.send(textUpdate(worker, `Il y a une place au refuge ${CANARIES[1]}`));
    // Telegram refusing the copy, quoting a piece of it: the error path must not log the words either.
    bot.telegram.failNext(
      "sendMessage",
      400,
      `Bad Request: can't parse entities near ${CANARIES[2]}`,
      WORKER.id,
    );
    await bot.send(textUpdate(PERSON, `Merci, j'arrive ${CANARIES[2]}`));
    await bot.send(
      messageUpdate(PERSON, {
        photo: [{ file_id: "photo-1", file_unique_id: "p1", width: 800, height: 600 }],
        caption: `moi ${CANARIES[3]}`,
        caption_entities: [{ type: "text_link", offset: 0, length: 3, url: `tg://user?id=${PERSON.id}` }],
      }),
    );
    await bot.deliver();
    await bot.send(callbackUpdate(worker, `rq:out:${request?.id}:answered`));
    await bot.deliver();

    // A peer relays for someone; the worker looks at the month's figures.
    await bot.send(
      textUpdate(peer, "/relais"),
      callbackUpdate(peer, "f:cat:food"),
      textUpdate(peer, `un repas ${CANARIES[0]}`),
      callbackUpdate(peer, "f:ans:chat"),
      callbackUpdate(peer, "f:area:centre-sud"),
      callbackUpdate(peer, "f:send"),
    );
    await bot.deliver();
    await bot.send(textUpdate(worker, "/stats"));

    // 1. No column holds a name, a username, an id or what anyone wrote.
    const dump = await dumpEveryTable();
    for (const someone of [PERSON, WORKER, PEER])
      for (const secret of [String(someone.id), someone.firstName, someone.username])
        expect(dump, `${secret} stored in the clear`).not.toContain(secret as string);
    for (const canary of CANARIES) expect(dump, `${canary} stored in the clear`).not.toContain(canary);
    expect(dump).not.toContain("45.5201");

    // 2. What the worker was sent names nobody, and carries no entity that could point at an account.
    const toWorker = bot.telegram.calls.filter((c) => c.payload.chat_id === WORKER.id);
    expect(toWorker.some((c) => String(c.payload.text ?? "").includes(CANARIES[2] as string))).toBe(true);
    const shown = JSON.stringify(toWorker);
    for (const secret of [
      String(PERSON.id),
      PERSON.firstName,
      PERSON.username,
      String(PEER.id),
      PEER.username,
    ])
      expect(shown, `${secret} shown to the worker`).not.toContain(secret as string);
    for (const call of toWorker) {
      expect(call.payload.entities, call.method).toBeUndefined();
      expect(call.payload.caption_entities, call.method).toBeUndefined();
    }
    // And the person never learns who the worker is.
    const toPerson = JSON.stringify(bot.telegram.calls.filter((c) => c.payload.chat_id === PERSON.id));
    for (const secret of [String(WORKER.id), WORKER.firstName, WORKER.username])
      expect(toPerson).not.toContain(secret as string);

    // 3. The logs hold no words and no one, even on the error path.
    const logs = bot.logs.join("\n");
    expect(logs).toContain("outbox message failed");
    for (const canary of CANARIES) expect(logs).not.toContain(canary);
    for (const someone of [PERSON, WORKER, PEER])
      for (const secret of [String(someone.id), someone.firstName, someone.username])
        expect(logs, `${secret} logged`).not.toContain(secret as string);
  });
});
