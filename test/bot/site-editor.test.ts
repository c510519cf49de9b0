import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { toDirectoryFile } from "../../src/directory/file-model";
import type { Directory } from "../../src/directory/model";
import { loadDirectory, replaceDirectory } from "../../src/directory/store";
import { DRIVERS, useDatabase } from "../support/database";
import { fixtureDirectory } from "../support/directory-fixture";
import { buttonTexts, callbackDatas, createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Part 10, item 2: a coordinator changes what the file says about a site (usual hours, phone, note,
 * materials) in the bot, sees new hours as people will before saving, and can undo; workers cannot;
 * an import keeps the edit unless the file changed the same field.
 */
describe.each(DRIVERS)("a coordinator editing a site's listing, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 7_400_000;
  const newPerson = (languageCode = "fr"): Person => ({ id: nextId++, languageCode });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    await resetRequests(database);
    for (const table of ["stock_outs", "site_day_overrides", "site_notes", "directory_changes"])
      await database.db.execute(sql.raw(`delete from ${table}`));
    // Each test starts from the file as written: no edit from an earlier test survives the harness's import.
    await database.db.execute(sql`update sites set file_base = null`);
    bot = await createHarness(database);
  });

  const member = (role: "worker" | "admin" | "peer" = "admin", languageCode = "fr") =>
    joinTeam(bot, database, newPerson(languageCode), "Inès", { role });
  const tap = (someone: Person, data: string) => bot.send(callbackUpdate(someone, data));
  const say = (someone: Person, text: string) => bot.send(textUpdate(someone, text));
  const textOf = (someone: Person) => bot.lastText(someone.id);
  /** The token of the editor's latest buttons in someone's chat (each dialogue has its own). */
  const tokenOf = (someone: Person) => {
    for (const call of [...bot.telegram.calls].reverse()) {
      if (call.payload.chat_id !== someone.id) continue;
      const data = callbackDatas(call.payload).find((d) => d.startsWith("se:"));
      if (data) return data.split(":")[1] ?? "";
    }
    return "none";
  };
  /** A tap on one of the editor's buttons: "ok", "d:2", "t:930"… */
  const edit = (someone: Person, button: string) => tap(someone, `se:${tokenOf(someone)}:${button}`);
  const buttons = (someone: Person) => buttonTexts(bot.lastCall(someone.id)?.payload);
  const datas = (someone: Person) => callbackDatas(bot.lastCall(someone.id)?.payload);
  /** The keyboard as it stands after the editor redrew it in place (a tick on a day or a material). */
  const redrawn = (someone: Person) => {
    const edits = bot.telegram.calls.filter(
      (c) => c.method === "editMessageReplyMarkup" && c.payload.chat_id === someone.id,
    );
    return buttonTexts(edits[edits.length - 1]?.payload);
  };
  /** The short answer Telegram shows on a tapped button (a refusal the router gives). */
  const toast = () => {
    const answers = bot.telegram.calls.filter((c) => c.method === "answerCallbackQuery");
    return String(answers[answers.length - 1]?.payload.text ?? "");
  };
  type SiteRow = {
    hours: string;
    phone: string | null;
    note_fr: string | null;
    note_en: string | null;
    verified_on: string;
  };
  const siteRow = async (id = "day-site") =>
    rowsOf<SiteRow>(
      await database.db.execute(
        sql`select hours, phone, note_fr, note_en, verified_on::text as verified_on from sites where id = ${id}`,
      ),
    )[0] as SiteRow;
  const materialsOf = async (id = "day-site") =>
    rowsOf<{ material_id: string }>(
      await database.db.execute(
        sql`select material_id from site_materials where site_id = ${id} order by material_id`,
      ),
    ).map((r) => r.material_id);
  const changeKinds = async () =>
    rowsOf<{ kind: string }>(
      await database.db.execute(sql`select kind from directory_changes order by id`),
    ).map((r) => r.kind);
  /** What someone looking the site up reads on its card. */
  const card = async (languageCode = "fr", id = "day-site") => {
    const someone = newPerson(languageCode);
    await tap(someone, `site:${id}`);
    return textOf(someone);
  };

  it("shows a coordinator the listing from the site's panel, and a worker neither the button nor the listing", async () => {
    const ines = await member();
    await tap(ines, "wtp:day-site");
    expect(buttons(ines)).toContain("✏️ Modifier la fiche");
    await tap(ines, "wed:day-site");
    expect(textOf(ines)).toBe(
      [
        "✏️ <b>Fiche du Local de jour</b>",
        "🕒 Horaires habituels : <code>Mo-Fr 09:00-17:00; PH off</code>",
        "📞 Téléphone : +1 514-555-0101",
        "📝 Note : Entre sans rendez-vous.",
        "🧰 Matériel : Seringues, Naloxone",
        "",
        "Qu'est-ce que tu veux changer? Les gens voient le changement dès que tu l'enregistres, et tu peux l'annuler.",
      ].join("\n"),
    );
    expect(datas(ines)).toEqual([
      "wef:day-site:h",
      "wef:day-site:p",
      "wef:day-site:n",
      "wef:day-site:m",
      "wtp:day-site",
    ]);

    const marc = await member("worker");
    await tap(marc, "wtp:day-site");
    expect(buttons(marc)).not.toContain("✏️ Modifier la fiche");
    for (const data of ["wed:day-site", "wef:day-site:h"]) {
      await tap(marc, data);
      expect(toast()).toBe(
        "La fiche d'un lieu se change par la coordination. Pour le quotidien (rupture, fermeture, mot) : /lieux.",
      );
    }
    const peer = await member("peer");
    await tap(peer, "wef:day-site:p");
    expect(toast()).toBe("Cette commande est réservée aux intervenant·es et à la coordination.");
    const stranger = newPerson();
    await tap(stranger, "wef:day-site:p");
    expect(textOf(stranger)).toMatch(/^Ce bouton n'est plus à jour/);
    // A coordinator of another organisation's site: out of date, nothing opened.
    await tap(ines, "wed:line-811");
    expect(textOf(ines)).toMatch(/^Ce bouton n'est plus à jour/);
    expect(await changeKinds()).toEqual([]);
  });

  it("changes the usual hours as typed, after showing the next seven days as people will see them, and undoes it", async () => {
    const ines = await member();
    await tap(ines, "wef:day-site:h");
    expect(textOf(ines)).toContain("Dans la fiche : <code>Mo-Fr 09:00-17:00; PH off</code>");
    expect(buttons(ines)).toEqual(["🧱 Avec des boutons", "✖️ Annuler"]);
    await say(ines, "Mo-Fr 10:00-18:00; Sa 10:00-14:00; PH off");
    expect(textOf(ines)).toBe(
      [
        "👀 <b>Les 7 prochains jours du Local de jour</b>, comme les gens les verront :",
        "mer. 18 nov. : 10 h à 18 h",
        "jeu. 19 nov. : 10 h à 18 h",
        "ven. 20 nov. : 10 h à 18 h",
        "sam. 21 nov. : 10 h à 14 h",
        "dim. 22 nov. : fermé",
        "lun. 23 nov. : 10 h à 18 h",
        "mar. 24 nov. : 10 h à 18 h",
        "",
        "Dans la fiche : <code>Mo-Fr 10:00-18:00; Sa 10:00-14:00; PH off</code>",
        "Je l'enregistre?",
      ].join("\n"),
    );
    // Nothing is saved before "Save".
    expect((await siteRow()).hours).toBe("Mo-Fr 09:00-17:00; PH off");
    await edit(ines, "ok");
    expect(textOf(ines)).toBe("✅ Enregistré : les horaires du Local de jour. Les gens les voient déjà.");
    expect(await siteRow()).toMatchObject({
      hours: "Mo-Fr 10:00-18:00; Sa 10:00-14:00; PH off",
      // The coordinator just looked at it: the card's "checked on" moves to today.
      verified_on: "2026-11-18",
    });
    expect(await card()).toContain("sam. 21 nov. : 10 h à 14 h");
    await say(ines, "/journal");
    expect(textOf(ines)).toContain(
      "Inès · Le Local de jour : horaires : Mo-Fr 10:00-18:00; Sa 10:00-14:00; PH off",
    );

    await say(ines, "/lieux");
    await tap(ines, "wef:day-site:h");
    await say(ines, "Mo-Su 08:00-12:00");
    await edit(ines, "ok");
    const undo = datas(ines).find((d) => d.startsWith("wtu:")) ?? "";
    // A worker cannot undo what the file says, even with the button in hand.
    const marc = await member("worker");
    await tap(marc, undo);
    expect(textOf(marc)).toMatch(/^La fiche d'un lieu se change par la coordination/);
    expect((await siteRow()).hours).toBe("Mo-Su 08:00-12:00");
    await tap(ines, undo);
    expect(textOf(ines)).toBe("↩️ C'est défait : Le Local de jour est revenu comme avant.");
    expect((await siteRow()).hours).toBe("Mo-Fr 10:00-18:00; Sa 10:00-14:00; PH off");
    expect(await changeKinds()).toEqual(["site_hours", "site_hours"]);
  });

  it.each([
    ["n'importe quoi", "Je n'ai pas pu lire cette partie : <code>n'importe quoi</code>."],
    ["Mo-Fr 09:00-17:00; Sa 25:00-26:00", "Je n'ai pas pu lire cette partie : <code>Sa 25:00-26:00</code>."],
    ["Mo-Su off", "Avec ces horaires, le lieu ne serait jamais ouvert."],
    ["off", "Avec ces horaires, le lieu ne serait jamais ouvert."],
    [`Mo-Fr 09:00-17:00; ${"Sa 10:00-11:00; ".repeat(40)}`, "C'est trop long : 500 caractères au plus"],
  ])("refuses hours typed as %j with a message that says why, and saves nothing", async (typed, message) => {
    const ines = await member();
    await tap(ines, "wef:day-site:h");
    await say(ines, typed);
    expect(textOf(ines)).toContain(message);
    // Still in the dialogue: the right hours are taken next.
    await say(ines, "Mo-Fr 09:00-16:00");
    expect(textOf(ines)).toContain("Dans la fiche : <code>Mo-Fr 09:00-16:00</code>");
    await edit(ines, "x");
    expect(textOf(ines)).toBe("D'accord, rien n'a changé sur la fiche.");
    expect((await siteRow()).hours).toBe("Mo-Fr 09:00-17:00; PH off");
    expect(await changeKinds()).toEqual([]);
  });

  it("builds the hours with buttons: days, opening, closing, a night past midnight, holidays as chosen", async () => {
    const ines = await member();
    await tap(ines, "wef:day-site:h");
    await edit(ines, "b");
    expect(textOf(ines)).toBe("Quels jours? Touche-les, puis « Suivant ».");
    await edit(ines, "n");
    expect(textOf(ines)).toBe("Touche au moins un jour, puis « Suivant ».");
    await edit(ines, "wk");
    expect(redrawn(ines).slice(0, 7)).toEqual([
      "✅ Lun",
      "✅ Mar",
      "✅ Mer",
      "✅ Jeu",
      "✅ Ven",
      "Sam",
      "Dim",
    ]);
    await edit(ines, "d:2");
    expect(redrawn(ines)[2]).toBe("Mer");
    await edit(ines, "n");
    expect(textOf(ines)).toBe(
      "À quelle heure ça ouvre (Lun, Mar, Jeu, Ven)? Touche une heure, ou écris-la (9h30).",
    );
    await say(ines, "9h30");
    expect(textOf(ines)).toMatch(/^Et ça ferme à quelle heure \(Lun, Mar, Jeu, Ven, ouvert à 9 h 30\)/);
    await say(ines, "quand on veut");
    expect(textOf(ines)).toBe(
      "Je n'ai pas compris cette heure. Touche un bouton, ou écris 9h, 9h30 ou 21:00.",
    );
    await say(ines, "9:30");
    expect(textOf(ines)).toBe("Ça ouvre et ferme à la même heure. Choisis une autre heure de fermeture.");
    await edit(ines, "t:1630");
    expect(textOf(ines)).toMatch(/^Ajouté : Lun, Mar, Jeu, Ven, 9 h 30 à 16 h 30\./);
    // Another slot: Saturday night, past midnight.
    await edit(ines, "more");
    await edit(ines, "d:5");
    await edit(ines, "n");
    await edit(ines, "t:2000");
    expect(buttons(ines)).toContain("2 h (lendemain)");
    await edit(ines, "t:200");
    // The file had "PH off": closed on holidays unless the coordinator says otherwise.
    expect(buttons(ines)).toContain("🎉 Fériés : fermé");
    await edit(ines, "ph");
    expect(redrawn(ines)).toContain("🎉 Fériés : comme d'habitude");
    await edit(ines, "fin");
    expect(textOf(ines)).toContain("Dans la fiche : <code>Mo,Tu,Th,Fr 09:30-16:30; Sa 20:00-02:00</code>");
    expect(textOf(ines)).toContain("sam. 21 nov. : 20 h à 2 h");
    expect(textOf(ines)).toContain("mer. 18 nov. : fermé");
    await edit(ines, "ok");
    expect((await siteRow()).hours).toBe("Mo,Tu,Th,Fr 09:30-16:30; Sa 20:00-02:00");
  });

  it("keeps a name that looks like markup as plain text, and its French article, in every step", async () => {
    await database.db.execute(
      sql`update sites set name_fr = 'Réseau <Est> & Co', article_fr = 'le' where id = 'day-site'`,
    );
    await database.db.execute(sql`update directory_info set version = version + 1`);
    const ines = await member();
    await tap(ines, "wed:day-site");
    expect(textOf(ines)).toMatch(/^✏️ <b>Fiche du Réseau &lt;Est&gt; &amp; Co<\/b>/);
    await tap(ines, "wef:day-site:h");
    await say(ines, "Mo-Fr 10:00-18:00");
    expect(textOf(ines)).toMatch(/^👀 <b>Les 7 prochains jours du Réseau &lt;Est&gt; &amp; Co<\/b>/);
    await edit(ines, "ok");
    expect(textOf(ines)).toBe(
      "✅ Enregistré : les horaires du Réseau &lt;Est&gt; &amp; Co. Les gens les voient déjà.",
    );
  });

  it("cuts long hours short in /journal, so twenty changes fit in one message", async () => {
    const ines = await member();
    const long = Array.from({ length: 14 }, (_, i) => `Dec ${i + 1} 10:00-14:00`).join("; ");
    for (let i = 0; i < 20; i++) {
      await tap(ines, "wef:day-site:h");
      await say(ines, `${long}; Mo-Fr 09:00-${String(10 + (i % 9)).padStart(2, "0")}:${i < 9 ? "00" : "30"}`);
      await edit(ines, "ok");
    }
    await say(ines, "/journal");
    expect(textOf(ines).length).toBeLessThan(4096);
    expect(textOf(ines)).toContain(
      "Inès · Le Local de jour : horaires : Dec 01 10:00-14:00; Dec 02 10:00-14:00; Dec 03 10:00-14:00;…",
    );
  });

  it("tells a button from an earlier dialogue that it is old, and lets it change nothing", async () => {
    const ines = await member();
    await tap(ines, "wef:day-site:m");
    const old = tokenOf(ines);
    await say(ines, "/lieux");
    await tap(ines, "wef:night-site:m");
    expect(tokenOf(ines)).not.toBe(old);
    // The day site's keyboard, still in the chat: its first button is not this dialogue's.
    await tap(ines, `se:${old}:m:0`);
    expect(textOf(ines)).toBe(
      "Ce bouton vient d'un message plus ancien. Utilise ceux du dernier message, ou /annuler.",
    );
    await edit(ines, "ok");
    expect(textOf(ines)).toBe("C'était déjà comme ça : rien n'a changé.");
    expect(await materialsOf("night-site")).toEqual(["naloxone", "pipes", "test-strips"]);
  });

  it("starts over from the preview, and leaves the dialogue for a command, saving nothing", async () => {
    const ines = await member();
    await tap(ines, "wef:day-site:h");
    await say(ines, "Mo-Fr 10:00-18:00");
    await edit(ines, "re");
    expect(textOf(ines)).toContain("Horaires habituels du Local de jour");
    await say(ines, "/lieux");
    expect(textOf(ines)).toBe("🛠 Quel lieu veux-tu mettre à jour?");
    // The dialogue is over: its old buttons are out of date, and nothing was saved.
    await edit(ines, "ok");
    expect(textOf(ines)).toMatch(/^Ce bouton n'est plus à jour/);
    expect(await changeKinds()).toEqual([]);
  });

  it.each([
    ["514-555", "Ce n'est pas un numéro que je peux afficher."],
    ["appelle-nous", "Ce n'est pas un numéro que je peux afficher."],
    ["555-0199", "Il manque l'indicatif : à Montréal, on compose les 10 chiffres"],
    ["+1 514 555 0199 1234 5678", "Ce n'est pas un numéro que je peux afficher."],
  ])("refuses the phone %j with why", async (typed, message) => {
    const ines = await member();
    await tap(ines, "wef:day-site:p");
    await say(ines, typed);
    expect(textOf(ines)).toContain(message);
    expect((await siteRow()).phone).toBe("+1 514-555-0101");
  });

  it("changes and removes the phone, and never removes the number of a site reached by phone", async () => {
    const ines = await member();
    await tap(ines, "wef:day-site:p");
    expect(textOf(ines)).toContain("<b>Téléphone du Local de jour</b> : +1 514-555-0101");
    await say(ines, "514 555-0199");
    expect(textOf(ines)).toBe("✅ Enregistré : le téléphone du Local de jour (514 555-0199).");
    expect(await card()).toContain("514 555-0199");
    await tap(ines, "wef:day-site:p");
    await edit(ines, "rm");
    expect(textOf(ines)).toBe("✅ Enregistré : Le Local de jour n'a plus de téléphone sur sa fiche.");
    expect((await siteRow()).phone).toBeNull();
    await say(ines, "/journal");
    expect(textOf(ines)).toContain("Le Local de jour : téléphone enlevé");

    // The van is reached by phone: no "Remove", and "aucun" is refused.
    await tap(ines, "wef:van:p");
    expect(buttons(ines)).toEqual(["✖️ Annuler"]);
    await say(ines, "aucun");
    expect(textOf(ines)).toMatch(/^Ce lieu se joint par téléphone : je ne peux pas enlever son numéro/);
    await say(ines, "811");
    expect((await siteRow("van")).phone).toBe("811");
  });

  it("writes the site's note in French then English, or removes it", async () => {
    const ines = await member();
    await tap(ines, "wef:day-site:n");
    expect(textOf(ines)).toContain("En ce moment : Entre sans rendez-vous.");
    await say(ines, "x".repeat(601));
    expect(textOf(ines)).toBe("C'est trop long : 600 caractères au plus (601 ici). Raccourcis un peu?");
    await say(ines, "Sonne à la porte de côté.");
    expect(textOf(ines)).toBe("Maintenant en anglais. Écris = pour garder le même texte.");
    await say(ines, "Ring at the side door.");
    expect(textOf(ines)).toBe("✅ Enregistré : la note du Local de jour.");
    expect(await siteRow()).toMatchObject({
      note_fr: "Sonne à la porte de côté.",
      note_en: "Ring at the side door.",
    });
    expect(await card("en")).toContain("📝 Ring at the side door.");
    await tap(ines, "wef:day-site:n");
    await edit(ines, "rm");
    expect(textOf(ines)).toBe("✅ Enregistré : la note du Local de jour est enlevée.");
    expect(await siteRow()).toMatchObject({ note_fr: null, note_en: null });
  });

  it("ticks the materials a site hands out, and forgets the stock-out of one it no longer does", async () => {
    const ines = await member();
    await tap(ines, "wto:day-site:syringes");
    await tap(ines, "wef:day-site:m");
    expect(buttons(ines)).toEqual([
      "✅ Seringues",
      "✅ Naloxone",
      "▫️ Pipes à inhalation",
      "▫️ Bandelettes de fentanyl",
      "💾 Enregistrer",
      "✖️ Annuler",
    ]);
    await edit(ines, "m:0");
    await edit(ines, "m:2");
    expect(redrawn(ines).slice(0, 4)).toEqual([
      "▫️ Seringues",
      "✅ Naloxone",
      "✅ Pipes à inhalation",
      "▫️ Bandelettes de fentanyl",
    ]);
    await say(ines, "des pipes");
    expect(textOf(ines)).toBe("Touche un des boutons, ou /annuler.");
    await edit(ines, "m:99");
    expect(textOf(ines)).toBe("Touche un des boutons, ou /annuler.");
    await edit(ines, "ok");
    expect(textOf(ines)).toBe("✅ Enregistré : le matériel du Local de jour (Naloxone, Pipes à inhalation).");
    expect(await materialsOf()).toEqual(["naloxone", "pipes"]);
    const stock = rowsOf(await database.db.execute(sql`select * from stock_outs where site_id = 'day-site'`));
    expect(stock).toEqual([]);
    expect(await card()).toContain("Naloxone, Pipes à inhalation");
  });

  it("speaks English to an English-speaking coordinator, with the site's English name", async () => {
    const jo = await member("admin", "en");
    await tap(jo, "wed:day-site");
    expect(textOf(jo)).toMatch(
      /^✏️ <b>Listing of The Day Place<\/b>\n🕒 Usual hours: <code>Mo-Fr 09:00-17:00; PH off<\/code>/,
    );
    expect(textOf(jo)).toContain("📝 Note: Walk in, no appointment.");
    await tap(jo, "wef:day-site:h");
    await edit(jo, "b");
    expect(textOf(jo)).toBe("Which days? Tap them, then “Next”.");
    await edit(jo, "all");
    await edit(jo, "n");
    await say(jo, "8");
    await edit(jo, "t:2000");
    expect(textOf(jo)).toMatch(/^Added: Mon, Tue, Wed, Thu, Fri, Sat, Sun, 8/);
    await edit(jo, "fin");
    expect(textOf(jo)).toMatch(/^👀 <b>The next 7 days of The Day Place<\/b>, as people will see them:\nWed/);
    expect(textOf(jo)).toContain("In the listing: <code>Mo-Su 08:00-20:00; PH off</code>");
    await edit(jo, "ok");
    expect(textOf(jo)).toBe("✅ Saved: the hours of The Day Place. People see them already.");
    await tap(jo, "wef:day-site:p");
    await say(jo, "555-0199");
    expect(textOf(jo)).toBe(
      "The area code is missing: in Montreal all 10 digits are dialled (514-555-0123).",
    );
  });

  it("reports no edit nobody made when a file drops a material, and lets a phone line keep its number", async () => {
    // No edit in the bot: the file drops syringes from the directory and gives the site pipes instead.
    const file = fixtureDirectory();
    file.materials = file.materials.filter((m) => m.id !== "syringes");
    for (const site of file.sites) site.materials = site.materials.filter((m) => m !== "syringes");
    const daySite = file.sites.find((s) => s.id === "day-site");
    if (daySite) daySite.materials = ["naloxone", "pipes"];
    expect((await replaceDirectory(database.db, file)).edits).toEqual({ kept: [], overridden: [] });
    expect(await materialsOf()).toEqual(["naloxone", "pipes"]);

    // The bot removed the phone; the next file makes the site a phone line: its number comes back.
    await replaceDirectory(database.db, fixtureDirectory());
    const ines = await member();
    await tap(ines, "wef:day-site:p");
    await edit(ines, "rm");
    expect((await siteRow()).phone).toBeNull();
    const asLine = fixtureDirectory();
    const line = asLine.sites.find((s) => s.id === "day-site");
    if (line) line.type = "phone_line";
    expect((await replaceDirectory(database.db, asLine)).edits).toEqual({
      kept: [],
      overridden: [{ siteId: "day-site", field: "phone" }],
    });
    expect((await siteRow()).phone).toBe("+1 514-555-0101");
  });

  it("keeps an edit made on a site imported before the bot could edit it (no import base yet)", async () => {
    const ines = await member();
    // As a database migrated from before part 10 holds it: the column empty.
    await database.db.execute(sql`update sites set file_base = null`);
    await tap(ines, "wef:day-site:p");
    await say(ines, "514 555-0177");
    const again = await replaceDirectory(database.db, fixtureDirectory());
    expect(again.edits).toEqual({ kept: [{ siteId: "day-site", field: "phone" }], overridden: [] });
    expect((await siteRow()).phone).toBe("514 555-0177");
  });

  it("keeps an edit through an import of a file that does not change that field, and names the one the file overrides", async () => {
    const ines = await member();
    await tap(ines, "wef:day-site:h");
    await say(ines, "Mo-Fr 10:00-18:00");
    await edit(ines, "ok");
    await tap(ines, "wef:day-site:p");
    await say(ines, "514 555-0199");

    // The same file again: it changes neither field, so both edits stay.
    const again = await replaceDirectory(database.db, fixtureDirectory());
    expect(again.edits).toEqual({
      kept: [
        { siteId: "day-site", field: "hours" },
        { siteId: "day-site", field: "phone" },
      ],
      overridden: [],
    });
    expect(await siteRow()).toMatchObject({ hours: "Mo-Fr 10:00-18:00", phone: "514 555-0199" });

    // A file whose hours someone changed on purpose: the file wins there, and says so; the phone stays.
    const file = fixtureDirectory();
    const daySite = file.sites.find((s) => s.id === "day-site");
    if (daySite) daySite.hours = "Mo-Fr 08:00-16:00";
    const changed = await replaceDirectory(database.db, file);
    expect(changed.edits).toEqual({
      kept: [{ siteId: "day-site", field: "phone" }],
      overridden: [{ siteId: "day-site", field: "hours" }],
    });
    expect(await siteRow()).toMatchObject({ hours: "Mo-Fr 08:00-16:00", phone: "514 555-0199" });
    // From then on the hours are the file's: the next import has nothing to say about them.
    const third = await replaceDirectory(database.db, file);
    expect(third.edits).toEqual({ kept: [{ siteId: "day-site", field: "phone" }], overridden: [] });
    // An export carries the edit into the file: imported back, nothing is left to merge.
    const exported = toDirectoryFile((await loadDirectory(database.db)) as Directory);
    expect(exported.sites.find((s) => s.id === "day-site")?.phone).toBe("514 555-0199");
    expect((await replaceDirectory(database.db, exported)).edits).toEqual({ kept: [], overridden: [] });
    expect((await replaceDirectory(database.db, exported)).edits).toEqual({ kept: [], overridden: [] });
  });
});
