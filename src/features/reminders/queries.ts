import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Locale } from "../../config";
import type { Executor } from "../../db/executor";
import { members, staleReminders } from "../../db/schema";
import { DEFAULT_REMINDER, type EveryWeeks, type ReminderSettings, type ReminderState } from "./schedule";

/** The reminder's rows: a coordinator's settings, and what was last handled and sent. */

export type CoordinatorReminder = {
  memberId: number;
  organisationId: string;
  locale: Locale;
  settings: ReminderSettings;
  state: ReminderState;
};

const settingsColumns = {
  everyWeeks: staleReminders.everyWeeks,
  weekday: staleReminders.weekday,
  atMinute: staleReminders.atMinute,
};

function settingsOf(row: {
  everyWeeks: number | null;
  weekday: number | null;
  atMinute: number | null;
}): ReminderSettings {
  // No row yet: the defaults, as the table's column defaults say.
  if (row.everyWeeks === null || row.weekday === null || row.atMinute === null) return DEFAULT_REMINDER;
  return { everyWeeks: row.everyWeeks as EveryWeeks, weekday: row.weekday, atMinute: row.atMinute };
}

/**
 * Every coordinator who can be written to, with their settings. One who never opened /rappel has the
 * defaults, and counts from the day they joined: no moment from before is caught up.
 */
export async function listCoordinatorReminders(db: Executor): Promise<CoordinatorReminder[]> {
  const rows = await db
    .select({
      memberId: members.id,
      organisationId: members.organisationId,
      locale: members.locale,
      joinedAt: members.createdAt,
      ...settingsColumns,
      handledUntil: staleReminders.handledUntil,
      sentAt: staleReminders.sentAt,
    })
    .from(members)
    .leftJoin(staleReminders, eq(staleReminders.memberId, members.id))
    .where(and(eq(members.role, "admin"), isNull(members.revokedAt), isNull(members.unreachableSince)));
  return rows.map((row) => ({
    memberId: row.memberId,
    organisationId: row.organisationId,
    locale: row.locale,
    settings: settingsOf(row),
    state: { handledUntil: row.handledUntil ?? row.joinedAt, sentAt: row.sentAt },
  }));
}

export async function getReminderSettings(db: Executor, memberId: number): Promise<ReminderSettings> {
  const [row] = await db
    .select(settingsColumns)
    .from(staleReminders)
    .where(eq(staleReminders.memberId, memberId));
  return row ? settingsOf(row) : DEFAULT_REMINDER;
}

/**
 * Saves a coordinator's choice. The moments before `now` count as handled, so a change never sends at
 * once a reminder for a moment that has already passed ("Tuesday" chosen on a Wednesday is next week).
 */
export async function saveReminderSettings(
  db: Executor,
  memberId: number,
  settings: ReminderSettings,
  now: Date,
): Promise<void> {
  await db
    .insert(staleReminders)
    .values({ memberId, ...settings, handledUntil: now })
    .onConflictDoUpdate({
      target: staleReminders.memberId,
      set: {
        ...settings,
        handledUntil: sql`greatest(${staleReminders.handledUntil}, excluded.handled_until)`,
      },
    });
}

/**
 * Takes a due moment for one coordinator, once across instances: the row is written only if no run took
 * this moment (or a later one) and no reminder went out at or after `sentBefore` (the once-a-week cap,
 * checked again on the row itself). `sentAt` is null when there was nothing old to say: the moment is
 * handled, and the frequency still counts from the last reminder sent. True: this run took it.
 */
export async function takeReminderMoment(
  db: Executor,
  params: { memberId: number; moment: Date; sentBefore: Date; sentAt: Date | null },
): Promise<boolean> {
  const taken = await db
    .insert(staleReminders)
    .values({ memberId: params.memberId, handledUntil: params.moment, sentAt: params.sentAt })
    .onConflictDoUpdate({
      target: staleReminders.memberId,
      set: { handledUntil: params.moment, ...(params.sentAt ? { sentAt: params.sentAt } : {}) },
      setWhere: and(
        lt(staleReminders.handledUntil, params.moment),
        or(isNull(staleReminders.sentAt), lt(staleReminders.sentAt, params.sentBefore)),
      ),
    })
    .returning({ memberId: staleReminders.memberId });
  return taken.length > 0;
}
