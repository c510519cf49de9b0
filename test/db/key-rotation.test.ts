import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { languageChoices, members, requests, teamGroups } from "../../src/db/schema";
import { pseudonymFor } from "../../src/privacy/pseudonym";
import { PseudonymRotation } from "../../src/privacy/pseudonym-rotation";
import { rekeyPseudonyms, resealAll, SEALED_COLUMNS } from "../../src/privacy/rotation";
import { createSealer } from "../../src/privacy/sealed";
import { DRIVERS, useDatabase } from "../support/database";
import { createHarness, type Harness, TEST_ENCRYPTION_KEY } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";
import { callbackUpdate, type Person, textUpdate } from "../support/updates";

const NEW_KEY = Buffer.alloc(32, 7).toString("base64");

describe("sealing during a key rotation", () => {
  it("opens values sealed with a previous key, and tells them apart from current ones", () => {
    const old = createSealer(TEST_ENCRYPTION_KEY);
    const rotating = createSealer(NEW_KEY, [TEST_ENCRYPTION_KEY]);
    const before = old.seal("chat 123");
    expect(rotating.open(before)).toBe("chat 123");
    expect(rotating.isCurrent(before)).toBe(false);
    expect(rotating.isCurrent(rotating.seal("x"))).toBe(true);
    expect(() => createSealer(NEW_KEY).open(before)).toThrow();
  });
});

describe.each(DRIVERS)("rotating keys, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 13_000_000;
  const person = (): Person => ({ id: nextId++, languageCode: "fr", firstName: "Lièvre" });

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
  });

  it("lists every sealed column of the schema", async () => {
    // A new *_enc column, or a sealed JSON column, must be added to SEALED_COLUMNS or rotation loses it.
    const columns = rowsOf<{ t: string; c: string }>(
      await database.db.execute(sql`
        select table_name as t, column_name as c from information_schema.columns
        where table_schema = current_schema() and (column_name like '%\\_enc' or data_type = 'jsonb')`),
    ).map((r) => `${r.t}.${r.c}`);
    const listed = SEALED_COLUMNS.map((s) => `${s.table}.${s.column}`);
    // Directory JSON (stops, services, the vocabulary) is public, and the audit of workers' changes holds
    // no one's words.
    const publicJson = [
      "sites.stops",
      "sites.services",
      "directory_info.vocabulary",
      "directory_changes.before",
      "directory_changes.after",
      // What the last import wrote for the fields coordinators edit: the file's own public values.
      "sites.file_base",
    ];
    expect(columns.filter((c) => !publicJson.includes(c)).sort()).toEqual([...listed].sort());
  });

  it("re-seals every value with the new key, once, and loses nothing", async () => {
    const marc = await joinTeam(bot, database, person(), "Marc", { onCall: true });
    const someone = person();
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:housing"),
      textUpdate(someone, "un lit, ornithorynque-5521"),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:area:centre-sud"),
      callbackUpdate(someone, "f:send"),
    );
    // A dialogue in progress and messages still queued: both sealed, both must survive.
    await bot.send(textUpdate(person(), "/parler"));
    const [member] = await database.db.select().from(members).where(sql`${members.revokedAt} is null`);
    await database.db.insert(teamGroups).values({
      organisationId: "org-a",
      chatIdEnc: bot.deps.sealer.seal("-100777"),
      registeredAt: new Date(),
    });

    const rotating = createSealer(NEW_KEY, [TEST_ENCRYPTION_KEY]);
    const counts = await resealAll(database.db, rotating);
    expect(counts["members.chat_id_enc"]).toBe(1);
    expect(counts["requests.chat_id_enc"]).toBe(1);
    expect(counts["request_messages.body_enc"]).toBe(1);
    expect(counts["team_groups.chat_id_enc"]).toBe(1);
    expect(counts["conversation_state.state"]).toBeGreaterThanOrEqual(1);
    expect(counts["outbox.payload"]).toBeGreaterThanOrEqual(1);
    expect(Object.values(await resealAll(database.db, rotating)).every((n) => n === 0)).toBe(true);

    // Only the new key is needed from now on.
    const onlyNew = createSealer(NEW_KEY);
    const [rekeyed] = await database.db.select().from(members).where(sql`${members.id} = ${member?.id}`);
    expect(rekeyed?.chatIdEnc).not.toBe(member?.chatIdEnc);
    expect(onlyNew.open(rekeyed?.chatIdEnc ?? "")).toBe(String(marc.id));
    for (const target of SEALED_COLUMNS) {
      const values = rowsOf<{ v: unknown }>(
        await database.db.execute(
          sql.raw(`select ${target.column} as v from ${target.table} where ${target.column} is not null`),
        ),
      );
      for (const { v } of values) {
        const object = typeof v === "string" && target.shape === "json" ? JSON.parse(v) : v;
        const sealed = target.shape === "text" ? (v as string) : (object as { sealed?: string }).sealed;
        if (sealed !== undefined) expect(() => onlyNew.open(sealed)).not.toThrow();
      }
    }
    const [request] = await database.db.select().from(requests);
    expect(onlyNew.open(request?.chatIdEnc ?? "")).toBe(String(someone.id));
  });

  it("moves a person's rows to their new pseudonym the next time they write", async () => {
    const someone = person();
    const worker = await joinTeam(bot, database, person(), "Léa");
    await bot.send(textUpdate(someone, "/langue"), callbackUpdate(someone, "lang:en"));
    const oldKey = bot.deps.pseudonymKey;
    const newKey = "a-brand-new-pseudonym-key-0123456789abcdef";

    // Restarted with the new key: without the previous one, the person is a stranger (French again).
    bot.deps.pseudonymKey = newKey;
    await bot.send(textUpdate(someone, "/aide"));
    expect(bot.lastText(someone.id)).toContain("Ce que je sais faire");

    bot.deps.pseudonymRotation = new PseudonymRotation([oldKey]);
    await bot.send(textUpdate(someone, "/aide"));
    expect(bot.lastText(someone.id)).toContain("What I can do");
    const [choice] = await database.db.select().from(languageChoices);
    expect(choice?.pseudonym).toBe(pseudonymFor(newKey, someone.id));
    // A team member keeps their place in the team.
    await bot.send(textUpdate(worker, "/garde"));
    expect(bot.lastText(worker.id)).toBe("⚪ Tu n'es pas de garde.");
    const [member] = await database.db.select().from(members).where(sql`${members.revokedAt} is null`);
    expect(member?.pseudonym).toBe(pseudonymFor(newKey, worker.id, "member"));
  });

  it("moves team members, alert subscribers and open requests to a new pseudonym key at once", async () => {
    const worker = await joinTeam(bot, database, person(), "Noé", { onCall: true });
    const subscriber = person();
    await bot.send(textUpdate(subscriber, "/alertes"), callbackUpdate(subscriber, "al:all"));
    const someone = person();
    await bot.send(
      textUpdate(someone, "/parler"),
      callbackUpdate(someone, "f:cat:food"),
      textUpdate(someone, "un repas"),
      callbackUpdate(someone, "f:ans:chat"),
      callbackUpdate(someone, "f:area:centre-sud"),
      callbackUpdate(someone, "f:send"),
    );
    expect(await database.db.select().from(requests)).toHaveLength(1);
    const newKey = "another-brand-new-pseudonym-key-0123456789";
    const counts = await rekeyPseudonyms(database.db, bot.deps.sealer, newKey);
    expect(counts).toEqual({ members: 1, alert_subscribers: 1, requests: 1 });
    expect(await rekeyPseudonyms(database.db, bot.deps.sealer, newKey)).toEqual({
      members: 0,
      alert_subscribers: 0,
      requests: 0,
    });
    const [member] = await database.db.select().from(members).where(sql`${members.revokedAt} is null`);
    expect(member?.pseudonym).toBe(pseudonymFor(newKey, worker.id, "member"));
    const [subscribed] = rowsOf<{ pseudonym: string }>(
      await database.db.execute(sql`select pseudonym from alert_subscribers`),
    );
    expect(subscribed?.pseudonym).toBe(pseudonymFor(newKey, subscriber.id, "alerts"));
    for (const request of await database.db.select().from(requests))
      expect(request.personPseudonym).toBe(pseudonymFor(newKey, someone.id));

    // With only the new key, without a previous one, nobody is lost: the worker is still on the team,
    // and the subscriber can still stop their alerts.
    bot.deps.pseudonymKey = newKey;
    await bot.send(textUpdate(worker, "/garde"));
    expect(bot.lastText(worker.id)).toContain("Tu es de garde");
    await bot.send(callbackUpdate(subscriber, "al:stop"));
    expect(bot.lastText(subscriber.id)).toBe(
      "🔕 C'est arrêté. J'ai tout effacé : tu ne recevras plus d'alertes.",
    );
  });
});
