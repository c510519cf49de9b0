import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { members } from "../../src/db/schema";
import {
  createInvitation,
  findActiveMember,
  listMembers,
  redeemInvitation,
} from "../../src/features/members/queries";
import { pseudonymFor } from "../../src/privacy/pseudonym";
import { DRIVERS, useDatabase } from "../support/database";
import { WEDNESDAY_11PM } from "../support/directory-fixture";
import { buttonTexts, callbackDatas, createHarness, type Harness } from "../support/harness";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

const rows = rowsOf;

describe.each(DRIVERS)("joining a team and going on call, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 5_000_000;
  const newPerson = (languageCode = "fr"): Person => ({
    id: nextId++,
    languageCode,
    firstName: "Marceline",
    username: `marceline_${nextId}`,
  });
  const invite = (
    role: "worker" | "peer" | "admin" = "worker",
    expiresAt = new Date("2026-11-20T00:00:00Z"),
  ) => createInvitation(database.db, { organisationId: "org-a", role, expiresAt });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
  });

  it("writes to a member in the language they switch to with /langue, menu included", async () => {
    const worker = newPerson();
    await bot.send(textUpdate(worker, `/start inv-${await invite()}`), textUpdate(worker, "Marc"));
    const memberPseudonym = pseudonymFor(bot.deps.pseudonymKey, worker.id, "member");
    expect((await findActiveMember(database.db, memberPseudonym))?.locale).toBe("fr");
    await bot.send(callbackUpdate(worker, "lang:en"));
    expect((await findActiveMember(database.db, memberPseudonym))?.locale).toBe("en");
    const menu = bot.telegram.calls.filter(
      (c) =>
        c.method === "setMyCommands" &&
        (c.payload.scope as { chat_id?: number } | undefined)?.chat_id === worker.id,
    );
    expect(JSON.stringify(menu[menu.length - 1]?.payload.commands)).toContain("My sites");
    // Someone on no team changes only their own language.
    const someone = newPerson();
    await bot.send(callbackUpdate(someone, "lang:en"));
    expect(bot.lastText(someone.id)).toMatch(/English/);
  });

  it("asks a new worker for the name people will see, then makes them a member", async () => {
    const worker = newPerson();
    const code = await invite();
    await bot.send(textUpdate(worker, `/start inv-${code}`));
    expect(bot.lastText(worker.id)).toContain("Bienvenue dans l'équipe d'Organisme A (intervenant·e).");
    await bot.send(textUpdate(worker, "  Marc  "));
    expect(bot.lastText(worker.id)).toBe(
      "✅ C'est fait, Marc. Tu fais partie de l'équipe d'Organisme A.\nQuand tu commences ton quart : /garde.\nMettre un lieu à jour (rupture, fermeture, mot) : /lieux. Envoyer une alerte : /diffuser. Les chiffres du mois : /stats.",
    );
    const member = await findActiveMember(
      database.db,
      pseudonymFor(bot.deps.pseudonymKey, worker.id, "member"),
    );
    expect(member).toMatchObject({ alias: "Marc", role: "worker", organisationId: "org-a", locale: "fr" });
    expect(bot.deps.sealer.open(member?.chatIdEnc ?? "")).toBe(String(worker.id));
    // Nothing in the clear: neither the id nor the Telegram names, in members or in the dialogue's state.
    const dump = JSON.stringify([
      ...rows(await database.db.execute(sql`select * from members`)),
      ...rows(await database.db.execute(sql`select * from conversation_state`)),
    ]);
    for (const secret of [String(worker.id), "Marceline", worker.username as string])
      expect(dump).not.toContain(secret);
  });

  it("speaks English to an English-speaking peer helper, does not mention shifts, and shows the peer buttons", async () => {
    const peer = newPerson("en");
    await bot.send(textUpdate(peer, `/start inv-${await invite("peer")}`), textUpdate(peer, "Sam"));
    expect(bot.telegram.textsTo(peer.id)).toEqual([
      expect.stringContaining("Welcome to the Organisme A team (peer helper)."),
      "✅ Done, Sam. You are on the Organisme A team.\nAs a peer helper, you have two more buttons in your menu:\n🤝 For someone: a request for a person who is with you (/relay).\n🆘 Backup: alerts every worker on call at once (/backup).",
    ]);
    expect(buttonTexts(bot.lastCall(peer.id)?.payload)).toEqual(
      expect.arrayContaining(["🤝 For someone", "🆘 Backup"]),
    );
  });

  it("refuses an alias with a mention or a link, and takes the next good one", async () => {
    const worker = newPerson();
    await bot.send(
      textUpdate(worker, `/start inv-${await invite()}`),
      textUpdate(worker, "@marc_tg"),
      textUpdate(worker, "t.me/x"),
    );
    expect(bot.telegram.textsTo(worker.id).slice(1)).toEqual([
      "Un nom de 1 à 40 caractères, sans @ ni lien, s'il te plaît.",
      "Un nom de 1 à 40 caractères, sans @ ni lien, s'il te plaît.",
    ]);
    await bot.send(textUpdate(worker, "Intervenante de nuit"));
    expect(bot.lastText(worker.id)).toContain("C'est fait, Intervenante de nuit.");
  });

  it("shows the emergency card in the middle of joining, then goes on", async () => {
    const worker = newPerson();
    await bot.send(textUpdate(worker, `/start inv-${await invite()}`), textUpdate(worker, "surdose"));
    expect(bot.lastText(worker.id)).toContain("Appelle le 911 maintenant");
    await bot.send(textUpdate(worker, "Léa"));
    expect(bot.lastText(worker.id)).toContain("C'est fait, Léa.");
  });

  it("lets a person cancel, and keeps the link usable", async () => {
    const worker = newPerson();
    const code = await invite();
    await bot.send(textUpdate(worker, `/start inv-${code}`), textUpdate(worker, "/annuler"));
    expect(bot.lastText(worker.id)).toBe("D'accord, c'est annulé. Voici le menu 👇");
    await bot.send(textUpdate(worker, "Ahmed"));
    expect(bot.lastText(worker.id)).not.toContain("C'est fait");
    await bot.send(textUpdate(worker, `/start inv-${code}`), textUpdate(worker, "Ahmed"));
    expect(bot.lastText(worker.id)).toContain("C'est fait, Ahmed.");
  });

  it.each([
    ["used", "Ce lien d'invitation a déjà servi."],
    ["expired", "Ce lien d'invitation a expiré."],
    ["unknown", "Ce lien d'invitation n'existe pas."],
  ])("says plainly when a link is %s", async (kind, message) => {
    const worker = newPerson();
    let code = "AAAAAAAAAAAAAAAAAAAAAA";
    if (kind === "used") {
      code = await invite();
      const first = newPerson();
      await bot.send(textUpdate(first, `/start inv-${code}`), textUpdate(first, "Premier"));
    }
    if (kind === "expired") code = await invite("worker", new Date("2026-11-18T18:00:00Z"));
    await bot.send(textUpdate(worker, `/start inv-${code}`));
    expect(bot.lastText(worker.id)).toContain(message);
    expect(
      await findActiveMember(database.db, pseudonymFor(bot.deps.pseudonymKey, worker.id, "member")),
    ).toBeUndefined();
  });

  it("treats a junk invitation payload as unknown", async () => {
    const worker = newPerson();
    await bot.send(textUpdate(worker, `/start inv-${"é".repeat(20)}`));
    expect(bot.lastText(worker.id)).toContain("Ce lien d'invitation n'existe pas.");
  });

  it("lets exactly one of two people redeem one code at the same time", async () => {
    const code = await invite();
    const attempt = (n: number) =>
      redeemInvitation(database.db, {
        code,
        alias: `A${n}`,
        pseudonym: `race-${n}-${code}`,
        chatIdEnc: "v1.x",
        locale: "fr",
        now: new Date("2026-11-18T19:00:00Z"),
      });
    const results = await Promise.all([attempt(1), attempt(2)]);
    expect(results.map((r) => r.kind).sort()).toEqual(["joined", "used"]);
  });

  it("goes on call until morning in two taps, and off again", async () => {
    const worker = newPerson();
    await bot.send(textUpdate(worker, `/start inv-${await invite()}`), textUpdate(worker, "Nuit"));
    bot.setNow(WEDNESDAY_11PM);
    await bot.send(textUpdate(worker, "/garde"));
    const menu = bot.lastCall(worker.id);
    expect(menu?.payload.text).toBe("⚪ Tu n'es pas de garde.");
    expect(buttonTexts(menu?.payload)).toEqual(["🟢 Je prends la garde", "🟢 Jusqu'à 8 h", "🟢 Pour 4 h"]);
    expect(callbackDatas(menu?.payload)).toEqual(["oc:on", "oc:morning", "oc:4h"]);
    await bot.send(callbackUpdate(worker, "oc:morning"));
    expect(bot.lastText(worker.id)).toBe("🟢 C'est noté : tu es de garde jusqu'à 8 h.");
    const member = await findActiveMember(
      database.db,
      pseudonymFor(bot.deps.pseudonymKey, worker.id, "member"),
    );
    expect(member?.onCallUntil).toEqual(new Date("2026-11-19T13:00:00Z"));
    await bot.send(textUpdate(worker, "/oncall"));
    expect(bot.lastText(worker.id)).toBe("🟢 Tu es de garde jusqu'à 8 h.");
    await bot.send(callbackUpdate(worker, "oc:off"));
    expect(bot.lastText(worker.id)).toBe("⚪ C'est noté : tu n'es plus de garde. Merci!");
    expect((await listMembers(database.db, "org-a")).find((m) => m.alias === "Nuit")?.onCallSince).toBeNull();
  });

  it("tells a peer helper plainly that requests go to the workers on call", async () => {
    const peer = newPerson("en");
    await bot.send(
      textUpdate(peer, `/start inv-${await invite("peer")}`),
      textUpdate(peer, "Sam"),
      textUpdate(peer, "/oncall"),
    );
    expect(bot.lastText(peer.id)).toBe("Peer helpers don't go on call: requests go to the workers on call.");
  });

  it("does nothing for someone who is not on a team, even with a forged button", async () => {
    const stranger = newPerson("en");
    await bot.send(textUpdate(stranger, "/oncall"), callbackUpdate(stranger, "oc:on"));
    expect(bot.lastText(stranger.id)).toBe("This command is for team members.");
    expect(bot.telegram.calls.find((c) => c.method === "answerCallbackQuery")?.payload.text).toBe(
      "This command is for team members.",
    );
    const onCall = (await database.db.select().from(members)).filter((m) => m.onCallSince !== null);
    expect(onCall).toEqual([]);
  });

  it("lets a coordinator invite, list and remove members from the bot, with a confirmation", async () => {
    const coordinator = newPerson();
    await bot.send(
      textUpdate(coordinator, `/start inv-${await invite("admin")}`),
      textUpdate(coordinator, "Coordo"),
    );
    // A coordinator is told about their own tools too: the listing, the team, the log.
    expect(bot.lastText(coordinator.id)).toContain(
      "changer sa fiche (horaires, téléphone, note, matériel) : /lieux, puis ✏️.",
    );
    expect(bot.lastText(coordinator.id)).toContain("Les derniers changements : /journal.");
    await bot.send(textUpdate(coordinator, "/inviter"));
    expect(callbackDatas(bot.lastCall(coordinator.id)?.payload)).toEqual([
      "adm:inv:worker",
      "adm:inv:peer",
      "adm:inv:admin",
    ]);
    await bot.send(callbackUpdate(coordinator, "adm:inv:worker"));
    const linkMessage = bot.lastCall(coordinator.id);
    expect(linkMessage?.payload.protect_content).toBe(true);
    // The link names the role it gives, and shows no preview (a preview would fetch it from Telegram).
    expect(String(linkMessage?.payload.text)).toContain("Lien à usage unique (intervenant·e)");
    expect(linkMessage?.payload.link_preview_options).toEqual({ is_disabled: true });
    const code = /start=inv-([A-Za-z0-9_-]{22})/.exec(String(linkMessage?.payload.text))?.[1];
    expect(code).toBeDefined();

    const newcomer = newPerson();
    await bot.send(textUpdate(newcomer, `/start inv-${code}`), textUpdate(newcomer, "Nouvelle"));
    expect(bot.lastText(newcomer.id)).toContain("C'est fait, Nouvelle.");

    await bot.send(textUpdate(coordinator, "/membres"));
    const list = bot.lastCall(coordinator.id);
    expect(list?.payload.text).toContain("• Nouvelle · intervenant·e");
    const newcomerId = (await listMembers(database.db, "org-a")).find((m) => m.alias === "Nouvelle")?.id;
    expect(callbackDatas(list?.payload)).toContain(`adm:rev:${newcomerId}`);
    await bot.send(callbackUpdate(coordinator, `adm:rev:${newcomerId}`));
    expect(bot.lastText(coordinator.id)).toBe(
      "Retirer Nouvelle de l'équipe? Cette personne perd l'accès tout de suite.",
    );
    await bot.send(callbackUpdate(coordinator, `adm:rev!:${newcomerId}`));
    expect(bot.lastText(coordinator.id)).toBe("✅ Nouvelle ne fait plus partie de l'équipe.");
    await bot.send(textUpdate(newcomer, "/garde"));
    expect(bot.lastText(newcomer.id)).toBe("Cette commande est réservée aux membres d'une équipe.");
  });

  it("refuses the coordinator's commands and forged buttons to everyone else", async () => {
    const worker = newPerson("en");
    await bot.send(textUpdate(worker, `/start inv-${await invite()}`), textUpdate(worker, "Plain"));
    const before = (await listMembers(database.db)).length;
    await bot.send(
      textUpdate(worker, "/invite"),
      callbackUpdate(worker, "adm:inv:admin"),
      callbackUpdate(worker, "adm:rev!:1"),
    );
    expect(bot.lastText(worker.id)).toBe("This command is for coordinators.");
    const answers = bot.telegram.calls
      .filter((c) => c.method === "answerCallbackQuery")
      .map((c) => c.payload.text);
    expect(answers).toEqual(["This command is for coordinators.", "This command is for coordinators."]);
    expect((await listMembers(database.db)).length).toBe(before);
  });
});
