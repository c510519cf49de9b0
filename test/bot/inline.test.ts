import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { stockOuts } from "../../src/db/schema";
import { DRIVERS, useDatabase } from "../support/database";
import { WEDNESDAY_11PM } from "../support/directory-fixture";
import { createHarness, type Harness } from "../support/harness";
import { callbackUpdate, ENGLISH, FRENCH, inlineQueryUpdate, textUpdate } from "../support/updates";

type Article = {
  type: string;
  id: string;
  title: string;
  description: string;
  input_message_content: { message_text: string; parse_mode: string };
  reply_markup: { inline_keyboard: { text: string; url: string }[][] };
};
type Answer = {
  results: Article[];
  cache_time: number;
  is_personal: boolean;
  next_offset: string;
  button: { text: string; start_parameter: string };
};

describe.each(DRIVERS)("sharing site cards in any chat (inline mode), on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    await database.db.delete(stockOuts);
    bot = await createHarness(database);
  });

  const answer = (): Answer => {
    const calls = bot.telegram.calls.filter((c) => c.method === "answerInlineQuery");
    return calls[calls.length - 1]?.payload as unknown as Answer;
  };

  it("offers every site with naloxone as a card, in French, with no 'open now'", async () => {
    await bot.send(inlineQueryUpdate(FRENCH, "naloxone"));
    const { results, cache_time, is_personal, button } = answer();
    expect(results.map((r) => r.id).sort()).toEqual(["day-site", "night-site", "verdun-pharmacy"]);
    expect(cache_time).toBeLessThanOrEqual(60);
    expect(is_personal).toBe(true);
    expect(button).toEqual({ text: "Plus de choix dans Perche", start_parameter: "inline" });

    const day = results.find((r) => r.id === "day-site") as Article;
    expect(day.title).toBe("Le Local de jour");
    expect(day.description).toBe("Site fixe · Centre-Sud");
    const text = day.input_message_content.message_text;
    expect(day.input_message_content.parse_mode).toBe("HTML");
    expect(text).toContain("<b>Le Local de jour</b>");
    expect(text).toContain("📍 100, rue Ontario Est, Centre-Sud");
    expect(text).toContain("mer. 18 nov. : 9 h à 17 h");
    expect(text).toContain("Naloxone");
    expect(text).toContain("📞 +1 514-555-0101");
    expect(text).toContain("Infos du 18 nov., 14 h : vérifie avant d'y aller.");
    // A shared card goes stale: it gives the hours, never whether the site is open right now.
    expect(text).not.toMatch(/[Oo]uvert|[Ff]ermé pour l'instant|jusqu'à/);
    expect(day.reply_markup.inline_keyboard[0]).toEqual([
      {
        text: "🗺️ Carte",
        url: "https://www.openstreetmap.org/?mlat=45.52000&mlon=-73.55500#map=17/45.52000/-73.55500",
      },
      { text: "🤖 Ouvrir dans Perche", url: "https://t.me/PercheTestBot?start=site-day-site" },
    ]);
  });

  it("answers in English for an English speaker, and by a site's name", async () => {
    await bot.send(inlineQueryUpdate(ENGLISH, "night wa"));
    const [first] = answer().results;
    expect(first?.id).toBe("night-site");
    expect(first?.title).toBe("The Night Watch");
    expect(first?.input_message_content.message_text).toContain("Information as of Nov 18, 14:00");
    expect(first?.reply_markup.inline_keyboard[0]?.map((b) => b.text)).toEqual([
      "🗺️ Map",
      "🤖 Open in Perche",
    ]);
  });

  it("follows the language the person chose in the bot over Telegram's", async () => {
    await bot.send(callbackUpdate(ENGLISH, "lang:fr"));
    await bot.send(inlineQueryUpdate(ENGLISH, "naloxone"));
    expect(answer().results.find((r) => r.id === "day-site")?.title).toBe("Le Local de jour");
    await bot.send(callbackUpdate(ENGLISH, "lang:auto"));
  });

  it("gives the sites around a neighbourhood", async () => {
    await bot.send(inlineQueryUpdate(FRENCH, "Verdun"));
    expect(answer().results[0]?.id).toBe("verdun-pharmacy");
  });

  it("shows a stock-out with its time on the shared card", async () => {
    await database.db
      .insert(stockOuts)
      .values({ siteId: "day-site", materialId: "naloxone", since: new Date("2026-11-18T18:10:00Z") });
    bot = await createHarness(database);
    await bot.send(inlineQueryUpdate(FRENCH, "naloxone"));
    const day = answer().results.find((r) => r.id === "day-site");
    expect(day?.input_message_content.message_text).toContain("Naloxone (⚠️ rupture depuis 13 h 10)");
  });

  it("lists every site (but not the crisis lines) for an empty query, and nothing for nonsense", async () => {
    await bot.send(inlineQueryUpdate(FRENCH, ""));
    expect(answer().results.map((r) => r.id)).toEqual(["van", "night-site", "day-site", "verdun-pharmacy"]);
    await bot.send(inlineQueryUpdate(FRENCH, "zzzqqq"));
    expect(answer().results).toEqual([]);
    expect(answer().button.text).toBe("Rien trouvé : cherche dans Perche");
  });

  it("pages long answers and treats a forged offset as the start", async () => {
    await bot.send(inlineQueryUpdate(FRENCH, "", "3"));
    expect(answer().results.map((r) => r.id)).toEqual(["verdun-pharmacy"]);
    expect(answer().next_offset).toBe("");
    await bot.send(inlineQueryUpdate(FRENCH, "", "-1'; drop table sites"));
    expect(answer().results).toHaveLength(4);
  });

  it("gives the mobile unit's first stop as its map pin", async () => {
    await bot.send(inlineQueryUpdate(FRENCH, "camionnette"));
    const van = answer().results.find((r) => r.id === "van");
    expect(van?.reply_markup.inline_keyboard[0]?.[0]?.url).toContain("mlat=45.52370&mlon=-73.55230");
  });

  it("answers a huge or hostile query without breaking, and never logs it", async () => {
    bot.setNow(WEDNESDAY_11PM);
    await bot.send(inlineQueryUpdate(FRENCH, `<b>naloxone</b> ${"x".repeat(250)}`));
    expect(bot.telegram.calls.filter((c) => c.method === "answerInlineQuery")).toHaveLength(1);
    expect(bot.logs.join("\n")).not.toContain("xxxxxxxx");
  });

  it("escapes directory text in the shared card", async () => {
    await bot.send(inlineQueryUpdate(FRENCH, "Le Local"));
    const text = answer().results[0]?.input_message_content.message_text ?? "";
    expect(text).toContain("Entre sans rendez-vous.");
    expect(text).not.toContain("<script");
  });

  it("tells people about sharing in /aide", async () => {
    await bot.send(textUpdate(FRENCH, "/aide"));
    expect(bot.lastText(FRENCH.id)).toContain(
      "dans n'importe quelle conversation, écris @PercheTestBot suivi d'un mot",
    );
  });

  it("puts what to do in an overdose first when the query says overdose", async () => {
    await bot.send(inlineQueryUpdate(FRENCH, "surdose"));
    const [first] = answer().results;
    expect(first?.id).toBe("emergency");
    expect(first?.title).toBe("🚨 Surdose : appelle le 911");
    expect(first?.input_message_content.message_text).toContain("911");
    await bot.send(inlineQueryUpdate(ENGLISH, "overdose naloxone"));
    expect(answer().results[0]?.title).toBe("🚨 Overdose: call 911");
    expect(answer().results.length).toBeGreaterThan(1);
  });
});
