import { and, eq, isNull } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { members, requests } from "../../src/db/schema";
import { setShift } from "../../src/features/members/queries";
import { runRequestTimers } from "../../src/features/requests/timers";
import { DRIVERS, useDatabase } from "../support/database";
import { fixtureDirectory, WEDNESDAY_2PM } from "../support/directory-fixture";
import { createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Three organisations: Le Relais serves Centre-Sud, L'Est serves Hochelaga, Le Canal serves Verdun and
 * keeps its requests. It is Wednesday, 14:00 in Montreal.
 */
const threeOrganisations = () =>
  fixtureDirectory((input) => {
    input.places?.push({
      id: "hochelaga",
      kind: "neighbourhood",
      name: { fr: "Hochelaga", en: "Hochelaga" },
      lat: 45.545,
      lon: -73.543,
    });
    input.organisations = [
      { id: "org-a", name: { fr: "Le Relais", en: "Le Relais" }, serves: ["centre-sud"] },
      { id: "org-b", name: { fr: "L'Est", en: "L'Est" }, serves: ["hochelaga"] },
      { id: "org-c", name: { fr: "Le Canal", en: "Le Canal" }, serves: ["verdun"], keeps_requests: true },
      { id: "lines", name: { fr: "Lignes publiques", en: "Public lines" }, serves: [] },
    ];
  });

const SETTINGS = { escalationMinutes: 10, expiryHours: 72 };
const minutesLater = (minutes: number) => new Date(WEDNESDAY_2PM.getTime() + minutes * 60_000);

const LANGUAGES = [
  {
    language: "fr",
    sent: "✅ C'est envoyé.",
    nobody: "Personne n'est de garde en ce moment.",
    nextAt: (time: string) => `🕒 La prochaine personne de garde commence aujourd'hui à ${time}.`,
    time: { "15:00": "15 h", "16:00": "16 h" },
    claimedBy: (alias: string) => `🙋 ${alias} a pris ta demande.`,
  },
  {
    language: "en",
    sent: "✅ Sent.",
    nobody: "Nobody is on call right now.",
    nextAt: (time: string) => `🕒 The next person on call starts today at ${time}.`,
    time: { "15:00": "15:00", "16:00": "16:00" },
    claimedBy: (alias: string) => `🙋 ${alias} took your request.`,
  },
] as const;

describe.each(DRIVERS)("which organisation a request goes to, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 7_000_000;

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database, { directory: threeOrganisations() });
    await resetRequests(database);
  });

  async function worker(organisationId: string, alias: string, onCall: boolean, shift?: string) {
    const someone = await joinTeam(bot, database, { id: nextId++, languageCode: "fr" }, alias, {
      onCall,
      organisationId,
    });
    if (shift) {
      const [row] = await database.db
        .select()
        .from(members)
        .where(and(eq(members.alias, alias), isNull(members.revokedAt)));
      await setShift(database.db, row?.id ?? -1, shift);
    }
    return someone;
  }

  /** Through /parler: to talk, no details, answered here, in this area, sent. */
  async function ask(someone: Person, area: string) {
    const before = new Set((await database.db.select({ id: requests.id }).from(requests)).map((r) => r.id));
    await bot.send(
      textUpdate(someone, someone.languageCode === "en" ? "/talk" : "/parler"),
      callbackUpdate(someone, "f:cat:talk"),
      callbackUpdate(someone, "f:nodetails"),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, `f:area:${area}`),
      callbackUpdate(someone, "f:send"),
    );
    const request = (await database.db.select().from(requests)).find((r) => !before.has(r.id));
    if (!request) throw new Error("no request was made");
    await bot.deliver();
    return request;
  }

  const noticed = (someone: Person) => bot.telegram.textsTo(someone.id).some((t) => t.startsWith("🆕"));
  const told = (someone: Person) => bot.telegram.textsTo(someone.id).join("\n\n");

  it.each(LANGUAGES)(
    "in $language: a Centre-Sud request reaches the organisation serving Centre-Sud, though another has more on call",
    async (l) => {
      const relais = await worker("org-a", "Relais", true);
      const est1 = await worker("org-b", "Est1", true);
      const est2 = await worker("org-b", "Est2", true);
      const canal = await worker("org-c", "Canal", true);
      bot.telegram.clear();
      const someone: Person = { id: nextId++, languageCode: l.language };
      const request = await ask(someone, "centre-sud");
      expect(told(someone)).toContain(l.sent);
      expect(noticed(relais)).toBe(true);
      for (const other of [est1, est2, canal]) expect(bot.telegram.textsTo(other.id)).toEqual([]);
      expect(request.organisationId).toBe("org-a");
    },
  );

  it.each(LANGUAGES)(
    "in $language: with nobody on call at the serving organisation, the others' workers on call get it, and a claim brings it into theirs",
    async (l) => {
      const relais = await worker("org-a", "Relais", false);
      const est = await worker("org-b", "Est", true);
      const canal = await worker("org-c", "Canal", true);
      bot.telegram.clear();
      const someone: Person = { id: nextId++, languageCode: l.language };
      const request = await ask(someone, "centre-sud");
      expect(told(someone)).toContain(l.sent);
      expect(noticed(est)).toBe(true);
      expect(noticed(canal)).toBe(true);
      expect(bot.telegram.textsTo(relais.id)).toEqual([]);

      await bot.send(callbackUpdate(est, `rq:claim:${request.id}`));
      await bot.deliver();
      expect(bot.lastText(someone.id)).toContain(l.claimedBy("Est"));
      const [row] = await database.db.select().from(requests).where(eq(requests.id, request.id));
      expect(row).toMatchObject({ status: "claimed", organisationId: "org-b" });
      // The other organisation's notice says it is taken, so nobody answers the same person twice.
      expect(
        bot.telegram.calls.some(
          (c) => c.method === "editMessageReplyMarkup" && Number(c.payload.chat_id) === canal.id,
        ),
      ).toBe(true);
    },
  );

  it.each(LANGUAGES)(
    "in $language: an organisation that keeps its requests: nobody on call there, the request waits for its shift, and the person is told when",
    async (l) => {
      const relais = await worker("org-a", "Relais", true);
      const canal = await worker("org-c", "Canal", false, "Mo-Su 16:00-23:00");
      bot.telegram.clear();
      const someone: Person = { id: nextId++, languageCode: l.language };
      const request = await ask(someone, "verdun");
      expect(told(someone)).toContain(l.nobody);
      expect(told(someone)).toContain(l.nextAt(l.time["16:00"]));
      expect(bot.telegram.textsTo(relais.id)).toEqual([]);
      expect(request).toMatchObject({ organisationId: "org-c", deliveredAt: null });

      // Escalation keeps it too: no reminder to the other organisation, the last call to its own team.
      bot.setNow(minutesLater(11));
      await runRequestTimers(bot.deps, SETTINGS);
      bot.setNow(minutesLater(21));
      await runRequestTimers(bot.deps, SETTINGS);
      await bot.deliver();
      expect(bot.telegram.textsTo(relais.id)).toEqual([]);
      expect(bot.lastText(canal.id)).toMatch(/^📣/);
    },
  );

  it.each(LANGUAGES)(
    "in $language: nobody on call anywhere: told the next shift among the organisations that would receive it, which then gets it",
    async (l) => {
      await worker("org-a", "Relais", false, "Mo-Su 20:00-23:00");
      const est = await worker("org-b", "Est", false, "Mo-Su 16:00-23:00");
      const canal = await worker("org-c", "Canal", false, "Mo-Su 15:00-23:00");
      bot.telegram.clear();
      const centreSud: Person = { id: nextId++, languageCode: l.language };
      await ask(centreSud, "centre-sud");
      expect(told(centreSud)).toContain(l.nobody);
      // Le Canal's shift comes first, and a Centre-Sud request may go to it.
      expect(told(centreSud)).toContain(l.nextAt(l.time["15:00"]));

      bot.setNow(new Date("2026-11-18T20:05:00Z"));
      expect((await runRequestTimers(bot.deps, SETTINGS)).delivered).toBe(1);
      await bot.deliver();
      expect(noticed(canal)).toBe(true);
      expect(bot.telegram.textsTo(est.id)).toEqual([]);
    },
  );

  it("a waiting request goes to the first worker who comes on call among those it would reach, not only where it was filed", async () => {
    await worker("org-c", "Canal", false, "Mo-Su 15:00-23:00");
    const est = await worker("org-b", "Est", false);
    const relais = await worker("org-a", "Relais", false);
    const centreSud: Person = { id: nextId++, languageCode: "fr" };
    const waiting = await ask(centreSud, "centre-sud");
    const verdun = await ask({ id: nextId++, languageCode: "fr" }, "verdun");
    expect(waiting).toMatchObject({ organisationId: "org-c", deliveredAt: null });
    bot.telegram.clear();

    // L'Est goes on call by hand: the Centre-Sud request may go to it, the kept Verdun one may not.
    await bot.send(callbackUpdate(est, "oc:on"));
    await bot.deliver();
    const notices = bot.telegram.textsTo(est.id).filter((t) => t.startsWith("🆕"));
    expect(notices).toHaveLength(1);
    expect(told(centreSud)).toMatch(/^📬 /);
    const [kept] = await database.db.select().from(requests).where(eq(requests.id, verdun.id));
    expect(kept).toMatchObject({ organisationId: "org-c", deliveredAt: null });
    expect(bot.telegram.textsTo(relais.id)).toEqual([]);
  });

  it("in en: a kept area with nobody on call anywhere is told its own organisation's shift, not an earlier one elsewhere", async () => {
    await worker("org-b", "Est", false, "Mo-Su 15:00-23:00");
    await worker("org-c", "Canal", false, "Mo-Su 16:00-23:00");
    const someone: Person = { id: nextId++, languageCode: "en" };
    await ask(someone, "verdun");
    expect(told(someone)).toContain("🕒 The next person on call starts today at 16:00.");
  });

  it("escalates in the same order: the reminder to whoever the rule reaches now, the last call to the serving team", async () => {
    const relaisOnCall = await worker("org-a", "RelaisNuit", true);
    const relaisHome = await worker("org-a", "RelaisMaison", false);
    const est = await worker("org-b", "Est", true);
    const canalHome = await worker("org-c", "Canal", false);
    bot.telegram.clear();
    const someone: Person = { id: nextId++, languageCode: "fr" };
    const request = await ask(someone, "centre-sud");
    expect(noticed(relaisOnCall)).toBe(true);
    expect(bot.telegram.textsTo(est.id)).toEqual([]);

    // Le Relais's only worker on call goes off: the reminder goes to the others' workers on call.
    bot.setNow(minutesLater(5));
    await bot.send(callbackUpdate(relaisOnCall, "oc:off"));
    bot.telegram.clear();
    bot.setNow(minutesLater(11));
    expect((await runRequestTimers(bot.deps, SETTINGS)).reminded).toBe(1);
    await bot.deliver();
    expect(bot.lastText(est.id)).toMatch(/^⏰ Toujours en attente depuis 11 min : /);
    for (const quiet of [relaisOnCall, relaisHome, canalHome])
      expect(bot.telegram.textsTo(quiet.id)).toEqual([]);

    // The last call: all of Le Relais, on call or not, and those on call elsewhere; not Le Canal off call.
    bot.telegram.clear();
    bot.setNow(minutesLater(21));
    expect((await runRequestTimers(bot.deps, SETTINGS)).escalated).toBe(1);
    await bot.deliver();
    for (const called of [relaisOnCall, relaisHome, est]) expect(bot.lastText(called.id)).toMatch(/^📣/);
    expect(bot.telegram.textsTo(canalHome.id)).toEqual([]);

    // Whoever was called may take it: here the worker at home at Le Relais.
    await bot.send(callbackUpdate(relaisHome, `rq:claim:${request.id}`));
    const [row] = await database.db.select().from(requests).where(eq(requests.id, request.id));
    expect(row).toMatchObject({ status: "claimed", organisationId: "org-a" });
  });

  it("a worker of an organisation that was never told cannot claim the request", async () => {
    await worker("org-a", "Relais", true);
    const est = await worker("org-b", "Est", true);
    const request = await ask({ id: nextId++, languageCode: "fr" }, "centre-sud");
    await bot.send(callbackUpdate(est, `rq:claim:${request.id}`));
    const [row] = await database.db.select().from(requests).where(eq(requests.id, request.id));
    expect(row).toMatchObject({ status: "open", organisationId: "org-a", claimedByMemberId: null });
  });

  it("a request to meet at a site goes to that site's organisation, whatever the area", async () => {
    const relais = await worker("org-a", "Relais", false);
    const canal = await worker("org-c", "Canal", true);
    bot.telegram.clear();
    const someone: Person = { id: nextId++, languageCode: "fr" };
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:talk"),
      callbackUpdate(someone, "f:nodetails"),
      callbackUpdate(someone, "f:ans:meet"),
      callbackUpdate(someone, "f:site:day-site"),
      callbackUpdate(someone, "f:area:verdun"),
      callbackUpdate(someone, "f:send"),
    );
    const [request] = await database.db.select().from(requests).where(eq(requests.status, "open"));
    expect(request).toMatchObject({ organisationId: "org-a", meetSiteId: "day-site" });
    await bot.deliver();
    expect(bot.telegram.textsTo(canal.id)).toEqual([]);
    expect(bot.telegram.textsTo(relais.id)).toEqual([]);
    expect(told(someone)).toContain("Personne n'est de garde en ce moment.");
  });
});
