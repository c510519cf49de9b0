import type { AddressInfo } from "node:net";
import { eq, inArray, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { members, requests } from "../../src/db/schema";
import { createInvitation } from "../../src/features/members/queries";
import { nicknameOf } from "../../src/features/requests/notices";
import { pseudonymFor } from "../../src/privacy/pseudonym";
import { startWebhook } from "../../src/run/webhook";
import { DRIVERS, useDatabase } from "../support/database";
import {
  callbackDatas,
  createHarness,
  type Harness,
  TEST_ENCRYPTION_KEY,
  TEST_PSEUDONYM_KEY,
  TEST_TOKEN,
} from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { refusedByTelegram } from "../support/telegram-limits";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Part 4, security: every worker, peer and coordinator command and button checks, when it runs, who
 * is asking and for which organisation. A forged or stale tap from anyone else changes nothing, tells
 * nobody anything, and says nothing useful to the one who tapped.
 */

/** Every button a worker, peer or coordinator can be shown, aimed at Organisme A's request and site. */
function forgedButtons(ids: { request: string; holder: number; referral: number; change: number }) {
  const r = ids.request;
  return [
    `rq:claim:${r}`,
    `rq:pass:${r}`,
    `rq:focus:${r}`,
    `rq:close:${r}`,
    `rq:out:${r}:answered`,
    `rq:release:${r}`,
    `rq:hand:${r}`,
    `rq:to:${r}:${ids.holder}`,
    `rq:withdraw:${r}`,
    "wtl",
    "wtp:day-site",
    "wto:day-site:naloxone",
    "wti:day-site:syringes",
    "wtc:day-site",
    "wtr:day-site",
    "wtd:day-site",
    "wth:day-site",
    "wtn:day-site",
    "wtx:day-site",
    `wtu:${ids.change}`,
    "bc:all",
    "bc:p:verdun",
    "bc:send",
    "bc:cancel",
    `rf:pick:${r}`,
    `rf:to:${r}:lines`,
    `rf:yes:${ids.referral}`,
    `rf:no:${ids.referral}`,
    `pr:focus:${r}`,
    `pr:wd:${r}`,
    "adm:inv:admin",
    `adm:rev:${ids.holder}`,
    `adm:rev!:${ids.holder}`,
  ];
}

const COMMANDS = [
  "/journal",
  "/stats",
  "/membres",
  "/inviter",
  "/lieux",
  "/diffuser",
  "/mademande",
  "/rappel",
];

/** What someone outside any team, a peer helper, and a removed worker hear from those commands. */
const REFUSALS = {
  en: [
    "The change log is for coordinators.",
    // /stats answers as if it did not exist: one "not found", with the menu and the emergency line.
    "I didn't find that. Try a word like “naloxone”, “syringe”, “pipe”, a neighbourhood or a métro (“Berri”, “Verdun”), or “help” to write to someone. The menu is below 👇\n🚨 Emergency: call 911.",
    "This command is for coordinators.",
    "This command is for coordinators.",
    "This command is for workers and coordinators.",
    "Only a team's workers and coordinators can send an alert.",
    "You have no request going. 💬 to make one.",
    "This command is for coordinators.",
  ],
  peer: [
    "Le journal des changements est réservé à la coordination.",
    "Les chiffres sont réservés aux intervenant·es et à la coordination.",
    "Cette commande est réservée à la coordination.",
    "Cette commande est réservée à la coordination.",
    "Cette commande est réservée aux intervenant·es et à la coordination.",
    "Seuls les intervenant·es et la coordination d'une équipe peuvent envoyer une alerte.",
    "Tu n'as pas de demande en cours. 💬 pour en faire une.",
    "Cette commande est réservée à la coordination.",
  ],
  fr: [
    "Le journal des changements est réservé à la coordination.",
    "Je n'ai pas trouvé ça. Essaie un mot comme « naloxone », « seringue », « pipe », un quartier ou un métro (« Berri », « Verdun »), ou « aide » pour écrire à quelqu'un. Le menu est en bas 👇\n🚨 Urgence : appelle le 911.",
    "Cette commande est réservée à la coordination.",
    "Cette commande est réservée à la coordination.",
    "Cette commande est réservée aux intervenant·es et à la coordination.",
    "Seuls les intervenant·es et la coordination d'une équipe peuvent envoyer une alerte.",
    "Tu n'as pas de demande en cours. 💬 pour en faire une.",
    "Cette commande est réservée à la coordination.",
  ],
};

/** Tables a forged tap could change; the counters and the dialogue state are checked too. */
const TABLES = [
  "requests",
  "request_messages",
  "request_notices",
  "members",
  "invitations",
  "referrals",
  "stock_outs",
  "site_day_overrides",
  "site_notes",
  "directory_changes",
  "alerts",
  "alert_subscriptions",
  "outbox",
  "conversation_state",
  "stat_counters",
  "stale_reminders",
];

describe.each(DRIVERS)("roles are checked when a button or command runs, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 9_300_000;
  const person = (languageCode = "fr"): Person => ({
    id: nextId++,
    languageCode,
    firstName: "Grive",
    username: `grive_${nextId}`,
  });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
  });
  afterEach(() => {
    expect(refusedByTelegram(bot.telegram.calls)).toEqual([]);
  });

  const snapshot = async () => {
    const out: Record<string, unknown> = {};
    for (const table of TABLES)
      out[table] = rowsOf(await database.db.execute(sql.raw(`select * from ${table}`)));
    return JSON.stringify(out);
  };

  /**
   * Organisme A: Marc (worker, holds a request the person is asked to refer), Coord (coordinator, who
   * changed a site). Lignes publiques: Lou (worker) and Lia (coordinator). And the people tapping.
   */
  async function scene() {
    const join = (alias: string, options: Parameters<typeof joinTeam>[4] = {}) =>
      joinTeam(bot, database, person(), alias, { onCall: true, ...options });
    const marc = await join("Marc");
    const coord = await join("Coord", { role: "admin", onCall: false });
    const someone = person();
    const words = "mes mots secrets";
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:housing"),
      textUpdate(someone, words),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:skip"),
      callbackUpdate(someone, "f:send"),
    );
    const [request] = await database.db.select().from(requests);
    if (!request) throw new Error("no request");
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${request.id}`));
    const lou = await join("Lou", { organisationId: "lines" });
    const lia = await join("Lia", { organisationId: "lines", role: "admin", onCall: false });
    await bot.send(
      callbackUpdate(marc, `rf:pick:${request.id}`),
      callbackUpdate(marc, `rf:to:${request.id}:lines`),
    );
    await bot.deliver();
    const yes = callbackDatas(bot.lastCall(someone.id)?.payload)[0] ?? "";
    await bot.send(textUpdate(coord, "/lieux"), callbackUpdate(coord, "wto:day-site:naloxone"));
    const [change] = rowsOf(
      await database.db.execute(sql`select max(id)::int as id from directory_changes`),
    ) as {
      id: number;
    }[];
    const peer = await join("Pia", { role: "peer", onCall: false });
    const revoked = await join("Rex");
    const revokedAdmin = await join("Exa", { role: "admin", onCall: false });
    await database.db
      .update(members)
      .set({ revokedAt: new Date("2026-11-18T18:00:00Z") })
      .where(inArray(members.alias, ["Rex", "Exa"]));
    const [holder] = await database.db.select().from(members).where(eq(members.alias, "Marc"));
    await bot.deliver();
    bot.telegram.clear();
    const nickname = nicknameOf(request, { t: bot.deps.translations.forLocale("fr"), locale: "fr" });
    return {
      marc,
      coord,
      lou,
      lia,
      peer,
      revoked,
      revokedAdmin,
      someone,
      words,
      nickname,
      ids: {
        request: request.id,
        holder: holder?.id ?? 0,
        referral: Number(yes.split(":")[2]),
        change: change?.id ?? 0,
      },
    };
  }

  const actors = [
    "a stranger",
    "a peer helper",
    "a worker of another organisation",
    "a coordinator of another organisation",
    "a removed worker",
    "a removed coordinator",
  ] as const;
  const pick = (s: Awaited<ReturnType<typeof scene>>, actor: (typeof actors)[number]) =>
    ({
      "a stranger": person("en"),
      "a peer helper": s.peer,
      "a worker of another organisation": s.lou,
      "a coordinator of another organisation": s.lia,
      "a removed worker": s.revoked,
      "a removed coordinator": s.revokedAdmin,
    })[actor];

  it.each(actors)(
    "%s: every forged button changes nothing, tells nobody, and reveals nothing",
    async (actor) => {
      const s = await scene();
      const intruder = pick(s, actor);
      const before = await snapshot();
      const buttons = forgedButtons(s.ids);
      expect(buttons).toHaveLength(33);
      for (const data of buttons) await bot.send(callbackUpdate(intruder, data));
      await bot.deliver();
      const after = JSON.parse(await snapshot());
      const was = JSON.parse(before);
      for (const table of TABLES.filter((t) => t !== "invitations"))
        expect(after[table], table).toEqual(was[table]);
      // A coordinator of another organisation may invite, but only to their own team.
      const ofA = (rows: { organisation_id: string }[]) => rows.filter((r) => r.organisation_id === "org-a");
      expect(ofA(after.invitations)).toEqual(ofA(was.invitations));
      expect(after.invitations.length - was.invitations.length).toBe(
        actor === "a coordinator of another organisation" ? 1 : 0,
      );
      const others = [s.marc, s.coord, s.someone, s.lou, s.lia, s.peer, s.revoked, s.revokedAdmin].filter(
        (p) => p !== intruder,
      );
      for (const other of others) expect(bot.telegram.sentTo(other.id)).toEqual([]);
      // Every tap is answered (no spinning button), and nothing in the answers is about Organisme A's request.
      const answers = bot.telegram.calls.filter((c) => c.method === "answerCallbackQuery");
      expect(answers).toHaveLength(buttons.length);
      const seen = JSON.stringify(bot.telegram.calls);
      for (const secret of [
        s.words,
        "Marc",
        "Coord",
        s.nickname,
        "Organisme A",
        "Local de jour",
        "Day Place",
        "Rex",
      ])
        expect(seen).not.toContain(secret);
    },
  );

  it.each(actors)("%s: worker and coordinator commands show nothing of Organisme A", async (actor) => {
    const s = await scene();
    const intruder = pick(s, actor);
    const before = await snapshot();
    for (const command of COMMANDS) await bot.send(textUpdate(intruder, command));
    await bot.deliver();
    // A command may open a dialogue (the alert writer) for someone entitled to it; nothing else changes.
    const after = JSON.parse(await snapshot());
    const was = JSON.parse(before);
    for (const table of TABLES.filter((t) => t !== "conversation_state" && t !== "invitations"))
      expect(after[table], table).toEqual(was[table]);
    const others = [s.marc, s.coord, s.someone].filter((p) => p !== intruder);
    for (const other of others) expect(bot.telegram.sentTo(other.id)).toEqual([]);
    const seen = bot.telegram.textsTo(intruder.id).join("\n");
    // Refused in the person's own language; a member of another organisation sees only their own team.
    const texts = bot.telegram.textsTo(intruder.id);
    if (actor === "a worker of another organisation" || actor === "a coordinator of another organisation")
      expect(texts.filter((t) => t.includes("Lignes publiques")).length).toBeGreaterThanOrEqual(1);
    else
      expect(texts).toEqual(
        REFUSALS[actor === "a stranger" ? "en" : actor === "a peer helper" ? "peer" : "fr"],
      );
    for (const secret of [s.words, "Marc", "Coord", s.nickname, "Organisme A"])
      expect(seen).not.toContain(secret);
  });
  it("the same buttons work for the people they belong to (so the refusals above are real)", async () => {
    const s = await scene();
    await bot.send(
      callbackUpdate(s.someone, `rf:no:${s.ids.referral}`),
      callbackUpdate(s.coord, `wtu:${s.ids.change}`),
      callbackUpdate(s.marc, `rq:release:${s.ids.request}`),
      callbackUpdate(s.coord, `adm:rev!:${s.ids.holder}`),
    );
    expect(bot.lastText(s.marc.id)).toContain("relâchée");
    const [request] = await database.db.select().from(requests);
    expect(request?.status).toBe("open");
    const [marc] = await database.db.select().from(members).where(eq(members.id, s.ids.holder));
    expect(marc?.revokedAt).not.toBeNull();
    const [undone] = rowsOf(
      await database.db.execute(sql`select count(*)::int as n from stock_outs where site_id = 'day-site'`),
    ) as { n: number }[];
    expect(undone?.n).toBe(0);
  });

  it("a peer helper's buttons on another peer's relayed request do nothing and say only that it is not open", async () => {
    const marc = await joinTeam(bot, database, person(), "Marc", { onCall: true });
    const pia = await joinTeam(bot, database, person(), "Pia", { role: "peer" });
    const paul = await joinTeam(bot, database, person("en"), "Paul", { role: "peer" });
    await bot.send(
      textUpdate(pia, "/relais"),
      callbackUpdate(pia, "f:cat:food"),
      textUpdate(pia, "les mots de Pia"),
      callbackUpdate(pia, "f:ans:chat"),
      callbackUpdate(pia, "f:skip"),
      callbackUpdate(pia, "f:send"),
    );
    const [request] = await database.db.select().from(requests);
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
    await bot.deliver();
    bot.telegram.clear();
    const before = await snapshot();
    await bot.send(
      callbackUpdate(paul, `pr:focus:${request?.id}`),
      callbackUpdate(paul, `pr:wd:${request?.id}`),
      textUpdate(paul, "words that must go nowhere"),
    );
    await bot.deliver();
    const after = JSON.parse(await snapshot());
    const was = JSON.parse(before);
    for (const table of TABLES) expect(after[table], table).toEqual(was[table]);
    expect(bot.telegram.sentTo(marc.id)).toEqual([]);
    expect(bot.telegram.sentTo(pia.id)).toEqual([]);
    const answers = bot.telegram.calls
      .filter((c) => c.method === "answerCallbackQuery" || c.payload.chat_id === paul.id)
      .map((c) => String(c.payload.text ?? ""));
    expect(answers.join("\n")).not.toMatch(/Pia|Marc|les mots/);
    expect(answers).toContain("This request is no longer open.");
  });

  describe("invitations resist guessing", () => {
    const guess = (someone: Person, n: number) =>
      textUpdate(someone, `/start inv-${String(n).padStart(22, "G")}`);

    it("after five wrong codes in an hour, every code gets the same answer, even a real one; an hour later it works", async () => {
      const someone = person();
      for (let n = 0; n < 5; n++) await bot.send(guess(someone, n));
      expect(bot.telegram.textsTo(someone.id)).toEqual(
        Array(5).fill("Ce lien d'invitation n'existe pas. Demande un nouveau lien à la coordination."),
      );
      const real = await createInvitation(database.db, {
        organisationId: "org-a",
        role: "admin",
        expiresAt: new Date("2026-12-01T00:00:00Z"),
      });
      await bot.send(guess(someone, 6), textUpdate(someone, `/start inv-${real}`));
      const tooMany =
        "Trop d'essais de liens d'invitation. Réessaie dans une heure, ou demande un nouveau lien à la coordination.";
      expect(bot.telegram.textsTo(someone.id).slice(5)).toEqual([tooMany, tooMany]);
      // Nothing was joined, and the code is still unused for when the hour has passed.
      expect(await database.db.select().from(members).where(eq(members.alias, "Devin"))).toEqual([]);
      bot.setNow(new Date(bot.deps.now().getTime() + 61 * 60_000));
      await bot.send(textUpdate(someone, `/start inv-${real}`), textUpdate(someone, "Devin"));
      expect(bot.lastText(someone.id)).toContain("C'est fait, Devin.");
    });

    it("counts per person, in their language, and counts expired and used codes as misses", async () => {
      const someone = person("en");
      const other = person();
      const expired = await createInvitation(database.db, {
        organisationId: "org-a",
        role: "worker",
        expiresAt: new Date("2026-11-01T00:00:00Z"),
      });
      for (let n = 0; n < 4; n++) await bot.send(guess(someone, n));
      await bot.send(textUpdate(someone, `/start inv-${expired}`), guess(someone, 9));
      expect(bot.lastText(someone.id)).toBe(
        "Too many invitation link attempts. Try again in an hour, or ask your coordinator for a new link.",
      );
      await bot.send(guess(other, 1));
      expect(bot.lastText(other.id)).toBe(
        "Ce lien d'invitation n'existe pas. Demande un nouveau lien à la coordination.",
      );
      // The limiter keeps no Telegram id: its key is a pseudonym, and nothing of it is logged.
      const logs = bot.logs.join("\n");
      for (const secret of [String(someone.id), someone.username ?? "", "GGGG"])
        expect(logs).not.toContain(secret);
    });
  });

  describe("webhook", () => {
    const SECRET = "w".repeat(40);

    it.each([
      ["missing", ""],
      ["too short", "short"],
      ["with characters Telegram refuses", `${"a".repeat(20)} ${"b".repeat(5)}`],
    ])("refuses to start with a secret %s, without quoting it", async (_, secret) => {
      const attempt = startWebhook(
        bot.bot,
        { url: "https://perche.example.org/telegram", secret, port: 0, host: "127.0.0.1" },
        database.ping,
        bot.deps.logger,
      );
      await expect(attempt).rejects.toThrow("WEBHOOK_SECRET is required in webhook mode");
      await attempt.catch((error: Error) => {
        if (secret) expect(error.message).not.toContain(secret);
      });
      expect(bot.telegram.calls.filter((c) => c.method === "setWebhook")).toEqual([]);
    });

    it("processes nothing without the right secret, and answers bodies that are not an update with 400", async () => {
      const running = await startWebhook(
        bot.bot,
        { url: "https://perche.example.org/telegram", secret: SECRET, port: 0, host: "127.0.0.1" },
        database.ping,
        bot.deps.logger,
      );
      const base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}/telegram`;
      const post = (body: string, secret?: string) =>
        fetch(base, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(secret === undefined ? {} : { "x-telegram-bot-api-secret-token": secret }),
          },
          body,
        }).then((r) => r.status);
      try {
        const someone = person();
        const update = JSON.stringify(textUpdate(someone, "/mademande"));
        bot.telegram.clear();
        const refused = [
          await post(update),
          await post(update, ""),
          await post(update, SECRET.toUpperCase()),
          await post(update, SECRET.slice(1)),
        ];
        expect(refused).toEqual([401, 401, 401, 401]);
        expect(bot.telegram.calls).toEqual([]);
        const malformed = [
          await post("{not json", SECRET),
          await post("", SECRET),
          await post("null", SECRET),
          await post("[]", SECRET),
          await post('"naloxone"', SECRET),
          await post("42", SECRET),
        ];
        expect(malformed).toEqual([400, 400, 400, 400, 400, 400]);
        expect(bot.telegram.calls).toEqual([]);
        expect(await post(update, SECRET)).toBe(200);
        expect(bot.lastText(someone.id)).toBe("Tu n'as pas de demande en cours. 💬 pour en faire une.");
        expect(bot.logs.join("\n")).not.toContain(SECRET);
      } finally {
        await running.stop();
      }
    });
  });

  it("keeps the token, keys and secrets out of logs and error messages when Telegram and the database fail", async () => {
    const someone = person();
    bot.telegram.failNext("sendMessage", 401, "Unauthorized");
    await bot.send(textUpdate(someone, "naloxone"));
    bot.telegram.failNext("sendMessage", 400, `Bad Request: chat not found ${someone.id}`);
    await bot.send(textUpdate(someone, "/aide"));
    const own = await open();
    const local = await createHarness(own);
    await local.send(textUpdate(someone, "naloxone"));
    await own.close();
    await local.send(textUpdate(someone, "/mademande"), callbackUpdate(someone, "lang:en"));
    const logs = [...bot.logs, ...local.logs].join("\n");
    expect(logs).toContain("update failed");
    for (const secret of [
      TEST_TOKEN,
      TEST_TOKEN.split(":")[1] ?? "",
      TEST_PSEUDONYM_KEY,
      TEST_ENCRYPTION_KEY,
      String(someone.id),
      pseudonymFor(TEST_PSEUDONYM_KEY, someone.id),
      "Grive",
    ])
      expect(logs).not.toContain(secret);
    // And what the person reads after an error names nothing internal.
    const answers = [...bot.telegram.textsTo(someone.id), ...local.telegram.textsTo(someone.id)].join("\n");
    expect(answers).not.toMatch(/Unauthorized|chat not found|ECONN|select |insert |postgres|pglite/i);
  });
});
