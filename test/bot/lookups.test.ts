import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { stockOuts } from "../../src/db/schema";
import { DRIVERS, useDatabase } from "../support/database";
import { THURSDAY_5AM, WEDNESDAY_11PM } from "../support/directory-fixture";
import { buttonTexts, callbackDatas, createHarness, type Harness } from "../support/harness";
import { joinTeam } from "../support/team";
import { callbackUpdate, ENGLISH, FRENCH, locationUpdate, textUpdate } from "../support/updates";

describe.each(DRIVERS)("looking things up, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
  });

  describe("/start", () => {
    it("welcomes a French speaker in French with the menu that stays on screen", async () => {
      await bot.send(textUpdate(FRENCH, "/start"));
      const call = bot.lastCall(FRENCH.id);
      expect(call?.payload.text).toContain("Je ne te demande jamais qui tu es");
      expect(buttonTexts(call?.payload)).toEqual([
        "🧰 Matériel",
        "🕒 Ouvert maintenant",
        "📍 Près de moi",
        "🚨 Urgence",
        "💬 Parler à quelqu'un",
      ]);
      expect(call?.payload.reply_markup).toMatchObject({ is_persistent: true });
    });

    it("welcomes an English speaker in English", async () => {
      await bot.send(textUpdate(ENGLISH, "/start"));
      const call = bot.lastCall(ENGLISH.id);
      expect(call?.payload.text).toContain("I never ask who you are");
      expect(buttonTexts(call?.payload)).toEqual([
        "🧰 Supplies",
        "🕒 Open now",
        "📍 Near me",
        "🚨 Emergency",
        "💬 Talk to someone",
      ]);
    });

    it("answers anyone else in the default language, French", async () => {
      await bot.send(textUpdate({ id: 3_000_001, languageCode: "es" }, "/start"));
      expect(bot.lastText(3_000_001)).toContain("Salut, ici Perche");
    });

    it("opens a site's card first from a poster link", async () => {
      await bot.send(textUpdate(FRENCH, "/start site-day-site"));
      const texts = bot.telegram.textsTo(FRENCH.id);
      expect(texts[0]).toContain("<b>Le Local de jour</b>");
      expect(texts[1]).toContain("Salut, ici Perche");
    });

    it("says a poster's site is gone, then welcomes", async () => {
      await bot.send(textUpdate(ENGLISH, "/start site-closed-long-ago"));
      const texts = bot.telegram.textsTo(ENGLISH.id);
      expect(texts[0]).toContain("no longer in the directory");
      expect(texts[1]).toContain("Hi, this is Perche");
    });

    it.each(["/start x", `/start ${"a".repeat(70)}`, "/start site-", "/start site-../../x", "/start <b>"])(
      "treats a broken payload (%s) as a plain start",
      async (text) => {
        await bot.send(textUpdate(FRENCH, text));
        expect(bot.telegram.textsTo(FRENCH.id)).toEqual([expect.stringContaining("Salut, ici Perche")]);
      },
    );
  });

  describe("supplies", () => {
    it("answers naloxone with the sites that hand it out, open ones first, in French", async () => {
      await bot.send(textUpdate(FRENCH, "naloxone"));
      const call = bot.lastCall(FRENCH.id);
      const text = String(call?.payload.text);
      expect(text).toContain("🧰 <b>Naloxone</b> : où en trouver");
      const pharmacy = text.indexOf("Pharmacie de Verdun");
      const day = text.indexOf("Le Local de jour");
      const night = text.indexOf("La Veille de nuit");
      expect(pharmacy).toBeGreaterThan(0);
      expect(pharmacy).toBeLessThan(day);
      expect(day).toBeLessThan(night);
      expect(text).toContain("🟢 Ouvert jusqu'à 18 h");
      expect(text).toContain("🟢 Ouvert jusqu'à 17 h");
      expect(text).toContain("🔴 Fermé · ouvre aujourd'hui à 20 h");
      expect(call?.payload.parse_mode).toBe("HTML");
      expect(callbackDatas(call?.payload)).toEqual([
        "site:verdun-pharmacy",
        "site:day-site",
        "site:night-site",
        "talk",
      ]);
    });

    it("offers contact once a day, lightly, after a lookup", async () => {
      const someone = { id: 4_000_001, languageCode: "fr" };
      await bot.send(textUpdate(someone, "naloxone"), textUpdate(someone, "seringues"));
      const [first, second] = bot.telegram.sentTo(someone.id);
      expect(
        String(first?.payload.text).endsWith(
          "💬 Envie d'en parler à quelqu'un? C'est possible ici, sans dire qui tu es.",
        ),
      ).toBe(true);
      expect(callbackDatas(first?.payload)).toContain("talk");
      expect(String(second?.payload.text)).not.toContain("Envie d'en parler");
      expect(callbackDatas(second?.payload)).not.toContain("talk");
      bot.setNow(THURSDAY_5AM);
      await bot.send(textUpdate(someone, "naloxone"));
      expect(bot.lastText(someone.id)).toContain("Envie d'en parler");
      // A team takes requests (with none, the dialogue would say so at once).
      await joinTeam(bot, database, { id: 4_000_901, languageCode: "fr" }, "Marc");
      await bot.send(callbackUpdate(someone, "talk"));
      expect(bot.lastText(someone.id)).toMatch(
        /^💬 Tu peux écrire à l'intervenant·e de garde, sans dire qui tu es\..*\n\nC'est à propos de quoi\?$/,
      );
    });

    it("answers in English with English times", async () => {
      await bot.send(textUpdate(ENGLISH, "Narcan"));
      const text = bot.lastText(ENGLISH.id);
      expect(text).toContain("🧰 <b>Naloxone</b>: where to get it");
      expect(text).toContain("🟢 Open until 17:00");
      expect(text).toContain("🔴 Closed · opens today at 20:00");
    });

    it("tolerates plurals, accents, case and typos", async () => {
      await bot.send(textUpdate(FRENCH, "SÉRINGUES"), textUpdate(FRENCH, "nalxone"));
      const [first, second] = bot.telegram.textsTo(FRENCH.id);
      expect(first).toContain("<b>Seringues</b>");
      expect(second).toContain("<b>Naloxone</b>");
    });

    it("shows a worker's stock-out with its time", async () => {
      await database.db
        .insert(stockOuts)
        .values({ siteId: "day-site", materialId: "naloxone", since: new Date("2026-11-18T18:10:00Z") });
      // The version check is what makes a running bot see the change.
      await database.db.execute("update directory_info set version = version + 1" as never);
      await bot.send(textUpdate(FRENCH, "naloxone"), textUpdate(ENGLISH, "naloxone"));
      expect(bot.lastText(FRENCH.id)).toContain("⚠️ Naloxone : rupture depuis 13 h 10");
      expect(bot.lastText(ENGLISH.id)).toContain("⚠️ Naloxone: out since 13:10");
    });

    it("offers every material from the menu button, then answers the tap", async () => {
      await bot.send(textUpdate(FRENCH, "🧰 Matériel"));
      const menu = bot.lastCall(FRENCH.id);
      expect(buttonTexts(menu?.payload)).toEqual([
        "Seringues",
        "Naloxone",
        "Pipes à inhalation",
        "Bandelettes de fentanyl",
      ]);
      await bot.send(callbackUpdate(FRENCH, "mat:pipes"));
      expect(bot.lastText(FRENCH.id)).toContain("<b>Pipes à inhalation</b>");
      expect(bot.telegram.calls.some((c) => c.method === "answerCallbackQuery")).toBe(true);
    });

    it("says plainly when no site has a material", async () => {
      await database.db.execute("delete from site_materials where material_id = 'test-strips'" as never);
      await database.db.execute("update directory_info set version = version + 1" as never);
      await bot.send(textUpdate(ENGLISH, "test strips"));
      expect(bot.lastText(ENGLISH.id)).toContain(
        "No site in the directory hands out “Fentanyl test strips” for now.",
      );
    });
  });

  describe("open now", () => {
    it("lists what is open at 23:00 with closing times past midnight", async () => {
      bot.setNow(WEDNESDAY_11PM);
      await bot.send(textUpdate(FRENCH, "🕒 Ouvert maintenant"));
      const text = bot.lastText(FRENCH.id);
      expect(text).toContain("🕒 <b>Ouvert maintenant</b> (23 h)");
      expect(text).toContain("La Veille de nuit");
      expect(text).toContain("🟢 Ouvert jusqu'à 3 h");
      // Only one site is open: the next openings follow, so there is always somewhere to go next.
      const next = text.indexOf("<b>Prochaines ouvertures</b>");
      expect(next).toBeGreaterThan(text.indexOf("La Veille de nuit"));
      expect(text.indexOf("Le Local de jour")).toBeGreaterThan(next);
      expect(text).toContain("🔴 Fermé · ouvre demain à 9 h");
      expect(text).not.toContain("Info-Social");
    });

    it("never leaves a dead end at 5 a.m.: next openings and the lines that answer now", async () => {
      bot.setNow(THURSDAY_5AM);
      await bot.send(textUpdate(ENGLISH, "/open"));
      const text = bot.lastText(ENGLISH.id);
      expect(text).toContain("No site is open right now (5:00).");
      expect(text).toContain("<b>Next openings</b>");
      expect(text).toContain("The Day Place");
      expect(text).toContain("🔴 Closed · opens today at 9:00");
      expect(text).toContain("• Info-Social 811: 811");
    });
  });

  describe("near me", () => {
    it("asks for a location or a place, saying the location is not kept", async () => {
      await bot.send(textUpdate(FRENCH, "📍 Près de moi"));
      const call = bot.lastCall(FRENCH.id);
      expect(call?.payload.text).toContain("Elle n'est jamais gardée");
      const keyboard = (
        call?.payload.reply_markup as
          | { keyboard: { text: string; request_location?: boolean }[][] }
          | undefined
      )?.keyboard;
      expect(keyboard?.[0]?.[0]).toEqual({ text: "📍 Envoyer ma position", request_location: true });
      expect(buttonTexts(call?.payload)).toEqual(
        expect.arrayContaining(["Centre-Sud", "Verdun", "🚇 Berri-UQAM", "⬅️ Menu", "🚨 Urgence"]),
      );
    });

    it("answers a shared location with the nearest sites and their distance", async () => {
      await bot.send(locationUpdate(ENGLISH, 45.5201, -73.5551));
      const text = bot.lastText(ENGLISH.id);
      expect(text).toContain("📍 <b>Near you</b>");
      expect(text.indexOf("The Day Place")).toBeLessThan(text.indexOf("The Night Watch"));
      expect(text).toContain("50 m");
      expect(text.indexOf("The Night Watch")).toBeLessThan(text.indexOf("Verdun Pharmacy"));
    });

    it("answers a neighbourhood or métro button without any GPS", async () => {
      await bot.send(textUpdate(FRENCH, "Verdun"), textUpdate(FRENCH, "🚇 Berri-UQAM"));
      const [verdun, berri] = bot.telegram.textsTo(FRENCH.id);
      expect(verdun).toContain("📍 <b>Près de Verdun</b>");
      expect(verdun?.indexOf("Pharmacie de Verdun")).toBeLessThan(verdun?.indexOf("Le Local de jour") ?? 0);
      expect(berri).toContain("📍 <b>Près de Berri-UQAM</b>");
    });
  });

  describe("site card", () => {
    it("shows type, address, status, the week's hours, special dates, material, phone, languages and check date", async () => {
      await bot.send(callbackUpdate(FRENCH, "site:day-site"));
      const call = bot.lastCall(FRENCH.id);
      const text = String(call?.payload.text);
      expect(text).toContain("<b>Le Local de jour</b>");
      expect(text).toContain("<i>Site fixe · Organisme A</i>");
      expect(text).toContain("📍 100, rue Ontario Est, Centre-Sud");
      expect(text).toContain("🟢 Ouvert jusqu'à 17 h");
      expect(text).toContain("mer. 18 nov. : 9 h à 17 h");
      expect(text).toContain("sam. 21 nov. : fermé");
      expect(text).toContain("ven. 27 nov. : fermé — Formation");
      expect(text).toContain("💳 Jours de chèque : 8 h à 20 h");
      expect(text).toContain("🧰 <b>Matériel</b> : Seringues, Naloxone");
      expect(text).toContain("📞 +1 514-555-0101");
      expect(text).toContain("🗣️ français, anglais");
      expect(text).toContain("✔️ Vérifié le 1er nov.");
      expect(callbackDatas(call?.payload)).toEqual(["pin:day-site"]);
    });

    it.each([
      ["Le Local de jour", "Le Local de jour"],
      ["local de jour", "Le Local de jour"],
      ["Day Place", "Le Local de jour"],
      ["veille de nuit", "La Veille de nuit"],
      ["Camionnette", "La Camionnette"],
      ["pharmacie de verdun", "Pharmacie de Verdun"],
    ])("finds the card of a site typed as people say it, article or not: %j", async (typed, title) => {
      await bot.send(textUpdate(FRENCH, typed));
      expect(bot.lastText(FRENCH.id)).toMatch(new RegExp(`^<b>${title}</b>\n`));
    });

    it("sends the map pin as a venue", async () => {
      await bot.send(callbackUpdate(ENGLISH, "pin:day-site"));
      expect(bot.lastCall(ENGLISH.id)).toMatchObject({
        method: "sendVenue",
        payload: {
          latitude: 45.52,
          longitude: -73.555,
          title: "The Day Place",
          address: "100, rue Ontario Est",
        },
      });
    });

    it("shows a mobile unit's approximate stops", async () => {
      await bot.send(callbackUpdate(ENGLISH, "site:van"));
      const text = bot.lastText(ENGLISH.id);
      expect(text).toContain("🚐 <b>Approximate stops</b>");
      expect(text).toContain("• Métro Papineau — 7 p.m.");
      expect(text).toContain("Fri, Nov 20: 19:00–22:00");
    });
  });
});
