import { eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { members } from "../../src/db/schema";
import { EXAMPLE_DIRECTORY, readDirectoryFile } from "../../src/directory/file";
import type { DirectoryFile } from "../../src/directory/file-schema";
import { revokeFromOutside } from "../../src/features/team/revoke";
import { DRIVERS, useDatabase } from "../support/database";
import { buttonTexts, callbackDatas, createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, ENGLISH, FRENCH, messageUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Every phrase at the top of issue 12, typed by a French and an English speaker against the shipped
 * Montreal example: what each of them sees.
 */

/** The texts sent, every button (menu keys included) and the inline buttons' texts and data. */
type Seen = { texts: string[]; buttons: string[]; inline: string[]; data: string[] };
type Expect = (seen: Seen, locale: "fr" | "en") => void;

const emergency: Expect = ({ texts }, locale) => {
  expect(texts).toHaveLength(1);
  expect(texts[0]).toContain(
    locale === "fr" ? "Surdose? Appelle le 911 maintenant." : "Overdose? Call 911 now.",
  );
};
const helpOffer: Expect = ({ texts, inline, data }, locale) => {
  expect(texts).toHaveLength(1);
  expect(texts[0]).toContain(
    locale === "fr"
      ? "Tu peux écrire à un·e intervenant·e ici, sans dire qui tu es."
      : "You can write to a worker here",
  );
  // One 💬 button, nothing else to press: an offer, never a push.
  expect(inline).toEqual([locale === "fr" ? "💬 Parler à quelqu'un" : "💬 Talk to someone"]);
  expect(data).toEqual(["talk"]);
};
const warm =
  (fr: string, en: string): Expect =>
  ({ texts, buttons }, locale) => {
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain(locale === "fr" ? fr : en);
    expect(buttons).toContain(locale === "fr" ? "🚨 Urgence" : "🚨 Emergency");
  };
const near =
  (fr: string, en = fr): Expect =>
  ({ texts }, locale) => {
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain(locale === "fr" ? `📍 <b>Près de ${fr}</b>` : `📍 <b>Near ${en}</b>`);
  };
const choice =
  (fr: string[], en: string[]): Expect =>
  ({ texts, inline }, locale) => {
    expect(texts).toEqual([
      locale === "fr" ? "J'ai trouvé plusieurs choses. Laquelle?" : "I found a few things. Which one?",
    ]);
    expect(inline).toEqual(locale === "fr" ? fr : en);
  };
const material =
  (fr: string, en: string): Expect =>
  ({ texts }, locale) => {
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain(
      locale === "fr" ? `🧰 <b>${fr}</b> : où en trouver` : `🧰 <b>${en}</b>: where to get it`,
    );
  };

const PHRASES: [string, Expect][] = [
  ["urgence", emergency],
  ["Urgence!", emergency],
  ["911", emergency],
  ["over dose", emergency],
  ["sur dose", emergency],
  ["au secours", emergency],
  ["emergency", emergency],
  ["j'ai besoin d'aide", helpOffer],
  ["I need help", helpOffer],
  ["aide", helpOffer],
  ["help", helpOffer],
  ["je veux parler à quelqu'un", helpOffer],
  ["bonjour", warm("Salut! 👋", "Hi! 👋")],
  ["salut", warm("Salut! 👋", "Hi! 👋")],
  ["merci", warm("Avec plaisir", "You're welcome")],
  ["thanks", warm("Avec plaisir", "You're welcome")],
  ["berri", near("Berri-UQAM")],
  ["hochelaga", near("Hochelaga-Maisonneuve")],
  ["plateau", near("Plateau-Mont-Royal")],
  ["st-henri", near("Saint-Henri")],
  ["downtown", near("Centre-ville (Ville-Marie)", "Downtown (Ville-Marie)")],
  [
    "crack",
    choice(
      ["Pipes d'inhalation (crack, méth)", "Embouts"],
      ["Inhalation pipes (crack, meth)", "Mouthpieces"],
    ),
  ],
  [
    "fentanyl",
    choice(["Bandelettes de détection du fentanyl", "Naloxone"], ["Fentanyl test strips", "Naloxone"]),
  ],
  ["paille", material("Pailles à sniffer", "Snorting straws")],
  ["snif", material("Pailles à sniffer", "Snorting straws")],
  ["safe supply", helpOffer],
];

describe.each(DRIVERS)("what people type, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let example: DirectoryFile;
  beforeAll(async () => {
    const parsed = await readDirectoryFile(EXAMPLE_DIRECTORY);
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    example = parsed.file;
  });
  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    // Each test starts with nobody's request under way: a person's words join a waiting request.
    await resetRequests(database);
    bot = await createHarness(database, { directory: example });
  });

  const seenBy = (person: Person): Seen => {
    const calls = bot.telegram.sentTo(person.id);
    return {
      texts: bot.telegram.textsTo(person.id),
      buttons: calls.flatMap((c) => buttonTexts(c.payload)),
      inline: calls.flatMap((c) =>
        (
          (c.payload.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)
            ?.inline_keyboard ?? []
        )
          .flat()
          .map((b) => b.text),
      ),
      data: calls.flatMap((c) => callbackDatas(c.payload)),
    };
  };

  describe.each([
    ["fr", FRENCH],
    ["en", ENGLISH],
  ] as const)("in %s", (locale, person) => {
    it.each(PHRASES)("%s", async (phrase, expectation) => {
      await bot.send(textUpdate(person, phrase));
      expectation(seenBy(person), locale);
    });
  });

  it("a team member gets their role's commands in their language when they join", async () => {
    const worker = { id: 5_000_001, languageCode: "en" };
    await joinTeam(bot, database, worker, "Marc", { organisationId: "relais-faubourg" });
    const set = bot.telegram.calls.filter((c) => c.method === "setMyCommands");
    expect(set.map((c) => c.payload.scope)).toEqual([{ type: "chat", chat_id: worker.id }]);
    const names = ((set[0]?.payload.commands ?? []) as { command: string }[]).map((c) => c.command);
    expect(names.slice(0, 4)).toEqual(["oncall", "sites", "broadcast", "stats"]);
    expect(names).toContain("talk");
    const peer = { id: 5_000_002, languageCode: "fr" };
    await joinTeam(bot, database, peer, "Sam", { organisationId: "relais-faubourg", role: "peer" });
    const peers = bot.telegram.calls.filter((c) => c.method === "setMyCommands").at(-1);
    expect(
      ((peers?.payload.commands ?? []) as { command: string }[]).slice(0, 3).map((c) => c.command),
    ).toEqual(["relais", "renfort", "mademande"]);
  });

  it("a member removed by a coordinator gets everyone's menu back", async () => {
    const coordinator = { id: 5_000_010, languageCode: "fr" };
    const worker = { id: 5_000_011, languageCode: "fr" };
    await joinTeam(bot, database, coordinator, "Coord", { organisationId: "relais-faubourg", role: "admin" });
    await joinTeam(bot, database, worker, "Noémie", { organisationId: "relais-faubourg" });
    const [marc] = await database.db.select().from(members).where(eq(members.alias, "Noémie"));
    await bot.send(
      callbackUpdate(coordinator, `adm:rev:${marc?.id}`),
      callbackUpdate(coordinator, `adm:rev!:${marc?.id}`),
    );
    const deleted = bot.telegram.calls.filter((c) => c.method === "deleteMyCommands");
    expect(deleted.map((c) => c.payload.scope)).toEqual([{ type: "chat", chat_id: worker.id }]);
  });

  it("a member revoked from the command line loses their team menu once the bot runs, and nothing else", async () => {
    const worker = { id: 5_000_012, languageCode: "fr" };
    await joinTeam(bot, database, worker, "Léa", { organisationId: "relais-faubourg" });
    const [lea] = await database.db.select().from(members).where(eq(members.alias, "Léa"));
    bot.telegram.clear();
    expect(await revokeFromOutside(bot.deps, lea?.id as number)).toMatchObject({ released: 0 });
    // Twice (the command run again): still one removal, and a revoked member gets no other message.
    expect(await revokeFromOutside(bot.deps, lea?.id as number)).toBeUndefined();
    await bot.deliver();
    expect(bot.telegram.calls.map((c) => [c.method, c.payload.scope, c.payload.chat_id])).toEqual([
      ["deleteMyCommands", { type: "chat", chat_id: worker.id }, undefined],
    ]);
  });

  it("/aide lists how to reach a worker, see a request and cancel", async () => {
    await bot.send(textUpdate(FRENCH, "/aide"), textUpdate(ENGLISH, "/help"));
    for (const command of ["/parler", "/mademande", "/annuler"])
      expect(bot.lastText(FRENCH.id)).toContain(command);
    for (const command of ["/talk", "/myrequest", "/cancel"])
      expect(bot.lastText(ENGLISH.id)).toContain(command);
  });

  it("a help word from someone whose request is under way joins it, with no second offer", async () => {
    await joinTeam(bot, database, { id: 5_000_003 }, "Marc", {
      organisationId: "relais-faubourg",
      onCall: true,
    });
    await bot.send(textUpdate(FRENCH, "/parler"), callbackUpdate(FRENCH, "f:cat:other"));
    await bot.send(callbackUpdate(FRENCH, "f:nodetails"), callbackUpdate(FRENCH, "f:ans:chat"));
    await bot.send(callbackUpdate(FRENCH, "f:skip"), callbackUpdate(FRENCH, "f:send"));
    const before = bot.telegram.sentTo(FRENCH.id).length;
    await bot.send(textUpdate(FRENCH, "aide"));
    const after = bot.telegram.sentTo(FRENCH.id).slice(before);
    // Part 6: whatever a person with a waiting request writes joins it (not a second offer of contact).
    expect(after.map((c) => c.payload.text)).toEqual([expect.stringMatching(/^➕ Ajouté à ta demande /)]);
    expect(after.flatMap((c) => callbackDatas(c.payload))).not.toContain("talk");
  });

  it("a material asked for 'urgent' is a lookup, not the emergency card", async () => {
    await bot.send(textUpdate(FRENCH, "seringues urgent svp"));
    expect(bot.telegram.textsTo(FRENCH.id)).toEqual([
      expect.stringContaining("Seringues et aiguilles stériles"),
    ]);
    expect(bot.lastText(FRENCH.id)).not.toContain("Appelle le 911");
  });

  it("a voice note with no request is offered to a worker, and 'yes' starts the usual request", async () => {
    await joinTeam(bot, database, { id: 5_000_004 }, "Marc", {
      organisationId: "relais-faubourg",
      onCall: true,
    });
    await bot.send(
      messageUpdate(ENGLISH, { voice: { file_id: "voice-1", file_unique_id: "v1", duration: 4 } }),
    );
    const offer = bot.lastCall(ENGLISH.id);
    expect(offer?.payload.text).toContain("I can't listen to or look at that, but a worker can.");
    expect(callbackDatas(offer?.payload)).toEqual(["md:pass"]);
    const voiceMessage = (offer?.payload.reply_parameters as { message_id: number } | undefined)?.message_id;
    const tap = callbackUpdate(ENGLISH, "md:pass");
    const message = tap.callback_query?.message as unknown as Record<string, unknown>;
    // Telegram sends the offer back with the tap, and the voice note it answers inside it.
    message.reply_to_message = {
      message_id: voiceMessage,
      date: 1_790_000_000,
      chat: message.chat,
      voice: { file_id: "voice-1", file_unique_id: "v1", duration: 4 },
    };
    await bot.send(tap);
    const texts = bot.telegram.textsTo(ENGLISH.id);
    expect(texts.at(-2)).toBe(
      "🎤 All right. First tell me what it is about (one button is enough). Your voice note goes with your request: the worker who takes it will hear it.",
    );
    // The usual request flow's first step: what it is about.
    expect(callbackDatas(bot.lastCall(ENGLISH.id)?.payload)).toContain("f:cat:other");
    await bot.send(
      callbackUpdate(ENGLISH, "f:cat:other"),
      callbackUpdate(ENGLISH, "f:nodetails"),
      callbackUpdate(ENGLISH, "f:ans:chat"),
      callbackUpdate(ENGLISH, "f:skip"),
      callbackUpdate(ENGLISH, "f:send"),
    );
    await bot.deliver();
    // The worker's notice says a voice note is there, and taking the request brings the note itself.
    const notice = bot.telegram
      .sentTo(5_000_004)
      .find((c) => callbackDatas(c.payload).some((d) => d.startsWith("rq:claim:")));
    expect(notice?.payload.text).toContain("🎤");
    const claimData = callbackDatas(notice?.payload).find((d) => d.startsWith("rq:claim:")) as string;
    await bot.send(callbackUpdate({ id: 5_000_004, languageCode: "fr", firstName: "Marc" }, claimData));
    await bot.deliver();
    const voices = bot.telegram.calls.filter((c) => c.method === "sendVoice");
    expect(voices.map((c) => c.payload)).toMatchObject([{ chat_id: 5_000_004, voice: "voice-1" }]);
  });
});
