import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { chequeDays, statCounters } from "../../src/db/schema";
import { CHART_PNG_WIDTH } from "../../src/stats/chart";
import { CHART_COLOURS } from "../../src/stats/chart-spec";
import { DRIVERS, useDatabase } from "../support/database";
import type { UploadedFile } from "../support/fake-telegram";
import { createHarness, type Harness } from "../support/harness";
import { decodePng } from "../support/png";
import { joinTeam, resetRequests } from "../support/team";
import { type Person, textUpdate } from "../support/updates";

type Cell = [day: string, metric: string, key: string, organisationId: string, value: number];

// A month of counts: the directory's (no team), org-a's, another team's, and one day long ago.
const CELLS: Cell[] = [
  ["2026-11-01", "lookup", "material", "", 5],
  ["2026-11-01", "lookup.material", "naloxone", "", 5],
  ["2026-11-01", "lookup.site_type", "fixed_site", "", 4],
  ["2026-11-02", "lookup", "material", "", 3],
  ["2026-11-02", "lookup", "open", "", 4],
  ["2026-11-02", "lookup.material", "syringes", "", 3],
  ["2026-11-01", "request.category", "food", "org-a", 2],
  ["2026-11-02", "request.category", "talk", "org-a", 1],
  ["2026-11-01", "request.hour", "22", "org-a", 2],
  ["2026-11-02", "request.hour", "14", "org-a", 1],
  ["2026-11-01", "request.claim_wait", "5", "org-a", 2],
  ["2026-11-02", "request.outcome", "closed:met", "org-a", 1],
  ["2026-11-03", "request.outcome", "expired", "org-a", 1],
  ["2026-11-01", "request.nobody_on_call", "", "org-a", 1],
  ["2026-11-01", "request.category", "housing", "lines", 5],
  ["2026-09-01", "lookup", "material", "", 100],
];

const FRENCH_SUMMARY = [
  "📊 <b>Les 30 derniers jours</b> (20 oct. – 18 nov.)",
  "Organisme A",
  "",
  "🔎 <b>Recherches : 12</b>",
  "Matériel le plus cherché : Naloxone 5, Seringues 3",
  "Sites montrés, par type : Site fixe 4",
  "",
  "📨 <b>Demandes : 3</b>",
  "Par sujet : 🍲 Manger 2, 💬 Juste parler 1",
  "Fin : Rencontre faite 1, expirée 1",
  "⏱️ Prise en charge : la moitié en moins de ~8 min, 9 sur 10 en moins de ~10 min",
  "🌙 Arrivées sans personne de garde : 1",
  "🕒 Heures les plus chargées : 22 h (2), 14 h (1)",
].join("\n");

const ENGLISH_SUMMARY = [
  "📊 <b>The last 30 days</b> (Oct 20 – Nov 18)",
  "Organisme A",
  "",
  "🔎 <b>Lookups: 12</b>",
  "Most looked-for supplies: Naloxone 5, Syringes 3",
  "Sites shown, by type: Fixed site 4",
  "",
  "📨 <b>Requests: 3</b>",
  "By subject: 🍲 Food 2, 💬 Just to talk 1",
  "Ended: Met 1, expired 1",
  "⏱️ Time to claim: half within ~8 min, 9 in 10 within ~10 min",
  "🌙 Came in with nobody on call: 1",
  "🕒 Busiest hours: 22:00 (2), 14:00 (1)",
].join("\n");

describe.each(DRIVERS)("/stats for coordinators, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 9_200_000;
  const someone = (languageCode = "fr"): Person => ({
    id: nextId++,
    languageCode,
    firstName: "Héron",
    username: `heron_${nextId}`,
  });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
    await database.db.delete(statCounters);
    await database.db
      .insert(chequeDays)
      .values([{ day: "2026-10-01" }, { day: "2026-11-01" }])
      .onConflictDoNothing();
  });

  const seed = () =>
    database.db.insert(statCounters).values(
      CELLS.map(([day, metric, key, organisationId, value]) => ({
        day,
        metric,
        key,
        organisationId,
        value,
      })),
    );

  async function member(role: "worker" | "admin" | "peer", languageCode: string): Promise<Person> {
    const person = await joinTeam(bot, database, someone(languageCode), `Membre${nextId}`, { role });
    bot.telegram.clear();
    return person;
  }

  function photoTo(chatId: number) {
    return bot.telegram.sentTo(chatId).find((c) => c.method === "sendPhoto");
  }

  it("gives a worker the last 30 days of their team in figures, then the month's rhythm as a picture", async () => {
    await seed();
    const worker = await member("worker", "fr");
    await bot.send(textUpdate(worker, "/stats"));
    const sent = bot.telegram.sentTo(worker.id);
    expect(sent.map((c) => c.method)).toEqual(["sendMessage", "sendPhoto"]);
    expect(sent[0]?.payload).toMatchObject({ text: FRENCH_SUMMARY, parse_mode: "HTML" });
    const photo = photoTo(worker.id);
    expect(photo?.payload.caption).toBe(
      [
        "Le mois autour du jour du chèque (jour 0), par jour sur les 90 derniers jours : ce mois-ci en orange (points ronds), la moyenne des mois d'avant en gris (carrés).",
        // Day 0 came twice in 90 days (5 lookups, 2 requests), day +1 twice too (7 lookups, 1 request).
        "Le plus de recherches : jour +1, jour 0",
        "Le plus de demandes : jour 0, jour +1",
      ].join("\n"),
    );
    const file = photo?.payload.photo as UploadedFile;
    expect(file.filename).toBe("stats.png");
    const image = decodePng(file.bytes);
    expect(image.width).toBe(CHART_PNG_WIDTH);
    // This month (November's cycle) and the months before are both drawn.
    expect(image.count(CHART_COLOURS.current)).toBeGreaterThan(300);
    expect(image.count(CHART_COLOURS.before)).toBeGreaterThan(300);
  });

  it("answers a coordinator in English, with the French command name too", async () => {
    await seed();
    const admin = await member("admin", "en");
    await bot.send(textUpdate(admin, "/statistiques"));
    expect(bot.telegram.sentTo(admin.id)[0]?.payload.text).toBe(ENGLISH_SUMMARY);
    expect(photoTo(admin.id)?.payload.caption).toBe(
      [
        "The month around cheque day (day 0), per day over the last 90 days: this month in orange (round points), the months before (average) in grey (squares).",
        "Most lookups: day +1, day 0",
        "Most requests: day 0, day +1",
      ].join("\n"),
    );
  });

  it("says plainly when there is nothing to count yet, without a picture", async () => {
    const worker = await member("worker", "en");
    await bot.send(textUpdate(worker, "/stats"));
    expect(bot.telegram.textsTo(worker.id)).toEqual([
      "📊 <b>The last 30 days</b> (Oct 20 – Nov 18)\nOrganisme A\n\nNothing to count yet. Figures will come with lookups and requests.",
    ]);
    expect(photoTo(worker.id)).toBeUndefined();
  });

  it("says why there is no chart when the directory lists no cheque day", async () => {
    await seed();
    await database.db.delete(chequeDays);
    const worker = await member("worker", "fr");
    await bot.send(textUpdate(worker, "/stats"));
    expect(bot.telegram.textsTo(worker.id)).toEqual([
      FRENCH_SUMMARY,
      "Pas de graphique : l'annuaire ne donne pas les jours de chèque.",
    ]);
    expect(photoTo(worker.id)).toBeUndefined();
  });

  it("tells a peer helper the figures are not for them, in their language", async () => {
    await seed();
    const fr = await member("peer", "fr");
    const en = await member("peer", "en");
    await bot.send(textUpdate(fr, "/stats"), textUpdate(en, "/stats"));
    expect(bot.telegram.textsTo(fr.id)).toEqual([
      "Les chiffres sont réservés aux intervenant·es et à la coordination.",
    ]);
    expect(bot.telegram.textsTo(en.id)).toEqual(["Figures are for workers and coordinators only."]);
    expect(photoTo(fr.id)).toBeUndefined();
  });

  it("answers anyone else as if the command did not exist, in both languages", async () => {
    await seed();
    const fr = someone("fr");
    const en = someone("en");
    await bot.send(textUpdate(fr, "/stats"), textUpdate(en, "/stats"));
    for (const person of [fr, en]) {
      const texts = bot.telegram.textsTo(person.id).join("\n");
      expect(texts).not.toContain("📊");
      expect(texts).not.toMatch(/Naloxone 5|Recherches|Lookups/);
      expect(photoTo(person.id)).toBeUndefined();
    }
    // One "not found", as for any word the directory does not know.
    expect(bot.telegram.textsTo(fr.id)).toEqual([expect.stringContaining("Je n'ai pas trouvé ça.")]);
    expect(bot.telegram.textsTo(en.id)).toEqual([expect.stringContaining("I didn't find that.")]);
  });
});
