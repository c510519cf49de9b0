import { and, eq, isNull, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { members, pendingWords, requestMessages, requests } from "../../src/db/schema";
import { renderNickname } from "../../src/features/requests/nickname";
import { nicknameOf } from "../../src/features/requests/notices";
import type { Request } from "../../src/features/requests/queries";
import { DRIVERS, useDatabase } from "../support/database";
import { WEDNESDAY_2PM } from "../support/directory-fixture";
import { buttonTexts, callbackDatas, createHarness, type Harness } from "../support/harness";
import { sentMessages } from "../support/sent-messages";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, messageUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Every message reaches exactly the request it is meant for (issue 11, part 6): a worker holding two
 * requests is asked, a reply goes where it replies, the focus moves only when they choose, and a person's
 * words always join their request.
 */
describe.each(DRIVERS)("addressing, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 9_300_000;
  const person = (languageCode = "fr"): Person => ({ id: nextId++, languageCode, firstName: "Mésange" });

  useDatabase(open, (opened) => {
    database = opened;
  });
  // The clock moves a minute at each step, so that "latest activity first" has an order to show.
  let clock = WEDNESDAY_2PM.getTime();
  const tick = () => {
    clock += 60_000;
    bot.setNow(new Date(clock));
  };
  beforeEach(async () => {
    clock = WEDNESDAY_2PM.getTime();
    bot = await createHarness(database);
    await resetRequests(database);
  });

  async function worker(alias: string, languageCode = "fr"): Promise<Person> {
    const someone = await joinTeam(bot, database, person(languageCode), alias, { onCall: true });
    bot.telegram.clear();
    return someone;
  }

  /** A request of `someone` with a nickname of our choosing (drawn at random otherwise). */
  async function ask(someone: Person, nickname: { animal: string; colour: string }, words = "besoin d'aide") {
    const talk = someone.languageCode === "en" ? "/talk" : "/parler";
    const send = callbackUpdate(someone, "f:send");
    await bot.send(
      textUpdate(someone, talk),
      callbackUpdate(someone, "f:cat:talk"),
      textUpdate(someone, words),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:skip"),
      send,
    );
    // The clock stands still in these tests: the request is found by the update that sent it.
    const [request] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.sourceUpdateId, send.update_id));
    if (!request) throw new Error("no request");
    await database.db
      .update(requests)
      .set({ nicknameAnimal: nickname.animal, nicknameColour: nickname.colour })
      .where(eq(requests.id, request.id));
    return request.id;
  }

  async function claim(holder: Person, requestId: string) {
    tick();
    await bot.deliver();
    await bot.send(callbackUpdate(holder, `rq:claim:${requestId}`));
    await bot.deliver();
  }

  /** The message ids in `member`'s chat that belong to a request, as the bot recorded them. */
  async function messagesAbout(requestId: string, alias: string): Promise<number[]> {
    return rowsOf<{ message_id: number }>(
      await database.db.execute(sql`
        select n.message_id from request_notices n join members m on m.id = n.member_id
         where n.request_id = ${requestId} and m.alias = ${alias} and m.revoked_at is null
         order by n.message_id`),
    ).map((r) => Number(r.message_id));
  }

  /** The newest message in `alias`'s chat that belongs to the request. */
  const newestAbout = async (requestId: string, alias: string) =>
    Math.max(...(await messagesAbout(requestId, alias)));

  const replyTo = (someone: Person, messageId: number, text: string) =>
    messageUpdate(someone, {
      text,
      reply_to_message: {
        message_id: messageId,
        date: 1_790_000_000,
        chat: { id: someone.id, type: "private", first_name: "x" },
        text: "…",
      },
    });

  const scenario = [
    {
      language: "fr",
      hirondelle: "Hirondelle bleue",
      lynx: "Lynx gris",
      colon: " :",
      says: "Oui Hirondelle, je suis là",
      which:
        "Tu as plusieurs demandes. Ce message est pour laquelle? Touche son surnom : je l'envoie aussitôt.",
      focusLynx: "💬 Tes messages vont maintenant à Lynx gris.",
      sentHirondelle: "✅ Envoyé à Hirondelle bleue. Tes prochains messages iront à cette demande.",
    },
    {
      language: "en",
      hirondelle: "Blue swallow",
      lynx: "Grey lynx",
      colon: ":",
      says: "Yes Swallow, I'm here",
      which:
        "You have several requests. Which one is this message for? Tap its nickname and I'll send it right away.",
      focusLynx: "💬 Your messages now go to Grey lynx.",
      sentHirondelle: "✅ Sent to Blue swallow. Your next messages will go to this request.",
    },
  ] as const;

  it.each(scenario)(
    "asks Marc which request when he holds two, and his reply on Alex's message reaches Alex ($language)",
    async (words) => {
      const marc = await worker("Marc", words.language);
      const [zoe, alex] = [person(words.language), person(words.language)];
      const hirondelle = await ask(zoe, { animal: "swallow", colour: "blue" });
      await claim(marc, hirondelle);
      const lynx = await ask(alex, { animal: "lynx", colour: "grey" });
      await claim(marc, lynx);
      tick();
      await bot.send(textUpdate(alex, "t'es là?"));
      await bot.deliver();
      tick();
      await bot.send(textUpdate(zoe, "allô?"));
      await bot.deliver();
      const alexMessage = await newestAbout(lynx, "Marc");
      expect(bot.telegram.textsTo(marc.id).slice(-2)).toEqual([
        `${words.lynx}${words.colon} t'es là?`,
        `${words.hirondelle}${words.colon} allô?`,
      ]);
      bot.telegram.clear();

      // Plain words while holding two: kept, and Marc is asked, Zoé's request (latest activity) first.
      const typed = textUpdate(marc, words.says);
      await bot.send(typed);
      await bot.deliver();
      expect(bot.telegram.textsTo(zoe.id)).toEqual([]);
      expect(bot.telegram.textsTo(alex.id)).toEqual([]);
      expect(bot.lastText(marc.id)).toBe(words.which);
      const question = bot.lastCall(marc.id)?.payload;
      expect(buttonTexts(question)).toEqual([`💬 ${words.hirondelle}`, `💬 ${words.lynx}`]);
      expect(question?.reply_parameters).toMatchObject({ message_id: typed.message?.message_id });

      // His Telegram reply on Alex's relayed message goes to Alex, and says where his words go now.
      await bot.send(replyTo(marc, alexMessage, "J'arrive Alex"));
      await bot.deliver();
      expect(bot.telegram.textsTo(alex.id)).toEqual([`Marc${words.colon} J'arrive Alex`]);
      expect(bot.telegram.textsTo(zoe.id)).toEqual([]);
      expect(bot.lastText(marc.id)).toBe(words.focusLynx);

      // The tap sends the kept words to Zoé, once.
      const choice = callbackDatas(question)[0] ?? "";
      await bot.send(callbackUpdate(marc, choice), callbackUpdate(marc, choice));
      await bot.deliver();
      expect(bot.telegram.textsTo(zoe.id)).toEqual([`Marc${words.colon} ${words.says}`]);
      expect(bot.telegram.textsTo(alex.id)).toEqual([`Marc${words.colon} J'arrive Alex`]);
      expect(bot.telegram.textsTo(marc.id)).toContain(words.sentHirondelle);
      expect(await database.db.select().from(pendingWords)).toEqual([]);

      // Zoé writes again; the focus stays where Marc chose it (on Zoé's now), never moved by her message.
      await bot.send(textUpdate(alex, "ok merci"));
      await bot.deliver();
      await bot.send(textUpdate(marc, "à tout de suite"));
      await bot.deliver();
      expect(bot.telegram.textsTo(zoe.id)).toEqual([
        `Marc${words.colon} ${words.says}`,
        `Marc${words.colon} à tout de suite`,
      ]);
    },
  );

  it("keeps the words across a restart while Marc is asked, and sends them on the tap to a new instance", async () => {
    const marc = await worker("Marc");
    const [zoe, alex] = [person(), person()];
    await claim(marc, await ask(zoe, { animal: "swallow", colour: "blue" }));
    await claim(marc, await ask(alex, { animal: "lynx", colour: "grey" }));
    await bot.send(textUpdate(marc, "je reviens dans 5 minutes"));
    const choices = callbackDatas(bot.lastCall(marc.id)?.payload);
    // The words wait sealed: nothing of them in the clear.
    const [kept] = await database.db.select().from(pendingWords);
    expect(kept?.contentEnc).not.toContain("reviens");

    const restarted = await createHarness(database, { directory: null });
    const [lynx] = await database.db.select().from(requests).where(eq(requests.nicknameAnimal, "lynx"));
    await restarted.send(callbackUpdate(marc, choices.find((c) => c.endsWith(`:${lynx?.id}`)) ?? ""));
    await restarted.deliver();
    expect(restarted.telegram.textsTo(alex.id)).toEqual(["Marc : je reviens dans 5 minutes"]);
    expect(restarted.telegram.textsTo(zoe.id)).toEqual([]);
  });

  it("sends a reply to the copy of the worker's own words, or to a 💬 prompt, to that request", async () => {
    const marc = await worker("Marc");
    const [zoe, alex] = [person(), person()];
    const hirondelle = await ask(zoe, { animal: "swallow", colour: "blue" });
    await claim(marc, hirondelle);
    // Holding one: plain words go to it, and his own message now belongs to it.
    const own = textUpdate(marc, "je suis là");
    await bot.send(own);
    const lynx = await ask(alex, { animal: "lynx", colour: "grey" });
    await claim(marc, lynx);
    bot.telegram.clear();
    await bot.send(replyTo(marc, Number(own.message?.message_id), "toujours là"));
    await bot.deliver();
    expect(bot.telegram.textsTo(zoe.id)).toEqual(["Marc : toujours là"]);

    // 💬 on Lynx's notice: the prompt that says so belongs to Lynx.
    await bot.send(callbackUpdate(marc, `rq:focus:${lynx}`));
    expect(bot.lastText(marc.id)).toBe("💬 Tes messages vont maintenant à Lynx gris.");
    // The prompt is the newest message of Marc's chat recorded as Lynx's.
    const prompt = await newestAbout(lynx, "Marc");
    await bot.send(replyTo(marc, prompt, "pour Alex"), textUpdate(marc, "encore pour Alex"));
    await bot.deliver();
    expect(bot.telegram.textsTo(alex.id)).toEqual(["Marc : pour Alex", "Marc : encore pour Alex"]);
  });

  it('sends a reply to the bot\'s "you took it" message to that request, whatever the focus', async () => {
    // No clearing of the fake's calls here: sentMessages numbers them as the fake answered them.
    const marc = await joinTeam(bot, database, person(), "Marc", { onCall: true });
    const [zoe, alex] = [person(), person()];
    const hirondelle = await ask(zoe, { animal: "swallow", colour: "blue" });
    const lynx = await ask(alex, { animal: "lynx", colour: "grey" });
    await claim(marc, lynx);
    const taken = sentMessages(bot.telegram).find(
      (m) => m.chatId === marc.id && m.text.startsWith("✅ Tu as pris cette demande : Lynx gris."),
    );
    expect(taken).toBeDefined();
    await claim(marc, hirondelle);
    await bot.send(callbackUpdate(marc, `rq:focus:${hirondelle}`));
    await bot.send(replyTo(marc, Number(taken?.messageId), "pour Alex"));
    await bot.deliver();
    expect(bot.telegram.textsTo(alex.id).filter((text) => text.startsWith("Marc"))).toEqual([
      "Marc : pour Alex",
    ]);
    expect(bot.telegram.textsTo(zoe.id).filter((text) => text.startsWith("Marc"))).toEqual([]);
  });

  it("never moves the focus on a claim, a hand-over or another person's message: a new claim means asking again", async () => {
    const [marc, bea] = [await worker("Marc"), await worker("Béa")];
    const [zoe, alex, sam] = [person(), person(), person()];
    const hirondelle = await ask(zoe, { animal: "swallow", colour: "blue" });
    await claim(marc, hirondelle);
    const lynx = await ask(alex, { animal: "lynx", colour: "grey" });
    await claim(marc, lynx);
    await bot.send(callbackUpdate(marc, `rq:focus:${hirondelle}`));
    // Béa hands hers to Marc: his focus stays on Hirondelle, and holding three he is asked.
    const third = await ask(sam, { animal: "fox", colour: "red" });
    await claim(bea, third);
    const [marcRow] = await database.db
      .select()
      .from(members)
      .where(and(eq(members.alias, "Marc"), isNull(members.revokedAt)));
    await bot.send(callbackUpdate(bea, `rq:to:${third}:${marcRow?.id}`));
    await bot.send(textUpdate(alex, "coucou"), textUpdate(sam, "bonjour"));
    await bot.deliver();
    const [after] = await database.db
      .select()
      .from(members)
      .where(and(eq(members.alias, "Marc"), isNull(members.revokedAt)));
    expect(after?.focusRequestId).toBe(hirondelle);
    bot.telegram.clear();
    await bot.send(textUpdate(marc, "qui?"));
    await bot.deliver();
    expect(bot.lastText(marc.id)).toContain("Tu as plusieurs demandes.");
    expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toHaveLength(3);
    for (const someone of [zoe, alex, sam]) expect(bot.telegram.textsTo(someone.id)).toEqual([]);
  });

  it("names the request the same way for every worker, in the person's language", async () => {
    const [marc, jo] = [await worker("Marc", "fr"), await worker("Jo", "en")];
    const zoe = person("fr");
    await bot.send(textUpdate(zoe, "/parler"), callbackUpdate(zoe, "f:cat:talk"), textUpdate(zoe, "allô"));
    const send = callbackUpdate(zoe, "f:send");
    await bot.send(callbackUpdate(zoe, "f:ans:chat"), callbackUpdate(zoe, "f:skip"), send);
    const [request] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.sourceUpdateId, send.update_id));
    const nickname = nicknameOf(request as Request);
    // French words, French agreement ("Tortue bleue"), for the English-speaking worker too.
    expect(nickname).toBe(
      renderNickname(
        { animal: request?.nicknameAnimal ?? "", colour: request?.nicknameColour ?? "" },
        "fr",
        bot.deps.translations.forLocale("fr"),
      ),
    );
    await bot.deliver();
    expect(bot.telegram.textsTo(jo.id).find((t) => t.startsWith("🆕"))).toContain(`<b>${nickname}</b>`);
    expect(bot.telegram.textsTo(marc.id).find((t) => t.startsWith("🆕"))).toContain(`<b>${nickname}</b>`);
    await claim(jo, request?.id ?? "");
    await bot.send(textUpdate(zoe, "merci"));
    await bot.deliver();
    expect(bot.lastText(jo.id)).toBe(`${nickname}: merci`);
  });

  describe("bad input: a short answer in the sender's language, nothing sent anywhere", () => {
    it('refuses a forged, stale or someone else\'s "which request?" button', async () => {
      const [marc, bea] = [await worker("Marc"), await worker("Béa", "en")];
      const [zoe, alex] = [person(), person()];
      const hirondelle = await ask(zoe, { animal: "swallow", colour: "blue" });
      await claim(marc, hirondelle);
      const lynx = await ask(alex, { animal: "lynx", colour: "grey" });
      await claim(marc, lynx);
      await bot.send(textUpdate(marc, "mots gardés"));
      const [kept] = await database.db.select().from(pendingWords);
      bot.telegram.clear();

      await bot.send(
        callbackUpdate(marc, `rq:which:999999:${hirondelle}`),
        callbackUpdate(marc, `rq:which:${kept?.id}:AAAAAAAAAAAA`),
        callbackUpdate(marc, "rq:which:x"),
        callbackUpdate(bea, `rq:which:${kept?.id}:${hirondelle}`),
      );
      // Marc releases Lynx: his kept words cannot go there any more, and stay kept.
      await bot.send(callbackUpdate(marc, `rq:release:${lynx}`));
      await bot.send(callbackUpdate(marc, `rq:which:${kept?.id}:${lynx}`));
      await bot.deliver();
      expect(bot.telegram.textsTo(marc.id)).toEqual([
        "Ce bouton n'est plus valable : rien n'a été envoyé. Réécris ton message si besoin.",
        "Cette demande est terminée : rien n'a été envoyé.",
        "Ce bouton n'est plus valable : rien n'a été envoyé. Réécris ton message si besoin.",
        expect.stringContaining("relâchée"),
        "Cette demande n'est pas à toi (ou personne ne l'a encore prise) : rien n'a été envoyé.",
      ]);
      expect(bot.telegram.textsTo(bea.id)).toContain(
        "This button is out of date: nothing was sent. Write your message again if you need to.",
      );
      expect(bot.telegram.textsTo(zoe.id)).toEqual([]);
      expect(bot.telegram.textsTo(alex.id).filter((t) => t.includes("mots gardés"))).toEqual([]);
      expect(await database.db.select().from(pendingWords)).toHaveLength(1);
      const worded = await database.db
        .select()
        .from(requestMessages)
        .where(eq(requestMessages.author, "worker"));
      expect(worded).toEqual([]);
    });

    it("refuses a reply to a message of an ended, moved or someone else's request, and a peer's to a worker-only one", async () => {
      const [marc, bea] = [await worker("Marc"), await worker("Béa")];
      const sam = await joinTeam(bot, database, person(), "Sam", { role: "peer" });
      const [zoe, alex, lou] = [person(), person(), person()];
      const ended = await ask(zoe, { animal: "swallow", colour: "blue" });
      await claim(marc, ended);
      const moved = await ask(alex, { animal: "lynx", colour: "grey" });
      await claim(marc, moved);
      const theirs = await ask(lou, { animal: "fox", colour: "red" });
      await bot.deliver();
      const [endedMsg] = await messagesAbout(ended, "Marc");
      const [movedMsg] = await messagesAbout(moved, "Marc");
      const [theirsMsg] = await messagesAbout(theirs, "Marc");
      await claim(bea, theirs);
      await bot.send(callbackUpdate(marc, `rq:out:${ended}:answered`));
      await bot.deliver();
      // Referred to another organisation (as a "yes" to a referral leaves it): open again, over there.
      await database.db
        .update(requests)
        .set({ organisationId: "lines", status: "open", claimedByMemberId: null })
        .where(eq(requests.id, moved));
      // A notice that reached Sam's chat while Sam was on the workers' side: worker-only now.
      const [samRow] = await database.db
        .select()
        .from(members)
        .where(and(eq(members.alias, "Sam"), isNull(members.revokedAt)));
      await database.db.execute(
        sql`insert into request_notices (request_id, member_id, message_id) values (${theirs}, ${samRow?.id ?? 0}, 4242)`,
      );
      bot.telegram.clear();

      await bot.send(
        replyTo(marc, Number(endedMsg), "après la fin"),
        replyTo(marc, Number(movedMsg), "à l'autre organisme"),
        replyTo(marc, Number(theirsMsg), "à celle de Béa"),
        replyTo(sam, 4242, "pour les intervenants"),
      );
      await bot.deliver();
      expect(bot.telegram.textsTo(marc.id)).toEqual([
        "Cette demande est terminée : rien n'a été envoyé.",
        "Cette demande est passée à un autre organisme : rien n'a été envoyé.",
        "Cette demande n'est pas à toi (ou personne ne l'a encore prise) : rien n'a été envoyé.",
      ]);
      expect(bot.telegram.textsTo(sam.id)).toEqual([
        "Ce message était pour les intervenant·es : rien n'a été envoyé. Pour écrire à une de tes demandes, réponds à un de ses messages.",
      ]);
      for (const someone of [zoe, alex, lou, bea]) expect(bot.telegram.textsTo(someone.id)).toEqual([]);
    });
  });

  describe("a person's side", () => {
    it("adds whatever they send while the request waits, captions included, and the worker who claims it sees it", async () => {
      // A team, nobody on call: the request waits.
      const marc = await joinTeam(bot, database, person(), "Marc");
      const zoe = person();
      await ask(zoe, { animal: "swallow", colour: "blue" }, "première");
      bot.telegram.clear();
      await bot.send(
        textUpdate(zoe, "et aussi j'ai faim"),
        messageUpdate(zoe, {
          photo: [{ file_id: "ph-1", file_unique_id: "p1", width: 800, height: 600 }],
          caption: "c'est ici",
        }),
      );
      expect(bot.telegram.textsTo(zoe.id)).toEqual([
        "➕ Ajouté à ta demande Hirondelle bleue. La personne qui la prendra le verra.",
        "➕ Ajouté à ta demande Hirondelle bleue. La personne qui la prendra le verra.",
      ]);
      const said = await database.db.select().from(requestMessages).orderBy(requestMessages.id);
      expect(said.map((m) => bot.deps.sealer.open(m.bodyEnc))).toEqual([
        "première",
        "et aussi j'ai faim",
        "📷 c'est ici",
      ]);
      await bot.send(callbackUpdate(marc, "oc:on"));
      await bot.deliver();
      expect(bot.telegram.textsTo(marc.id).join("\n")).toContain("et aussi j'ai faim");
    });

    it('answers kindly once after the request ended, never "not found", then looks things up as usual', async () => {
      const marc = await worker("Marc");
      const zoe = person();
      const request = await ask(zoe, { animal: "swallow", colour: "blue" });
      await claim(marc, request);
      await bot.send(callbackUpdate(marc, `rq:out:${request}:answered`));
      await bot.deliver();
      bot.telegram.clear();
      await bot.send(textUpdate(zoe, "merci Marc!"));
      expect(bot.lastText(zoe.id)).toBe(
        "Ta demande Hirondelle bleue est terminée. Si tu as besoin de quelque chose, 💬 /parler en commence une nouvelle.",
      );
      await bot.deliver();
      expect(bot.telegram.textsTo(marc.id)).toEqual([]);
      await bot.send(textUpdate(zoe, "naloxone"));
      expect(bot.lastText(zoe.id)).toContain("Naloxone");
    });
  });

  describe("a draft, no answer needed, no team", () => {
    it.each([
      {
        language: "fr",
        talk: "/parler",
        emergency: "🚨 Urgence",
        open: "🕒 Ouvert maintenant",
        card: "Surdose?",
      },
      { language: "en", talk: "/talk", emergency: "🚨 Emergency", open: "/open", card: "Overdose?" },
    ])(
      "answers a menu button or a command during the dialogue and keeps the draft ($language)",
      async (l) => {
        await joinTeam(bot, database, person(), "Marc");
        const zoe = person(l.language);
        await bot.send(textUpdate(zoe, l.talk), callbackUpdate(zoe, "f:cat:housing"));
        bot.telegram.clear();
        await bot.send(textUpdate(zoe, l.emergency), textUpdate(zoe, l.open));
        const [card, open] = bot.telegram.textsTo(zoe.id);
        expect(card).toContain(l.card);
        expect(open).toMatch(/Ouvert maintenant|Open now/);
        // The dialogue's next step goes on where she was: her words, then the rest, then a request.
        const send = callbackUpdate(zoe, "f:send");
        await bot.send(
          textUpdate(zoe, "un lit pour ce soir"),
          callbackUpdate(zoe, "f:ans:chat"),
          callbackUpdate(zoe, "f:skip"),
          send,
        );
        const [request] = await database.db
          .select()
          .from(requests)
          .where(eq(requests.sourceUpdateId, send.update_id));
        expect(request?.category).toBe("housing");
        const [words] = await database.db
          .select()
          .from(requestMessages)
          .where(eq(requestMessages.requestId, request?.id ?? ""));
        expect(bot.deps.sealer.open(words?.bodyEnc ?? "")).toBe("un lit pour ce soir");
        expect(bot.telegram.textsTo(zoe.id).join("\n")).not.toMatch(/trop longtemps|too long/);
      },
    );

    it("promises no answer and sends nothing later when no answer is needed", async () => {
      const marc = await joinTeam(bot, database, person(), "Marc");
      const zoe = person();
      const send = callbackUpdate(zoe, "f:send");
      await bot.send(
        textUpdate(zoe, "/parler"),
        callbackUpdate(zoe, "f:cat:talk"),
        callbackUpdate(zoe, "f:nodetails"),
        callbackUpdate(zoe, "f:ans:none"),
        callbackUpdate(zoe, "f:skip"),
        send,
      );
      // Nobody on call: kept, then what is open now.
      const [kept] = bot.telegram.textsTo(zoe.id).slice(-2);
      expect(kept).toContain("on ne t'écrira pas à son sujet");
      expect(kept).not.toContain("tu auras la réponse ici");
      const [request] = await database.db
        .select()
        .from(requests)
        .where(eq(requests.sourceUpdateId, send.update_id));
      bot.telegram.clear();
      // A worker comes on call, takes it, closes it: she hears nothing of it.
      await bot.send(callbackUpdate(marc, "oc:on"));
      await bot.deliver();
      await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
      await bot.send(callbackUpdate(marc, `rq:out:${request?.id}:answered`));
      await bot.deliver();
      expect(bot.telegram.textsTo(zoe.id)).toEqual([]);
      expect(bot.telegram.textsTo(marc.id).some((t) => t.startsWith("🆕"))).toBe(true);
    });

    it("says at the first step of /parler that nobody takes requests, with the lines that answer at any hour", async () => {
      const zoe = person();
      await bot.send(textUpdate(zoe, "/parler"));
      expect(bot.telegram.textsTo(zoe.id)).toHaveLength(1);
      expect(bot.lastText(zoe.id)).toContain("aucune équipe ne reçoit de demandes pour l'instant");
      expect(bot.lastText(zoe.id)).toContain("811");
      expect(callbackDatas(bot.lastCall(zoe.id)?.payload)).toEqual([]);
      // Nothing waits for her words: what she types next is a lookup.
      await bot.send(textUpdate(zoe, "naloxone"));
      expect(bot.lastText(zoe.id)).toContain("Naloxone");
      expect(await database.db.select().from(requests)).toEqual([]);
    });
  });
});
