import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { CatalogCache } from "../../src/directory/catalog-cache";
import { getDirectoryVersion, replaceDirectory } from "../../src/directory/store";
import { DRIVERS, useDatabase } from "../support/database";
import { fixtureDirectory, WEDNESDAY_2PM } from "../support/directory-fixture";
import { buttonTexts, callbackDatas, createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, ENGLISH, FRENCH, type Person, textUpdate } from "../support/updates";

const AT_2_10 = new Date(WEDNESDAY_2PM.getTime() + 10 * 60_000);

describe.each(DRIVERS)("worker tools, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 7_000_000;
  const newPerson = (languageCode = "fr"): Person => ({
    id: nextId++,
    languageCode,
    firstName: "Solange",
    username: `solange_${nextId}`,
  });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    await resetRequests(database);
    for (const table of [
      "stock_outs",
      "site_day_overrides",
      "site_notes",
      "directory_changes",
      // A closure's alert reaches exactly the subscribers its test made.
      "alerts",
      "alert_subscribers",
    ])
      await database.db.execute(sql.raw(`delete from ${table}`));
    bot = await createHarness(database);
  });

  const worker = async (languageCode = "fr", role: "worker" | "admin" | "peer" = "worker", alias = "Marc") =>
    joinTeam(bot, database, newPerson(languageCode), alias, { role });
  const tap = (someone: Person, data: string) => bot.send(callbackUpdate(someone, data));
  const say = (someone: Person, text: string) => bot.send(textUpdate(someone, text));
  const lastButtons = (someone: Person) => callbackDatas(bot.lastCall(someone.id)?.payload);
  const undoButton = (someone: Person) => lastButtons(someone).find((d) => d.startsWith("wtu:")) ?? "";

  const textOf = (someone: Person) => bot.lastText(someone.id);
  const changes = async () =>
    rowsOf<Record<string, unknown>>(
      await database.db.execute(sql`select * from directory_changes order by id`),
    );

  it("marks naloxone out in two taps, and people looking for naloxone see it with its time, in both languages", async () => {
    const marc = await worker();
    await say(marc, "/lieux");
    expect(textOf(marc)).toBe("🛠 Quel lieu veux-tu mettre à jour?");
    expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toEqual([
      "Le Local de jour",
      "La Veille de nuit",
      "La Camionnette",
      "Pharmacie de Verdun",
    ]);
    await tap(marc, "wtp:day-site");
    expect(textOf(marc)).toBe(
      "🛠 <b>Le Local de jour</b>\n🟢 Ouvert jusqu'à 17 h\nAujourd'hui : 9 h à 17 h\n\nTouche ce qui a changé 👇",
    );
    expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toEqual([
      "🚫 Seringues : rupture",
      "🚫 Naloxone : rupture",
      "🔒 Fermé maintenant",
      "📅 Fermer un autre jour",
      "🕒 Heures spéciales",
      "📌 Écrire un mot",
      "✅ Toujours vrai",
      "⬅️ Mes lieux",
    ]);
    bot.setNow(AT_2_10);
    await tap(marc, "wto:day-site:naloxone");
    expect(textOf(marc)).toBe(
      "✅ Noté : Naloxone en rupture au Local de jour depuis 14 h 10. Les personnes le voient déjà.",
    );
    expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toEqual(["↩️ Annuler", "Le Local de jour"]);

    await say(FRENCH, "naloxone");
    expect(textOf(FRENCH)).toContain(
      "<b>Le Local de jour</b>\nCentre-Sud · 100, rue Ontario Est\n🟢 Ouvert jusqu'à 17 h\n⚠️ Naloxone : rupture depuis 14 h 10",
    );
    await say(ENGLISH, "naloxone");
    expect(textOf(ENGLISH)).toContain(
      "<b>The Day Place</b>\nCentre-Sud · 100, rue Ontario Est\n🟢 Open until 17:00\n⚠️ Naloxone: out since 14:10",
    );
    // Only that site: the others still hand it out.
    expect(textOf(ENGLISH).match(/out since/g)).toHaveLength(1);
    await tap(ENGLISH, "site:day-site");
    expect(textOf(ENGLISH)).toContain("🧰 <b>Supplies</b>: Syringes, Naloxone (⚠️ out since 14:10)");

    // The panel now offers "back in", and a tap puts it back for everyone.
    await tap(marc, "wtp:day-site");
    expect(textOf(marc)).toContain("🚫 En rupture : Naloxone (depuis 14 h 10)");
    expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toContain("✅ Naloxone : de retour");
    await tap(marc, "wti:day-site:naloxone");
    expect(textOf(marc)).toBe("✅ Noté : Naloxone de retour au Local de jour.");
    await say(FRENCH, "naloxone");
    expect(textOf(FRENCH)).not.toContain("rupture");
    await tap(ENGLISH, "site:day-site");
    expect(textOf(ENGLISH)).toContain("🧰 <b>Supplies</b>: Syringes, Naloxone\n");
  });

  it("goes straight to the panel when the organisation has one site, and other processes see changes", async () => {
    await replaceDirectory(
      database.db,
      fixtureDirectory((input) => {
        input.sites = input.sites.filter((s) => s.organisation !== "org-a" || s.id === "night-site");
      }),
    );
    // Another process, with its own cached copy of the directory.
    const elsewhere = new CatalogCache();
    const before = await elsewhere.get(database.db);
    expect(before?.sitesById.get("night-site")?.stockOuts).toEqual([]);
    const sam = await worker("en", "worker", "Sam");
    await say(sam, "/sites");
    expect(textOf(sam)).toBe(
      "🛠 <b>The Night Watch</b>\n🔴 Closed · opens today at 20:00\nToday: 20:00–3:00\n\nTap what changed 👇",
    );
    expect(buttonTexts(bot.lastCall(sam.id)?.payload)).not.toContain("⬅️ My sites");
    await tap(sam, "wto:night-site:pipes");
    const after = await elsewhere.get(database.db);
    expect(after?.sitesById.get("night-site")?.stockOuts).toEqual([
      { materialId: "pipes", since: WEDNESDAY_2PM },
    ]);
  });

  it("speaks English to an English-speaking worker and says when nothing changed", async () => {
    const sam = await worker("en", "admin", "Sam");
    await say(sam, "/sites");
    await tap(sam, "wto:verdun-pharmacy:naloxone");
    expect(textOf(sam)).toBe("✅ Noted: Naloxone out at Verdun Pharmacy since 14:00. People see it now.");
    await tap(sam, "wto:verdun-pharmacy:naloxone");
    expect(textOf(sam)).toBe("It was already like that: nothing changed.");
    expect(await changes()).toHaveLength(1);
  });

  it("undoes exactly one change, once, and not over a newer one", async () => {
    const marc = await worker();
    bot.setNow(AT_2_10);
    await tap(marc, "wto:day-site:naloxone");
    const first = undoButton(marc);
    await tap(marc, first);
    expect(textOf(marc)).toBe("↩️ C'est défait : Le Local de jour est revenu comme avant.");
    await say(FRENCH, "naloxone");
    expect(textOf(FRENCH)).not.toContain("rupture");
    await tap(marc, first);
    expect(textOf(marc)).toBe("Ce changement est déjà défait.");

    // Out at 14:10, back at 15:00: undoing "back" brings back the stock-out as it was, from 14:10.
    await tap(marc, "wto:day-site:naloxone");
    const out = undoButton(marc);
    bot.setNow(new Date(WEDNESDAY_2PM.getTime() + 60 * 60_000));
    await tap(marc, "wti:day-site:naloxone");
    const back = undoButton(marc);
    await tap(marc, out);
    expect(textOf(marc)).toBe(
      "Je n'ai rien défait : quelqu'un a changé la même chose depuis. Regarde /lieux pour voir où ça en est.",
    );
    await tap(marc, back);
    expect(textOf(marc)).toBe("↩️ C'est défait : Le Local de jour est revenu comme avant.");
    await say(FRENCH, "naloxone");
    expect(textOf(FRENCH)).toContain("⚠️ Naloxone : rupture depuis 14 h 10");
    const rows = await changes();
    expect(rows.map((r) => [r.kind, r.undone_at !== null])).toEqual([
      ["stock_out", true],
      ["stock_out", false],
      ["stock_back", true],
    ]);
  });

  it("closes a site for today: open-now lists and its card show it closed", async () => {
    const marc = await worker();
    await say(FRENCH, "/ouvert");
    expect(textOf(FRENCH)).toContain(
      "<b>Le Local de jour</b>\nCentre-Sud · 100, rue Ontario Est\n🟢 Ouvert jusqu'à 17 h",
    );
    await tap(marc, "wtc:day-site");
    expect(textOf(marc)).toBe("✅ Noté : Le Local de jour fermé aujourd'hui");
    await say(FRENCH, "/ouvert");
    expect(textOf(FRENCH)).not.toContain("🟢 Ouvert jusqu'à 17 h");
    expect(textOf(FRENCH)).toContain(
      "<b>Le Local de jour</b>\nCentre-Sud · 100, rue Ontario Est\n🔴 Fermé · ouvre demain à 9 h",
    );
    await say(ENGLISH, "/open");
    expect(textOf(ENGLISH)).toContain(
      "<b>The Day Place</b>\nCentre-Sud · 100, rue Ontario Est\n🔴 Closed · opens tomorrow at 9:00",
    );
    await tap(FRENCH, "site:day-site");
    expect(textOf(FRENCH)).toContain(
      "🔴 Fermé · ouvre demain à 9 h\n\n🕒 <b>Heures, 7 prochains jours</b>\nmer. 18 nov. : fermé\njeu. 19 nov. : 9 h à 17 h\n",
    );
    expect(textOf(FRENCH)).toContain("📅 <b>Dates spéciales</b>\nmer. 18 nov. : fermé\n");
    // Undo reopens it.
    await tap(marc, undoButton(marc));
    await say(FRENCH, "/ouvert");
    expect(textOf(FRENCH)).toContain(
      "<b>Le Local de jour</b>\nCentre-Sud · 100, rue Ontario Est\n🟢 Ouvert jusqu'à 17 h",
    );
    // Closed again, then back to the usual hours from the panel.
    await tap(marc, "wtc:day-site");
    await tap(marc, "wtp:day-site");
    expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toContain("🔓 Heures habituelles aujourd'hui");
    expect(lastButtons(marc)).toContain("wtr:day-site");
    await tap(marc, "wtr:day-site");
    expect(textOf(marc)).toBe("✅ Noté : Le Local de jour reprend ses heures habituelles aujourd'hui");
    await say(ENGLISH, "/open");
    expect(textOf(ENGLISH)).toContain(
      "<b>The Day Place</b>\nCentre-Sud · 100, rue Ontario Est\n🟢 Open until 17:00",
    );
    expect((await changes()).map((r) => r.kind)).toEqual(["day_closed", "day_closed", "day_reset"]);
  });

  it("closes another day and sets special hours from a typed line, refusing bad dates and hours", async () => {
    const marc = await worker();
    await tap(marc, "wtd:day-site");
    expect(textOf(marc)).toBe(
      "📅 Quel jour Le Local de jour sera-t-il fermé?\nPar exemple : demain, 3 déc, 3/12 ou 2026-12-03.\n/annuler pour laisser tomber.",
    );
    await say(marc, "hier soir");
    expect(textOf(marc)).toBe("Je n'ai pas compris cette date. Essaie : demain, 3 déc, 3/12 ou 2026-12-03.");
    await say(marc, "2026-11-01");
    expect(textOf(marc)).toBe("Cette date est déjà passée. Choisis aujourd'hui ou plus tard.");
    await say(marc, "2028-01-01");
    expect(textOf(marc)).toBe("C'est plus d'un an d'avance. Choisis une date d'ici un an.");
    await say(marc, "3/12");
    expect(textOf(marc)).toBe("✅ Noté : Le Local de jour fermé jeu. 3 déc.");
    await tap(FRENCH, "site:day-site");
    expect(textOf(FRENCH)).toContain("jeu. 3 déc. : fermé");

    await tap(marc, "wth:day-site");
    expect(textOf(marc)).toContain("🕒 Quelles heures pour Le Local de jour?");
    await say(marc, "25h-26h");
    expect(textOf(marc)).toBe("Je n'ai pas compris ces heures. Essaie : 10:00-14:00, ou 9h-12h et 13h-16h.");
    await say(marc, "demain 10h à 14h");
    expect(textOf(marc)).toBe("✅ Noté : Le Local de jour ouvert 10 h à 14 h, demain");
    await tap(ENGLISH, "site:day-site");
    expect(textOf(ENGLISH)).toContain("Thu, Nov 19: 10:00–14:00\nFri, Nov 20: 9:00–17:00");
    // Tomorrow at 9:30 it is closed until 10:00, then open until 14:00.
    bot.setNow(new Date("2026-11-19T14:30:00Z"));
    await say(ENGLISH, "/open");
    expect(textOf(ENGLISH)).toContain(
      "<b>The Day Place</b>\nCentre-Sud · 100, rue Ontario Est\n🔴 Closed · opens today at 10:00",
    );
    bot.setNow(new Date("2026-11-19T15:30:00Z"));
    await say(ENGLISH, "/open");
    expect(textOf(ENGLISH)).toContain(
      "<b>The Day Place</b>\nCentre-Sud · 100, rue Ontario Est\n🟢 Open until 14:00",
    );
  });

  it("leaves a typing step with /annuler or another button, and writes nothing", async () => {
    const marc = await worker();
    await tap(marc, "wth:day-site");
    await say(marc, "/annuler");
    expect(textOf(marc)).toBe("D'accord, c'est annulé. Voici le menu 👇");
    await say(marc, "10:00-14:00");
    expect(textOf(marc)).not.toContain("Noté");
    await tap(marc, "wtd:day-site");
    await tap(marc, "wto:day-site:syringes");
    expect(textOf(marc)).toContain("✅ Noté : Seringues en rupture");
    expect((await changes()).map((r) => r.kind)).toEqual(["stock_out"]);
  });

  it("posts a note in both languages, escaped, shown with its time until the end of the next day, and removes it", async () => {
    const marc = await worker();
    bot.setNow(AT_2_10);
    await tap(marc, "wtn:day-site");
    expect(textOf(marc)).toBe(
      "📌 Ton mot pour Le Local de jour, en français (200 caractères au plus). Il restera affiché jusqu'à demain soir.\n/annuler pour laisser tomber.",
    );
    await say(marc, "x".repeat(201));
    expect(textOf(marc)).toBe("C'est trop long : 200 caractères au plus (201 ici). Raccourcis un peu?");
    await say(marc, "Arrivage de <b>kits</b> ce soir");
    expect(textOf(marc)).toBe("Maintenant en anglais. Écris = pour garder le même texte.");
    await say(marc, "Kits <i>tonight</i>");
    expect(textOf(marc)).toBe("✅ Ton mot est affiché sur Le Local de jour jusqu'à demain, minuit.");
    await tap(FRENCH, "site:day-site");
    expect(textOf(FRENCH)).toContain(
      "📌 <b>L'équipe, 14 h 10 :</b> Arrivage de &lt;b&gt;kits&lt;/b&gt; ce soir",
    );
    await tap(ENGLISH, "site:day-site");
    expect(textOf(ENGLISH)).toContain("📌 <b>The team, 14:10:</b> Kits &lt;i&gt;tonight&lt;/i&gt;");

    // Thursday 23:59 it is still up (posted yesterday, so it says when); Friday 0:00 it is gone.
    bot.setNow(new Date("2026-11-20T04:59:00Z"));
    await tap(ENGLISH, "site:day-site");
    expect(textOf(ENGLISH)).toContain("📌 <b>The team, Wed, Nov 18 14:10:</b>");
    bot.setNow(new Date("2026-11-20T05:00:00Z"));
    await tap(ENGLISH, "site:day-site");
    expect(textOf(ENGLISH)).not.toContain("📌");

    bot.setNow(AT_2_10);
    await tap(marc, "wtp:day-site");
    expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toContain("🗑 Retirer le mot");
    await tap(marc, "wtx:day-site");
    expect(textOf(marc)).toBe("✅ Le mot est retiré du Local de jour.");
    await tap(FRENCH, "site:day-site");
    expect(textOf(FRENCH)).not.toContain("📌");
    // A street note about overdoses is a note: no emergency card in the middle of writing it.
    await tap(marc, "wtn:night-site");
    await say(marc, "Surdoses au fentanyl dans le coin cette nuit");
    expect(textOf(marc)).toBe("Maintenant en anglais. Écris = pour garder le même texte.");
    await say(marc, "Fentanyl overdoses around here tonight");
    expect(textOf(marc)).toBe("✅ Ton mot est affiché sur La Veille de nuit jusqu'à demain, minuit.");
    expect(bot.telegram.textsTo(marc.id).some((t) => t.includes("911"))).toBe(false);
    // Outside a dialogue, the same words still bring the card first.
    await say(marc, "surdose");
    expect(bot.telegram.textsTo(marc.id).some((t) => t.includes("911"))).toBe(true);
    // "=" keeps the French text for English.
    await tap(marc, "wtn:day-site");
    await say(marc, "Fermé pour dîner 12 h-13 h");
    await say(marc, "=");
    await tap(ENGLISH, "site:day-site");
    expect(textOf(ENGLISH)).toContain("📌 <b>The team, 14:10:</b> Fermé pour dîner 12 h-13 h");
  });

  it("refuses peer helpers and strangers, by command and by button", async () => {
    const peer = await worker("fr", "peer", "Lou");
    const stranger = newPerson();
    for (const someone of [peer, stranger]) {
      await say(someone, "/lieux");
      expect(textOf(someone)).toBe("Cette commande est réservée aux intervenant·es et à la coordination.");
      await say(someone, "/journal");
      expect(textOf(someone)).toBe("Le journal des changements est réservé à la coordination.");
      await tap(someone, "wto:day-site:naloxone");
      await tap(someone, "wtc:day-site");
      await tap(someone, "wtd:day-site");
      const answers = bot.telegram.calls.filter((c) => c.method === "answerCallbackQuery").slice(-3);
      // A peer is told the panel is not theirs; in a stranger's hands a worker's button is forged (or
      // left from a past membership): answered as any unknown button, revealing no team.
      for (const a of answers)
        expect(a.payload.text).toBe(
          someone === peer
            ? "Cette commande est réservée aux intervenant·es et à la coordination."
            : "Ce bouton n'est plus à jour. Voici le menu 👇",
        );
    }
    // A revoked worker is nobody.
    const marc = await worker();
    await resetRequests(database);
    await tap(marc, "wto:day-site:naloxone");
    expect(await changes()).toHaveLength(0);
    const rows = rowsOf(await database.db.execute(sql`select * from stock_outs`));
    expect(rows).toHaveLength(0);
  });

  it("answers an old or forged button with the out-of-date message and changes nothing", async () => {
    const marc = await worker();
    for (const data of [
      "wto:day-site:pipes", // not a material of this site
      "wto:line-811:naloxone", // another organisation's site
      "wtc:gone-site",
      "wtu:99999",
      "wto:Day!:naloxone",
    ]) {
      await tap(marc, data);
      expect(textOf(marc)).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");
    }
    expect(await changes()).toHaveLength(0);
    // Another organisation's undo button is not this one's either.
    await tap(marc, "wto:day-site:naloxone");
    const undo = undoButton(marc);
    await database.db.execute(sql`update directory_changes set organisation_id = 'lines'`);
    await tap(marc, undo);
    expect(textOf(marc)).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");
  });

  it("refuses to undo a change on a site an import moved to another organisation", async () => {
    const marc = await worker();
    await tap(marc, "wto:day-site:naloxone");
    const undo = undoButton(marc);
    await replaceDirectory(
      database.db,
      fixtureDirectory((input) => {
        const site = input.sites.find((s) => s.id === "day-site");
        if (site) site.organisation = "lines";
      }),
    );
    await tap(marc, undo);
    expect(rowsOf(await database.db.execute(sql`select * from stock_outs`))).toHaveLength(1);
    expect((await changes()).every((c) => c.undone_at === null)).toBe(true);
    await replaceDirectory(database.db, fixtureDirectory());
  });

  it.each([
    {
      lang: "fr",
      button: "📣 Prévenir les personnes abonnées",
      fr: "🔒 Fermeture : Le Local de jour, ",
      en: "🔒 Closed: The Day Place, ",
      reach: "Elle ira à 2 personnes abonnées. On envoie?",
    },
    {
      lang: "en",
      button: "📣 Tell the subscribers",
      fr: "🔒 Fermeture : Le Local de jour, ",
      en: "🔒 Closed: The Day Place, ",
      reach: "It will reach 2 subscribers. Send it?",
    },
  ])(
    "offers the closure's alert to the neighbourhood's subscribers, previewed before it goes ($lang)",
    async ({ lang, button, fr, en, reach }) => {
      const marc = await worker(lang);
      const [centreSud, everywhere, verdun] = [newPerson(), newPerson("en"), newPerson()];
      await tap(centreSud, "al:p:centre-sud");
      await tap(everywhere, "al:all");
      await tap(verdun, "al:p:verdun");
      await tap(marc, "wtc:day-site");
      expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toContain(button);
      const offer = lastButtons(marc).find((d) => d.startsWith("wta:day-site:"));
      expect(offer).toMatch(/^wta:day-site:\d{4}-\d{2}-\d{2}$/);
      // Nothing goes before the author has seen it.
      await tap(marc, offer ?? "");
      const seen = bot.telegram.textsTo(marc.id).slice(-3);
      expect(seen[0]).toContain(fr);
      expect(seen[1]).toContain(en);
      expect(seen[2]).toBe(reach);
      expect(lastButtons(marc)).toEqual(["bc:send", "bc:cancel"]);
      await tap(marc, "bc:send");
      await bot.deliver();
      const alertsTo = (someone: Person) => bot.telegram.textsTo(someone.id).filter((t) => t.startsWith("⚠️"));
      expect(alertsTo(centreSud)).toEqual([expect.stringContaining(fr)]);
      expect(alertsTo(centreSud)[0]).toContain("<b>Alerte · Centre-Sud</b>");
      expect(alertsTo(everywhere)).toEqual([expect.stringContaining(en)]);
      expect(alertsTo(verdun)).toEqual([]);
    },
  );

  it("offers the alert of a closure now, saying it closed earlier than planned, in both languages", async () => {
    const marc = await worker();
    await tap(marc, "wte:day-site");
    expect(lastButtons(marc)).toContain("wta:day-site:now");
    await tap(marc, "wta:day-site:now");
    const seen = bot.telegram.textsTo(marc.id).slice(-3);
    expect(seen[0]).toContain("🔒 Le Local de jour a fermé plus tôt que prévu (");
    expect(seen[1]).toContain("🔒 The Day Place closed earlier than planned (");
  });

  it.each([
    { lang: "fr", done: "✅ Noté : Le Local de jour vérifié aujourd'hui. Les fiches le disent déjà." },
    { lang: "en", done: "✅ Noted: The Day Place checked today. Cards already say so." },
  ])(
    "says a site's information is still true in one tap, and its card shows it ($lang)",
    async ({ lang, done }) => {
      const marc = await worker(lang);
      await tap(marc, "wtp:day-site");
      expect(lastButtons(marc)).toContain("wtv:day-site");
      const version = await getDirectoryVersion(database.db);
      await tap(marc, "wtv:day-site");
      expect(textOf(marc)).toBe(done);
      await tap(FRENCH, "site:day-site");
      expect(textOf(FRENCH)).toContain("✔️ Vérifié le 18 nov.");
      const [row] = rowsOf<{ verified_on: string | Date }>(
        await database.db.execute(sql`select verified_on from sites where id = 'day-site'`),
      );
      const today = "2026-11-18"; // WEDNESDAY_2PM in Montreal
      expect(
        String(row?.verified_on instanceof Date ? row.verified_on.toISOString() : row?.verified_on),
      ).toContain(today);
      // Every process reloads its copy, and a re-import of an older file keeps the newer date.
      expect(await getDirectoryVersion(database.db)).toBe((version ?? 0) + 1);
      await replaceDirectory(database.db, fixtureDirectory());
      const [kept] = rowsOf<{ verified_on: string | Date }>(
        await database.db.execute(sql`select verified_on from sites where id = 'day-site'`),
      );
      expect(
        String(kept?.verified_on instanceof Date ? kept.verified_on.toISOString() : kept?.verified_on),
      ).toContain(today);
    },
  );

  it("shows a site's age on its card once its information is over 30 days old, in both languages", async () => {
    // The day site checked on 2026-11-01 (as the fixture says; an earlier test's "still true" moved it,
    // and a re-import keeps the later date), 49 days before this.
    await database.db.execute(sql`update sites set verified_on = '2026-11-01' where id = 'day-site'`);
    await replaceDirectory(database.db, fixtureDirectory());
    bot.setNow(new Date("2026-12-20T19:00:00Z"));
    await tap(FRENCH, "site:day-site");
    expect(textOf(FRENCH)).toMatch(
      /⚠️ Vérifié il y a 49 jours : (appelle avant d'y aller si tu peux|ça a pu changer)\./,
    );
    expect(textOf(FRENCH)).not.toContain("✔️ Vérifié le");
    await tap(ENGLISH, "site:day-site");
    expect(textOf(ENGLISH)).toMatch(
      /⚠️ Checked 49 days ago: (call before you go if you can|it may have changed)\./,
    );
    // Thirty days is still fresh.
    bot.setNow(new Date("2026-12-01T19:00:00Z"));
    await tap(FRENCH, "site:day-site");
    expect(textOf(FRENCH)).toContain("✔️ Vérifié le 1er nov.");
  });

  it("refuses another organisation's or a forged 'still true' button, changing nothing", async () => {
    const marc = await worker();
    const version = await getDirectoryVersion(database.db);
    await tap(marc, "wtv:line-811");
    expect(textOf(marc)).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");
    await tap(marc, "wtv:NOT A SLUG");
    expect(textOf(marc)).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");
    expect(await getDirectoryVersion(database.db)).toBe(version);
  });

  it("offers no alert for a change that closes nothing, and refuses a forged alert button", async () => {
    const marc = await worker();
    await tap(marc, "wto:day-site:naloxone");
    expect(lastButtons(marc).some((d) => d.startsWith("wta:"))).toBe(false);
    await tap(marc, "wta:line-811:now");
    expect(textOf(marc)).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");
    await tap(marc, "wta:day-site:tomorrow");
    expect(textOf(marc)).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");
  });

  it("keeps workers' changes through a directory re-import, and drops those of sites that are gone", async () => {
    const marc = await worker();
    const version = await getDirectoryVersion(database.db);
    await tap(marc, "wto:day-site:naloxone");
    await tap(marc, "wtc:day-site");
    await tap(marc, "wtc:night-site");
    await tap(marc, "wtn:van");
    await say(marc, "Pas de tournée ce soir");
    await say(marc, "No run tonight");
    // Every change moves the version, so every process reloads its copy.
    expect(await getDirectoryVersion(database.db)).toBe((version ?? 0) + 4);

    await replaceDirectory(database.db, fixtureDirectory());
    await say(FRENCH, "/ouvert");
    expect(textOf(FRENCH)).toContain(
      "<b>Le Local de jour</b>\nCentre-Sud · 100, rue Ontario Est\n🔴 Fermé · ouvre demain à 9 h",
    );
    await tap(FRENCH, "site:van");
    expect(textOf(FRENCH)).toContain("📌 <b>L'équipe, 14 h :</b> Pas de tournée ce soir");

    await replaceDirectory(
      database.db,
      fixtureDirectory((input) => {
        input.sites = input.sites.filter((s) => s.id !== "van" && s.id !== "night-site");
      }),
    );
    const kept = async (table: string) =>
      rowsOf<{ site_id: string }>(await database.db.execute(sql.raw(`select site_id from ${table}`))).map(
        (r) => r.site_id,
      );
    expect(await kept("site_day_overrides")).toEqual(["day-site"]);
    expect(await kept("site_notes")).toEqual([]);
    expect(await kept("stock_outs")).toEqual(["day-site"]);
    // The log stays whole.
    expect(await changes()).toHaveLength(4);
  });

  it("takes two workers marking the same stock-out at once as one change", async () => {
    const marc = await worker();
    const lea = await worker("fr", "worker", "Léa");
    await Promise.all([tap(marc, "wto:day-site:naloxone"), tap(lea, "wto:day-site:naloxone")]);
    const texts = [textOf(marc), textOf(lea)].sort();
    expect(texts).toEqual([
      "C'était déjà comme ça : rien n'a changé.",
      "✅ Noté : Naloxone en rupture au Local de jour depuis 14 h. Les personnes le voient déjà.",
    ]);
    expect(await changes()).toHaveLength(1);
  });

  it("records who changed what and when, with nothing about the people served", async () => {
    const marc = await worker();
    bot.setNow(AT_2_10);
    await say(FRENCH, "naloxone");
    await tap(marc, "wto:day-site:naloxone");
    await tap(marc, undoButton(marc));
    const rows = await changes();
    expect(rows).toHaveLength(1);
    const [row] = rows;
    const member = rowsOf<{ id: number }>(
      await database.db.execute(sql`select id from members where alias = 'Marc' and revoked_at is null`),
    )[0];
    expect(row).toMatchObject({
      member_id: member?.id,
      member_alias: "Marc",
      organisation_id: "org-a",
      site_id: "day-site",
      kind: "stock_out",
      target: "stock:naloxone",
      before: null,
      after: { since: AT_2_10.toISOString() },
      undone_by_member_id: member?.id,
    });
    expect(new Date(String(row?.at))).toEqual(AT_2_10);
    const dump = JSON.stringify(rows);
    for (const secret of [
      String(marc.id),
      String(FRENCH.id),
      "Solange",
      marc.username as string,
      FRENCH.username as string,
      "Canari",
    ])
      expect(dump).not.toContain(secret);
  });

  it("shows coordinators their organisation's log in their language, and not to workers", async () => {
    const marc = await worker();
    bot.setNow(AT_2_10);
    await tap(marc, "wto:day-site:naloxone");
    await tap(marc, undoButton(marc));
    await tap(marc, "wtd:day-site");
    await say(marc, "3 déc");
    await tap(marc, "wtn:night-site");
    await say(marc, "Entrée <par> la ruelle");
    await say(marc, "Use the back door");
    await say(marc, "/journal");
    expect(textOf(marc)).toBe("Le journal des changements est réservé à la coordination.");

    const coord = await worker("fr", "admin", "Coord");
    await say(coord, "/journal");
    expect(textOf(coord)).toBe(
      [
        "🗒 <b>Derniers changements – Organisme A</b>",
        "14 h 10 · Marc · La Veille de nuit : mot « Entrée &lt;par&gt; la ruelle »",
        "14 h 10 · Marc · Le Local de jour : fermé jeu. 3 déc.",
        "14 h 10 · Marc · Le Local de jour : Naloxone en rupture (défait 14 h 10)",
      ].join("\n"),
    );
    const sam = await worker("en", "admin", "Sam");
    bot.setNow(new Date("2026-11-19T15:00:00Z"));
    await say(sam, "/log");
    expect(textOf(sam)).toBe(
      [
        "🗒 <b>Latest changes – Organisme A</b>",
        "Wed, Nov 18 14:10 · Marc · The Night Watch: note “Use the back door”",
        "Wed, Nov 18 14:10 · Marc · The Day Place: closed Thu, Dec 3",
        "Wed, Nov 18 14:10 · Marc · The Day Place: Naloxone out (undone Wed, Nov 18 14:10)",
      ].join("\n"),
    );
  });
});
