import { buildSchedule, isOpen, type Schedule, statusAt } from "../../directory/hours";
import { MONTREAL_REGION } from "../../directory/hours-syntax";

/**
 * Weekly shifts, in the same OSM syntax as site hours and evaluated by the same code, in the
 * directory's zone. Parsed once per distinct text.
 */
export const DEFAULT_ZONE = "America/Toronto";

const schedules = new Map<string, Schedule>();

function scheduleOf(hours: string, zone: string): Schedule {
  const key = `${zone}\u0000${hours}`;
  let schedule = schedules.get(key);
  if (!schedule) {
    schedule = buildSchedule({ hours, specialDates: [] }, [], MONTREAL_REGION, zone);
    if (schedules.size > 1000) schedules.clear();
    schedules.set(key, schedule);
  }
  return schedule;
}

export function inShift(hours: string, now: Date, zone = DEFAULT_ZONE): { now: boolean; until?: Date } {
  const status = statusAt(scheduleOf(hours, zone), now);
  return { now: isOpen(status), ...(status.kind === "open" ? { until: status.until } : {}) };
}

/** The earliest start among these shifts, if any starts within the week. */
export function nextShiftStart(shifts: string[], now: Date, zone = DEFAULT_ZONE): Date | undefined {
  let next: Date | undefined;
  for (const hours of shifts) {
    const status = statusAt(scheduleOf(hours, zone), now);
    if (status.kind === "closed" && (!next || status.opensAt < next)) next = status.opensAt;
  }
  return next;
}
