import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { alertSubscribers, alertSubscriptions, alerts, outbox } from "../../src/db/schema";
import { DRIVERS, useDatabase } from "../support/database";
import { buttonTexts, callbackDatas, createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

const INTRO_FR =
  "🔔 <b>Alertes</b>\nJe te préviens si une drogue contaminée circule ou si un site ferme. Rien d'autre.\nTu arrêtes quand tu veux, en un geste, et j'efface tout.";
const INTRO_EN =
  "🔔 <b>Alerts</b>\nI let you know if a toxic or contaminated drug batch is going around or if a site closes. Nothing else.\nStop whenever you like, in one tap, and I erase everything.";

describe.each(DRIVERS)("alerts, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 9_000_000;
  const person = (languageCode = "fr"): Person => ({
    id: nextId++,
    languageCode,
    firstName: "Mésange",
    username: `mesange_${nextId}`,
  });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
    await database.db.delete(alerts);
    await database.db.delete(alertSubscribers);
  });

  async function worker(alias: string, options: { role?: "worker" | "admin" | "peer"; lang?: string } = {}) {
    const someone = await joinTeam(bot, database, person(options.lang), alias, {
      role: options.role ?? "worker",
    });
    bot.telegram.clear();
    return someone;
  }

  async function subscribe(someone: Person, ...areas: string[]) {
    for (const area of areas) await bot.send(callbackUpdate(someone, area));
  }

  /** Area, then the text in the author's language, then the other: the worker is left at the preview. */
  async function compose(author: Person, area: string, fr: string, en: string) {
    const [first, second] = author.languageCode === "en" ? [en, fr] : [fr, en];
    await bot.send(
      textUpdate(author, "/diffuser"),
      callbackUpdate(author, area),
      textUpdate(author, first),
      textUpdate(author, second),
    );
  }

  async function countRows(table: string): Promise<number> {
    const [row] = rowsOf<{ n: number }>(
      await database.db.execute(sql.raw(`select count(*)::int as n from ${table}`)),
    );
    return row?.n ?? 0;
  }

  it("explains alerts in French, subscribes to all of Montreal in one tap, and stops in one tap leaving nothing", async () => {
    const someone = person();
    await bot.send(textUpdate(someone, "/alertes"));
    expect(bot.lastText(someone.id)).toBe(`${INTRO_FR}\n\nPour quel coin?`);
    expect(buttonTexts(bot.lastCall(someone.id)?.payload)).toEqual([
      "🏙️ Tout Montréal",
      "Centre-Sud",
      "Verdun",
    ]);
    expect(callbackDatas(bot.lastCall(someone.id)?.payload)).toEqual([
      "al:all",
      "al:p:centre-sud",
      "al:p:verdun",
    ]);

    await bot.send(callbackUpdate(someone, "al:all"));
    expect(bot.lastText(someone.id)).toBe(
      "✅ Tu reçois les alertes pour : Tout Montréal.\nTouche un quartier pour l'ajouter ou l'enlever.",
    );
    expect(buttonTexts(bot.lastCall(someone.id)?.payload)).toEqual([
      "✅ 🏙️ Tout Montréal",
      "Centre-Sud",
      "Verdun",
      "🔕 Arrêter les alertes",
    ]);
    // Only a pseudonym of its own purpose and a sealed chat id: nothing in the clear.
    const [subscriber] = await database.db.select().from(alertSubscribers);
    expect(bot.deps.sealer.open(subscriber?.chatIdEnc ?? "")).toBe(String(someone.id));
    const dump = JSON.stringify([
      ...rowsOf(await database.db.execute(sql`select * from alert_subscribers`)),
      ...rowsOf(await database.db.execute(sql`select * from alert_subscriptions`)),
    ]);
    for (const secret of [String(someone.id), "Mésange", someone.username as string])
      expect(dump).not.toContain(secret);
    expect(dump).not.toContain(bot.deps.pseudonymKey);

    await bot.send(textUpdate(someone, "/alertes"));
    expect(bot.lastText(someone.id)).toBe(
      `${INTRO_FR}\n\n✅ Tu reçois les alertes pour : Tout Montréal.\nTouche un quartier pour l'ajouter ou l'enlever.`,
    );
    expect(callbackDatas(bot.lastCall(someone.id)?.payload)).toContain("al:stop");
    await bot.send(callbackUpdate(someone, "al:stop"));
    expect(bot.lastText(someone.id)).toBe(
      "🔕 C'est arrêté. J'ai tout effacé : tu ne recevras plus d'alertes.",
    );
    expect(await countRows("alert_subscribers")).toBe(0);
    expect(await countRows("alert_subscriptions")).toBe(0);
    // A second tap on the old button erases nothing more and says so.
    await bot.send(callbackUpdate(someone, "al:stop"));
    expect(bot.lastText(someone.id)).toBe("Tu ne reçois pas d'alertes : il n'y a rien à effacer.");
  });

  it("speaks English with /alerts, and a neighbourhood tap adds it, replaces all of Montreal, and its ticked button removes it", async () => {
    const someone = person("en");
    await bot.send(textUpdate(someone, "/alerts"));
    expect(bot.lastText(someone.id)).toBe(`${INTRO_EN}\n\nFor which area?`);
    await subscribe(someone, "al:all", "al:p:verdun");
    expect(bot.lastText(someone.id)).toBe(
      "✅ You get alerts for: Verdun.\nTap a neighbourhood to add or remove it.",
    );
    await subscribe(someone, "al:p:centre-sud");
    expect(bot.lastText(someone.id)).toMatch(
      /^✅ You get alerts for: (Verdun, Centre-Sud|Centre-Sud, Verdun)\./,
    );
    expect(buttonTexts(bot.lastCall(someone.id)?.payload)).toEqual([
      "🏙️ All of Montreal",
      "✅ Centre-Sud",
      "✅ Verdun",
      "🔕 Stop alerts",
    ]);
    expect(callbackDatas(bot.lastCall(someone.id)?.payload)).toEqual([
      "al:all",
      "al:x:centre-sud",
      "al:x:verdun",
      "al:stop",
    ]);
    const places = await database.db.select().from(alertSubscriptions);
    expect(places.map((p) => p.placeId).sort()).toEqual(["centre-sud", "verdun"]);
    // A redelivered "add" (or an old keyboard) changes nothing: it never flips a choice back.
    await subscribe(someone, "al:p:verdun");
    expect((await database.db.select().from(alertSubscriptions)).length).toBe(2);
    await subscribe(someone, "al:x:verdun", "al:x:verdun");
    expect((await database.db.select().from(alertSubscriptions)).map((p) => p.placeId)).toEqual([
      "centre-sud",
    ]);
    await subscribe(someone, "al:x:centre-sud");
    // Removing the last neighbourhood is stopping: nothing stays.
    expect(bot.lastText(someone.id)).toBe("🔕 Stopped. I erased everything: you won't get any more alerts.");
    expect(await countRows("alert_subscribers")).toBe(0);
    expect(await countRows("alert_subscriptions")).toBe(0);
  });

  it.each([
    ["fr", "/aide", "🔔 /alertes : être prévenu·e d'une drogue contaminée ou d'un site qui ferme"],
    ["en", "/help", "🔔 /alerts: hear about a toxic drug batch or a site closing"],
    ["fr", "/confidentialite", "«\u00a0Arrêter les alertes\u00a0» efface tout."],
    ["en", "/privacy", "“Stop alerts” erases it all."],
  ])("mentions alerts in %s %s", async (lang, command, line) => {
    const someone = person(lang);
    await bot.send(textUpdate(someone, command));
    expect(bot.lastText(someone.id)).toContain(line);
  });

  it("answers an old or forged alerts button as out of date, and subscribes to nothing", async () => {
    const someone = person();
    await subscribe(someone, "al:p:plateau", "al:p:metro-berri-uqam", "al:p:BAD!", "al:nope");
    const answers = bot.telegram.calls.filter((c) => c.method === "answerCallbackQuery");
    expect(answers.map((a) => a.payload.text)).toEqual(
      Array(4).fill("Ce bouton n'est plus à jour. Voici le menu 👇"),
    );
    expect(await countRows("alert_subscribers")).toBe(0);
  });

  it("lets a worker write an alert for a neighbourhood, preview both languages, and send it to that neighbourhood's and all of Montreal's subscribers", async () => {
    const author = await worker("Marc");
    const verdunFr = person();
    const allEn = person("en");
    const centreSud = person();
    await subscribe(verdunFr, "al:p:verdun");
    await subscribe(allEn, "al:all");
    await subscribe(centreSud, "al:p:centre-sud");
    bot.telegram.clear();

    await bot.send(textUpdate(author, "/diffuser"));
    expect(bot.lastText(author.id)).toBe(
      "📣 <b>Nouvelle alerte</b>\nPour quel coin? Elle ira aux personnes abonnées à ce quartier et à tout Montréal.\n/annuler pour arrêter.",
    );
    expect(callbackDatas(bot.lastCall(author.id)?.payload)).toEqual([
      "bc:all",
      "bc:p:centre-sud",
      "bc:p:verdun",
      "bc:cancel",
    ]);
    await bot.send(callbackUpdate(author, "bc:p:verdun"));
    expect(bot.lastText(author.id)).toBe(
      "Écris l'alerte en <b>français</b>, en texte simple (1000 caractères au plus).",
    );
    await bot.send(
      textUpdate(author, "Fentanyl <b>très</b> fort rue Wellington & environs"),
      textUpdate(author, "Very strong fentanyl on Wellington & nearby"),
    );
    const fr =
      "⚠️ <b>Alerte · Verdun</b>\n\nFentanyl &lt;b&gt;très&lt;/b&gt; fort rue Wellington &amp; environs\n\n— Organisme A\n<i>Pour ne plus recevoir d'alertes : /alertes</i>";
    const en =
      "⚠️ <b>Alert · Verdun</b>\n\nVery strong fentanyl on Wellington &amp; nearby\n\n— Organisme A\n<i>To stop these alerts: /alerts</i>";
    expect(bot.telegram.textsTo(author.id).slice(-4)).toEqual([
      "👀 Voici ce que les gens recevront, en français puis en anglais :",
      fr,
      en,
      "Elle ira à 2 personnes abonnées. On envoie?",
    ]);
    expect(callbackDatas(bot.lastCall(author.id)?.payload)).toEqual(["bc:send", "bc:cancel"]);
    // Nothing leaves before Send.
    expect(await countRows("alerts")).toBe(0);

    await bot.send(callbackUpdate(author, "bc:send"));
    expect(bot.lastText(author.id)).toBe("📣 C'est parti pour 2 personnes. Je te dirai combien l'ont reçue.");
    await bot.deliver();
    expect(bot.telegram.textsTo(verdunFr.id)).toEqual([fr]);
    expect(bot.telegram.textsTo(allEn.id)).toEqual([en]);
    expect(bot.telegram.textsTo(centreSud.id)).toEqual([]);
    expect(bot.lastText(author.id)).toBe("📣 Alerte envoyée : reçue par 2 sur 2 (0 plus joignables).");
    const [alert] = await database.db.select().from(alerts);
    expect(alert).toMatchObject({ organisationId: "org-a", placeId: "verdun", recipientCount: 2 });
    expect(alert?.reportedAt).not.toBeNull();
  });

  it("sends an English-speaking admin's alert for all of Montreal to every subscriber, and reports who could not be reached", async () => {
    const author = await worker("Sam", { role: "admin", lang: "en" });
    const [a, b, c] = [person(), person("en"), person()] as [Person, Person, Person];
    await subscribe(a, "al:p:verdun");
    await subscribe(b, "al:p:centre-sud");
    await subscribe(c, "al:all");
    await compose(author, "bc:all", "Le site Aire ouverte ferme ce soir.", "Aire ouverte closes tonight.");
    expect(bot.telegram.textsTo(author.id).slice(-4)).toEqual([
      "👀 Here is what people will get, in French then in English:",
      "⚠️ <b>Alerte · Tout Montréal</b>\n\nLe site Aire ouverte ferme ce soir.\n\n— Organisme A\n<i>Pour ne plus recevoir d'alertes : /alertes</i>",
      "⚠️ <b>Alert · All of Montreal</b>\n\nAire ouverte closes tonight.\n\n— Organisme A\n<i>To stop these alerts: /alerts</i>",
      "It will reach 3 subscribers. Send it?",
    ]);
    await bot.send(callbackUpdate(author, "bc:send"));
    expect(bot.lastText(author.id)).toBe("📣 On its way to 3 people. I'll tell you how many got it.");
    // One stops before it goes out (dropped silently), one has blocked the bot (unsubscribed).
    await bot.send(callbackUpdate(a, "al:stop"));
    bot.telegram.failNext("sendMessage", 403, "Forbidden: bot was blocked by the user", b.id);
    await bot.deliver();
    expect(bot.telegram.textsTo(a.id).filter((t) => t.includes("Aire ouverte"))).toEqual([]);
    expect(bot.telegram.textsTo(c.id).filter((t) => t.includes("Aire ouverte"))).toHaveLength(1);
    expect(bot.lastText(author.id)).toBe("📣 Alert sent: reached 1 of 3 (2 no longer reachable).");
    expect(await countRows("alert_subscribers")).toBe(1);
  });

  it("tells the author at once when nobody is subscribed there", async () => {
    const author = await worker("Marc");
    await compose(author, "bc:p:centre-sud", "Texte", "Text");
    expect(bot.lastText(author.id)).toBe("Elle ira à 0 personne abonnée. On envoie?");
    await bot.send(callbackUpdate(author, "bc:send"));
    expect(bot.lastText(author.id)).toBe(
      "Personne n'est abonné à ce coin pour l'instant : l'alerte n'est allée à personne.",
    );
    await bot.deliver();
    expect(bot.telegram.textsTo(author.id).filter((t) => t.startsWith("📣 Alerte envoyée"))).toEqual([]);
  });

  it("makes one alert of a double tap on Send and of a redelivered Send", async () => {
    const author = await worker("Marc");
    const someone = person();
    await subscribe(someone, "al:all");
    await compose(author, "bc:all", "Une fois", "Once");
    const send = callbackUpdate(author, "bc:send");
    await bot.send(send, send, callbackUpdate(author, "bc:send"));
    await bot.deliver();
    expect(await countRows("alerts")).toBe(1);
    expect(bot.telegram.textsTo(someone.id).filter((t) => t.includes("Une fois"))).toHaveLength(1);
    expect(bot.telegram.textsTo(author.id).filter((t) => t.startsWith("📣 Alerte envoyée"))).toEqual([
      "📣 Alerte envoyée : reçue par 1 sur 1 (0 plus joignables).",
    ]);
  });

  it.each([
    [
      "a peer helper",
      "fr",
      "/diffuser",
      "Seuls les intervenant·es et la coordination d'une équipe peuvent envoyer une alerte.",
    ],
    ["a stranger", "en", "/broadcast", "Only a team's workers and coordinators can send an alert."],
  ])("refuses %s", async (who, lang, command, refusal) => {
    const someone = who === "a peer helper" ? await worker("Pair", { role: "peer", lang }) : person(lang);
    await bot.send(textUpdate(someone, command));
    expect(bot.lastText(someone.id)).toBe(refusal);
    // Buttons of a dialogue they never had are out of date, and send nothing.
    await bot.send(callbackUpdate(someone, "bc:all"), callbackUpdate(someone, "bc:send"));
    expect(await countRows("alerts")).toBe(0);
    expect(await countRows("conversation_state")).toBe(0);
  });

  it("lets the worker cancel with the button or /annuler, and refuses text that is too long or not text", async () => {
    const author = await worker("Marc");
    const someone = person();
    await subscribe(someone, "al:all");
    await compose(author, "bc:all", "Un", "One");
    await bot.send(callbackUpdate(author, "bc:cancel"));
    expect(bot.lastText(author.id)).toBe("D'accord, l'alerte n'est pas envoyée.");
    await bot.send(textUpdate(author, "/diffuser"), callbackUpdate(author, "bc:all"));
    await bot.send(textUpdate(author, "x".repeat(1001)));
    expect(bot.lastText(author.id)).toBe("C'est trop long (1001 caractères). 1000 au plus, s'il te plaît.");
    await bot.send(callbackUpdate(author, "bc:all"));
    expect(bot.lastText(author.id)).toBe("Choisis avec les boutons, s'il te plaît, ou /annuler.");
    await bot.send(textUpdate(author, "/annuler"));
    expect(bot.lastText(author.id)).toBe("D'accord, c'est annulé. Voici le menu 👇");
    await bot.deliver();
    expect(await countRows("alerts")).toBe(0);
    expect(bot.telegram.textsTo(someone.id).filter((t) => t.includes("Alerte"))).toEqual([]);
  });

  it("lets an English-speaking worker write in English first, then asks for the French", async () => {
    const author = await worker("Sam", { lang: "en" });
    const fr = person();
    await subscribe(fr, "al:all");
    await bot.send(textUpdate(author, "/broadcast"), callbackUpdate(author, "bc:all"));
    expect(bot.lastText(author.id)).toBe(
      "Write the alert in <b>English</b>, as plain text (1000 characters at most).",
    );
    await bot.send(textUpdate(author, "Strong batch going around downtown"));
    expect(bot.lastText(author.id)).toBe(
      "Now the same in <b>French</b>, for subscribers who read French. Or “No translation”: they will get it in English.",
    );
    expect(buttonTexts(bot.lastCall(author.id)?.payload)).toEqual(["No translation", "Cancel"]);
    expect(callbackDatas(bot.lastCall(author.id)?.payload)).toEqual(["bc:skip", "bc:cancel"]);
    await bot.send(textUpdate(author, "Lot très fort au centre-ville"));
    const texts = bot.telegram.textsTo(author.id).slice(-4);
    expect(texts[0]).toBe("👀 Here is what people will get, in French then in English:");
    expect(texts[1]).toContain("Lot très fort au centre-ville");
    expect(texts[2]).toContain("Strong batch going around downtown");
    await bot.send(callbackUpdate(author, "bc:send"));
    await bot.deliver();
    expect(bot.telegram.textsTo(fr.id).join("\n")).toContain("Lot très fort au centre-ville");
  });

  it.each([
    {
      lang: "fr",
      words: "Fentanyl très fort ce soir",
      note: "⚠️ Pas de texte en anglais : les personnes abonnées en anglais recevront ton texte en français.",
    },
    {
      lang: "en",
      words: "Very strong fentanyl tonight",
      note: "⚠️ No French text: subscribers who read French will get your text in English.",
    },
  ])(
    "sends an alert left untranslated ($lang) to everyone in the author's words, after saying so",
    async ({ lang, words, note }) => {
      const author = await worker("Marc", { lang });
      const [fr, en] = [person(), person("en")];
      await subscribe(fr, "al:all");
      await subscribe(en, "al:all");
      await bot.send(
        textUpdate(author, "/diffuser"),
        callbackUpdate(author, "bc:all"),
        textUpdate(author, words),
        callbackUpdate(author, "bc:skip"),
      );
      const texts = bot.telegram.textsTo(author.id).slice(-5);
      // Who gets which text is said before the preview, then both previews carry the author's words.
      expect(texts[0]).toBe(note);
      expect(texts[2]).toContain(words);
      expect(texts[3]).toContain(words);
      await bot.send(callbackUpdate(author, "bc:send"));
      await bot.deliver();
      // Each gets the alert once, framed in their own language, with the author's words.
      const alertsTo = (someone: Person) => bot.telegram.textsTo(someone.id).filter((t) => t.startsWith("⚠️"));
      expect(alertsTo(fr)).toEqual([expect.stringContaining("<b>Alerte · Tout Montréal</b>")]);
      expect(alertsTo(fr)[0]).toContain(words);
      expect(alertsTo(en)).toEqual([expect.stringContaining("<b>Alert · All of Montreal</b>")]);
      expect(alertsTo(en)[0]).toContain(words);
    },
  );

  it("takes no translation before the author's own text: the skip is offered only for the other language", async () => {
    const author = await worker("Marc");
    await bot.send(textUpdate(author, "/diffuser"), callbackUpdate(author, "bc:all"));
    expect(callbackDatas(bot.lastCall(author.id)?.payload)).toEqual(["bc:cancel"]);
    await bot.send(callbackUpdate(author, "bc:skip"));
    expect(bot.lastText(author.id)).toBe("Choisis avec les boutons, s'il te plaît, ou /annuler.");
    expect(await countRows("alerts")).toBe(0);
  });

  it("takes an alert about overdoses as the alert's text, without the emergency card", async () => {
    const author = await worker("Marc");
    await compose(author, "bc:all", "Plusieurs surdoses cette nuit", "Several overdoses tonight");
    const texts = bot.telegram.textsTo(author.id);
    expect(texts.some((t) => t.includes("911"))).toBe(false);
    expect(texts.at(-3)).toContain("Plusieurs surdoses cette nuit");
  });

  it("sends alerts in the language the person picked, changed after subscribing", async () => {
    const author = await worker("Marc");
    const someone = person();
    await subscribe(someone, "al:all", "lang:en");
    await compose(author, "bc:all", "Texte français", "English text");
    await bot.send(callbackUpdate(author, "bc:send"));
    await bot.deliver();
    expect(bot.lastText(someone.id)).toContain("English text");
    const [row] = await database.db.select().from(outbox).where(sql`${outbox.alertId} is not null`);
    // What was sent is not kept once sent.
    expect(row?.payload).toEqual({});
  });
});
