import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import type { DirectoryFile } from "../../src/directory/file-schema";
import { sendStaleReminders } from "../../src/features/reminders/job";
import { DRIVERS, useDatabase } from "../support/database";
import { fixtureDirectory } from "../support/directory-fixture";
import { buttonTexts, callbackDatas, createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

/**
 * The coordinators' reminder about old site information (issue 15, item 3): at the moment each one
 * chose in /rappel (weekly, Monday 10:00 by default), one message listing their organisation's sites
 * checked more than stale_after_days ago, each with "✅ still true" and "✏️ edit"; none when nothing is
 * old; never twice in a week, whatever the runs, restarts or instances.
 *
 * The directory: org-a's day site checked on 1 October and its night site on 15 October (53 and 39
 * days before Monday 23 November), its other sites recently; the public line (another organisation)
 * long ago; org-b's one site on 25 October (29 days on the 23rd: not old yet, 36 days the week after).
 */
const MONDAY_10 = new Date("2026-11-23T15:00:00Z");
const MONDAY_9_59 = new Date("2026-11-23T14:59:00Z");
const NEXT_MONDAY_10 = new Date("2026-11-30T15:00:00Z");
const THURSDAY_8 = new Date("2026-11-19T13:00:00Z");

function reminderDirectory(change: (file: DirectoryFile) => void = () => {}): DirectoryFile {
  const file = fixtureDirectory((input) => {
    for (const site of input.sites) {
      if (site.id === "day-site") site.verified_on = "2026-10-01";
      else if (site.id === "night-site") site.verified_on = "2026-10-15";
      else if (site.id === "line-811") site.verified_on = "2026-08-01";
      else site.verified_on = "2026-11-15";
    }
    input.organisations.push({ id: "org-b", name: { fr: "Organisme B", en: "Organisation B" } });
    input.sites.push({
      id: "b-site",
      organisation: "org-b",
      type: "outreach",
      name: { fr: "La Tournée B", en: "Round B" },
      hours: "Mo-Fr 10:00-16:00",
      phone: "+1 514-555-0199",
      languages: ["fr"],
      verified_on: "2026-10-25",
    });
  });
  change(file);
  return file;
}

const FRENCH_REMINDER = [
  "🗓 Petit rappel : les infos de ces 2 lieux datent de plus de 30 jours.",
  "",
  "1. <b>Le Local de jour</b> : vérifié il y a 53 jours",
  "2. <b>La Veille de nuit</b> : vérifié il y a 39 jours",
  "",
  "Un coup d'œil? ✅ si c'est toujours vrai, ✏️ pour corriger. Merci, ça évite des portes closes 🙏",
].join("\n");

describe.each(DRIVERS)("the reminder about old site information, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 7_700_000;
  const newPerson = (languageCode = "fr"): Person => ({ id: nextId++, languageCode, firstName: "Line" });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    await resetRequests(database);
    await database.db.execute(sql`delete from stale_reminders`);
    // An import keeps a later "still true": start every test from the file's own dates.
    await database.db.execute(sql`update sites set verified_on = '2000-01-01'`);
    bot = await createHarness(database, { directory: reminderDirectory() });
  });

  const coordinator = (languageCode = "fr", organisationId = "org-a") =>
    joinTeam(bot, database, newPerson(languageCode), "Coord", { role: "admin", organisationId });
  const tap = (someone: Person, data: string, on = bot) => on.send(callbackUpdate(someone, data));
  const say = (someone: Person, text: string) => bot.send(textUpdate(someone, text));
  const reminders = (someone: Person, on = bot) =>
    on.telegram
      .sentTo(someone.id)
      .filter((call) => /Petit rappel|A small reminder/.test(String(call.payload.text)));
  /** The job's run every minute, then the outbox. */
  const run = async (at: Date, on = bot) => {
    on.setNow(at);
    const queued = await sendStaleReminders(on.deps);
    await on.deliver();
    return queued;
  };
  const lastEdit = () => bot.telegram.calls.filter((c) => c.method === "editMessageText").at(-1)?.payload;
  const lastAnswer = () =>
    bot.telegram.calls.filter((c) => c.method === "answerCallbackQuery").at(-1)?.payload.text;

  it("sends a coordinator one message on Monday at 10:00, listing only their organisation's old sites with both buttons", async () => {
    const coord = await coordinator();
    const worker = await joinTeam(bot, database, newPerson(), "Marc", { role: "worker" });
    // Joined on Wednesday, after this week's moment: nothing is caught up.
    expect(await run(new Date("2026-11-18T19:05:00Z"))).toBe(0);
    expect(await run(MONDAY_9_59)).toBe(0);
    expect(reminders(coord)).toEqual([]);

    expect(await run(MONDAY_10)).toBe(1);
    const [sent] = reminders(coord);
    expect(sent?.payload.text).toBe(FRENCH_REMINDER);
    expect(sent?.payload.parse_mode).toBe("HTML");
    expect(buttonTexts(sent?.payload)).toEqual([
      "✅ 1. Toujours vrai",
      "✏️ 1. Modifier",
      "✅ 2. Toujours vrai",
      "✏️ 2. Modifier",
    ]);
    expect(callbackDatas(sent?.payload)).toEqual([
      "wtv:day-site",
      "wed:day-site",
      "wtv:night-site",
      "wed:night-site",
    ]);
    // Only coordinators get it.
    expect(reminders(worker)).toEqual([]);

    // The same week, however often the job runs: nothing more.
    for (const at of ["2026-11-23T15:01:00Z", "2026-11-24T15:00:00Z", "2026-11-29T23:00:00Z"])
      expect(await run(new Date(at))).toBe(0);
    expect(reminders(coord)).toHaveLength(1);
    const [row] = rowsOf<{ sent_at: Date | string }>(
      await database.db.execute(sql`select sent_at from stale_reminders`),
    );
    expect(new Date(row?.sent_at ?? 0).toISOString()).toBe(MONDAY_10.toISOString());

    // The Monday after, the same sites are older.
    expect(await run(NEXT_MONDAY_10)).toBe(1);
    expect(reminders(coord).at(-1)?.payload.text).toContain(
      "1. <b>Le Local de jour</b> : vérifié il y a 60 jours",
    );
  });

  it("writes in the coordinator's language", async () => {
    const coord = await coordinator("en");
    await run(MONDAY_10);
    const [sent] = reminders(coord);
    expect(sent?.payload.text).toBe(
      [
        "🗓 A small reminder: the information on these 2 sites is more than 30 days old.",
        "",
        "1. <b>The Day Place</b>: checked 53 days ago",
        "2. <b>The Night Watch</b>: checked 39 days ago",
        "",
        "A quick look? ✅ if it's still true, ✏️ to fix it. Thank you: it saves people a closed door 🙏",
      ].join("\n"),
    );
    expect(buttonTexts(sent?.payload)).toEqual([
      "✅ 1. Still true",
      "✏️ 1. Edit",
      "✅ 2. Still true",
      "✏️ 2. Edit",
    ]);
  });

  it("sends nothing when nothing is old, and that moment does not count as a reminder sent", async () => {
    const coordB = await coordinator("fr", "org-b");
    expect(await run(MONDAY_10)).toBe(0);
    // Its site turns old on Wednesday: it waits for the next chosen moment.
    expect(await run(new Date("2026-11-25T15:00:00Z"))).toBe(0);
    expect(reminders(coordB)).toEqual([]);
    expect(await run(NEXT_MONDAY_10)).toBe(1);
    expect(reminders(coordB).map((c) => c.payload.text)).toEqual([
      [
        "🗓 Petit rappel : les infos de ce lieu datent de plus de 30 jours.",
        "",
        "<b>La Tournée B</b> : vérifié il y a 36 jours",
        "",
        "Un coup d'œil? ✅ si c'est toujours vrai, ✏️ pour corriger. Merci, ça évite des portes closes 🙏",
      ].join("\n"),
    ]);
    expect(buttonTexts(reminders(coordB)[0]?.payload)).toEqual(["✅ Toujours vrai", "✏️ Modifier"]);
  });

  it("follows the directory file's stale_after_days", async () => {
    await database.db.execute(sql`update sites set verified_on = '2000-01-01'`);
    bot = await createHarness(database, {
      directory: reminderDirectory((file) => {
        file.meta.stale_after_days = 45;
      }),
    });
    const coord = await coordinator();
    await run(MONDAY_10);
    expect(reminders(coord).map((c) => c.payload.text)).toEqual([
      [
        "🗓 Petit rappel : les infos de ce lieu datent de plus de 45 jours.",
        "",
        "<b>Le Local de jour</b> : vérifié il y a 53 jours",
        "",
        "Un coup d'œil? ✅ si c'est toujours vrai, ✏️ pour corriger. Merci, ça évite des portes closes 🙏",
      ].join("\n"),
    ]);
  });

  it("sends a missed Monday at the next run after it, once, and not in the night", async () => {
    const coord = await coordinator();
    // The bot was down from Monday morning to 14:30.
    expect(await run(new Date("2026-11-23T19:30:00Z"))).toBe(1);
    expect(await run(new Date("2026-11-23T19:31:00Z"))).toBe(0);
    expect(reminders(coord).map((c) => c.payload.text)).toEqual([FRENCH_REMINDER]);

    // Down from Sunday to Tuesday morning: the Monday is let go, the next Monday comes as usual.
    const late = await coordinator();
    await run(new Date("2026-11-30T05:00:00Z"));
    expect(await run(new Date("2026-12-01T13:30:00Z"))).toBe(0);
    expect(reminders(late)).toEqual([]);
    expect(await run(new Date("2026-12-07T15:00:00Z"))).toBeGreaterThanOrEqual(1);
    expect(reminders(late)).toHaveLength(1);
  });

  it("takes '✅ still true' from the message, and the site is gone from the next reminder", async () => {
    const coord = await coordinator();
    await run(MONDAY_10);
    bot.setNow(new Date("2026-11-23T15:10:00Z"));
    await tap(coord, "wtv:day-site");
    expect(bot.lastText(coord.id)).toBe(
      "✅ Noté : Le Local de jour vérifié aujourd'hui. Les fiches le disent déjà.",
    );
    // "✏️ Edit" opens the site editor.
    await tap(coord, "wed:night-site");
    expect(bot.lastText(coord.id)).toMatch(/^✏️ <b>Fiche de la Veille de nuit<\/b>\n/);

    await run(NEXT_MONDAY_10);
    const next = reminders(coord).at(-1)?.payload;
    expect(next?.text).toBe(
      [
        "🗓 Petit rappel : les infos de ce lieu datent de plus de 30 jours.",
        "",
        "<b>La Veille de nuit</b> : vérifié il y a 46 jours",
        "",
        "Un coup d'œil? ✅ si c'est toujours vrai, ✏️ pour corriger. Merci, ça évite des portes closes 🙏",
      ].join("\n"),
    );
    expect(callbackDatas(next)).toEqual(["wtv:night-site", "wed:night-site"]);
  });

  it("shows the choice in /rappel, and the job follows a new day and time", async () => {
    const coord = await coordinator();
    // In the coordinator's own menu, after /journal.
    const menu = bot.telegram.calls.filter((c) => c.method === "setMyCommands").at(-1)?.payload.commands as {
      command: string;
      description: string;
    }[];
    expect(menu.slice(3, 6)).toEqual([
      { command: "membres", description: "Les membres de l'équipe" },
      { command: "journal", description: "Derniers changements" },
      { command: "rappel", description: "Rappel des lieux à revoir" },
    ]);
    await say(coord, "/rappel");
    expect(bot.lastText(coord.id)).toBe(
      "🗓 <b>Rappel des lieux à revoir</b>\nJe t'écris chaque lundi à 10 h si des lieux de ton organisme ont été vérifiés il y a plus de 30 jours. Rien à revoir : pas de message.\n\nTouche pour changer 👇",
    );
    expect(buttonTexts(bot.lastCall(coord.id)?.payload)).toEqual([
      "✓ Chaque semaine",
      "Aux 2 semaines",
      "Aux 4 semaines",
      "Jamais",
      "✓ lun",
      "mar",
      "mer",
      "jeu",
      "ven",
      "sam",
      "dim",
      "8 h",
      "✓ 10 h",
      "13 h",
      "16 h",
    ]);

    await tap(coord, "rm:d:4");
    expect(lastAnswer()).toBe("✅ C'est noté.");
    await tap(coord, "rm:t:480");
    expect(lastEdit()?.text).toContain("Je t'écris chaque jeudi à 8 h si des lieux");
    expect(buttonTexts(lastEdit())).toContain("✓ jeu");
    expect(buttonTexts(lastEdit())).toContain("✓ 8 h");
    await tap(coord, "rm:t:480");
    expect(lastAnswer()).toBe("C'était déjà ton choix.");

    // Thursday 8:00 now, no longer Monday.
    expect(await run(new Date("2026-11-19T12:59:00Z"))).toBe(0);
    expect(await run(THURSDAY_8)).toBe(1);
    expect(await run(MONDAY_10)).toBe(0);
    expect(await run(new Date("2026-11-26T13:00:00Z"))).toBe(1);
    expect(reminders(coord)).toHaveLength(2);

    // Moved to Monday after Thursday's went out: not four days later, the Monday after that.
    await say(coord, "/reminder");
    await tap(coord, "rm:d:1");
    expect(await run(NEXT_MONDAY_10)).toBe(0);
    expect(await run(new Date("2026-12-07T15:00:00Z"))).toBe(1);

    // Every two weeks counts from the last one sent; "never" stops it.
    await tap(coord, "rm:w:2");
    expect(lastEdit()?.text).toContain("Je t'écris un lundi sur deux à 8 h");
    expect(await run(new Date("2026-12-14T13:00:00Z"))).toBe(0);
    expect(await run(new Date("2026-12-21T13:00:00Z"))).toBe(1);
    await tap(coord, "rm:w:0");
    expect(lastEdit()?.text).toBe(
      "🗓 <b>Rappel des lieux à revoir</b>\nLe rappel est arrêté : je ne t'écris pas. Choisis une fréquence pour le remettre.\n\nTouche pour changer 👇",
    );
    expect(buttonTexts(lastEdit())).toEqual([
      "Chaque semaine",
      "Aux 2 semaines",
      "Aux 4 semaines",
      "✓ Jamais",
    ]);
    expect(await run(new Date("2027-01-04T13:00:00Z"))).toBe(0);
    expect(await run(new Date("2027-01-18T13:00:00Z"))).toBe(0);
    expect(reminders(coord)).toHaveLength(4);
  });

  it("refuses /rappel to a worker, and treats a reminder button in their hands as out of date", async () => {
    const worker = await joinTeam(bot, database, newPerson(), "Marc", { role: "worker" });
    await say(worker, "/rappel");
    expect(bot.lastText(worker.id)).toBe("Cette commande est réservée à la coordination.");
    await tap(worker, "rm:d:3");
    expect(bot.lastText(worker.id)).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");
    expect(rowsOf(await database.db.execute(sql`select * from stale_reminders`))).toEqual([]);
    // A coordinator's forged choice is out of date too, and changes nothing.
    const coord = await coordinator();
    await tap(coord, "rm:t:601");
    expect(bot.lastText(coord.id)).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");
    expect(rowsOf(await database.db.execute(sql`select * from stale_reminders`))).toEqual([]);
  });

  it("sends it once when two instances run the job at the same moment", async () => {
    const other = await createHarness(database, { directory: null, instance: "b" });
    const coord = await coordinator();
    const coordB = await coordinator("en", "org-b");
    other.setNow(MONDAY_10);
    bot.setNow(MONDAY_10);
    const queued = await Promise.all([sendStaleReminders(bot.deps), sendStaleReminders(other.deps)]);
    expect(queued[0] + queued[1]).toBe(1);
    await Promise.all([bot.deliver(), other.deliver()]);
    // And again, each instance running once more, as after a restart.
    expect(await run(new Date("2026-11-23T15:01:00Z"), other)).toBe(0);
    expect(await run(new Date("2026-11-23T15:01:00Z"))).toBe(0);
    expect([...reminders(coord), ...reminders(coord, other)].map((c) => c.payload.text)).toEqual([
      FRENCH_REMINDER,
    ]);
    expect([...reminders(coordB), ...reminders(coordB, other)]).toEqual([]);
  });
});
