import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "../../src/db/client";
import { members, type Role } from "../../src/db/schema";
import { createInvitation } from "../../src/features/members/queries";
import type { Harness } from "./harness";
import { callbackUpdate, type Person, textUpdate } from "./updates";

/** Joins the fixture's team (org-a) the way a person does: an invitation link, then an alias. */
export async function joinTeam(
  bot: Harness,
  database: DatabaseHandle,
  someone: Person,
  alias: string,
  options: { role?: Role; onCall?: boolean; organisationId?: string } = {},
): Promise<Person> {
  const code = await createInvitation(database.db, {
    organisationId: options.organisationId ?? "org-a",
    role: options.role ?? "worker",
    expiresAt: new Date("2026-12-01T00:00:00Z"),
  });
  await bot.send(textUpdate(someone, `/start inv-${code}`), textUpdate(someone, alias));
  if (options.onCall) await bot.send(callbackUpdate(someone, "oc:on"));
  return someone;
}

/** A clean slate for request tests sharing one database: no requests, no messages queued, no team. */
export async function resetRequests(database: DatabaseHandle): Promise<void> {
  for (const table of [
    "outbox",
    "pending_words",
    "request_notices",
    "group_notices",
    "request_messages",
    "requests",
    "conversation_state",
    "team_groups",
  ])
    await database.db.execute(sql.raw(`delete from ${table}`));
  await database.db.update(members).set({ revokedAt: new Date("2026-11-01T00:00:00Z") });
}
