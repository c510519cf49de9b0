import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rowsOf } from "../../src/db/executor";
import { submitRequest, withdrawRequest } from "../../src/features/requests/use-cases";
import { runRetention } from "../../src/privacy/retention";
import { DRIVERS, useDatabase } from "../support/database";
import { WEDNESDAY_2PM } from "../support/directory-fixture";
import { createHarness, type Harness } from "../support/harness";
import { joinTeam, resetRequests } from "../support/team";

const daysLater = (days: number) => new Date(WEDNESDAY_2PM.getTime() + days * 24 * 60 * 60_000);

describe.each(DRIVERS)("deleting ended requests after RETENTION_DAYS, on $name", ({ open }) => {
  let database: DatabaseHandle;
  let bot: Harness;
  let nextId = 11_000_000;

  useDatabase(open, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    bot = await createHarness(database);
    await resetRequests(database);
    // Requests need a team to go to; nobody needs to be on call.
    await joinTeam(bot, database, { id: nextId++, languageCode: "fr" }, "Marc");
  });

  async function request(personPseudonym: string) {
    const outcome = await submitRequest(bot.deps, {
      personPseudonym,
      chatId: nextId++,
      locale: "fr",
      category: "housing",
      message: "un lit pour ce soir",
      answerMode: "chat",
      meetSiteId: null,
      areaPlaceId: null,
    });
    if (outcome.kind !== "sent") throw new Error(outcome.kind);
    return outcome.requestId;
  }

  const count = async (table: string) =>
    Number(
      rowsOf<{ n: number }>(await database.db.execute(sql.raw(`select count(*)::int as n from ${table}`)))[0]
        ?.n,
    );

  it("keeps an ended request until its retention ends, then deletes it with everything said in it", async () => {
    const ended = await request("person-ended");
    const open = await request("person-open");
    expect(await withdrawRequest(bot.deps, "person-ended", ended)).toMatchObject({ kind: "ended" });
    expect(await count("request_messages")).toBe(2);

    expect(await runRetention(database.db, daysLater(29), { retentionDays: 30 })).toEqual({ requests: 0 });
    expect(await count("requests")).toBe(2);

    expect(await runRetention(database.db, daysLater(31), { retentionDays: 30 })).toEqual({ requests: 1 });
    const left = rowsOf<{ id: string }>(await database.db.execute(sql`select id from requests`));
    expect(left.map((r) => r.id)).toEqual([open]);
    // The withdrawn request's words are gone with it; the open one's stay.
    expect(await count("request_messages")).toBe(1);

    // Running again deletes nothing more, and an open request is never deleted however old.
    expect(await runRetention(database.db, daysLater(400), { retentionDays: 30 })).toEqual({ requests: 0 });
    expect(await count("requests")).toBe(1);
  });

  it("counts the retention from the day a request ended, not the day it was made", async () => {
    // Made on day 0, answered over 40 days, withdrawn on day 40: its 30 days start then.
    const longRunning = await request("person-long");
    bot.setNow(daysLater(40));
    expect(await withdrawRequest(bot.deps, "person-long", longRunning)).toMatchObject({ kind: "ended" });

    expect(await runRetention(database.db, daysLater(69), { retentionDays: 30 })).toEqual({ requests: 0 });
    expect(await count("requests")).toBe(1);
    expect(await count("request_messages")).toBe(1);

    expect(await runRetention(database.db, daysLater(71), { retentionDays: 30 })).toEqual({ requests: 1 });
    expect(await count("requests")).toBe(0);
  });

  it("follows a shorter retention", async () => {
    const ended = await request("person-short");
    await withdrawRequest(bot.deps, "person-short", ended);
    expect(await runRetention(database.db, daysLater(2), { retentionDays: 1 })).toEqual({ requests: 1 });
    expect(await count("requests")).toBe(0);
  });
});
