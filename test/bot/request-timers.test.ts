import { and, eq, isNull, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { members, requests } from "../../src/db/schema";
import { onCallMembers, setShift } from "../../src/features/members/queries";
import { runRequestTimers } from "../../src/features/requests/timers";
import { submitRequest } from "../../src/features/requests/use-cases";
import { DRIVERS, useDatabase } from "../support/database";
import { WEDNESDAY_2PM } from "../support/directory-fixture";
import { createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

const SETTINGS = { escalationMinutes: 10, expiryHours: 72 };
const minutesLater = (minutes: number) => new Date(WEDNESDAY_2PM.getTime() + minutes * 60_000);

describe.each(DRIVERS)("requests over time, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 9_000_000;

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
  });

  const worker = (alias: string, onCall: boolean) =>
    joinTeam(bot, database, { id: nextId++, languageCode: "fr" }, alias, { onCall });

  async function request() {
    const outcome = await submitRequest(bot.deps, {
      personPseudonym: `person-${nextId++}`,
      chatId: nextId++,
      locale: "fr",
      category: "talk",
      message: "personne ne répond",
      answerMode: "chat",
      meetSiteId: null,
      areaPlaceId: null,
    });
    if (outcome.kind !== "sent") throw new Error(outcome.kind);
    await bot.deliver();
    bot.telegram.clear();
    return outcome.requestId;
  }

  it("reminds the workers on call, then tells the whole team, once each", async () => {
    const night = await worker("Nuit", true);
    const home = await worker("Maison", false);
    await request();

    bot.setNow(minutesLater(5));
    expect(await runRequestTimers(bot.deps, SETTINGS)).toEqual({
      reminded: 0,
      escalated: 0,
      expired: 0,
      delivered: 0,
    });

    bot.setNow(minutesLater(11));
    expect(await runRequestTimers(bot.deps, SETTINGS)).toEqual({
      reminded: 1,
      escalated: 0,
      expired: 0,
      delivered: 0,
    });
    await bot.deliver();
    expect(bot.lastText(night.id)).toMatch(/^⏰ Toujours en attente depuis 11 min : /);
    expect(bot.telegram.sentTo(home.id)).toEqual([]);
    expect((await runRequestTimers(bot.deps, SETTINGS)).reminded).toBe(0);

    bot.setNow(minutesLater(21));
    expect((await runRequestTimers(bot.deps, SETTINGS)).escalated).toBe(1);
    await bot.deliver();
    expect(bot.lastText(home.id)).toMatch(/^📣 Personne n'a encore pris cette demande \(21 min\)/);
    expect(bot.lastText(night.id)).toMatch(/^📣/);
    expect((await runRequestTimers(bot.deps, SETTINGS)).escalated).toBe(0);
  });

  it("leaves a claimed request alone", async () => {
    const night = await worker("Nuit", true);
    const id = await request();
    await bot.send(callbackUpdate(night, `rq:claim:${id}`));
    bot.setNow(minutesLater(30));
    expect(await runRequestTimers(bot.deps, SETTINGS)).toEqual({
      reminded: 0,
      escalated: 0,
      expired: 0,
      delivered: 0,
    });
  });

  it("ends a request left too long, tells the person once, then forgets their chat", async () => {
    await worker("Nuit", true);
    const id = await request();
    bot.setNow(minutesLater(72 * 60 + 1));
    expect((await runRequestTimers(bot.deps, SETTINGS)).expired).toBe(1);
    expect((await runRequestTimers(bot.deps, SETTINGS)).expired).toBe(0);
    await bot.deliver();
    const personMessages = bot.telegram.calls.filter((c) =>
      String(c.payload.text ?? "").startsWith("Ta demande ("),
    );
    expect(personMessages).toHaveLength(1);
    const [row] = await database.db.select().from(requests).where(eq(requests.id, id));
    expect(row).toMatchObject({ status: "expired", chatIdEnc: null });
  });

  it("counts a weekly shift as on call, tells the person when the next one starts, and delivers when it does", async () => {
    const night = await worker("Nuit", false);
    const [member] = await database.db
      .select()
      .from(members)
      .where(and(eq(members.alias, "Nuit"), isNull(members.revokedAt)));
    await setShift(database.db, member?.id ?? -1, "Mo-Su 18:00-23:00");
    // 14:00: the shift has not started.
    expect(await onCallMembers(database.db, "org-a", WEDNESDAY_2PM)).toEqual([]);
    const outcome = await submitRequest(bot.deps, {
      personPseudonym: "shift-person",
      chatId: 123_456,
      locale: "fr",
      category: "talk",
      message: null,
      answerMode: "chat",
      meetSiteId: null,
      areaPlaceId: null,
    });
    expect(outcome).toMatchObject({ kind: "sent", onCall: 0, nextShift: new Date("2026-11-18T23:00:00Z") });

    bot.setNow(new Date("2026-11-18T23:05:00Z"));
    expect(
      (await onCallMembers(database.db, "org-a", new Date("2026-11-18T23:05:00Z"))).map((m) => m.alias),
    ).toEqual(["Nuit"]);
    expect((await runRequestTimers(bot.deps, SETTINGS)).delivered).toBe(1);
    await bot.deliver();
    expect(bot.telegram.textsTo(night.id).some((t) => t.startsWith("🆕"))).toBe(true);

    // "End of shift" during the shift holds until the shift would have ended.
    await bot.send(callbackUpdate(night, "oc:off"));
    expect(await onCallMembers(database.db, "org-a", new Date("2026-11-18T23:30:00Z"))).toEqual([]);
    expect(
      (await onCallMembers(database.db, "org-a", new Date("2026-11-19T23:05:00Z"))).map((m) => m.alias),
    ).toEqual(["Nuit"]);
  });

  it("tells the person in the flow when the next shift starts", async () => {
    await worker("Soir", false);
    const [member] = await database.db
      .select()
      .from(members)
      .where(and(eq(members.alias, "Soir"), isNull(members.revokedAt)));
    await setShift(database.db, member?.id ?? -1, "Mo-Su 18:00-23:00");
    const someone: Person = { id: nextId++, languageCode: "fr" };
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:talk"),
      callbackUpdate(someone, "f:nodetails"),
      callbackUpdate(someone, "f:ans:none"),
      callbackUpdate(someone, "f:skip"),
      callbackUpdate(someone, "f:send"),
    );
    const told = bot.telegram.textsTo(someone.id).find((t) => t.includes("Personne n'est de garde"));
    expect(told).toContain("🕒 La prochaine personne de garde commence aujourd'hui à 18 h.");
  });

  it("leaves nothing behind of a dialogue abandoned half-way", async () => {
    // A team takes requests (with none, the dialogue says so at once and keeps no state).
    await joinTeam(bot, database, { id: nextId++, languageCode: "fr" }, "Marc");
    const someone: Person = { id: nextId++, languageCode: "fr" };
    await bot.send(textUpdate(someone, "/parler"), callbackUpdate(someone, "f:cat:food"));
    const stateRows = async () => {
      const result = await database.db.execute(sql`select count(*)::int as n from conversation_state`);
      return rowsOf<{ n: number }>(result)[0]?.n;
    };
    expect(await stateRows()).toBe(1);
    bot.setNow(minutesLater(30));
    await runRequestTimers(bot.deps, SETTINGS);
    expect(await stateRows()).toBe(1);
    bot.setNow(minutesLater(61));
    await runRequestTimers(bot.deps, SETTINGS);
    expect(await stateRows()).toBe(0);
  });

  it("never closes a conversation still going, however old the request", async () => {
    const night = await worker("Nuit", true);
    const id = await request();
    await bot.send(callbackUpdate(night, `rq:claim:${id}`));
    bot.setNow(minutesLater(71 * 60));
    await bot.send(textUpdate(night, "toujours là"));
    bot.setNow(minutesLater(72 * 60 + 1));
    expect((await runRequestTimers(bot.deps, SETTINGS)).expired).toBe(0);
    bot.setNow(minutesLater(71 * 60 + 72 * 60 + 1));
    expect((await runRequestTimers(bot.deps, SETTINGS)).expired).toBe(1);
  });
});
