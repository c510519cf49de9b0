import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { referrals, requests } from "../../src/db/schema";
import { DRIVERS, useDatabase } from "../support/database";
import { WEDNESDAY_2PM } from "../support/directory-fixture";
import { buttonTexts, callbackDatas, createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

describe.each(DRIVERS)("referral to another organisation, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 9_300_000;
  const person = (languageCode = "fr"): Person => ({
    id: nextId++,
    languageCode,
    firstName: "Mésange",
    username: `mesange_${nextId}`,
  });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
  });

  async function member(
    alias: string,
    options: { onCall?: boolean; organisationId?: string; language?: string; role?: "peer" } = {},
  ) {
    const someone = await joinTeam(bot, database, person(options.language ?? "fr"), alias, {
      onCall: options.onCall ?? true,
      ...(options.organisationId ? { organisationId: options.organisationId } : {}),
      ...(options.role ? { role: options.role } : {}),
    });
    bot.telegram.clear();
    return someone;
  }

  /** Marc (Organisme A) holds a request; he and the person have exchanged a few words. */
  async function held(marc: Person, someone: Person) {
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:treatment"),
      textUpdate(someone, "Je cherche une cure"),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:skip"),
      callbackUpdate(someone, "f:send"),
    );
    const [request] = await database.db.select().from(requests);
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
    // The holder's controls carry "Refer".
    const controls = bot.telegram.calls.filter((c) => c.method === "editMessageReplyMarkup").at(-1);
    expect(callbackDatas(controls?.payload)).toContain(`rf:pick:${request?.id}`);
    await bot.send(textUpdate(marc, "On peut en parler"));
    await bot.deliver();
    await bot.send(textUpdate(someone, "Oui, mais pas ici"));
    await bot.deliver();
    bot.telegram.clear();
    return request?.id ?? "";
  }

  /** Marc taps Refer, then the organisation; returns the question's yes and no buttons. */
  async function refer(marc: Person, requestId: string, asked: Person) {
    await bot.send(callbackUpdate(marc, `rf:pick:${requestId}`));
    await bot.send(callbackUpdate(marc, `rf:to:${requestId}:lines`));
    await bot.deliver();
    return callbackDatas(bot.lastCall(asked.id)?.payload);
  }

  it("asks the person first, and on yes moves the request with its history to the other organisation", async () => {
    const marc = await member("Marc");
    const someone = person();
    const requestId = await held(marc, someone);
    // Joins after: with one on call each, a new request could have gone to either team.
    const bea = await member("Bea", { organisationId: "lines", language: "en" });

    await bot.send(callbackUpdate(marc, `rf:pick:${requestId}`));
    expect(bot.lastText(marc.id)).toBe(
      "Vers quel organisme? 🟢 = quelqu'un de garde maintenant.\nLa personne devra d'abord dire oui.",
    );
    expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toEqual(["🟢 Lignes publiques"]);
    expect(callbackDatas(bot.lastCall(marc.id)?.payload)).toEqual([`rf:to:${requestId}:lines`]);

    await bot.send(callbackUpdate(marc, `rf:to:${requestId}:lines`));
    expect(bot.lastText(marc.id)).toMatch(/^↗️ La question est posée à .+\. Je te dis sa réponse\.$/);
    await bot.deliver();
    // The question, in the person's language, and nothing else.
    const question = bot.lastCall(someone.id);
    expect(question?.payload.text).toMatch(
      /^Est-ce que Lignes publiques peut prendre le relais de ta demande \([^)]+\)\? L'équipe qui la prend verra ce qui s'est déjà dit ici\.$/,
    );
    expect(buttonTexts(question?.payload)).toEqual(["Oui", "Non"]);
    const [yes] = callbackDatas(question?.payload);
    // Nobody at the other organisation hears of it before the person says yes.
    expect(bot.telegram.sentTo(bea.id)).toEqual([]);

    await bot.send(callbackUpdate(someone, yes as string));
    expect(bot.lastText(someone.id)).toBe(
      "✅ D'accord. Lignes publiques a ta demande, avec ce qui s'est déjà dit. Tu auras la réponse ici.",
    );
    const [moved] = await database.db.select().from(requests);
    expect(moved).toMatchObject({
      organisationId: "lines",
      status: "open",
      claimedByMemberId: null,
      outcome: "referred",
    });
    expect((await database.db.select().from(referrals))[0]?.status).toBe("accepted");

    await bot.deliver();
    expect(bot.lastText(marc.id)).toMatch(
      /^✅ .+ est d'accord : la demande part à Lignes publiques, avec son historique\.$/,
    );
    const notice = bot.lastCall(bea.id);
    expect(notice?.payload.text).toMatch(
      /^↗️ Referred by Marc \(Organisme A\), with the person's consent\.\n\n🆕 /,
    );
    expect(callbackDatas(notice?.payload)).toEqual([`rq:claim:${requestId}`, `rq:pass:${requestId}`]);

    // Marc no longer holds it: his words go nowhere, and he cannot refer it again.
    await bot.send(callbackUpdate(marc, `rf:pick:${requestId}`));
    expect(bot.lastText(marc.id)).toBe("Cette demande n'est plus à toi.");

    await bot.send(callbackUpdate(bea, `rq:claim:${requestId}`));
    await bot.deliver();
    const history = bot.telegram.textsTo(bea.id).find((t) => t.startsWith("↗️ This request comes from"));
    expect(history).toContain("↗️ This request comes from Organisme A. Here is what was said:");
    expect(history).toContain("Je cherche une cure");
    expect(history).toContain("Marc: On peut en parler");
    expect(history).toContain("Oui, mais pas ici");
    expect(bot.lastText(someone.id)).toBe("🙋 Bea a pris ta demande. Tu peux lui écrire ici.");
    await bot.send(textUpdate(bea, "Hi, I can help"));
    await bot.deliver();
    expect(bot.lastText(someone.id)).toBe("Bea : Hi, I can help");
  });

  it("keeps the request with the worker on no, and tells both", async () => {
    const marc = await member("Marc");
    const someone = person("en");
    const requestId = await held(marc, someone);
    const bea = await member("Bea", { organisationId: "lines" });
    const [, no] = await refer(marc, requestId, someone);
    expect(bot.lastText(someone.id)).toMatch(
      /^Can Public lines take over your request \([^)]+\)\? The team taking it will see what has been said here\.$/,
    );
    expect(buttonTexts(bot.lastCall(someone.id)?.payload)).toEqual(["Yes", "No"]);
    await bot.send(callbackUpdate(someone, no as string));
    expect(bot.lastText(someone.id)).toBe("OK, your request stays where it is.");
    await bot.deliver();
    expect(bot.lastText(marc.id)).toMatch(/^.+ préfère rester avec toi\. La demande reste ici\.$/);
    expect(bot.telegram.sentTo(bea.id)).toEqual([]);
    const [kept] = await database.db.select().from(requests);
    expect(kept).toMatchObject({ organisationId: "org-a", status: "claimed", outcome: null });
    // A second answer to the same question changes nothing.
    await bot.send(callbackUpdate(someone, no as string));
    expect(bot.lastText(someone.id)).toBe("You already answered this question.");
  });

  it("lets an unanswered question give way after an hour: the worker asks again, and the old button is stale", async () => {
    const marc = await member("Marc");
    const someone = person();
    const requestId = await held(marc, someone);
    await member("Bea", { organisationId: "lines" });
    const [oldYes] = await refer(marc, requestId, someone);
    bot.setNow(new Date(WEDNESDAY_2PM.getTime() + 61 * 60_000));
    const [newYes] = await refer(marc, requestId, someone);
    expect(newYes).not.toBe(oldYes);
    await bot.send(callbackUpdate(someone, oldYes as string));
    expect(bot.lastText(someone.id)).toBe(
      "Cette question n'est plus d'actualité. Ta demande n'a pas changé.",
    );
    await bot.send(callbackUpdate(someone, newYes as string));
    const [moved] = await database.db.select().from(requests);
    expect(moved).toMatchObject({ organisationId: "lines", status: "open" });
  });

  it("answers stale questions plainly: asked twice, request ended, moved, or someone else's button", async () => {
    const marc = await member("Marc");
    await member("Bea", { organisationId: "lines", onCall: false });
    const someone = person();
    const requestId = await held(marc, someone);
    const [yes] = await refer(marc, requestId, someone);
    // Nobody on call there: shown without the green dot.
    await bot.send(callbackUpdate(marc, `rf:pick:${requestId}`));
    expect(buttonTexts(bot.lastCall(marc.id)?.payload)).toEqual(["Lignes publiques"]);
    await bot.send(callbackUpdate(marc, `rf:to:${requestId}:lines`));
    expect(bot.lastText(marc.id)).toMatch(/^La question est déjà posée à .+\. On attend sa réponse\.$/);
    await bot.deliver();
    expect(bot.telegram.textsTo(someone.id).filter((t) => t.startsWith("Est-ce que"))).toHaveLength(1);

    // Someone else tapping the button (forwarded screenshot, forged data) changes nothing.
    const stranger = person();
    await bot.send(callbackUpdate(stranger, yes as string));
    expect(bot.telegram.calls.at(-1)?.payload.text).toBe("Ce bouton n'est plus à jour. Voici le menu 👇");

    // The worker closes it meanwhile: the answer comes too late.
    await bot.send(callbackUpdate(marc, `rq:out:${requestId}:answered`));
    await bot.send(callbackUpdate(someone, yes as string));
    expect(bot.lastText(someone.id)).toBe(
      "Cette question n'est plus d'actualité. Ta demande n'a pas changé.",
    );
    const [closed] = await database.db.select().from(requests);
    expect(closed).toMatchObject({ organisationId: "org-a", status: "closed", outcome: "answered" });
    expect((await database.db.select().from(referrals))[0]?.status).toBe("stale");

    // Forged or unknown payloads get the usual out-of-date answer.
    await bot.send(callbackUpdate(someone, "rf:yes:not-a-number"), callbackUpdate(someone, "rf:yes:99999"));
    expect(bot.telegram.textsTo(someone.id).at(-1)).toBe(
      "Cette question n'est plus d'actualité. Ta demande n'a pas changé.",
    );
  });

  it("refuses a referral by someone who does not hold the request, and says when there is nowhere to refer", async () => {
    const marc = await member("Marc");
    const lea = await member("Léa");
    const someone = person();
    const requestId = await held(marc, someone);
    await bot.send(callbackUpdate(marc, `rf:pick:${requestId}`));
    expect(bot.lastText(marc.id)).toBe("Aucun autre organisme ne reçoit de demandes pour l'instant.");
    await member("Bea", { organisationId: "lines" });
    await bot.send(
      callbackUpdate(lea, `rf:pick:${requestId}`),
      callbackUpdate(lea, `rf:to:${requestId}:lines`),
    );
    expect(bot.telegram.textsTo(lea.id)).toEqual([
      "Cette demande n'est plus à toi.",
      "Cette demande n'est plus à toi.",
    ]);
    // Its own organisation is not a target, even forged.
    await bot.send(callbackUpdate(marc, `rf:to:${requestId}:org-a`));
    expect(bot.lastText(marc.id)).toBe("Aucun autre organisme ne reçoit de demandes pour l'instant.");
    expect(await database.db.select().from(referrals)).toEqual([]);
  });

  it("says so when nobody is on call at the other organisation, and the first who comes on gets the request", async () => {
    const marc = await member("Marc");
    const bea = await member("Bea", { organisationId: "lines", onCall: false, language: "en" });
    const someone = person("en");
    const requestId = await held(marc, someone);
    const [yes] = await refer(marc, requestId, someone);
    await bot.send(callbackUpdate(someone, yes as string));
    expect(bot.lastText(someone.id)).toBe(
      "✅ OK. Public lines has your request, with what was already said. The answer will come here.\nNobody is on call there right now: your request will go to the first person who comes on call.",
    );
    await bot.deliver();
    expect(bot.telegram.sentTo(bea.id)).toEqual([]);
    await bot.send(callbackUpdate(bea, "oc:on"));
    await bot.deliver();
    expect(bot.telegram.textsTo(bea.id).some((t) => t.startsWith("🆕"))).toBe(true);
    await bot.send(callbackUpdate(bea, `rq:claim:${requestId}`));
    await bot.deliver();
    expect(bot.telegram.textsTo(bea.id).some((t) => t.includes("Marc: On peut en parler"))).toBe(true);
  });

  it("asks the peer helper when the request is relayed, and moves it on their yes", async () => {
    const marc = await member("Marc");
    const bea = await member("Bea", { organisationId: "lines" });
    const sam = await member("Sam", { role: "peer" });
    await bot.send(
      textUpdate(sam, "/relais"),
      callbackUpdate(sam, "f:cat:housing"),
      callbackUpdate(sam, "f:nodetails"),
      callbackUpdate(sam, "f:ans:chat"),
      callbackUpdate(sam, "f:skip"),
      callbackUpdate(sam, "f:send"),
    );
    const nickname = /<b>([^<]+)<\/b>/.exec(bot.lastText(sam.id))?.[1] ?? "";
    const [request] = await database.db.select().from(requests);
    await bot.deliver();
    await bot.send(callbackUpdate(marc, `rq:claim:${request?.id}`));
    const [yes] = await refer(marc, request?.id ?? "", sam);
    expect(bot.lastText(sam.id)).toBe(
      `🤝 ${nickname}\nEst-ce que Lignes publiques peut prendre le relais de ta demande (${nickname})? L'équipe qui la prend verra ce qui s'est déjà dit ici.`,
    );
    await bot.send(callbackUpdate(sam, yes as string));
    expect(bot.lastText(sam.id)).toBe(
      "✅ D'accord. Lignes publiques a ta demande, avec ce qui s'est déjà dit. Tu auras la réponse ici.",
    );
    await bot.deliver();
    expect(bot.lastText(bea.id)).toContain("🤝 Via Sam (pair aidant·e), qui transmet tes réponses.");
    const [moved] = await database.db
      .select()
      .from(requests)
      .where(eq(requests.id, request?.id ?? ""));
    expect(moved).toMatchObject({ organisationId: "lines", status: "open" });
  });
});
