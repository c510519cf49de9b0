import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { requests } from "../../src/db/schema";
import { nicknameOf } from "../../src/features/requests/notices";
import type { Request } from "../../src/features/requests/queries";
import { DRIVERS, useDatabase } from "../support/database";
import { createHarness, type Harness } from "../support/harness";
import { sentMessages } from "../support/sent-messages";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, messageUpdate, type Person, textUpdate } from "../support/updates";

/**
 * A person's words while nobody holds their request yet, after the workers on call got its notice: the
 * person is told that whoever takes it will see them, so they reach every worker told about it (found
 * by the interleavings property, test/bot/interleavings.test.ts: the claimer never saw them).
 */
describe.each(DRIVERS)("words added to a waiting request, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 9_800_000;
  const person = (languageCode = "fr"): Person => ({ id: nextId++, languageCode, firstName: "Grive" });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
  });

  async function ask(someone: Person): Promise<Request> {
    const send = callbackUpdate(someone, "f:send");
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:talk"),
      textUpdate(someone, "besoin de parler"),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:skip"),
      send,
    );
    const [request] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.sourceUpdateId, send.update_id));
    if (!request) throw new Error("no request");
    return request;
  }

  it("reach every worker told about it, once, in their language, and a reply to them goes to it", async () => {
    const marc = await joinTeam(bot, database, person(), "Marc", { onCall: true });
    const jo = await joinTeam(bot, database, person("en"), "Jo", { onCall: true });
    const sam = await joinTeam(bot, database, person(), "Sam", { role: "peer" });
    const zoe = person();
    const request = await ask(zoe);
    const nickname = nicknameOf(request);
    await bot.deliver();
    bot.telegram.clear();

    const added = textUpdate(zoe, "et aussi j'ai faim");
    // Handled twice (a redelivery): added once, told once.
    await bot.send(added, added);
    await bot.deliver();
    expect(bot.telegram.textsTo(zoe.id)).toEqual([
      `➕ Ajouté à ta demande ${nickname}. La personne qui la prendra le verra.`,
    ]);
    expect(bot.telegram.textsTo(marc.id)).toEqual([`➕ ${nickname} ajoute : et aussi j'ai faim`]);
    expect(bot.telegram.textsTo(jo.id)).toEqual([`➕ ${nickname} adds: et aussi j'ai faim`]);
    expect(bot.telegram.sentTo(marc.id)[0]?.payload.protect_content).toBe(true);
    expect(bot.telegram.textsTo(sam.id)).toEqual([]);

    // Marc takes it and answers by replying to that copy: it goes to Zoé.
    await bot.send(callbackUpdate(marc, `rq:claim:${request.id}`));
    await bot.deliver();
    const copy = sentMessages(bot.telegram).find((m) => m.chatId === marc.id && m.text.startsWith("➕"));
    await bot.send(
      messageUpdate(marc, {
        text: "je te trouve quelque chose",
        reply_to_message: {
          message_id: Number(copy?.messageId),
          date: 1_790_000_000,
          chat: { id: marc.id, type: "private", first_name: "M" },
          text: "➕",
        },
      }),
    );
    await bot.deliver();
    expect(bot.lastText(zoe.id)).toBe("Marc : je te trouve quelque chose");
  });

  it("leave a photo for the claimer alone, sent once when they claim", async () => {
    const marc = await joinTeam(bot, database, person(), "Marc", { onCall: true });
    const zoe = person();
    const request = await ask(zoe);
    await bot.deliver();
    bot.telegram.clear();
    await bot.send(
      messageUpdate(zoe, {
        photo: [{ file_id: "waiting-photo", file_unique_id: "wp", width: 800, height: 600 }],
        caption: "la porte",
      }),
    );
    await bot.deliver();
    expect(bot.telegram.sentTo(marc.id)).toEqual([]);
    await bot.send(callbackUpdate(marc, `rq:claim:${request.id}`));
    await bot.deliver();
    expect(
      bot.telegram.calls
        .filter((c) => c.method === "sendPhoto")
        .map((c) => [c.payload.chat_id, c.payload.photo]),
    ).toEqual([[marc.id, "waiting-photo"]]);
  });
});
