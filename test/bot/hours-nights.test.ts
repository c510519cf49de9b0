import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { DRIVERS, useDatabase } from "../support/database";
import { fixtureDirectory } from "../support/directory-fixture";
import { buttonTexts, callbackDatas, createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, ENGLISH, FRENCH, type Person, textUpdate } from "../support/updates";

/**
 * The four wrong answers of part 8's examination, asked of the bot with its clock set (deps.now): the
 * repeated hour, the missing hour, a closed date after a night, and a worker closing the night that is
 * running. Cards, /ouvert and both languages.
 */
const directory = () =>
  fixtureDirectory((input) => {
    const site = (id: string, fr: string, en: string, hours: string, extra: object = {}) => ({
      id,
      organisation: "org-a",
      type: "drop_in" as const,
      name: { fr, en },
      address: "300, rue Ontario Est",
      location: { lat: 45.52, lon: -73.56 },
      hours,
      materials: ["naloxone"],
      languages: ["fr"],
      verified_on: "2026-10-01",
      ...extra,
    });
    input.sites = [
      site("saturday-stop", "La Halte du samedi", "The Saturday Stop", "Sa 20:00-01:30"),
      site("late-shelter", "Le Refuge tardif", "The Late Shelter", "Sa 22:00-02:30"),
      site("night-stay", "La Nuitée", "The Night Stay", "Mo-Su 20:00-04:00", {
        special_dates: [{ date: "2026-11-25", hours: "off" }],
      }),
    ];
  });

describe.each(DRIVERS)("hours at night, through the bot, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 8_100_000;
  const newPerson = (): Person => ({
    id: nextId++,
    languageCode: "fr",
    firstName: "Anselme",
    username: `anselme_${nextId}`,
  });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    await resetRequests(database);
    for (const table of ["site_day_overrides", "directory_changes"])
      await database.db.execute(sql.raw(`delete from ${table}`));
    bot = await createHarness(database, { directory: directory() });
  });

  const at = (instant: string) => bot.setNow(new Date(instant));
  const card = async (someone: Person, siteId: string) => {
    await bot.send(callbackUpdate(someone, `site:${siteId}`));
    return bot.lastText(someone.id);
  };
  const say = async (someone: Person, text: string) => {
    await bot.send(textUpdate(someone, text));
    return bot.lastText(someone.id);
  };

  it("closes at the first 1:30 of the night the clocks fall back, and never says 1:30 again", async () => {
    at("2026-11-01T01:29-04:00");
    expect(await card(FRENCH, "saturday-stop")).toContain("🟢 Ouvert jusqu'à 1 h 30");
    for (const instant of ["2026-11-01T01:45-04:00", "2026-11-01T01:15-05:00", "2026-11-01T01:29-05:00"]) {
      at(instant);
      expect(await card(FRENCH, "saturday-stop")).toContain("🔴 Fermé · ouvre samedi à 20 h");
      expect(await card(ENGLISH, "saturday-stop")).toContain("🔴 Closed · opens Saturday at 20:00");
      expect(await say(FRENCH, "/ouvert")).not.toContain("1 h 30");
    }
  });

  it("keeps a night across the missing hour open until 3:00, the time the wall clock jumps to", async () => {
    for (const instant of ["2026-03-08T01:15-05:00", "2026-03-08T01:45-05:00", "2026-03-08T01:59-05:00"]) {
      at(instant);
      expect(await card(FRENCH, "late-shelter")).toContain("🟢 Ouvert jusqu'à 3 h");
      expect(await card(ENGLISH, "late-shelter")).toContain("🟢 Open until 3:00");
      expect(await say(ENGLISH, "/open")).toContain(
        "<b>The Late Shelter</b>\n300, rue Ontario Est\n🟢 Open until 3:00",
      );
    }
    at("2026-03-08T03:00-04:00");
    expect(await card(FRENCH, "late-shelter")).toContain("🔴 Fermé · ouvre samedi à 22 h");
    // The week view gives Saturday's night its real length.
    at("2026-03-07T12:00-05:00");
    expect(await card(FRENCH, "late-shelter")).toContain(
      "sam. 7 mars : 22 h à 3 h (4 h : changement d'heure)",
    );
  });

  it("ends the night before a closed date at midnight and keeps the date closed all night", async () => {
    at("2026-11-24T23:30-05:00");
    const evening = await card(FRENCH, "night-stay");
    expect(evening).toContain("🟢 Ouvert jusqu'à minuit");
    expect(evening).toContain("mar. 24 nov. : 20 h à minuit\nmer. 25 nov. : fermé\n");
    expect(await card(ENGLISH, "night-stay")).toContain("🟢 Open until midnight");
    for (const instant of ["2026-11-25T00:00-05:00", "2026-11-25T02:00-05:00", "2026-11-25T03:59-05:00"]) {
      at(instant);
      const text = await card(FRENCH, "night-stay");
      expect(text).toContain("🔴 Fermé · ouvre demain à 20 h");
      expect(text).toContain("mer. 25 nov. : fermé");
      expect(await say(FRENCH, "/ouvert")).not.toContain("🟢 Ouvert jusqu'à 4 h");
    }
    // The night of the 25th is gone with it.
    at("2026-11-26T02:00-05:00");
    expect(await card(FRENCH, "night-stay")).toContain("🔴 Fermé · ouvre aujourd'hui à 20 h");
  });

  it("lets a worker close the night that is running at 1:00, undo it, or close yesterday by its date", async () => {
    at("2026-11-20T01:00-05:00");
    const marc = await joinTeam(bot, database, newPerson(), "Marc");
    expect(await card(FRENCH, "night-stay")).toContain("🟢 Ouvert jusqu'à 4 h");
    await bot.send(callbackUpdate(marc, "wtp:night-stay"));
    expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toContain("🔒 Fermé maintenant");
    expect(callbackDatas(bot.lastCall(marc.id)?.payload)).toContain("wte:night-stay");
    await bot.send(callbackUpdate(marc, "wte:night-stay"));
    expect(bot.lastText(marc.id)).toBe(
      "✅ Noté : La Nuitée est fermé maintenant (c'était ouvert jusqu'à 4 h). Les personnes le voient déjà.",
    );
    const undo = callbackDatas(bot.lastCall(marc.id)?.payload).find((d) => d.startsWith("wtu:")) ?? "";
    expect(await card(FRENCH, "night-stay")).toContain("🔴 Fermé · ouvre aujourd'hui à 20 h");
    expect(await card(ENGLISH, "night-stay")).toContain("🔴 Closed · opens today at 20:00");
    expect(await say(FRENCH, "/ouvert")).not.toContain("La Nuitée</b>\n🟢");
    // The night belongs to Thursday the 19th: that day's hours now end at 1:00.
    expect(rowsOf(await database.db.execute(sql`select day::text, hours from site_day_overrides`))).toEqual([
      { day: "2026-11-19", hours: "20:00-01:00" },
    ]);
    // Nothing is running any more: the panel offers to close today.
    await bot.send(callbackUpdate(marc, "wtp:night-stay"));
    expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toContain("🔒 Fermé aujourd'hui");

    await bot.send(callbackUpdate(marc, undo));
    expect(bot.lastText(marc.id)).toBe("↩️ C'est défait : La Nuitée est revenu comme avant.");
    expect(await card(FRENCH, "night-stay")).toContain("🟢 Ouvert jusqu'à 4 h");

    // "Another day" takes yesterday while yesterday's night runs, and that ends it too.
    await bot.send(callbackUpdate(marc, "wtd:night-stay"));
    await bot.send(textUpdate(marc, "hier"));
    expect(bot.lastText(marc.id)).toBe("✅ Noté : La Nuitée fermé jeu. 19 nov.");
    expect(await card(FRENCH, "night-stay")).toContain("🔴 Fermé · ouvre aujourd'hui à 20 h");
    // Two days back is still the past.
    await bot.send(callbackUpdate(marc, "wtd:night-stay"));
    await bot.send(textUpdate(marc, "2026-11-18"));
    expect(bot.lastText(marc.id)).toBe("Cette date est déjà passée. Choisis aujourd'hui ou plus tard.");
  });

  it("says in English that a worker closed the night now", async () => {
    at("2026-11-20T02:30-05:00");
    const ann = await joinTeam(bot, database, { ...newPerson(), languageCode: "en" }, "Ann");
    await bot.send(callbackUpdate(ann, "wtp:night-stay"));
    expect(buttonTexts(bot.lastCall(ann.id)?.payload)).toContain("🔒 Closed now");
    await bot.send(callbackUpdate(ann, "wte:night-stay"));
    expect(bot.lastText(ann.id)).toBe(
      "✅ Noted: The Night Stay is closed now (it was open until 4:00). People already see it.",
    );
    // Tapped again, the night has already ended.
    await bot.send(callbackUpdate(ann, "wte:night-stay"));
    expect(bot.lastText(ann.id)).toBe("The Night Stay is already closed right now: nothing changed.");
  });
});
