import { and, eq, isNull, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { members, requests, teamGroups } from "../../src/db/schema";
import { revokeMember } from "../../src/features/members/queries";
import { runRequestTimers } from "../../src/features/requests/timers";
import { releaseAllClaims } from "../../src/features/requests/use-cases";
import { pseudonymFor } from "../../src/privacy/pseudonym";
import { DRIVERS, useDatabase } from "../support/database";
import {
  buttonTexts,
  callbackDatas,
  createHarness,
  type Harness,
  TEST_PSEUDONYM_KEY,
} from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, messageUpdate, type Person, textUpdate } from "../support/updates";

describe.each(DRIVERS)("peer helpers, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 9_100_000;
  const person = (languageCode = "fr"): Person => ({
    id: nextId++,
    languageCode,
    firstName: "Passereau",
    username: `passereau_${nextId}`,
  });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
  });

  async function member(alias: string, options: { onCall?: boolean; role?: "peer"; language?: string } = {}) {
    const someone = await joinTeam(bot, database, person(options.language ?? "fr"), alias, {
      onCall: options.onCall ?? false,
      ...(options.role ? { role: options.role } : {}),
    });
    bot.telegram.clear();
    return someone;
  }

  /** A peer's request for someone with them: food, their words, answer here, Centre-Sud, send. */
  async function relay(peer: Person, words: string, command = "/relais") {
    await bot.send(
      textUpdate(peer, command),
      callbackUpdate(peer, "f:cat:food"),
      textUpdate(peer, words),
      callbackUpdate(peer, "f:ans:chat"),
      callbackUpdate(peer, "f:area:centre-sud"),
      callbackUpdate(peer, "f:send"),
    );
    // The confirmation's withdraw button names the request just made.
    const id = callbackDatas(bot.lastCall(peer.id)?.payload)[0]?.slice("pr:wd:".length) ?? "";
    const [request] = await database.db.select().from(requests).where(eq(requests.id, id));
    const nickname = /<b>([^<]+)<\/b>/.exec(bot.lastText(peer.id))?.[1] ?? "";
    return { request, nickname };
  }

  it("relays for someone with the peer: the worker sees who relays, answers, and the peer replies", async () => {
    const marc = await member("Marc", { onCall: true });
    const sam = await member("Sam", { role: "peer" });
    await bot.send(textUpdate(sam, "/relais"));
    expect(bot.lastText(sam.id)).toContain("🤝 Une demande pour quelqu'un qui est avec toi.");
    // Backup is a button of its own, never a topic in the dialogue.
    expect(callbackDatas(bot.lastCall(sam.id)?.payload)).not.toContain("f:cat:backup");
    await bot.send(textUpdate(sam, "/annuler"));

    const { request, nickname } = await relay(sam, "Il a faim, il n'a pas mangé depuis hier");
    expect(bot.lastText(sam.id)).toBe(
      `✅ C'est envoyé. Surnom de cette demande : <b>${nickname}</b>.\nLes réponses arriveront ici, marquées de ce surnom.`,
    );
    expect(callbackDatas(bot.lastCall(sam.id)?.payload)).toEqual([`pr:wd:${request?.id}`]);

    await bot.deliver();
    const notice = bot.telegram.sentTo(marc.id).find((c) => String(c.payload.text).startsWith("🆕"));
    expect(notice?.payload.text).toContain("🤝 Via Sam (pair aidant·e), qui transmet tes réponses.");
    expect(notice?.payload.text).toContain("Il a faim, il n'a pas mangé depuis hier");

    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
    await bot.deliver();
    expect(bot.lastText(sam.id)).toBe(`🤝 ${nickname}\n🙋 Marc a pris ta demande. Tu peux lui écrire ici.`);

    await bot.send(textUpdate(marc, "Repas chaud au Local de jour à 17 h"));
    await bot.deliver();
    const answer = bot.lastCall(sam.id);
    expect(answer?.payload.text).toBe(`🤝 ${nickname}\nMarc : Repas chaud au Local de jour à 17 h`);
    expect(callbackDatas(answer?.payload)).toEqual([`pr:focus:${request?.id}`]);
    expect(buttonTexts(answer?.payload)).toEqual([`💬 Répondre pour ${nickname}`]);

    await bot.send(textUpdate(sam, "Merci, on y va"));
    await bot.deliver();
    expect(bot.lastText(marc.id)).toBe(`${nickname} : Merci, on y va`);

    // Nothing stored says who the person is, nor the peer's Telegram identity.
    const [stored] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.id, request?.id ?? ""));
    const [samRow] = await database.db
      .select()
      .from(members)
      .where(and(eq(members.alias, "Sam"), isNull(members.revokedAt)));
    expect(stored).toMatchObject({ relayedByMemberId: samRow?.id, relayedVia: "Sam" });
    expect(stored?.personPseudonym).toMatch(/^relay-/);
    expect(stored?.personPseudonym).not.toBe(pseudonymFor(TEST_PSEUDONYM_KEY, sam.id));
    expect(stored?.personPseudonym).not.toBe(samRow?.pseudonym);
    let dump = "";
    for (const table of ["requests", "request_messages", "outbox", "members", "conversation_state"])
      dump += JSON.stringify(rowsOf(await database.db.execute(sql.raw(`select * from ${table}`))));
    for (const secret of [String(sam.id), "Passereau", sam.username as string, "Il a faim", "Merci, on y va"])
      expect(dump).not.toContain(secret);
  });

  it("works in English with /relay, and the peer can withdraw the request", async () => {
    const sam = await member("Sam", { role: "peer", language: "en" });
    const lee = await member("Lee", { onCall: true, language: "en" });
    await bot.send(textUpdate(sam, "/relay"));
    expect(bot.lastText(sam.id)).toContain("🤝 A request for someone who is with you.");
    await bot.send(textUpdate(sam, "/cancel"));
    const { request, nickname } = await relay(sam, "needs a blanket", "/relay");
    expect(bot.lastText(sam.id)).toBe(
      `✅ Sent. Nickname for this request: <b>${nickname}</b>.\nAnswers will come here, marked with this nickname.`,
    );
    await bot.deliver();
    expect(bot.lastText(lee.id)).toContain("🤝 Via Sam (peer helper), who passes your answers on.");

    await bot.send(callbackUpdate(sam, `pr:wd:${request?.id}`));
    expect(bot.lastText(sam.id)).toBe(`Done, the request ${nickname} is withdrawn.`);
    await bot.deliver();
    expect(bot.lastText(lee.id)).toBe(`🚪 ${nickname} withdrew their request. Nothing else to do.`);
    // A second tap is a stale button.
    await bot.send(callbackUpdate(sam, `pr:wd:${request?.id}`));
    expect(bot.telegram.calls.at(-1)?.payload.text).toBe("This request is no longer open.");
  });

  it("asks which request the peer's words are for when a worker holds several, and the reply button chooses", async () => {
    const marc = await member("Marc", { onCall: true });
    const sam = await member("Sam", { role: "peer" });
    const first = await relay(sam, "premier");
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${first.request?.id}`));
    // A minute later: the second request is the one with the latest activity.
    bot.setNow(new Date(bot.deps.now().getTime() + 60_000));
    const second = await relay(sam, "deuxième");
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${second.request?.id}`));
    await bot.deliver();
    bot.telegram.clear();

    // Two requests: the words are kept and the peer is asked, latest activity first; nothing is sent yet.
    const asked = textUpdate(sam, "pour qui?");
    await bot.send(asked);
    expect(bot.lastText(sam.id)).toBe(
      "Tu as plusieurs demandes. Ce message est pour laquelle? Touche son surnom : je l'envoie aussitôt.",
    );
    const choices = callbackDatas(bot.lastCall(sam.id)?.payload);
    expect(choices.map((c) => c.split(":").pop())).toEqual([second.request?.id, first.request?.id]);
    expect(buttonTexts(bot.lastCall(sam.id)?.payload)).toEqual([
      `💬 ${second.nickname}`,
      `💬 ${first.nickname}`,
    ]);
    await bot.deliver();
    expect(bot.telegram.textsTo(marc.id)).toEqual([]);

    // The tap sends the kept words there (once, however often it is tapped), and says where words now go.
    const toFirst = choices[1] ?? "";
    await bot.send(callbackUpdate(sam, toFirst), callbackUpdate(sam, toFirst));
    await bot.deliver();
    expect(bot.telegram.textsTo(marc.id)).toEqual([`${first.nickname} : pour qui?`]);
    expect(bot.telegram.textsTo(sam.id).slice(-2)).toEqual([
      `✅ Envoyé à ${first.nickname}. Tes prochains messages iront à cette demande.`,
      "Ce bouton n'est plus valable : rien n'a été envoyé. Réécris ton message si besoin.",
    ]);
    await bot.send(textUpdate(sam, "c'est pour le premier"));
    await bot.deliver();
    expect(bot.lastText(marc.id)).toBe(`${first.nickname} : c'est pour le premier`);

    // A Telegram reply to a message about the other request (here: that Marc took it) goes to that one,
    // and stays there.
    const [aboutSecond] = rowsOf<{ message_id: number }>(
      await database.db.execute(sql`
        select n.message_id from request_notices n join members m on m.id = n.member_id
         where n.request_id = ${second.request?.id ?? ""} and m.alias = 'Sam' and m.revoked_at is null`),
    );
    await bot.send(
      messageUpdate(sam, {
        text: "réponse au deuxième",
        reply_to_message: {
          message_id: Number(aboutSecond?.message_id),
          date: 1_790_000_000,
          chat: { id: sam.id, type: "private", first_name: "Passereau" },
          text: `🤝 ${second.nickname}\nMarc a pris ta demande.`,
        },
      }),
      textUpdate(sam, "et encore pour le deuxième"),
    );
    await bot.deliver();
    expect(bot.telegram.textsTo(marc.id).slice(-2)).toEqual([
      `${second.nickname} : réponse au deuxième`,
      `${second.nickname} : et encore pour le deuxième`,
    ]);
    expect(bot.lastText(sam.id)).toBe(`💬 Tes messages vont maintenant à ${second.nickname}.`);

    // /mademande lists what the peer relays, with a way to answer or withdraw each.
    await bot.send(textUpdate(sam, "/mademande"));
    const texts = bot.telegram.textsTo(sam.id).slice(-3);
    expect(texts[0]).toBe("🤝 Tes demandes pour d'autres personnes :");
    expect(texts.slice(1).sort()).toEqual(
      [
        `🤝 <b>${first.nickname}</b> · 🍲 Manger · prise par Marc`,
        `🤝 <b>${second.nickname}</b> · 🍲 Manger · prise par Marc`,
      ].sort(),
    );
    expect(callbackDatas(bot.lastCall(sam.id)?.payload)).toHaveLength(2);
    await bot.send(callbackUpdate(sam, `pr:focus:${first.request?.id}`));
    // An overdose word from the peer shows them the card and still reaches the worker.
    await bot.send(textUpdate(sam, "il fait une surdose, métro Berri"));
    expect(bot.telegram.textsTo(sam.id).some((t) => t.includes("911"))).toBe(true);
    await bot.deliver();
    expect(bot.lastText(marc.id)).toBe(`${first.nickname} : il fait une surdose, métro Berri`);
  });

  it("ends what a peer relays when they leave the team, so no answer reaches them any more", async () => {
    const marc = await member("Marc", { onCall: true });
    const sam = await member("Sam", { role: "peer" });
    const { request, nickname } = await relay(sam, "besoin d'un lit");
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
    await bot.deliver();
    // As the coordinator's "remove" and the admin command do.
    const [samRow] = await database.db
      .select()
      .from(members)
      .where(and(eq(members.alias, "Sam"), isNull(members.revokedAt)));
    const revoked = await revokeMember(database.db, samRow?.id ?? -1, bot.deps.now());
    if (revoked) await releaseAllClaims(bot.deps, revoked);
    await bot.deliver();
    expect(bot.lastText(marc.id)).toBe(`🚪 ${nickname} a retiré sa demande. Rien d'autre à faire.`);
    const [ended] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.id, request?.id ?? ""));
    expect(ended).toMatchObject({ status: "withdrawn", chatIdEnc: null });
  });

  it("sends a removed peer nothing more, even before their requests are withdrawn (a crash in between)", async () => {
    const marc = await member("Marc", { onCall: true });
    const sam = await member("Sam", { role: "peer" });
    const { request } = await relay(sam, "besoin d'un lit");
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
    await bot.deliver();
    await database.db
      .update(members)
      .set({ revokedAt: bot.deps.now() })
      .where(and(eq(members.alias, "Sam"), isNull(members.revokedAt)));
    bot.telegram.clear();
    await bot.send(textUpdate(marc, "Une place au refuge ce soir"));
    await bot.deliver();
    expect(bot.telegram.sentTo(sam.id)).toEqual([]);
  });

  it("never shows a peer anyone else's request: no notice, no reminder, no last call, no claim", async () => {
    const marc = await member("Marc", { onCall: true });
    const sam = await member("Sam", { role: "peer" });
    const someone = person();
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:housing"),
      callbackUpdate(someone, "f:nodetails"),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:skip"),
      callbackUpdate(someone, "f:send"),
    );
    await bot.deliver();
    expect(bot.telegram.textsTo(marc.id).some((t) => t.startsWith("🆕"))).toBe(true);
    bot.setNow(new Date(bot.deps.now().getTime() + 60 * 60_000));
    const timers = await runRequestTimers(bot.deps, { escalationMinutes: 10, expiryHours: 72 });
    expect(timers.escalated).toBe(1);
    await bot.deliver();
    expect(bot.telegram.sentTo(sam.id)).toEqual([]);

    const [request] = await database.db.select().from(requests);
    await bot.send(callbackUpdate(sam, `rq:claim:${request?.id}`));
    // Told what the button is for, and how a peer answers their own requests.
    expect(bot.telegram.calls.at(-1)?.payload.text).toBe(
      "Ce bouton est réservé aux intervenant·es et à la coordination : les pair·es aidant·es répondent à leurs demandes avec 💬 sous chacune (/mademande).",
    );
    expect((await database.db.select().from(requests))[0]?.status).toBe("open");
    // A peer is not the person: their words are lookups as usual, not relayed anywhere.
    await bot.send(textUpdate(sam, "naloxone"));
    await bot.deliver();
    expect(bot.telegram.textsTo(marc.id).some((t) => t.includes("naloxone"))).toBe(false);
  });

  it("keeps the peer buttons in the menu, whatever screen sent it, and refuses them to others", async () => {
    // A team that takes requests (with none, the dialogue would say so and stop at once).
    await member("Marc");
    const sam = await member("Sam", { role: "peer" });
    await bot.send(textUpdate(sam, "/start"));
    expect(buttonTexts(bot.lastCall(sam.id)?.payload)).toEqual(
      expect.arrayContaining(["💬 Parler à quelqu'un", "🤝 Pour quelqu'un", "🆘 Renfort"]),
    );
    // From inside a dialogue too (its own context and API).
    await bot.send(textUpdate(sam, "🤝 Pour quelqu'un"), callbackUpdate(sam, "f:cancel"));
    expect(bot.lastText(sam.id)).toBe("D'accord, rien n'a été envoyé. Voici le menu 👇");
    expect(buttonTexts(bot.lastCall(sam.id)?.payload)).toContain("🤝 Pour quelqu'un");
    await bot.send(textUpdate(sam, "/urgence"));
    expect(buttonTexts(bot.lastCall(sam.id)?.payload)).toContain("🆘 Renfort");

    const someone = person();
    await bot.send(textUpdate(someone, "/start"));
    expect(buttonTexts(bot.lastCall(someone.id)?.payload)).not.toContain("🆘 Renfort");
    await bot.send(textUpdate(someone, "🆘 Renfort"), textUpdate(someone, "/relais"));
    expect(bot.telegram.textsTo(someone.id).slice(-2)).toEqual([
      "C'est réservé aux pair·es aidant·es d'une équipe.",
      "C'est réservé aux pair·es aidant·es d'une équipe.",
    ]);
    expect(await database.db.select().from(requests)).toEqual([]);
  });

  it("sends backup to every worker on call at once with the peer's alias and time, once, and a worker can take it", async () => {
    const marc = await member("Marc", { onCall: true });
    const lee = await member("Lee", { onCall: true, language: "en" });
    const off = await member("Off", { onCall: false });
    const sam = await member("Sam", { role: "peer" });
    // In the middle of a dialogue too: the button is always reachable.
    await bot.send(textUpdate(sam, "/relais"), textUpdate(sam, "🆘 Renfort"));
    expect(bot.lastText(sam.id)).toBe(
      "🆘 C'est envoyé aux intervenant·es de garde (2). La première personne qui répond t'écrit ici.",
    );
    await bot.deliver();
    const alertTo = (who: Person) =>
      bot.telegram.sentTo(who.id).filter((c) => String(c.payload.text).startsWith("🆘"));
    expect(alertTo(marc).map((c) => c.payload.text)).toEqual([
      expect.stringMatching(
        /^🆘 <b>Renfort<\/b> : Sam \(pair aidant·e\) a besoin de quelqu'un maintenant \(14 h\)\./,
      ),
    ]);
    expect(alertTo(lee).map((c) => c.payload.text)).toEqual([
      expect.stringMatching(/^🆘 <b>Backup<\/b>: Sam \(peer helper\) needs someone now \(14:00\)\./),
    ]);
    expect(bot.telegram.sentTo(off.id)).toEqual([]);

    // Tapping again a minute later: the peer is told, the workers are not alerted twice.
    bot.setNow(new Date(bot.deps.now().getTime() + 60_000));
    await bot.send(textUpdate(sam, "/renfort"));
    expect(bot.lastText(sam.id)).toBe(
      "🆘 C'est déjà envoyé (14 h), pas besoin de renvoyer. La première personne qui répond t'écrit ici.",
    );
    await bot.deliver();
    expect(alertTo(marc)).toHaveLength(1);
    expect(await database.db.select().from(requests)).toHaveLength(1);

    const [backup] = await database.db.select().from(requests);
    expect(callbackDatas(alertTo(lee)[0]?.payload)).toEqual([
      `rq:claim:${backup?.id}`,
      `rq:pass:${backup?.id}`,
    ]);
    await bot.send(callbackUpdate(lee, `rq:claim:${backup?.id}`));
    await bot.deliver();
    expect(bot.lastText(sam.id)).toMatch(/^🤝 .+\n🙋 Lee a pris ta demande\. Tu peux lui écrire ici\.$/);
    await bot.send(textUpdate(sam, "Viens au parc Médéric-Martineau"));
    await bot.deliver();
    expect(bot.lastText(lee.id)).toMatch(/^.+: Viens au parc Médéric-Martineau$/);
  });

  it("tells the peer at once, with the emergency number, when nobody is on call, and tells the team group", async () => {
    await member("Marc", { onCall: false });
    const sam = await member("Sam", { role: "peer", language: "en" });
    await database.db.insert(teamGroups).values({
      organisationId: "org-a",
      chatIdEnc: bot.deps.sealer.seal("-100777"),
      registeredAt: new Date(),
    });
    await bot.send(textUpdate(sam, "🆘 Backup"));
    expect(bot.lastText(sam.id)).toBe(
      "⚠️ Nobody is on call right now.\nIf it is an emergency: call 911.\nThe team has been told in its group.",
    );
    // Again a minute later: the number again, the group not told twice.
    await bot.send(textUpdate(sam, "/backup"));
    expect(bot.lastText(sam.id)).toBe(
      "🆘 Already sent (14:00), no need to send again. The first one to answer writes to you here.\n\n⚠️ Nobody is on call right now.\nIf it is an emergency: call 911.",
    );
    await bot.deliver();
    expect(bot.telegram.textsTo(-100777)).toHaveLength(1);
    expect(bot.lastText(-100777)).toMatch(
      /^🆘 Sam \(pair aidant·e\) demande du renfort \(14 h\) et personne n'est de garde\.$/,
    );
  });
});
