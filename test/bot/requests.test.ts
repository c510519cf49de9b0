import { and, eq, isNull, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { members, requestMessages, requests } from "../../src/db/schema";
import { nicknameOf } from "../../src/features/requests/notices";
import type { Request } from "../../src/features/requests/queries";
import { submitRequest } from "../../src/features/requests/use-cases";
import { DRIVERS, useDatabase } from "../support/database";
import { callbackDatas, createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import {
  callbackUpdate,
  groupCallbackUpdate,
  groupCommandUpdate,
  messageUpdate,
  type Person,
  textUpdate,
} from "../support/updates";

const rows = rowsOf;

describe.each(DRIVERS)("asking for help, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 8_000_000;
  const person = (languageCode = "fr"): Person => ({
    id: nextId++,
    languageCode,
    firstName: "Canaille",
    username: `canaille_${nextId}`,
  });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
  });

  async function worker(alias: string, onCall = true, languageCode = "fr"): Promise<Person> {
    const someone = await joinTeam(bot, database, person(languageCode), alias, { onCall });
    bot.telegram.clear();
    return someone;
  }

  /** Goes through every step: housing, own words, answer here, Centre-Sud, send. */
  async function ask(someone: Person, words = "J'ai besoin d'un endroit pour dormir ce soir") {
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:housing"),
      textUpdate(someone, words),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:area:centre-sud"),
    );
    const summary = bot.lastCall(someone.id);
    expect(callbackDatas(summary?.payload)).toEqual(["f:send", "f:change", "f:cancel"]);
    await bot.send(callbackUpdate(someone, "f:send"));
    const [request] = await database.db.select().from(requests).where(eq(requests.status, "open"));
    return request;
  }

  /** A request someone holds: asked, announced, claimed, and the person told. */
  async function askAndClaim(holder: Person, someone: Person, words?: string) {
    const request = await ask(someone, words);
    await bot.deliver();
    await bot.send(callbackUpdate(holder, `rq:claim:${request?.id}`));
    await bot.deliver();
    return request;
  }

  it("takes a request in five taps, and the worker's notice carries none of the person's identifiers", async () => {
    const marc = await worker("Marc");
    const someone = person();
    await bot.send(textUpdate(someone, "/parler"));
    expect(bot.lastText(someone.id)).toContain("sans dire qui tu es");
    const request = await ask(someone);
    expect(bot.lastText(someone.id)).toMatch(
      /^✅ C'est envoyé\. Ton surnom pour cette demande : <b>[^<]+<\/b>\./,
    );
    await bot.deliver();
    const notice = bot.telegram.sentTo(marc.id).find((c) => String(c.payload.text).startsWith("🆕"));
    expect(notice?.payload.text).toContain("Logement");
    expect(notice?.payload.text).toContain("Langue : français");
    expect(notice?.payload.text).toContain("Secteur : Centre-Sud");
    expect(notice?.payload.text).toContain("J'ai besoin d'un endroit pour dormir ce soir");
    expect(notice?.payload.protect_content).toBe(true);
    expect(callbackDatas(notice?.payload)).toEqual([`rq:claim:${request?.id}`, `rq:pass:${request?.id}`]);
    const everythingToWorkers = JSON.stringify(
      bot.telegram.calls.filter((c) => c.payload.chat_id === marc.id),
    );
    for (const secret of [String(someone.id), "Canaille", someone.username as string])
      expect(everythingToWorkers).not.toContain(secret);
  });

  it("gives each request under way its own nickname, even when chance draws the same one twice", async () => {
    const marc = await worker("Marc");
    // The same draw every time: only the nicknames already in use can make the second one differ.
    const draws = vi.spyOn(Math, "random").mockReturnValue(0.5);
    try {
      const first = await ask(person());
      await bot.send(callbackUpdate(marc, `rq:claim:${first?.id}`));
      await ask(person());
      const held = await database.db.select().from(requests);
      expect(held).toHaveLength(2);
      const names = held.map((request) => nicknameOf(request));
      expect(new Set(names).size).toBe(2);
      // Once they have ended, their nicknames are free again.
      await database.db.update(requests).set({ status: "closed" });
      const third = await ask(person());
      expect(nicknameOf(third as Request)).toBe(nicknameOf(first as Request));
    } finally {
      draws.mockRestore();
    }
  });

  it("relays both ways once claimed, as plain text, then closes and forgets the chat", async () => {
    const marc = await worker("Marc");
    const someone = person();
    const request = await askAndClaim(marc, someone);
    expect(bot.lastText(someone.id)).toBe("🙋 Marc a pris ta demande. Tu peux lui écrire ici.");

    await bot.send(textUpdate(marc, "Salut! On a une place au <b>refuge</b> ce soir."));
    await bot.deliver();
    const answer = bot.lastCall(someone.id);
    expect(answer?.payload).toMatchObject({ text: "Marc : Salut! On a une place au <b>refuge</b> ce soir." });
    expect(answer?.payload.parse_mode).toBeUndefined();

    await bot.send(textUpdate(someone, "Merci, j'arrive"));
    await bot.deliver();
    const reply = bot.lastCall(marc.id);
    expect(reply?.payload.text).toMatch(/ : Merci, j'arrive$/);
    expect(reply?.payload.protect_content).toBe(true);

    await bot.send(callbackUpdate(marc, `rq:close:${request?.id}`));
    expect(callbackDatas(bot.lastCall(marc.id)?.payload)).toContain(`rq:out:${request?.id}:answered`);
    await bot.send(callbackUpdate(marc, `rq:out:${request?.id}:answered`));
    await bot.deliver();
    expect(bot.lastText(someone.id)).toContain("Marc a fermé ta demande.");
    const [closed] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.id, request?.id ?? ""));
    expect(closed).toMatchObject({ status: "closed", outcome: "answered", chatIdEnc: null });
  });

  it("answers in English to an English speaker and shows English categories to an English-speaking worker", async () => {
    const sam = await worker("Sam", true, "en");
    const someone = person("en");
    await bot.send(textUpdate(someone, "/talk"));
    expect(bot.lastText(someone.id)).toContain("without saying who you are");
    await ask(someone, "need food");
    expect(bot.lastText(someone.id)).toMatch(/^✅ Sent\. Your nickname for this request: <b>/);
    await bot.deliver();
    const notice = bot.telegram.sentTo(sam.id).find((c) => String(c.payload.text).startsWith("🆕"));
    expect(notice?.payload.text).toContain("Housing");
    expect(notice?.payload.text).toContain("Language: English");
  });

  it("tells the person at once when nobody is on call, and delivers to the first worker who comes on", async () => {
    const lea = await worker("Léa", false);
    const someone = person();
    await ask(someone);
    const told = bot.telegram.textsTo(someone.id);
    expect(told.some((t) => t.includes("Personne n'est de garde en ce moment."))).toBe(true);
    expect(told[told.length - 1]).toContain("Ouvert maintenant");
    await bot.deliver();
    expect(bot.telegram.sentTo(lea.id)).toEqual([]);

    await bot.send(callbackUpdate(lea, "oc:on"));
    await bot.deliver();
    expect(bot.telegram.textsTo(lea.id).some((t) => t.startsWith("🆕"))).toBe(true);
    expect(bot.lastText(someone.id)).toContain("Quelqu'un vient de prendre la garde et a reçu ta demande");
  });

  it("lets exactly one of two workers claim a request tapped at the same time", async () => {
    const a = await worker("Alex");
    const b = await worker("Bea");
    const request = await ask(person());
    await bot.deliver();
    await Promise.all([
      bot.send(callbackUpdate(a, `rq:claim:${request?.id}`)),
      bot.send(callbackUpdate(b, `rq:claim:${request?.id}`)),
    ]);
    const [claimed] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.id, request?.id ?? ""));
    expect(claimed?.status).toBe("claimed");
    const answers = bot.telegram.calls
      .filter((c) => c.method === "answerCallbackQuery")
      .map((c) => String(c.payload.text ?? ""));
    expect(answers.filter((t) => t.startsWith("Déjà prise par"))).toHaveLength(1);
    await bot.deliver();
    // The other worker's notice now says who took it, so nobody answers the same person twice.
    const winner = claimed?.claimedByMemberId;
    const [holder] = await database.db
      .select()
      .from(members)
      .where(eq(members.id, winner ?? -1));
    const edits = bot.telegram.calls.filter((c) => c.method === "editMessageReplyMarkup");
    const takenBy = edits.filter((e) =>
      JSON.stringify(e.payload.reply_markup).includes(`✅ Prise par ${holder?.alias}`),
    );
    const ownButtons = edits.filter((e) =>
      JSON.stringify(e.payload.reply_markup).includes(`rq:focus:${request?.id}`),
    );
    expect([takenBy.length, ownButtons.length]).toEqual([1, 1]);
    expect(takenBy[0]?.payload.chat_id).not.toBe(ownButtons[0]?.payload.chat_id);
  });

  it("does not offer contact after a lookup to someone whose request is under way", async () => {
    await worker("Marc");
    const someone = person();
    await ask(someone);
    // A menu button is a lookup even while a request waits (a typed word joins the request).
    await bot.send(textUpdate(someone, "🕒 Ouvert maintenant"));
    expect(bot.lastText(someone.id)).toContain("Ouvert maintenant</b>");
    expect(bot.lastText(someone.id)).not.toContain("Envie d'en parler");
    expect(callbackDatas(bot.lastCall(someone.id)?.payload)).not.toContain("talk");
  });

  it("withdraws a request with no questions asked, and tells the worker who held it", async () => {
    const marc = await worker("Marc");
    const someone = person();
    const request = await ask(someone);
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`), textUpdate(someone, "/mademande"));
    expect(callbackDatas(bot.lastCall(someone.id)?.payload)).toEqual([
      `rq:add:${request?.id}`,
      `rq:withdraw:${request?.id}`,
    ]);
    await bot.send(callbackUpdate(someone, `rq:withdraw:${request?.id}`));
    expect(bot.lastText(someone.id)).toBe("C'est fait, ta demande est retirée. Prends soin de toi.");
    await bot.deliver();
    expect(bot.lastText(marc.id)).toMatch(/a retiré sa demande\. Rien d'autre à faire\.$/);
  });

  it("leaves nothing behind when the person cancels, and shows the emergency card mid-flow", async () => {
    await worker("Marc");
    const someone = person();
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:health"),
      textUpdate(someone, "il respire pu"),
    );
    expect(bot.lastText(someone.id)).toContain("Appelle le 911 maintenant");
    await bot.send(textUpdate(someone, "/annuler"));
    expect(bot.lastText(someone.id)).toBe("D'accord, c'est annulé. Voici le menu 👇");
    expect(await database.db.select().from(requests)).toEqual([]);
    expect(rows(await database.db.execute(sql`select * from conversation_state`))).toEqual([]);
  });

  it("relays a redelivered message once", async () => {
    const marc = await worker("Marc");
    const someone = person();
    await askAndClaim(marc, someone);
    bot.telegram.clear();
    const update = textUpdate(someone, "une seule fois");
    await bot.send(update, update);
    await bot.deliver();
    expect(bot.telegram.textsTo(marc.id).filter((t) => t.endsWith("une seule fois"))).toHaveLength(1);
  });

  it("keeps no identifier and no message text in the clear in any table, queued or sent", async () => {
    const marc = await worker("Marc");
    const someone = person();
    const secrets = [
      String(someone.id),
      "Canaille",
      someone.username as string,
      "canary-words",
      String(marc.id),
    ];
    const dumpAll = async () => {
      let dump = "";
      for (const table of [
        "requests",
        "request_messages",
        "request_notices",
        "conversation_state",
        "members",
        "language_choices",
        "outbox",
      ])
        dump += JSON.stringify(rows(await database.db.execute(sql.raw(`select * from ${table}`))));
      return dump;
    };
    const request = await ask(someone, "canary-words-in-request");
    for (const secret of secrets) expect(await dumpAll()).not.toContain(secret);
    await bot.deliver();
    await bot.send(
      callbackUpdate(marc, `rq:claim:${request?.id}`),
      textUpdate(someone, "canary-words-in-relay"),
    );
    for (const secret of secrets) expect(await dumpAll()).not.toContain(secret);
    await bot.deliver();
    for (const secret of secrets) expect(await dumpAll()).not.toContain(secret);
    expect(bot.telegram.textsTo(marc.id).some((t) => t.endsWith("canary-words-in-relay"))).toBe(true);
  });

  it("re-sends photos and voice notes by file id with the name and caption as plain text, and says what cannot cross", async () => {
    const marc = await worker("Marc");
    const someone = person();
    await askAndClaim(marc, someone);
    bot.telegram.clear();

    await bot.send(
      messageUpdate(someone, {
        photo: [
          { file_id: "small", file_unique_id: "s", width: 90, height: 90 },
          { file_id: "large", file_unique_id: "l", width: 1280, height: 960 },
        ],
        caption: "@someone_secret regarde",
        caption_entities: [{ type: "mention", offset: 0, length: 15 }],
      }),
    );
    await bot.deliver();
    const photo = bot.telegram.calls.find((c) => c.method === "sendPhoto");
    expect(photo?.payload).toMatchObject({ chat_id: marc.id, photo: "large", protect_content: true });
    // The caption crosses as plain text after the nickname: its entities (a mention can carry a user) do not.
    expect(String(photo?.payload.caption)).toMatch(/^[^:]+ : @someone_secret regarde$/);
    expect(photo?.payload.caption_entities).toBeUndefined();
    expect(photo?.payload.parse_mode).toBeUndefined();
    expect(bot.telegram.calls.some((c) => /forward/i.test(c.method))).toBe(false);

    await bot.send(messageUpdate(marc, { voice: { file_id: "voice-1", file_unique_id: "v", duration: 4 } }));
    await bot.send(
      messageUpdate(marc, {
        voice: { file_id: "voice-2", file_unique_id: "v2", duration: 4 },
        caption: "j'arrive",
      }),
    );
    await bot.deliver();
    const voices = bot.telegram.calls.filter((c) => c.method === "sendVoice").map((c) => c.payload);
    expect(voices).toMatchObject([
      { chat_id: someone.id, voice: "voice-1", caption: "Marc" },
      { chat_id: someone.id, voice: "voice-2", caption: "Marc : j'arrive" },
    ]);

    await bot.send(
      messageUpdate(someone, { document: { file_id: "d", file_unique_id: "d", mime_type: "image/jpeg" } }),
    );
    expect(bot.lastText(someone.id)).toBe(
      "Je ne peux transmettre que du texte, des photos et des messages vocaux.\nℹ️ Une photo envoyée comme fichier garde sa position GPS. Si tu veux l'envoyer, choisis «\u00a0photo\u00a0» plutôt que «\u00a0fichier\u00a0».",
    );
    await bot.send(messageUpdate(someone, { contact: { phone_number: "+15145550199", first_name: "Ami" } }));
    await bot.deliver();
    expect(bot.lastText(someone.id)).toBe(
      "Je ne peux transmettre que du texte, des photos et des messages vocaux.",
    );
    expect(JSON.stringify(bot.telegram.calls.filter((c) => c.payload.chat_id === marc.id))).not.toContain(
      "5145550199",
    );
  });

  it("gives the worker who claims a request the photos and voice notes sent while it waited, once", async () => {
    const marc = await worker("Marc", false);
    const someone = person("en");
    const request = await ask(someone, "I need somewhere to sleep");
    await bot.send(
      messageUpdate(someone, { voice: { file_id: "waiting-voice", file_unique_id: "wv", duration: 7 } }),
      messageUpdate(someone, {
        photo: [{ file_id: "waiting-photo", file_unique_id: "wp", width: 800, height: 600 }],
        caption: "the door",
      }),
    );
    // Nobody holds it yet: added to the request, and said so.
    expect(bot.lastText(someone.id)).toMatch(/^➕ Added to your request /);
    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
    await bot.deliver();
    const media = bot.telegram.calls
      .filter((c) => c.method === "sendVoice" || c.method === "sendPhoto")
      .map((c) => c.payload);
    const nickname = nicknameOf(request as Request);
    expect(media).toMatchObject([
      { chat_id: marc.id, voice: "waiting-voice", caption: nickname, protect_content: true },
      { chat_id: marc.id, photo: "waiting-photo", caption: `${nickname} : the door`, protect_content: true },
    ]);
    // Nothing of them reaches the person, and the stored note is sealed like the words.
    expect(media.every((m) => m.chat_id === marc.id)).toBe(true);
    const stored = await database.db.select().from(requestMessages);
    expect(JSON.stringify(stored)).not.toContain("waiting-voice");
  });

  it("hands a request to a colleague with its whole history, so the person repeats nothing", async () => {
    const marc = await worker("Marc");
    const lea = await worker("Léa", false);
    const someone = person();
    const request = await ask(someone, "premier message");
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`), textUpdate(marc, "Je regarde ça"));
    await bot.send(
      messageUpdate(someone, { voice: { file_id: "said-to-marc", file_unique_id: "sm", duration: 3 } }),
    );
    await bot.send(callbackUpdate(marc, `rq:hand:${request?.id}`));
    const choices = callbackDatas(bot.lastCall(marc.id)?.payload);
    expect(choices).toHaveLength(1);
    await bot.send(callbackUpdate(marc, choices[0] as string));
    expect(bot.lastText(marc.id)).toBe("🤝 Confiée à Léa.");
    await bot.deliver();
    const handed = bot.telegram.textsTo(lea.id).find((t) => t.startsWith("🤝 Marc te confie cette demande."));
    expect(handed).toContain(" : premier message");
    expect(handed).toContain("Marc : Je regarde ça");
    // The voice note the person sent Marc reaches Léa as itself, not only as a 🎤 in the history.
    expect(
      bot.telegram.calls
        .filter((c) => c.method === "sendVoice")
        .map((c) => [c.payload.chat_id, c.payload.voice]),
    ).toEqual([
      [marc.id, "said-to-marc"],
      [lea.id, "said-to-marc"],
    ]);
    expect(bot.lastText(someone.id)).toBe(
      "🤝 Léa prend le relais de ta demande. Pas besoin de tout répéter.",
    );

    // From now on the person's words go to Léa, and Marc can no longer answer.
    bot.telegram.clear();
    await bot.send(textUpdate(someone, "merci Léa"), textUpdate(marc, "encore moi"));
    await bot.deliver();
    expect(bot.telegram.textsTo(lea.id).some((t) => t.endsWith(" : merci Léa"))).toBe(true);
    expect(bot.telegram.textsTo(someone.id).some((t) => t.includes("encore moi"))).toBe(false);
  });

  it("goes on after a restart in the middle of the flow, on another instance of the bot", async () => {
    await worker("Marc");
    const someone = person();
    await bot.send(textUpdate(someone, "/parler"), callbackUpdate(someone, "f:cat:food"));
    // A new process: new bot, new caches, same database.
    const restarted = await createHarness(database, { directory: null });
    await restarted.send(
      textUpdate(someone, "quelque chose de chaud"),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:skip"),
      callbackUpdate(someone, "f:send"),
    );
    expect(restarted.lastText(someone.id)).toMatch(/^✅ C'est envoyé\./);
    const [saved] = await database.db.select().from(requests).where(eq(requests.status, "open"));
    expect(saved?.category).toBe("food");
  });

  it("lets two bot instances on one database race for a claim: exactly one wins", async () => {
    const a = await worker("Alex");
    const b = await worker("Bea");
    const request = await ask(person());
    const other = await createHarness(database, { directory: null });
    await Promise.all([
      bot.send(callbackUpdate(a, `rq:claim:${request?.id}`)),
      other.send(callbackUpdate(b, `rq:claim:${request?.id}`)),
    ]);
    const answers = [...bot.telegram.calls, ...other.telegram.calls]
      .filter((c) => c.method === "answerCallbackQuery")
      .map((c) => String(c.payload.text ?? ""));
    expect(answers.filter((t) => t.startsWith("Déjà prise par"))).toHaveLength(1);
    const [claimed] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.id, request?.id ?? ""));
    expect(claimed?.status).toBe("claimed");
  });

  it("announces requests in the team's group, where a claim moves the conversation to private", async () => {
    const coordinator = await joinTeam(bot, database, person(), "Coordo", { role: "admin" });
    const marc = await worker("Marc", false);
    await bot.send(groupCommandUpdate(marc, "/equipe"));
    expect(bot.telegram.calls.find((c) => c.payload.chat_id === -100123)?.payload.text).toBe(
      "Seule la coordination peut brancher un groupe (/equipe).",
    );
    await bot.send(groupCommandUpdate(coordinator, "/equipe"));
    expect(bot.telegram.calls.filter((c) => c.payload.chat_id === -100123).pop()?.payload.text).toContain(
      "Ce groupe reçoit maintenant les nouvelles demandes d'Organisme A.",
    );

    const someone = person();
    const request = await ask(someone, "besoin de parler");
    await bot.deliver();
    const announced = bot.telegram.calls.find(
      (c) => c.payload.chat_id === -100123 && String(c.payload.text).startsWith("🆕"),
    );
    // The group learns that someone asks, and about what; never what they wrote or where they are.
    expect(announced?.payload.text).toContain("Logement");
    expect(JSON.stringify(announced)).not.toContain("besoin de parler");
    expect(JSON.stringify(announced)).not.toContain("Centre-Sud");
    expect(announced?.payload.protect_content).toBe(true);
    expect(JSON.stringify(announced)).not.toContain(String(someone.id));

    await bot.send(groupCallbackUpdate(marc, `rq:claim:${request?.id}`));
    expect(bot.telegram.calls.filter((c) => c.method === "answerCallbackQuery").pop()?.payload.text).toBe(
      "✅ Prise. Je t'écris en privé pour la suite.",
    );
    await bot.deliver();
    const groupEdit = bot.telegram.calls.find(
      (c) => c.method === "editMessageReplyMarkup" && c.payload.chat_id === -100123,
    );
    expect(JSON.stringify(groupEdit?.payload.reply_markup)).toContain("✅ Prise par Marc");
    const privateCopy = bot.telegram
      .sentTo(marc.id)
      .find((c) => String(c.payload.text).startsWith("✅ Tu as pris cette demande :"));
    expect(callbackDatas(privateCopy?.payload)).toContain(`rq:focus:${request?.id}`);
    expect(privateCopy?.payload.text).toContain("besoin de parler");
    expect(bot.lastText(someone.id)).toBe("🙋 Marc a pris ta demande. Tu peux lui écrire ici.");

    // Removed from the group: Telegram answers 403, and the group is no longer announced to.
    bot.telegram.failNext("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat", -100123);
    await ask(person(), "encore une");
    await bot.deliver();
    expect(rows(await database.db.execute(sql`select * from team_groups`))).toEqual([]);
  });

  it("takes a worker who blocked the bot off call and tells the coordinators", async () => {
    const coordinator = await joinTeam(bot, database, person(), "Coordo", { role: "admin" });
    const marc = await worker("Marc");
    bot.telegram.failNext("sendMessage", 403, "Forbidden: bot was blocked by the user", marc.id);
    await ask(person());
    await bot.deliver();
    expect(bot.lastText(coordinator.id)).toBe(
      "⚠️ Marc ne reçoit plus les messages du bot (bloqué ou compte fermé). Ce membre est retiré de la garde.",
    );
    const [row] = await database.db
      .select()
      .from(members)
      .where(and(eq(members.alias, "Marc"), isNull(members.revokedAt)));
    expect(row?.unreachableSince).not.toBeNull();
    expect(row?.onCallSince).toBeNull();
  });

  it("shows the card for an overdose word and still passes the words to the worker, both ways", async () => {
    const marc = await worker("Marc");
    const someone = person();
    await askAndClaim(marc, someone);
    bot.telegram.clear();
    await bot.send(textUpdate(someone, "mon chum a fait une OD, on est au métro Papineau"));
    expect(bot.telegram.textsTo(someone.id)[0]).toContain("Appelle le 911 maintenant");
    await bot.deliver();
    expect(bot.telegram.textsTo(marc.id).some((t) => t.endsWith("on est au métro Papineau"))).toBe(true);

    bot.telegram.clear();
    await bot.send(textUpdate(marc, "Si tu vois une surdose, appelle le 911 tout de suite."));
    await bot.deliver();
    expect(bot.telegram.textsTo(marc.id).some((t) => t.includes("Appelle le 911 maintenant"))).toBe(false);
    expect(bot.lastText(someone.id)).toBe("Marc : Si tu vois une surdose, appelle le 911 tout de suite.");
  });

  it("takes a double tap on claim as one, and a release with nobody else on call waits for the next one", async () => {
    const marc = await worker("Marc");
    const lea = await worker("Léa", false);
    const someone = person();
    const request = await ask(someone);
    await bot.deliver();
    await bot.send(
      callbackUpdate(marc, `rq:claim:${request?.id}`),
      callbackUpdate(marc, `rq:claim:${request?.id}`),
    );
    const toasts = bot.telegram.calls
      .filter((c) => c.method === "answerCallbackQuery")
      .map((c) => String(c.payload.text ?? ""));
    expect(toasts.some((t) => t.startsWith("Déjà prise"))).toBe(false);

    await bot.send(callbackUpdate(marc, `rq:release:${request?.id}`));
    await bot.deliver();
    expect(bot.lastText(someone.id)).toBe(
      "Ta demande retourne à l'équipe. Elle reste ouverte; /mademande pour la voir ou la retirer.",
    );
    const [waiting] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.id, request?.id ?? ""));
    expect(waiting).toMatchObject({ status: "open", deliveredAt: null, escalationLevel: 0 });

    await bot.send(callbackUpdate(lea, "oc:on"));
    await bot.deliver();
    expect(bot.telegram.textsTo(lea.id).some((t) => t.startsWith("🆕"))).toBe(true);
  });

  it("gives a removed worker's requests back to the team, and tells the person", async () => {
    const coordinator = await joinTeam(bot, database, person(), "Coordo", { role: "admin", onCall: true });
    const marc = await worker("Marc");
    const someone = person();
    const request = await ask(someone);
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
    const [marcRow] = await database.db
      .select()
      .from(members)
      .where(and(eq(members.alias, "Marc"), isNull(members.revokedAt)));
    await bot.send(callbackUpdate(coordinator, `adm:rev!:${marcRow?.id}`));
    await bot.deliver();
    expect(bot.lastText(someone.id)).toBe(
      "Ta demande retourne à l'équipe. Elle reste ouverte; /mademande pour la voir ou la retirer.",
    );
    expect(bot.telegram.textsTo(coordinator.id).filter((t) => t.startsWith("🆕"))).toHaveLength(2);
    const [row] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.id, request?.id ?? ""));
    expect(row).toMatchObject({ status: "open", claimedByMemberId: null });
  });

  it("gives back the requests of a worker who blocked the bot", async () => {
    const marc = await worker("Marc");
    const someone = person();
    const request = await askAndClaim(marc, someone);
    bot.telegram.failNext("sendMessage", 403, "Forbidden: bot was blocked by the user", marc.id);
    await bot.send(textUpdate(someone, "tu es là?"));
    await bot.deliver();
    const [row] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.id, request?.id ?? ""));
    expect(row).toMatchObject({ status: "open", claimedByMemberId: null });
    expect(bot.lastText(someone.id)).toBe(
      "Ta demande retourne à l'équipe. Elle reste ouverte; /mademande pour la voir ou la retirer.",
    );
  });

  it("says plainly that nothing was sent when an expired flow's button is tapped, and lets menu taps through", async () => {
    await worker("Marc");
    const someone = person();
    await bot.send(callbackUpdate(someone, "f:send"));
    expect(bot.lastText(someone.id)).toBe(
      "Rien n'a été envoyé : cette demande est restée en suspens trop longtemps. Tu peux recommencer quand tu veux.",
    );
    await bot.send(textUpdate(someone, "/parler"), textUpdate(someone, "🕒 Ouvert maintenant"));
    expect(bot.lastText(someone.id)).toContain("Ouvert maintenant</b>");
    expect(await database.db.select().from(requests)).toEqual([]);
  });

  it("sends a person's words to the request someone holds, even when a newer one waits", async () => {
    const marc = await worker("Marc");
    const someone = person();
    const first = await ask(someone, "première");
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${first?.id}`));
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:food"),
      callbackUpdate(someone, "f:nodetails"),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:skip"),
      callbackUpdate(someone, "f:send"),
    );
    await bot.deliver();
    bot.telegram.clear();
    await bot.send(textUpdate(someone, "pour Marc"));
    await bot.deliver();
    expect(bot.telegram.textsTo(marc.id).some((t) => t.endsWith(" : pour Marc"))).toBe(true);
  });

  it("sends a worker's words to the request whose notice they answer, and on to it; a colleague's or an ended one is refused", async () => {
    const marc = await worker("Marc");
    const bea = await worker("Béa");
    const [first, second, third] = [person(), person(), person()];
    const one = await askAndClaim(marc, first);
    const two = await askAndClaim(marc, second);
    const three = await askAndClaim(bea, third);
    /** Marc's notice of a request: the message he answers with Telegram's "reply". */
    const noticeOf = async (requestId: string | undefined) => {
      const [row] = rows<{ message_id: number }>(
        await database.db.execute(sql`
          select n.message_id from request_notices n join members m on m.id = n.member_id
           where n.request_id = ${requestId ?? ""} and m.alias = 'Marc' and m.revoked_at is null`),
      );
      return Number(row?.message_id);
    };
    const answering = async (requestId: string | undefined, text: string) =>
      messageUpdate(marc, {
        text,
        reply_to_message: {
          message_id: await noticeOf(requestId),
          date: 1_790_000_000,
          chat: { id: marc.id, type: "private", first_name: "Marc" },
          text: "🆕",
        },
      });
    bot.telegram.clear();

    // Each reply goes to its request and makes it the focus (said once); plain words then follow it.
    await bot.send(await answering(two?.id, "au deuxième"));
    await bot.send(await answering(one?.id, "au premier"));
    await bot.send(textUpdate(marc, "encore au premier"));
    const twice = textUpdate(marc, "une seule fois");
    await bot.send(twice, twice);
    await bot.deliver();
    expect(bot.telegram.textsTo(second.id)).toEqual(["Marc : au deuxième"]);
    expect(bot.telegram.textsTo(first.id)).toEqual([
      "Marc : au premier",
      "Marc : encore au premier",
      "Marc : une seule fois",
    ]);
    expect(bot.telegram.textsTo(marc.id)).toEqual([
      `💬 Tes messages vont maintenant à ${nicknameOf(two as Request)}.`,
      `💬 Tes messages vont maintenant à ${nicknameOf(one as Request)}.`,
    ]);

    // Béa's request, then one Marc closed: nothing crosses, and Marc is told why.
    await bot.send(await answering(three?.id, "à la personne de Béa"));
    expect(bot.lastText(marc.id)).toBe(
      "Cette demande n'est pas à toi (ou personne ne l'a encore prise) : rien n'a été envoyé.",
    );
    await bot.send(callbackUpdate(marc, `rq:out:${two?.id}:answered`));
    await bot.send(await answering(two?.id, "trop tard"));
    expect(bot.lastText(marc.id)).toBe("Cette demande est terminée : rien n'a été envoyé.");
    await bot.deliver();
    expect(bot.telegram.textsTo(third.id)).toEqual([]);
    expect(bot.telegram.textsTo(second.id).filter((t) => t.includes("trop tard"))).toEqual([]);
    const history = await database.db
      .select()
      .from(requestMessages)
      .where(eq(requestMessages.author, "worker"))
      .orderBy(requestMessages.id);
    expect(history.map((m) => [m.requestId, bot.deps.sealer.open(m.bodyEnc)])).toEqual([
      [two?.id, "au deuxième"],
      [one?.id, "au premier"],
      [one?.id, "encore au premier"],
      [one?.id, "une seule fois"],
    ]);
  });

  it("lets a coordinator close someone else's request and tells the worker who held it", async () => {
    const coordinator = await joinTeam(bot, database, person(), "Coordo", { role: "admin" });
    const marc = await worker("Marc");
    const someone = person();
    const request = await ask(someone);
    await bot.deliver();
    await bot.send(
      callbackUpdate(marc, `rq:claim:${request?.id}`),
      callbackUpdate(coordinator, `rq:out:${request?.id}:referred`),
    );
    await bot.deliver();
    expect(bot.lastText(marc.id)).toMatch(/^✔️ Coordo a fermé la demande (de |d')\S.*\.$/);
    expect(bot.lastText(someone.id)).toContain("Coordo a fermé ta demande.");
    // Marc's next words go nowhere near the person any more.
    await bot.send(textUpdate(marc, "encore là?"));
    await bot.deliver();
    expect(bot.telegram.textsTo(someone.id).some((t) => t.includes("encore là?"))).toBe(false);
  });

  it("makes one request when the same 'send' is handled twice (a redelivery, another instance)", async () => {
    await worker("Marc");
    const input = {
      personPseudonym: "twice",
      chatId: 4242,
      locale: "fr" as const,
      category: "talk" as const,
      message: null,
      answerMode: "chat" as const,
      meetSiteId: null,
      areaPlaceId: null,
      sourceUpdateId: 777_777,
    };
    const [a, b] = [await submitRequest(bot.deps, input), await submitRequest(bot.deps, input)];
    expect(a.kind === "sent" && b.kind === "sent" && a.requestId === b.requestId).toBe(true);
    // And at the same moment, as two instances would.
    const racing = { ...input, personPseudonym: "twice-at-once", sourceUpdateId: 888_888 };
    const [c, d] = await Promise.all([submitRequest(bot.deps, racing), submitRequest(bot.deps, racing)]);
    expect(c.kind === "sent" && d.kind === "sent" && c.requestId === d.requestId).toBe(true);
    expect(await database.db.select().from(requests)).toHaveLength(2);
    await bot.deliver();
    expect(bot.telegram.calls.filter((c) => String(c.payload.text ?? "").startsWith("🆕"))).toHaveLength(2);
  });

  it("reminds a worker ending their shift of the requests they still hold, with a way to pass them on", async () => {
    const marc = await worker("Marc");
    const request = await askAndClaim(marc, person());
    await bot.send(callbackUpdate(marc, "oc:off"));
    const reminder = bot.lastCall(marc.id);
    expect(reminder?.payload.text).toBe(
      "Tu tiens encore ces demandes. Tu peux les garder, les relâcher pour l'équipe ou les confier à quelqu'un :",
    );
    expect(callbackDatas(reminder?.payload)).toEqual([`rq:release:${request?.id}`, `rq:hand:${request?.id}`]);
  });
});
