import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { invitations, members } from "../../src/db/schema";
import { findActiveMember, hashCode, onCallMembers } from "../../src/features/members/queries";
import { pseudonymFor } from "../../src/privacy/pseudonym";
import { DRIVERS, useDatabase } from "../support/database";
import { WEDNESDAY_2PM } from "../support/directory-fixture";
import { buttonTexts, createHarness, type Harness } from "../support/harness";
import { joinTeam } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

/**
 * Rules that mutating the source showed no test guarded: who can go on call, and how long a
 * coordinator's invitation link lives.
 */
describe.each(DRIVERS)("team rules that must hold, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 5_500_000;
  const newPerson = (languageCode = "fr"): Person => ({ id: nextId++, languageCode });
  const hoursLater = (hours: number) => new Date(WEDNESDAY_2PM.getTime() + hours * 3_600_000);

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await database.db.update(members).set({ revokedAt: new Date("2026-11-01T00:00:00Z") });
  });

  const memberOf = (someone: Person) =>
    findActiveMember(database.db, pseudonymFor(bot.deps.pseudonymKey, someone.id, "member"));

  it.each([["oc:on"], ["oc:4h"], ["oc:morning"]])(
    "never puts a peer helper on call, even with a forged %s button",
    async (data) => {
      const peer = await joinTeam(bot, database, newPerson("en"), "Sam", { role: "peer" });
      await bot.send(textUpdate(peer, "/oncall"));
      expect(bot.lastText(peer.id)).toBe(
        "Peer helpers don't go on call: requests go to the workers on call.",
      );
      expect(buttonTexts(bot.lastCall(peer.id)?.payload)).not.toContain("🟢 Go on call");
      bot.telegram.clear();

      await bot.send(callbackUpdate(peer, data));
      // The button is answered, in the peer's language, and nothing else is said or changed.
      const answers = bot.telegram.calls.filter((c) => c.method === "answerCallbackQuery");
      expect(answers.map((c) => c.payload.text)).toEqual([
        "Peer helpers don't go on call: requests go to the workers on call.",
      ]);
      expect(bot.telegram.textsTo(peer.id)).toEqual([]);
      expect(await memberOf(peer)).toMatchObject({ role: "peer", onCallSince: null, onCallUntil: null });
      expect(await onCallMembers(database.db, "org-a", bot.deps.now())).toEqual([]);
    },
  );

  it("lets a worker go on call with the same button a peer is refused", async () => {
    const worker = await joinTeam(bot, database, newPerson(), "Léa");
    await bot.send(callbackUpdate(worker, "oc:on"));
    expect(bot.lastText(worker.id)).toBe("🟢 C'est noté : tu es de garde.");
    expect((await onCallMembers(database.db, "org-a", bot.deps.now())).map((m) => m.alias)).toEqual(["Léa"]);
  });

  it("shows a worker the on-call buttons with /garde", async () => {
    const worker = await joinTeam(bot, database, newPerson(), "Léa");
    await bot.send(textUpdate(worker, "/garde"));
    expect(bot.lastText(worker.id)).toBe("⚪ Tu n'es pas de garde.");
    expect(buttonTexts(bot.lastCall(worker.id)?.payload)).toContain("🟢 Je prends la garde");
  });

  it("tells someone not on a team, in their language, that on call is for team members, button or not", async () => {
    const stranger = newPerson("en");
    await bot.send(textUpdate(stranger, "/oncall"), callbackUpdate(stranger, "oc:on"));
    expect(bot.telegram.textsTo(stranger.id)).toEqual(["This command is for team members."]);
    const answers = bot.telegram.calls.filter((c) => c.method === "answerCallbackQuery");
    expect(answers.map((c) => c.payload.text)).toEqual(["This command is for team members."]);
    expect(await onCallMembers(database.db, "org-a", bot.deps.now())).toEqual([]);
  });

  it("answers a worker's garbled on-call button and changes nothing", async () => {
    const worker = await joinTeam(bot, database, newPerson(), "Léa");
    bot.telegram.clear();
    await bot.send(callbackUpdate(worker, "oc:forever"));
    const answers = bot.telegram.calls.filter((c) => c.method === "answerCallbackQuery");
    expect(answers).toHaveLength(1);
    expect(bot.telegram.textsTo(worker.id)).toEqual([]);
    expect(await onCallMembers(database.db, "org-a", bot.deps.now())).toEqual([]);
  });

  /** A coordinator's link, made from the bot at WEDNESDAY_2PM. */
  async function inviteFromTheBot(): Promise<string> {
    const coordinator = await joinTeam(bot, database, newPerson(), "Coordo", { role: "admin" });
    bot.setNow(WEDNESDAY_2PM);
    await bot.send(callbackUpdate(coordinator, "adm:inv:worker"));
    const code = /start=inv-([A-Za-z0-9_-]{22})/.exec(bot.lastText(coordinator.id))?.[1];
    if (!code) throw new Error("no invitation link");
    return code;
  }

  it("keeps a coordinator's invitation link for 48 hours", async () => {
    const code = await inviteFromTheBot();
    const [stored] = await database.db
      .select({ expiresAt: invitations.expiresAt })
      .from(invitations)
      .where(eq(invitations.codeHash, hashCode(code)));
    expect(stored?.expiresAt).toEqual(hoursLater(48));

    bot.setNow(new Date(hoursLater(48).getTime() - 60_000));
    const newcomer = newPerson();
    await bot.send(textUpdate(newcomer, `/start inv-${code}`), textUpdate(newcomer, "Nouvelle"));
    expect(bot.lastText(newcomer.id)).toContain("C'est fait, Nouvelle.");
  });

  it("says a coordinator's invitation link expired once its 48 hours are over", async () => {
    const code = await inviteFromTheBot();
    bot.setNow(hoursLater(48));
    const late = newPerson("en");
    await bot.send(textUpdate(late, `/start inv-${code}`));
    expect(bot.lastText(late.id)).toBe(
      "This invitation link has expired. Ask your coordinator for a new one.",
    );
    expect(await memberOf(late)).toBeUndefined();
  });
});
