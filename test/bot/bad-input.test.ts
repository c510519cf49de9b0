import { eq, sql } from "drizzle-orm";
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { members, requests } from "../../src/db/schema";
import { createInvitation, listMembers } from "../../src/features/members/queries";
import { FLOOD_PER_MINUTE } from "../../src/features/requests/relay";
import { pseudonymFor } from "../../src/privacy/pseudonym";
import { ALLOWED_UPDATES } from "../../src/run/allowed-updates";
import { wellFormed } from "../../src/text/split";
import { DRIVERS, useDatabase } from "../support/database";
import { buttonTexts, callbackDatas, createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { refusedByTelegram } from "../support/telegram-limits";
import { callbackUpdate, messageUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Part 4, bad input: each case says what the person sees (in their language), checks that nothing is
 * lost, and that nothing about them reaches the logs. Cases already covered elsewhere are named in
 * comments rather than repeated (safety, requests and team tests).
 */
const LIMIT = 4096;
/** The words back from the pieces of a split relay: the name before them dropped, the cut marks too. */
const unsplit = (copies: string[]) =>
  copies
    .join("")
    .replace(/^[^:]* : /, "")
    .replaceAll("…", "");
const hasLoneSurrogate = (text: string) => /\p{Cs}/u.test(text);

describe.each(DRIVERS)("bad input, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 9_100_000;
  const person = (languageCode = "fr"): Person => ({
    id: nextId++,
    languageCode,
    firstName: "Perdrix",
    username: `perdrix_${nextId}`,
  });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
  });

  /** Whatever a test did, no person's id, name or username, and no canary text, reached the logs. */
  const secrets: string[] = [];
  afterEach(() => {
    // Nothing the bot sent would be refused by the real Telegram (a refusal is a message lost).
    expect(refusedByTelegram(bot.telegram.calls)).toEqual([]);
    const logs = bot.logs.join("\n");
    for (const secret of secrets.splice(0)) expect(logs).not.toContain(secret);
  });
  const watch = (someone: Person, ...texts: string[]) => {
    secrets.push(String(someone.id), someone.username ?? "", "Perdrix", ...texts);
    secrets.push(pseudonymFor(bot.deps.pseudonymKey, someone.id));
    return someone;
  };

  async function worker(alias: string, languageCode = "fr", organisationId = "org-a"): Promise<Person> {
    const someone = await joinTeam(bot, database, person(languageCode), alias, {
      onCall: true,
      organisationId,
    });
    bot.telegram.clear();
    return someone;
  }

  async function ask(someone: Person, words = "Besoin de parler ce soir") {
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:housing"),
      textUpdate(someone, words),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:area:centre-sud"),
      callbackUpdate(someone, "f:send"),
    );
    const [request] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.personPseudonym, pseudonymFor(bot.deps.pseudonymKey, someone.id)));
    if (!request) throw new Error("no request");
    return request;
  }

  async function askAndClaim(holder: Person, someone: Person) {
    const request = await ask(someone);
    await bot.deliver();
    await bot.send(callbackUpdate(holder, `rq:claim:${request.id}`));
    await bot.deliver();
    bot.telegram.clear();
    return request;
  }

  /** Every text (message or caption) a chat received since the last clear. */
  const received = (chatId: number) =>
    bot.telegram.sentTo(chatId).map((c) => String(c.payload.text ?? c.payload.caption ?? ""));

  describe("the same update twice", () => {
    // In sequence: safety.test.ts (a lookup) and requests.test.ts ("relays a redelivered message once",
    // "makes one request when the same 'send' is handled twice").
    it("relays a message delivered twice at the same moment once, and answers a lookup each time", async () => {
      const marc = await worker("Marc");
      const someone = watch(person(), "deux fois en même temps");
      await askAndClaim(marc, someone);
      const update = textUpdate(someone, "deux fois en même temps");
      await Promise.all([bot.bot.handleUpdate(update), bot.bot.handleUpdate(update)]);
      await bot.deliver();
      expect(received(marc.id).filter((t) => t.endsWith("deux fois en même temps"))).toHaveLength(1);

      const lookup = textUpdate(someone, "/materiel");
      await Promise.all([bot.bot.handleUpdate(lookup), bot.bot.handleUpdate(lookup)]);
      expect(received(someone.id).filter((t) => t === "🧰 Quel matériel cherches-tu?")).toHaveLength(2);
      expect(bot.logs.join("\n")).not.toContain("update failed");
    });

    it("claims once when the same claim arrives twice at once", async () => {
      const marc = await worker("Marc");
      const request = await ask(watch(person()));
      await bot.deliver();
      const tap = callbackUpdate(marc, `rq:claim:${request.id}`);
      await Promise.all([bot.bot.handleUpdate(tap), bot.bot.handleUpdate(tap)]);
      await bot.deliver();
      const claimedLines = bot.telegram.calls.filter((c) =>
        String(c.payload.text ?? "").startsWith("🙋 Marc a pris ta demande"),
      );
      expect(claimedLines).toHaveLength(1);
      const toasts = bot.telegram.calls
        .filter((c) => c.method === "answerCallbackQuery")
        .map((c) => String(c.payload.text ?? ""));
      expect(toasts.some((t) => t.startsWith("Déjà prise"))).toBe(false);
    });
  });

  describe("4,096 and 4,097 characters with an emoji at the edge", () => {
    const edge = (length: number) => `${"a".repeat(length - 2)}😀`;

    it.each([
      ["fr", 4096, "Je n'ai pas trouvé ça."],
      ["fr", 4097, "Je n'ai pas trouvé ça."],
      ["en", 4097, "I didn't find that."],
    ])("as a lookup (%s, %i)", async (language, length, answer) => {
      const someone = watch(person(language));
      await bot.send(textUpdate(someone, edge(length)));
      expect(received(someone.id)[0]).toContain(answer);
    });

    it.each([4096, 4097])(
      "relayed to a worker (%i): split within the limit, no emoji cut in half, nothing lost",
      async (length) => {
        const marc = await worker("Marc");
        const someone = watch(person());
        await askAndClaim(marc, someone);
        const text = edge(length);
        await bot.send(textUpdate(someone, text));
        await bot.deliver();
        const copies = bot.telegram.sentTo(marc.id).map((c) => String(c.payload.text));
        expect(copies.length).toBeGreaterThanOrEqual(2);
        for (const copy of copies) {
          expect(copy.length).toBeLessThanOrEqual(LIMIT);
          expect(hasLoneSurrogate(copy)).toBe(false);
        }
        // Every piece of the person's words arrives, in order; the cut is marked.
        expect(unsplit(copies)).toBe(text);
        expect(copies[0]?.endsWith("…")).toBe(true);
        expect(received(someone.id)).toEqual([]);
      },
    );

    it("relays a worker's 4,096 characters to the person the same way", async () => {
      const marc = await worker("Marc");
      const someone = watch(person());
      await askAndClaim(marc, someone);
      await bot.send(textUpdate(marc, edge(4096)));
      await bot.deliver();
      const copies = received(someone.id);
      expect(copies.length).toBe(2);
      for (const copy of copies) {
        expect(copy.length).toBeLessThanOrEqual(LIMIT);
        expect(hasLoneSurrogate(copy)).toBe(false);
      }
      expect(unsplit(copies)).toBe(edge(4096));
    });
  });

  describe("markup, links, control and invisible characters", () => {
    it.each([
      ["HTML", "<b>gras</b> <a href='tg://user?id=1000001'>moi</a> &amp; </i>"],
      ["MarkdownV2", "*gras* _it_ [lien](tg://user?id=1000001) `code` ||spoiler|| \\"],
      ["NUL and lone surrogates", "a\u0000b\ud800c\udfffd"],
      ["right-to-left and zero-width floods", `\u202e${"\u200b\u200d\u2066".repeat(500)}fin`],
    ])("%s crosses the relay as inert plain text, both ways", async (_, text) => {
      const marc = await worker("Marc");
      const someone = watch(person(), text);
      await askAndClaim(marc, someone);
      await bot.send(textUpdate(someone, text), textUpdate(marc, text));
      await bot.deliver();
      for (const [chat, prefix] of [
        [marc.id, " : "],
        [someone.id, "Marc : "],
      ] as const) {
        const [copy] = bot.telegram.sentTo(chat);
        expect(copy?.payload.parse_mode).toBeUndefined();
        expect(copy?.payload.entities).toBeUndefined();
        expect(String(copy?.payload.text)).toContain(`${prefix}${wellFormed(text)}`);
        expect(hasLoneSurrogate(String(copy?.payload.text))).toBe(false);
      }
    });

    it("markup in the history handed to a colleague is escaped once: they read exactly what was written", async () => {
      const marc = await worker("Marc");
      const lea = await worker("Léa");
      const someone = watch(person());
      const request = await askAndClaim(marc, someone);
      const words = `Tom & "Jerry" <3 <b>`;
      await bot.send(textUpdate(someone, words));
      await bot.send(callbackUpdate(marc, `rq:hand:${request.id}`));
      const handTo = callbackDatas(bot.lastCall(marc.id)?.payload)[0] ?? "";
      expect(handTo).toMatch(new RegExp(`^rq:to:${request.id}:\\d+$`));
      await bot.send(callbackUpdate(marc, handTo));
      await bot.deliver();
      const handed = bot.telegram.sentTo(lea.id).find((c) => String(c.payload.text).includes("Tom"));
      expect(handed?.payload.parse_mode).toBe("HTML");
      expect(String(handed?.payload.text)).toContain(" : Tom &amp; &quot;Jerry&quot; &lt;3 &lt;b&gt;");
      expect(String(handed?.payload.text)).not.toContain("&amp;amp;");
    });

    it("an alias with & and quotes reads as typed everywhere it shows, plain or HTML", async () => {
      const jo = await worker(`Jo & "Lu"`);
      const lea = await worker("Léa");
      const someone = watch(person());
      const request = await ask(someone);
      await bot.deliver();
      await bot.send(callbackUpdate(jo, `rq:claim:${request.id}`));
      await bot.deliver();
      await bot.send(textUpdate(jo, "salut"));
      await bot.deliver();
      expect(received(someone.id).slice(-2)).toEqual([
        `🙋 Jo & "Lu" a pris ta demande. Tu peux lui écrire ici.`,
        `Jo & "Lu" : salut`,
      ]);
      const takenBy = bot.telegram.calls.find(
        (c) => c.method === "editMessageReplyMarkup" && c.payload.chat_id === lea.id,
      );
      expect(JSON.stringify(takenBy?.payload.reply_markup)).toContain(`Prise par Jo & \\"Lu\\"`);
      await bot.send(textUpdate(someone, "/mademande"));
      const mine = bot.lastCall(someone.id);
      expect(mine?.payload.parse_mode).toBe("HTML");
      expect(String(mine?.payload.text)).toContain("Jo &amp; &quot;Lu&quot;");
    });

    it("a peer's alias with & in a backup call reads once-escaped in the history handed on", async () => {
      const marc = await worker("Marc");
      const lea = await worker("Léa");
      const peer = watch(await joinTeam(bot, database, person(), "Jo & Lu", { role: "peer" }));
      await bot.send(textUpdate(peer, "/renfort"));
      const [backup] = await database.db.select().from(requests).where(eq(requests.category, "backup"));
      await bot.deliver();
      await bot.send(
        callbackUpdate(marc, `rq:claim:${backup?.id}`),
        callbackUpdate(marc, `rq:hand:${backup?.id}`),
      );
      await bot.send(callbackUpdate(marc, callbackDatas(bot.lastCall(marc.id)?.payload)[0] ?? ""));
      await bot.deliver();
      const handed = bot.telegram.sentTo(lea.id).find((c) => String(c.payload.text).startsWith("🤝"));
      expect(String(handed?.payload.text)).toContain("Jo &amp; Lu");
      expect(String(handed?.payload.text)).not.toContain("&amp;amp;");
    });

    it("strips text links and mentions of users from a relayed message", async () => {
      const marc = await worker("Marc");
      const someone = watch(person());
      await askAndClaim(marc, someone);
      await bot.send(
        messageUpdate(someone, {
          text: "écris à mon ami",
          entities: [
            { type: "text_link", offset: 0, length: 6, url: "tg://user?id=5550001" },
            {
              type: "text_mention",
              offset: 10,
              length: 5,
              user: { id: 5550002, is_bot: false, first_name: "Ami" },
            },
          ],
        }),
      );
      await bot.deliver();
      const [copy] = bot.telegram.sentTo(marc.id);
      expect(copy?.payload.text).toMatch(/ : écris à mon ami$/);
      expect(copy?.payload.entities).toBeUndefined();
      expect(JSON.stringify(copy?.payload)).not.toMatch(/5550001|5550002|tg:\/\//);
    });

    it("keeps words with NUL bytes and lone surrogates in a request, sealed, and shows them to the worker", async () => {
      const marc = await worker("Marc");
      const words = "besoin\u0000 d'aide\ud800 ce soir";
      const someone = watch(person(), "besoin");
      await ask(someone, words);
      await bot.deliver();
      const notice = received(marc.id).find((t) => t.startsWith("🆕"));
      expect(notice).toContain("besoin");
      expect(notice).toContain("ce soir");
      expect(hasLoneSurrogate(notice ?? "")).toBe(false);
    });

    it("refuses an alias made only of invisible characters, and takes a good one", async () => {
      const someone = watch(person());
      const code = await createInvitation(database.db, {
        organisationId: "org-a",
        role: "worker",
        expiresAt: new Date("2026-12-01T00:00:00Z"),
      });
      await bot.send(
        textUpdate(someone, `/start inv-${code}`),
        textUpdate(someone, "\u0000\u200b\u202e\ud800"),
        textUpdate(someone, "Nuit\u0000\u202e"),
      );
      const texts = received(someone.id);
      expect(texts[1]).toBe("Un nom de 1 à 40 caractères, sans @ ni lien, s'il te plaît.");
      expect(texts[2]).toContain("C'est fait, Nuit.");
    });
  });

  describe("inside the request flow and the joining dialogue", () => {
    it("words of 4,096 characters with an emoji at the cut: shortened, said so, never half an emoji", async () => {
      const marc = await worker("Marc");
      const someone = watch(person());
      // The flow keeps 2,000 characters: the emoji sits across that cut.
      await ask(someone, `${"b".repeat(1999)}😀${"c".repeat(2095)}`);
      expect(received(someone.id)).toContainEqual(expect.stringContaining("2000"));
      await bot.deliver();
      const notice = received(marc.id).find((t) => t.startsWith("🆕")) ?? "";
      expect(notice).toContain("b".repeat(1999));
      expect(notice).not.toContain("cc");
      expect(hasLoneSurrogate(notice)).toBe(false);
    });

    it("markup in a request's words reaches the worker's notice escaped, never as formatting", async () => {
      const marc = await worker("Marc");
      await ask(watch(person()), '<b>fort</b> & <a href="tg://user?id=5550010">lien</a>');
      await bot.deliver();
      const notice = bot.telegram.sentTo(marc.id).find((c) => String(c.payload.text).startsWith("🆕"));
      expect(notice?.payload.parse_mode).toBe("HTML");
      expect(String(notice?.payload.text)).toContain(
        "&lt;b&gt;fort&lt;/b&gt; &amp; &lt;a href=&quot;tg://user?id=5550010&quot;&gt;lien&lt;/a&gt;",
      );
    });

    it("a sticker or a location where words are expected gets a plain 'use the buttons' and the flow goes on", async () => {
      // A team takes requests (with none, the dialogue says so and stops at its first step).
      await worker("Marc");
      const someone = watch(person("en"), "45.5");
      await bot.send(textUpdate(someone, "/talk"), callbackUpdate(someone, "f:cat:housing"));
      await bot.send(
        messageUpdate(someone, {
          sticker: {
            file_id: "s",
            file_unique_id: "s",
            type: "regular",
            width: 1,
            height: 1,
            is_animated: false,
            is_video: false,
          },
        }),
        messageUpdate(someone, { location: { latitude: 45.5, longitude: -73.6 } }),
      );
      const texts = received(someone.id);
      expect(texts.slice(-2)).toEqual([expect.stringMatching(/button/i), expect.stringMatching(/button/i)]);
      await bot.send(textUpdate(someone, "my words after all"), callbackUpdate(someone, "f:ans:chat"));
      expect(bot.lastText(someone.id)).not.toMatch(/button/i);
    });

    it("a photo or a sticker where the alias is expected asks again for a name", async () => {
      const someone = watch(person());
      const code = await createInvitation(database.db, {
        organisationId: "org-a",
        role: "worker",
        expiresAt: new Date("2026-12-01T00:00:00Z"),
      });
      await bot.send(
        textUpdate(someone, `/start inv-${code}`),
        messageUpdate(someone, { photo: [{ file_id: "p", file_unique_id: "p", width: 1, height: 1 }] }),
      );
      expect(bot.lastText(someone.id)).toBe("Un nom de 1 à 40 caractères, sans @ ni lien, s'il te plaît.");
      await bot.send(textUpdate(someone, "Jour"));
      expect(bot.lastText(someone.id)).toContain("C'est fait, Jour.");
    });
  });

  describe("/start payloads", () => {
    it.each([
      ["empty", "/start "],
      ["too long", `/start ${"a".repeat(200)}`],
      ["invalid characters", "/start <script>alert(1)</script>"],
      ["an unknown kind", "/start promo-2026"],
      ["a site with a bad id", "/start site-../../etc"],
    ])("%s: the welcome and the menu", async (_, text) => {
      const someone = watch(person());
      await bot.send(textUpdate(someone, text));
      const call = bot.lastCall(someone.id);
      expect(String(call?.payload.text)).toContain("Perche");
      expect(buttonTexts(call?.payload)).toContain("🚨 Urgence");
      expect(bot.telegram.sentTo(someone.id)).toHaveLength(1);
    });

    it.each([
      ["an empty invitation", "/start inv-", "fr"],
      ["a too long invitation", `/start inv-${"A".repeat(61)}`, "fr"],
      ["an invitation with markup", "/start inv-<b>x</b>", "en"],
    ])("%s", async (_, text, language) => {
      const someone = watch(person(language));
      await bot.send(textUpdate(someone, text));
      const last = bot.lastText(someone.id);
      expect(
        last.includes("Perche") ||
          last.startsWith("Ce lien d'invitation n'existe pas") ||
          last.startsWith("This invitation link does not exist"),
      ).toBe(true);
      expect(last).not.toContain("<b>x</b>");
    });

    it("a payload followed by another command on a new line: only the welcome", async () => {
      const someone = watch(person());
      await bot.send(textUpdate(someone, "/start site-day-site\n/oublier"));
      expect(received(someone.id)).toEqual([expect.stringContaining("Perche")]);
    });

    it.each([
      ["an unknown language", "zz-ZZ"],
      ["an empty language", ""],
      ["a very long language tag", `fr-${"x".repeat(300)}`],
    ])("%s from Telegram: answered in French, the default", async (_, languageCode) => {
      const someone = watch({ ...person(), languageCode });
      await bot.send(textUpdate(someone, "/start"));
      expect(bot.lastText(someone.id)).toContain("Salut");
    });

    it("an unknown site: says it is gone, then the welcome", async () => {
      const someone = watch(person("en"));
      await bot.send(textUpdate(someone, "/start site-nowhere"));
      expect(received(someone.id)).toEqual([
        "This site is no longer in the directory. Here is the menu 👇",
        expect.stringContaining("Perche"),
      ]);
    });
  });

  describe("forged and stale buttons", () => {
    it("someone else's request id does nothing to the request and says only that it is not open", async () => {
      const marc = await worker("Marc");
      const owner = watch(person(), "mes mots à moi");
      const request = await ask(owner, "mes mots à moi");
      await bot.deliver();
      const intruder = watch(person("en"));
      bot.telegram.clear();
      await bot.send(
        callbackUpdate(intruder, `rq:withdraw:${request.id}`),
        callbackUpdate(intruder, `rq:add:${request.id}`),
        textUpdate(intruder, "injected words"),
      );
      await bot.deliver();
      const [after] = await database.db.select().from(requests).where(eq(requests.id, request.id));
      expect(after?.status).toBe("open");
      const seen = JSON.stringify(bot.telegram.calls.filter((c) => c.payload.chat_id === intruder.id));
      expect(seen).not.toContain("mes mots");
      expect(received(intruder.id)[0]).toBe("This request is no longer open.");
      expect(received(intruder.id)).toContain("This request is no longer open.");
      expect(received(marc.id).join("\n")).not.toContain("injected words");
      expect(received(owner.id)).toEqual([]);
    });

    it.each([
      ["junk", "\u0000\u202e<b>"],
      ["exactly 64 bytes", `rq:claim:${"A".repeat(55)}`],
      ["64 bytes of accents", `rq:${"é".repeat(30)}x`],
      ["a known prefix with a bad id", "rq:claim:short"],
      ["a tools button with an unknown site", "wtp:NOT_A_SLUG"],
      ["a referral answer with no id", "rf:yes:"],
    ])("%s: out of date, and the menu", async (_, data) => {
      expect(Buffer.byteLength(`rq:claim:${"A".repeat(55)}`)).toBe(64);
      const someone = watch(person());
      await bot.send(callbackUpdate(someone, data));
      expect(bot.telegram.calls.find((c) => c.method === "answerCallbackQuery")).toBeDefined();
      expect(bot.lastText(someone.id)).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");
    });

    it("a stale button after the request ended says so and changes nothing", async () => {
      const marc = await worker("Marc");
      const someone = watch(person());
      const request = await askAndClaim(marc, someone);
      await bot.send(callbackUpdate(marc, `rq:out:${request.id}:answered`));
      await bot.deliver();
      bot.telegram.clear();
      await bot.send(
        callbackUpdate(someone, `rq:withdraw:${request.id}`),
        callbackUpdate(marc, `rq:claim:${request.id}`),
        callbackUpdate(marc, `rq:focus:${request.id}`),
        callbackUpdate(marc, `rq:out:${request.id}:met`),
      );
      await bot.deliver();
      const [after] = await database.db.select().from(requests).where(eq(requests.id, request.id));
      expect(after).toMatchObject({ status: "closed", outcome: "answered" });
      expect(received(someone.id)).toEqual(["Cette demande n'est plus ouverte."]);
      expect(received(marc.id)).toEqual(["Cette demande est terminée.", "Cette demande est terminée."]);
    });
  });

  describe("an edited message after it was relayed", () => {
    it("is ignored: the bot never subscribes to edits, and one that arrives changes nothing", async () => {
      expect(ALLOWED_UPDATES as readonly string[]).not.toContain("edited_message");
      const marc = await worker("Marc");
      const someone = watch(person(), "version éditée");
      await askAndClaim(marc, someone);
      const original = textUpdate(someone, "version d'origine");
      await bot.send(original);
      await bot.deliver();
      const message = original.message;
      await bot.send({
        update_id: original.update_id + 100_000,
        edited_message: { ...message, edit_date: 1_790_000_100, text: "version éditée" },
      } as Update);
      await bot.deliver();
      expect(received(marc.id)).toEqual([expect.stringMatching(/ : version d'origine$/)]);
      expect(received(someone.id)).toEqual([]);
    });
  });

  describe("two workers and double taps", () => {
    // Two workers tapping "claim" at once, and a double tap in sequence: requests.test.ts.
    it("a double tap on close, at once, closes once and tells the person once", async () => {
      const marc = await worker("Marc");
      const someone = watch(person());
      const request = await askAndClaim(marc, someone);
      const tap = callbackUpdate(marc, `rq:out:${request.id}:answered`);
      await Promise.all([
        bot.bot.handleUpdate(tap),
        // Another tap: an update of its own (its id from the factory, never one a later update takes).
        bot.bot.handleUpdate(callbackUpdate(marc, `rq:out:${request.id}:answered`)),
      ]);
      await bot.deliver();
      expect(received(someone.id).filter((t) => t.includes("Marc a fermé ta demande"))).toHaveLength(1);
    });
  });

  describe("what cannot cross the relay", () => {
    const photo = [{ file_id: "ph-1", file_unique_id: "u1", width: 9, height: 9 }];
    it.each([
      ["a contact", { contact: { phone_number: "+15145550199", first_name: "Canari", user_id: 5550003 } }],
      ["a document", { document: { file_id: "doc-1", file_unique_id: "d1", file_name: "moi.pdf" } }],
      [
        "a photo sent as a file",
        {
          document: { file_id: "doc-2", file_unique_id: "d2", mime_type: "image/jpeg", file_name: "IMG.jpg" },
        },
      ],
    ])("%s: the person is told, the worker gets nothing", async (_, extra) => {
      const marc = await worker("Marc");
      const someone = watch(person(), "+15145550199", "5550003");
      await askAndClaim(marc, someone);
      await bot.send(messageUpdate(someone, extra));
      await bot.deliver();
      expect(received(someone.id)[0]).toMatch(
        /^Je ne peux transmettre que du texte, des photos et des messages vocaux\./,
      );
      expect(bot.telegram.sentTo(marc.id)).toEqual([]);
    });

    it("a location: not passed on, the person is told, and the coordinates go nowhere", async () => {
      const marc = await worker("Marc");
      const someone = watch(person(), "45.51234", "-73.55432");
      await askAndClaim(marc, someone);
      await bot.send(messageUpdate(someone, { location: { latitude: 45.51234, longitude: -73.55432 } }));
      await bot.deliver();
      expect(bot.telegram.sentTo(marc.id)).toEqual([]);
      expect(received(someone.id)).toEqual([
        "Je ne peux transmettre que du texte, des photos et des messages vocaux.\n📍 Je ne transmets pas ta position, pour te protéger. Si tu veux, écris un repère : un coin de rue, une station de métro.",
      ]);
      const dump = JSON.stringify(rowsOf(await database.db.execute(sql`select * from request_messages`)));
      expect(dump).not.toContain("45.51");
    });

    it("an album: every photo re-sent by file id, none forwarded", async () => {
      const marc = await worker("Marc");
      const someone = watch(person());
      await askAndClaim(marc, someone);
      await bot.send(
        messageUpdate(someone, { media_group_id: "album-1", photo }),
        messageUpdate(someone, {
          media_group_id: "album-1",
          photo: [{ file_id: "ph-2", file_unique_id: "u2", width: 9, height: 9 }],
        }),
      );
      await bot.deliver();
      const sent = bot.telegram.sentTo(marc.id);
      expect(sent.map((c) => [c.method, c.payload.photo])).toEqual([
        ["sendPhoto", "ph-1"],
        ["sendPhoto", "ph-2"],
      ]);
    });

    it("a forwarded message: only its text crosses, never who wrote it first", async () => {
      const marc = await worker("Marc");
      const someone = watch(person(), "Origine");
      await askAndClaim(marc, someone);
      await bot.send(
        messageUpdate(someone, {
          text: "regarde ce message",
          forward_origin: {
            type: "user",
            date: 1,
            sender_user: { id: 5550004, is_bot: false, first_name: "Origine", username: "origine_tg" },
          },
          forward_from: { id: 5550004, is_bot: false, first_name: "Origine", username: "origine_tg" },
          forward_date: 1,
        }),
      );
      await bot.deliver();
      const sent = bot.telegram.sentTo(marc.id);
      expect(sent.map((c) => c.method)).toEqual(["sendMessage"]);
      expect(String(sent[0]?.payload.text)).toMatch(/ : regarde ce message$/);
      expect(JSON.stringify(sent)).not.toMatch(/5550004|Origine|origine_tg/);
    });
  });

  describe("groups, channels and unknown update kinds", () => {
    it.each([
      [
        "a plain message in a group",
        {
          message: {
            message_id: 1,
            date: 1,
            chat: { id: -100555, type: "supergroup", title: "g" },
            from: { id: 5550005, is_bot: false, first_name: "G" },
            text: "naloxone",
          },
        },
      ],
      [
        "the bot added to a group",
        {
          my_chat_member: {
            chat: { id: -100556, type: "group", title: "g" },
            from: { id: 5550006, is_bot: false, first_name: "G" },
            date: 1,
            old_chat_member: { status: "left", user: { id: 42, is_bot: true, first_name: "Perche" } },
            new_chat_member: { status: "member", user: { id: 42, is_bot: true, first_name: "Perche" } },
          },
        },
      ],
      [
        "a message in a channel with a command",
        {
          channel_post: {
            message_id: 1,
            date: 1,
            chat: { id: -100557, type: "channel", title: "c" },
            text: "/start",
            entities: [{ type: "bot_command", offset: 0, length: 6 }],
          },
        },
      ],
      [
        "a reaction",
        { message_reaction: { chat: { id: 5550007, type: "private" }, message_id: 1, date: 1 } },
      ],
      [
        "a poll answer",
        {
          poll_answer: {
            poll_id: "p",
            user: { id: 5550008, is_bot: false, first_name: "P" },
            option_ids: [0],
          },
        },
      ],
      ["a kind that does not exist yet", { future_kind: { id: 5550009 } }],
    ])("%s: silence, no error", async (_, body) => {
      await bot.send({ update_id: nextId++, ...body } as unknown as Update);
      expect(bot.telegram.calls.filter((c) => c.method.startsWith("send"))).toEqual([]);
      expect(bot.logs.join("\n")).not.toMatch(/update failed|unhandled/);
      expect(bot.logs.join("\n")).not.toMatch(/555000\d/);
    });
  });

  describe("a flood", () => {
    it("50 messages in 10 seconds all reach the worker in order, with one calm word to the person", async () => {
      const marc = await worker("Marc");
      const someone = watch(person());
      await askAndClaim(marc, someone);
      const start = new Date("2026-11-18T19:30:00Z");
      for (let i = 0; i < 50; i++) {
        bot.setNow(new Date(start.getTime() + i * 200));
        await bot.send(textUpdate(someone, `message ${i}`));
      }
      await bot.deliver();
      expect(received(marc.id).map((t) => t.replace(/^.* : /, ""))).toEqual(
        Array.from({ length: 50 }, (_, i) => `message ${i}`),
      );
      expect(received(someone.id)).toEqual([
        "Ton message est bien reçu. Je transmets le reste dans un instant, pas besoin de répéter.",
      ]);
      expect(FLOOD_PER_MINUTE).toBeLessThan(50);
    });
  });

  describe("invitations", () => {
    // Reused and expired: team.test.ts ("says plainly when a link is used / expired").
    it("redeemed twice at once by two people through the bot: one joins, the other is told it has served", async () => {
      const code = await createInvitation(database.db, {
        organisationId: "org-a",
        role: "worker",
        expiresAt: new Date("2026-12-01T00:00:00Z"),
      });
      const a = watch(person());
      const b = watch(person("en"));
      await bot.send(textUpdate(a, `/start inv-${code}`), textUpdate(b, `/start inv-${code}`));
      await Promise.all([bot.send(textUpdate(a, "Alpha")), bot.send(textUpdate(b, "Bravo"))]);
      const answers = [bot.lastText(a.id), bot.lastText(b.id)];
      const joined = answers.filter((t) => t.includes("C'est fait") || t.includes("Done,"));
      expect(joined).toHaveLength(1);
      expect(answers).toContainEqual(
        expect.stringMatching(/^(Ce lien d'invitation a déjà servi|This invitation link was already used)/),
      );
      const active = (await listMembers(database.db)).filter((m) => ["Alpha", "Bravo"].includes(m.alias));
      expect(active).toHaveLength(1);
    });

    it("the same invitation update delivered twice at once makes one member", async () => {
      const code = await createInvitation(database.db, {
        organisationId: "org-a",
        role: "worker",
        expiresAt: new Date("2026-12-01T00:00:00Z"),
      });
      const a = watch(person());
      await bot.send(textUpdate(a, `/start inv-${code}`));
      const alias = textUpdate(a, "Charlie");
      await Promise.all([bot.bot.handleUpdate(alias), bot.bot.handleUpdate(alias)]);
      const rows = await database.db.select().from(members).where(eq(members.alias, "Charlie"));
      expect(rows).toHaveLength(1);
      expect(bot.telegram.textsTo(a.id).filter((t) => t.includes("C'est fait, Charlie"))).toHaveLength(1);
    });
  });
});

describe("the Telegram limits check used above", () => {
  it("flags what the real Telegram would refuse, and passes what it accepts", () => {
    const long = `${"x".repeat(4096)}`;
    expect(
      refusedByTelegram([
        { method: "sendMessage", payload: { text: long } },
        { method: "sendMessage", payload: { text: `<b>${long}</b>`, parse_mode: "HTML" } },
        { method: "sendMessage", payload: { text: `${long}y` } },
        { method: "sendPhoto", payload: { caption: "c".repeat(1025) } },
        { method: "sendMessage", payload: { text: "a\ud800" } },
        {
          method: "sendMessage",
          payload: {
            text: "ok",
            reply_markup: { inline_keyboard: [[{ text: "b", callback_data: "é".repeat(33) }]] },
          },
        },
      ]),
    ).toEqual([
      "sendMessage: text of 4097",
      "sendPhoto: caption of 1025",
      "sendMessage: lone surrogate",
      "sendMessage: callback data of 66 bytes",
    ]);
  });
});
