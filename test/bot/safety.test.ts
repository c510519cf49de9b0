import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { registerBotProfile } from "../../src/bot/commands";
import { createTranslations } from "../../src/bot/i18n";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { replaceDirectory } from "../../src/directory/store";
import { DRIVERS, useDatabase } from "../support/database";
import { fixtureDirectory } from "../support/directory-fixture";
import { createFakeTelegram } from "../support/fake-telegram";
import { buttonTexts, createHarness, type Harness } from "../support/harness";
import {
  callbackUpdate,
  ENGLISH,
  FRENCH,
  groupCommandUpdate,
  locationUpdate,
  messageUpdate,
  type Person,
  textUpdate,
} from "../support/updates";

describe.each(DRIVERS)("emergency, language, bad input and privacy, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
  });

  describe("emergency", () => {
    it.each([
      [FRENCH, "/urgence"],
      [FRENCH, "🚨 Urgence"],
      [FRENCH, "je pense qu'il fait une surdose"],
      [FRENCH, "OD"],
    ])("shows 911 first, then naloxone, the Good Samaritan law and the lines (%#)", async (person, text) => {
      await bot.send(textUpdate(person, text));
      const message = bot.lastText(person.id);
      expect(message.startsWith("🚨 <b>Surdose? Appelle le 911 maintenant.</b>")).toBe(true);
      expect(message).toContain("naloxone");
      expect(message).toContain("Loi sur les bons samaritains");
      expect(message).toContain("• Info-Social 811 : 811");
      expect(bot.telegram.sentTo(person.id)).toHaveLength(1);
    });

    it("speaks English to an English speaker, even when the word is also a supply word", async () => {
      await bot.send(textUpdate(ENGLISH, "overdose need narcan"));
      const message = bot.lastText(ENGLISH.id);
      expect(message.startsWith("🚨 <b>Overdose? Call 911 now.</b>")).toBe(true);
      expect(message).toContain("Good Samaritan law");
      expect(bot.telegram.sentTo(ENGLISH.id)).toHaveLength(1);
    });

    it("takes the emergency number from the directory, not from the code", async () => {
      await replaceDirectory(
        database.db,
        fixtureDirectory((input) => {
          input.meta.emergency_number = "112";
        }),
      );
      await bot.send(textUpdate(ENGLISH, "/emergency"));
      expect(bot.lastText(ENGLISH.id)).toContain("Call 112 now");
    });
  });

  describe("language", () => {
    const person: Person = { id: 2_000_001, languageCode: "fr" };

    it("switches to English with a button, keeps it, and goes back to automatic", async () => {
      await bot.send(textUpdate(person, "/langue"));
      expect(buttonTexts(bot.lastCall(person.id)?.payload)).toEqual([
        "Français",
        "English",
        "Automatique (langue de Telegram)",
      ]);
      await bot.send(callbackUpdate(person, "lang:en"));
      expect(bot.lastText(person.id)).toBe("✅ Done, we'll go on in English.");
      await bot.send(textUpdate(person, "/start"));
      expect(bot.lastText(person.id)).toContain("Hi, this is Perche");
      // The old French keyboard still works after the switch.
      await bot.send(textUpdate(person, "🚨 Urgence"));
      expect(bot.lastText(person.id)).toContain("Call 911 now");
      await bot.send(callbackUpdate(person, "lang:auto"));
      expect(bot.lastText(person.id)).toContain("je suis la langue de ton Telegram");
      const rows = await database.db.execute(sql`select count(*)::int as n from language_choices`);
      const count = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows)[0] as { n: number };
      expect(count.n).toBe(0);
    });

    it("answers /language in both languages", async () => {
      await bot.send(textUpdate(ENGLISH, "/language"));
      expect(bot.lastText(ENGLISH.id)).toBe("🌐 Choose your language / Choisis ta langue");
    });
  });

  describe("anything else gets a short friendly answer and the menu", () => {
    it.each([
      [
        "a sticker",
        {
          sticker: {
            file_id: "s",
            file_unique_id: "s",
            type: "regular",
            width: 1,
            height: 1,
            is_animated: false,
            is_video: false,
          },
        },
      ],
      ["a contact", { contact: { phone_number: "+15145550199", first_name: "Someone" } }],
      ["a document", { document: { file_id: "d", file_unique_id: "d" } }],
    ])("%s", async (_, extra) => {
      await bot.send(messageUpdate(FRENCH, extra));
      const call = bot.lastCall(FRENCH.id);
      expect(call?.payload.text).toBe("Je lis seulement le texte et les boutons. Voici le menu 👇");
      expect(buttonTexts(call?.payload)).toContain("🚨 Urgence");
    });

    it.each([
      ["a photo", { photo: [{ file_id: "p", file_unique_id: "p", width: 1, height: 1 }] }],
      ["a voice note", { voice: { file_id: "v", file_unique_id: "v", duration: 3 } }],
    ])("%s from someone with no request gets an offer to pass it to a worker", async (_, extra) => {
      await bot.send(messageUpdate(FRENCH, extra));
      const call = bot.lastCall(FRENCH.id);
      expect(call?.payload.text).toBe(
        "Je ne peux pas écouter ni regarder ça, mais un·e intervenant·e peut. Veux-tu que je lui passe, sans dire qui tu es?",
      );
      expect(buttonTexts(call?.payload)).toEqual(["💬 Oui, le passer"]);
    });

    it.each([
      ["4,096 characters ending in emoji", `${"x".repeat(4094)}😀`],
      ["only emoji", "😀😀😀"],
      ["HTML and Markdown characters", "<b>zzz</b> *_[x](tg://user?id=1)_*"],
      [
        "NUL, lone surrogates, right-to-left and zero-width floods",
        `a\u0000b\ud800c\u202e${"\u200b".repeat(1000)}`,
      ],
      ["an unknown command", "/frobnicate"],
    ])("%s", async (_, text) => {
      await bot.send(textUpdate(FRENCH, text));
      const texts = bot.telegram.textsTo(FRENCH.id);
      expect(texts[0]).toContain("Je n'ai pas trouvé ça.");
      expect(texts[0]).toContain("911");
      // One message: what to try, the menu and the emergency line; no second picker.
      expect(texts).toHaveLength(1);
    });

    it("finds naloxone inside HTML without echoing the markup", async () => {
      await bot.send(textUpdate(FRENCH, "<script>naloxone</script>"));
      const text = bot.lastText(FRENCH.id);
      expect(text).toContain("<b>Naloxone</b>");
      expect(text).not.toContain("<script>");
    });

    it.each(["junk", "site:", `mat:${"a".repeat(40)}:9999`, "x".repeat(64), "lang:de"])(
      "a forged button (%s)",
      async (data) => {
        await bot.send(callbackUpdate(FRENCH, data));
        expect(bot.telegram.calls.find((c) => c.method === "answerCallbackQuery")?.payload.text).toBe(
          "Ce bouton n'est plus à jour. Voici le menu 👇",
        );
        expect(bot.lastText(FRENCH.id)).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");
      },
    );

    it("an old site button after the directory changed", async () => {
      await replaceDirectory(
        database.db,
        fixtureDirectory((input) => {
          input.sites = input.sites.filter((s) => s.id !== "van");
        }),
      );
      await bot.send(callbackUpdate(ENGLISH, "site:van"), callbackUpdate(ENGLISH, "pin:van"));
      expect(bot.telegram.textsTo(ENGLISH.id)).toEqual([
        "This site is no longer in the directory. Here is the menu 👇",
        "This site is no longer in the directory. Here is the menu 👇",
      ]);
    });

    it("the same update twice gets one answer per delivery and breaks nothing", async () => {
      const update = textUpdate(FRENCH, "naloxone");
      await bot.send(update, update);
      expect(bot.telegram.textsTo(FRENCH.id)).toHaveLength(2);
    });
  });

  describe("groups and other chats", () => {
    it("answers a command in a group only with a pointer to the private chat", async () => {
      await bot.send(groupCommandUpdate(FRENCH, "/start"));
      const sent = bot.telegram.calls.filter((c) => c.method === "sendMessage");
      expect(sent).toHaveLength(1);
      expect(sent[0]?.payload).toMatchObject({
        chat_id: -100123,
        text: expect.stringContaining("@PercheTestBot"),
      });
    });

    it("shows the emergency card in a group too: it reveals nothing about anyone", async () => {
      await bot.send(groupCommandUpdate(ENGLISH, "/emergency"));
      const sent = bot.telegram.calls.filter((c) => c.method === "sendMessage");
      expect(sent).toHaveLength(1);
      expect(sent[0]?.payload).toMatchObject({
        chat_id: -100123,
        text: expect.stringContaining("Call 911 now"),
      });
    });

    it("stays quiet on channel posts, edits and unknown update kinds", async () => {
      await bot.send(
        {
          update_id: 9_000_001,
          channel_post: {
            message_id: 1,
            date: 1,
            chat: { id: -1001, type: "channel", title: "c" },
            text: "naloxone",
          },
        },
        {
          update_id: 9_000_002,
          edited_message: {
            message_id: 1,
            date: 1,
            edit_date: 2,
            chat: { id: FRENCH.id, type: "private", first_name: "x" },
            text: "naloxone",
          },
        } as never,
        { update_id: 9_000_003, some_future_update: {} } as never,
      );
      expect(bot.telegram.calls.filter((c) => c.method.startsWith("send"))).toHaveLength(0);
    });
  });

  describe("when something breaks", () => {
    it("answers an error with a kind message and the emergency number, and logs no text", async () => {
      bot.telegram.failNext("sendMessage", 400, "Bad Request: can't parse entities");
      await bot.send(textUpdate(FRENCH, "naloxone"));
      expect(bot.lastText(FRENCH.id)).toContain("Oups, ça n'a pas marché de mon côté");
      expect(bot.lastText(FRENCH.id)).toContain("appelle le 911");
      expect(bot.logs.join("\n")).toContain("update failed");
    });

    it("logs neither the pseudonym nor the query when the database fails", async () => {
      const own = await open();
      const local = await createHarness(own);
      await local.send(textUpdate(FRENCH, "naloxone"));
      await own.close();
      await local.send(callbackUpdate(FRENCH, "lang:en"));
      const logs = local.logs.join("\n");
      expect(logs).toContain("update failed");
      const { pseudonymFor } = await import("../../src/privacy/pseudonym");
      expect(logs).not.toContain(pseudonymFor(local.deps.pseudonymKey, FRENCH.id));
      expect(logs).not.toContain(String(FRENCH.id));
      expect(logs).not.toMatch(/insert into|params/i);
    });

    it("still shows the emergency card with the database down", async () => {
      const own = await open();
      const local = await createHarness(own);
      await local.send(textUpdate(FRENCH, "naloxone"));
      await own.close();
      await local.send(textUpdate(FRENCH, "surdose"));
      expect(local.lastText(FRENCH.id)).toContain("Appelle le 911 maintenant");
      expect(local.lastText(FRENCH.id)).toContain("Info-Social 811");
      await local.send(textUpdate(FRENCH, "naloxone"));
      expect(local.lastText(FRENCH.id)).toContain("Oups");
    });
  });

  describe("privacy", () => {
    it("keeps no Telegram id, name or username, no location and no message text in the database or the logs", async () => {
      const person: Person = {
        id: 7_123_456_789,
        languageCode: "en",
        firstName: "Zephyrine",
        username: "zephyrine_canary",
      };
      await bot.send(
        textUpdate(person, "/start"),
        textUpdate(person, "canary-text-naloxone"),
        locationUpdate(person, 45.512345, -73.554321),
        callbackUpdate(person, "lang:fr"),
        textUpdate(person, "Verdun"),
      );
      const tables = ["language_choices", "sites", "stock_outs", "directory_info", "stat_counters"];
      let dump = "";
      for (const table of tables) {
        const result = await database.db.execute(sql.raw(`select * from ${table}`));
        dump += JSON.stringify(rowsOf(result));
      }
      const logs = bot.logs.join("\n");
      for (const secret of [
        "7123456789",
        "Zephyrine",
        "zephyrine_canary",
        "canary-text",
        "45.512345",
        "-73.554321",
      ]) {
        expect(dump).not.toContain(secret);
        expect(logs).not.toContain(secret);
      }
      expect(dump).toContain("fr");
    });

    it("never forwards: every message is sent fresh", async () => {
      await bot.send(textUpdate(FRENCH, "/start"), textUpdate(FRENCH, "naloxone"));
      expect(bot.telegram.calls.some((c) => /forward/i.test(c.method))).toBe(false);
    });
  });
});

describe("bot profile", () => {
  it("registers commands and descriptions in French, in English, and by default in French", async () => {
    const telegram = createFakeTelegram();
    const { Api } = await import("grammy");
    const api = new Api("1:x", { fetch: telegram.fetch });
    await registerBotProfile(api, createTranslations(), "fr");
    const commands = telegram.calls.filter((c) => c.method === "setMyCommands");
    expect(commands.map((c) => c.payload.language_code)).toEqual(["fr", "en", undefined]);
    const names = (i: number) =>
      ((commands[i]?.payload.commands ?? []) as { command: string }[]).map((c) => c.command);
    expect(names(0)).toEqual([
      "start",
      "urgence",
      "materiel",
      "ouvert",
      "pres",
      "parler",
      "mademande",
      "annuler",
      "langue",
      "aide",
      "confidentialite",
      "alertes",
      "oublier",
    ]);
    expect(names(1)).toEqual([
      "start",
      "emergency",
      "supplies",
      "open",
      "near",
      "talk",
      "myrequest",
      "cancel",
      "language",
      "help",
      "privacy",
      "alerts",
      "forget",
    ]);
    expect(names(2)).toEqual(names(0));
    const descriptions = telegram.calls.filter((c) => c.method === "setMyShortDescription");
    expect(descriptions.map((c) => c.payload.language_code)).toEqual(["fr", "en", undefined]);
    for (const d of descriptions) expect(String(d.payload.short_description).length).toBeLessThanOrEqual(120);
  });
});
