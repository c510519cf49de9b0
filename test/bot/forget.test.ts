import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { pseudonymFor } from "../../src/privacy/pseudonym";
import { DRIVERS, useDatabase } from "../support/database";
import { callbackDatas, createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

describe.each(DRIVERS)("/oublier erases everything about a person, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 12_000_000;
  const person = (languageCode = "fr"): Person => ({ id: nextId++, languageCode, firstName: "Furtif" });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
  });

  async function askAndClaim(holder: Person, someone: Person, words: string) {
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:housing"),
      textUpdate(someone, words),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:area:centre-sud"),
      callbackUpdate(someone, "f:send"),
    );
    await bot.deliver();
    const [request] = rowsOf<{ id: string }>(await database.db.execute(sql`select id from requests`));
    await bot.send(callbackUpdate(holder, `rq:claim:${request?.id}`));
    await bot.deliver();
    return request?.id as string;
  }

  const everything = async () =>
    JSON.stringify(
      await Promise.all(
        [
          "requests",
          "request_messages",
          "request_notices",
          "language_choices",
          "conversation_state",
          "outbox",
        ].map(async (table) => rowsOf(await database.db.execute(sql.raw(`select * from ${table}`)))),
      ),
    );

  it("asks first, then erases requests, messages, language and dialogue; the worker sees only a withdrawal", async () => {
    const marc = await joinTeam(bot, database, person(), "Marc", { onCall: true });
    const someone = person();
    const requestId = await askAndClaim(marc, someone, "un lit pour ce soir, tapir-3391");
    await bot.send(textUpdate(someone, "/langue"), callbackUpdate(someone, "lang:fr"));
    await bot.send(textUpdate(someone, "/alertes"), callbackUpdate(someone, "al:all"));
    expect(rowsOf(await database.db.execute(sql`select * from alert_subscribers`))).toHaveLength(1);
    // A dialogue left half-way: it must go too.
    await bot.send(textUpdate(someone, "/parler"));
    const pseudonym = pseudonymFor(bot.deps.pseudonymKey, someone.id);
    expect(await everything()).toContain(pseudonym);
    bot.telegram.clear();

    await bot.send(textUpdate(someone, "/oublier"));
    expect(bot.lastText(someone.id)).toContain("<b>Tout effacer?</b>");
    expect(callbackDatas(bot.lastCall(someone.id)?.payload)).toEqual(["fg:yes", "fg:no"]);
    await bot.send(callbackUpdate(someone, "fg:yes"));
    expect(bot.lastText(someone.id)).toContain("✅ <b>C'est effacé.</b> Perche ne garde plus rien sur toi.");
    expect(callbackDatas(bot.lastCall(someone.id)?.payload)).toEqual(["fg:wipe", "fg:keep"]);

    const left = await everything();
    expect(left).not.toContain(pseudonym);
    expect(left).not.toContain(requestId);
    expect(rowsOf(await database.db.execute(sql`select * from requests`))).toEqual([]);
    expect(rowsOf(await database.db.execute(sql`select * from alert_subscribers`))).toEqual([]);

    await bot.deliver();
    expect(bot.telegram.textsTo(marc.id)).toEqual([
      expect.stringMatching(/a retiré sa demande\. Rien d'autre à faire\.$/),
    ]);
    expect(bot.telegram.textsTo(marc.id).join()).not.toContain("tapir-3391");
    // The worker's old buttons now find nothing.
    await bot.send(callbackUpdate(marc, `rq:claim:${requestId}`));
    const answers = bot.telegram.calls.filter((c) => c.method === "answerCallbackQuery");
    expect(answers[answers.length - 1]?.payload.text).toBe("Cette demande n'est plus ouverte.");
  });

  it("deletes the last messages of the chat when asked, and says honestly what Telegram allows", async () => {
    const someone = person("en");
    await bot.send(textUpdate(someone, "/forget"), callbackUpdate(someone, "fg:yes"));
    const deletes = () => bot.telegram.calls.filter((c) => c.method === "deleteMessages");
    expect(deletes()).toHaveLength(0);
    await bot.send(callbackUpdate(someone, "fg:wipe"));
    // The tapped message is number 1 in the fake update: everything from it back is asked for.
    expect(deletes()).toEqual([
      { method: "deleteMessages", payload: { chat_id: someone.id, message_ids: [1] } },
    ]);
    expect(bot.lastText(someone.id)).toBe(
      "🧹 I deleted what Telegram let me delete: at most the messages of the last 48 hours.\nFor the rest: press and hold the chat in your list, then <b>Delete</b>.",
    );
  });

  it("keeps everything on 'no', is harmless a second time, and refuses forged steps", async () => {
    const someone = person();
    await bot.send(textUpdate(someone, "/langue"), callbackUpdate(someone, "lang:en"));
    await bot.send(textUpdate(someone, "/forget"), callbackUpdate(someone, "fg:no"));
    expect(bot.lastText(someone.id)).toBe("OK, nothing was erased.");
    expect(await everything()).toContain(pseudonymFor(bot.deps.pseudonymKey, someone.id));

    await bot.send(callbackUpdate(someone, "fg:yes"), callbackUpdate(someone, "fg:yes"));
    // The language choice is gone, so the second answer is in Telegram's language again (French).
    expect(bot.lastText(someone.id)).toContain("✅ <b>C'est effacé.</b>");
    expect(await everything()).not.toContain(pseudonymFor(bot.deps.pseudonymKey, someone.id));

    await bot.send(callbackUpdate(someone, "fg:everything-of-someone-else"));
    expect(bot.lastText(someone.id)).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");
  });

  it("tells a team member that their team account stays", async () => {
    const peer = await joinTeam(bot, database, person(), "Sam", { role: "peer" });
    await bot.send(textUpdate(peer, "/oublier"), callbackUpdate(peer, "fg:yes"));
    expect(bot.lastText(peer.id)).toContain("Ton compte d'équipe reste actif");
  });

  it("states each promise in /confidentialite and /privacy, with the configured retention", async () => {
    bot.deps.retentionDays = 14;
    const someone = person();
    await bot.send(textUpdate(someone, "/confidentialite"));
    const fr = bot.lastText(someone.id);
    for (const promise of [
      "Ni nom, ni pseudo Telegram, ni numéro.",
      "Personne ne sait qui tu es.",
      "Ce que tu écris n'entre jamais dans nos journaux",
      "Tes demandes sont effacées</b> 14 jours après leur fin",
      "/oublier efface tout",
      "Telegram peut voir cette conversation.",
    ])
      expect(fr).toContain(promise);
    const english = person("en");
    await bot.send(textUpdate(english, "/privacy"));
    expect(bot.lastText(english.id)).toContain("Your requests are deleted</b> 14 days after they end");
  });
});
