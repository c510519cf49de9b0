import { HSDS_TIME, type HsdsSchedule, type ScheduleDay } from "./schema";
import type { WeeklyRow } from "./weekly-hours";

/**
 * One HSDS schedule as Perche's weekly rows, or none with the reason in the report: Perche's hours
 * repeat every week, with no start or end date, on the directory's wall clock.
 */
export function scheduleRows(
  schedule: HsdsSchedule,
  today: string,
  timeZone: string,
  report: string[],
): WeeklyRow[] {
  const what = `schedule ${schedule.id}`;
  const skip = (why: string) => {
    report.push(`${what}: ${why}; not imported`);
    return [];
  };
  if (schedule.freq === "MONTHLY") return skip("freq MONTHLY: Perche's hours repeat every week");
  if (schedule.interval !== undefined && schedule.interval > 1)
    return skip(`interval ${schedule.interval}: Perche's hours repeat every week`);
  const ends = schedule.valid_to ?? schedule.until;
  if (ends) return skip(`ends on ${ends} (valid_to/until): Perche's weekly hours have no end date`);
  if (schedule.valid_from && schedule.valid_from > today)
    return skip(`starts on ${schedule.valid_from} (valid_from): Perche's weekly hours have no start date`);
  if (!schedule.byday) return skip("no byday: the days it applies to are not given");
  const days = schedule.byday.split(",").map((d) => d.trim());
  // The schema let only days through, with an occurrence in the month before some (2MO, -1FR).
  if (days.some((d) => d.length > 2))
    return skip(`byday ${schedule.byday}: days of the month (2MO, -1FR) repeat monthly`);
  if (!schedule.opens_at || !schedule.closes_at) return skip("opens_at or closes_at missing");
  const wallTime = (value: string, field: string) => {
    const match = HSDS_TIME.exec(value);
    if (match?.[5])
      report.push(
        `${what}: ${field}: the UTC offset in ${value} was dropped; the time is read on the directory's clock (${timeZone})`,
      );
    return `${match?.[1] ?? match?.[3]}:${match?.[2] ?? match?.[4]}`;
  };
  return [
    {
      days: days as ScheduleDay[],
      opens: wallTime(schedule.opens_at, "opens_at"),
      closes: wallTime(schedule.closes_at, "closes_at"),
    },
  ];
}
