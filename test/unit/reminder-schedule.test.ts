import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayNumber, wallDate } from "../../src/directory/clock";
import {
  DEFAULT_REMINDER,
  dueReminder,
  isoWeekday,
  REMINDER_TIMES,
  type ReminderSettings,
} from "../../src/features/reminders/schedule";

/**
 * When a coordinator's reminder is due, on Montreal's wall clock (the machine runs in UTC). November
 * 2026: Monday the 16th, 23rd and 30th; the clocks went back on Sunday 1 November and go forward on
 * Sunday 14 March 2027. 10:00 in Montreal is 15:00 UTC in winter, 14:00 UTC in summer.
 */
const ZONE = "America/Toronto";
const at = (iso: string) => new Date(iso);
const weekly = DEFAULT_REMINDER;
const every = (everyWeeks: ReminderSettings["everyWeeks"], more: Partial<ReminderSettings> = {}) => ({
  ...DEFAULT_REMINDER,
  everyWeeks,
  ...more,
});
// The Monday 16 November reminder went out on time.
const SENT_16 = { handledUntil: at("2026-11-16T15:00:00Z"), sentAt: at("2026-11-16T15:00:20Z") };

const CASES: [
  string,
  string,
  ReminderSettings,
  { handledUntil: Date; sentAt: Date | null },
  string | null,
][] = [
  ["on the next Monday at 10:00", "2026-11-23T15:00:00Z", weekly, SENT_16, "2026-11-23T15:00:00Z"],
  ["not a minute before", "2026-11-23T14:59:00Z", weekly, SENT_16, null],
  [
    "not again once that moment is handled",
    "2026-11-23T15:01:00Z",
    weekly,
    { handledUntil: at("2026-11-23T15:00:00Z"), sentAt: at("2026-11-23T15:00:40Z") },
    null,
  ],
  [
    "not again when that moment had nothing old to say",
    "2026-11-24T15:00:00Z",
    weekly,
    { handledUntil: at("2026-11-23T15:00:00Z"), sentAt: SENT_16.sentAt },
    null,
  ],
  [
    "a missed moment: at the next run after it",
    "2026-11-24T13:00:00Z",
    weekly,
    SENT_16,
    "2026-11-23T15:00:00Z",
  ],
  [
    "two weeks missed: only the latest moment, once",
    "2026-11-25T20:00:00Z",
    weekly,
    { handledUntil: at("2026-11-09T15:00:00Z"), sentAt: at("2026-11-09T15:00:00Z") },
    "2026-11-23T15:00:00Z",
  ],
  ["never: not on its moment", "2026-11-23T15:00:00Z", every(0), SENT_16, null],
  [
    "never: not with nothing ever sent",
    "2026-11-23T15:00:00Z",
    every(0),
    { handledUntil: at("2026-11-01T00:00:00Z"), sentAt: null },
    null,
  ],
  ["every 2 weeks: not one week after", "2026-11-23T15:00:00Z", every(2), SENT_16, null],
  ["every 2 weeks: two weeks after", "2026-11-30T15:00:00Z", every(2), SENT_16, "2026-11-30T15:00:00Z"],
  [
    "every 2 weeks counts from the last one sent, not from a moment with nothing old",
    "2026-12-07T15:00:00Z",
    every(2),
    { handledUntil: at("2026-11-30T15:00:00Z"), sentAt: SENT_16.sentAt },
    "2026-12-07T15:00:00Z",
  ],
  [
    "every 4 weeks: not three weeks after",
    "2026-11-23T15:00:00Z",
    every(4),
    { handledUntil: at("2026-11-02T15:00:00Z"), sentAt: at("2026-11-02T15:00:00Z") },
    null,
  ],
  [
    "every 4 weeks: four weeks after",
    "2026-11-30T15:00:00Z",
    every(4),
    { handledUntil: at("2026-11-02T15:00:00Z"), sentAt: at("2026-11-02T15:00:00Z") },
    "2026-11-30T15:00:00Z",
  ],
  [
    "once a week at most: moved to Friday after Monday's went out, not that Friday",
    "2026-11-27T21:00:00Z",
    every(1, { weekday: 5, atMinute: 16 * 60 }),
    { handledUntil: at("2026-11-23T16:00:00Z"), sentAt: at("2026-11-23T15:00:00Z") },
    null,
  ],
  [
    "once a week at most: moved to Friday, the Friday after",
    "2026-12-04T21:00:00Z",
    every(1, { weekday: 5, atMinute: 16 * 60 }),
    { handledUntil: at("2026-11-23T16:00:00Z"), sentAt: at("2026-11-23T15:00:00Z") },
    "2026-12-04T21:00:00Z",
  ],
  [
    "once a week at most: a late catch-up on Tuesday skips the Monday after",
    "2026-11-23T15:00:00Z",
    weekly,
    { handledUntil: at("2026-11-16T15:00:00Z"), sentAt: at("2026-11-17T14:00:00Z") },
    null,
  ],
  [
    "once a week at most: ...and comes back the Monday after that",
    "2026-11-30T15:00:00Z",
    weekly,
    { handledUntil: at("2026-11-16T15:00:00Z"), sentAt: at("2026-11-17T14:00:00Z") },
    "2026-11-30T15:00:00Z",
  ],
  [
    "the week the clocks go back (169 hours): 10:00 EST",
    "2026-11-02T15:00:00Z",
    weekly,
    { handledUntil: at("2026-10-26T14:00:00Z"), sentAt: at("2026-10-26T14:00:10Z") },
    "2026-11-02T15:00:00Z",
  ],
  [
    "the week the clocks go back: not at 9:00 EST, which was 10:00 last week",
    "2026-11-02T14:30:00Z",
    weekly,
    { handledUntil: at("2026-10-26T14:00:00Z"), sentAt: at("2026-10-26T14:00:10Z") },
    null,
  ],
  [
    "the week the clocks go forward (167 hours): 10:00 EDT",
    "2027-03-15T14:00:00Z",
    weekly,
    { handledUntil: at("2027-03-08T15:00:00Z"), sentAt: at("2027-03-08T15:00:30Z") },
    "2027-03-15T14:00:00Z",
  ],
  [
    "a coordinator who joined after Monday's moment: not that week",
    "2026-11-18T19:00:00Z",
    weekly,
    { handledUntil: at("2026-11-18T18:00:00Z"), sentAt: null },
    null,
  ],
  [
    "a coordinator who joined: the Monday after",
    "2026-11-23T15:00:00Z",
    weekly,
    { handledUntil: at("2026-11-18T18:00:00Z"), sentAt: null },
    "2026-11-23T15:00:00Z",
  ],
  [
    "settings changed after today's new moment: no catching up",
    "2026-11-23T16:00:00Z",
    every(1, { atMinute: 8 * 60 }),
    { handledUntil: at("2026-11-23T15:30:00Z"), sentAt: SENT_16.sentAt },
    null,
  ],
  [
    "settings changed before the new moment: on it",
    "2026-11-23T18:00:00Z",
    every(1, { atMinute: 13 * 60 }),
    { handledUntil: at("2026-11-23T14:00:00Z"), sentAt: SENT_16.sentAt },
    "2026-11-23T18:00:00Z",
  ],
  [
    "Sunday at 16:00",
    "2026-11-22T21:00:00Z",
    every(1, { weekday: 7, atMinute: 16 * 60 }),
    { handledUntil: at("2026-11-15T21:00:00Z"), sentAt: at("2026-11-15T21:00:00Z") },
    "2026-11-22T21:00:00Z",
  ],
];

describe("a coordinator's reminder is due", () => {
  it.each(CASES)("%s (now %s)", (_, now, settings, state, expected) => {
    const due = dueReminder(at(now), settings, state, ZONE);
    expect(due?.moment.toISOString() ?? null).toBe(expected === null ? null : at(expected).toISOString());
  });

  it("names the instant before which the last one must have gone out: 7 × N wall days before", () => {
    expect(dueReminder(at("2026-11-30T15:00:00Z"), every(2), SENT_16, ZONE)?.sentBefore).toEqual(
      at("2026-11-17T05:00:00Z"),
    );
    // Across the change of time: midnight of Tuesday 9 March 2027 is still EST.
    expect(
      dueReminder(
        at("2027-03-15T14:00:00Z"),
        weekly,
        { handledUntil: at("2027-03-08T15:00:00Z"), sentAt: null },
        ZONE,
      )?.sentBefore,
    ).toEqual(at("2027-03-09T05:00:00Z"));
  });

  it.each([
    ["on time", "2026-11-23T15:00:30Z", false],
    ["missed by the bot, found 7 hours later", "2026-11-23T22:00:00Z", false],
    ["exactly 8 hours later", "2026-11-23T23:00:00Z", false],
    ["more than 8 hours later: handled, not sent", "2026-11-23T23:00:01Z", true],
    ["the next morning: handled, not sent", "2026-11-24T13:00:00Z", true],
  ])("a moment %s (now %s) is late: %s", (_, now, late) => {
    expect(dueReminder(at(now), weekly, SENT_16, ZONE)).toMatchObject({
      moment: at("2026-11-23T15:00:00Z"),
      late,
    });
  });

  it("reads weekdays from dates", () => {
    expect(["2026-11-16", "2026-11-18", "2026-11-22", "1970-01-01", "1969-12-29"].map(isoWeekday)).toEqual([
      1, 3, 7, 4, 1,
    ]);
  });
});

describe("whatever the settings and however often the job runs", () => {
  it("never sends two reminders less than 7 wall days apart, and takes each moment once", () => {
    const settingsArb = fc.record({
      everyWeeks: fc.constantFrom(0, 1, 2, 4),
      weekday: fc.integer({ min: 1, max: 7 }),
      atMinute: fc.constantFrom(...REMINDER_TIMES, 0, 150, 1439),
    });
    const step = fc.record({
      // Runs minutes or hours apart, or after an outage of up to three days.
      minutes: fc.oneof(fc.constantFrom(1, 60, 6 * 60), fc.integer({ min: 1, max: 3 * 24 * 60 })),
      // Now and then, the coordinator changes the settings.
      change: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 6 },
        { arbitrary: settingsArb, weight: 1 },
      ),
      // Mostly something old to say: a sent reminder is what the cap is about.
      somethingOld: fc.oneof(
        { arbitrary: fc.constant(true), weight: 4 },
        { arbitrary: fc.constant(false), weight: 1 },
      ),
    });
    fc.assert(
      fc.property(settingsArb, fc.array(step, { minLength: 1, maxLength: 200 }), (first, steps) => {
        let now = at("2026-10-20T12:00:00Z");
        let settings = first as ReminderSettings;
        let state = { handledUntil: now, sentAt: null as Date | null };
        const sent: Date[] = [];
        const moments = new Set<number>();
        for (const { minutes, change, somethingOld } of steps) {
          now = new Date(now.getTime() + minutes * 60_000);
          if (change) {
            settings = change as ReminderSettings;
            state = { ...state, handledUntil: now > state.handledUntil ? now : state.handledUntil };
          }
          const due = dueReminder(now, settings, state, ZONE);
          if (!due) continue;
          expect(moments.has(due.moment.getTime())).toBe(false);
          moments.add(due.moment.getTime());
          state = { handledUntil: due.moment, sentAt: somethingOld ? now : state.sentAt };
          if (somethingOld) sent.push(now);
        }
        const days = sent.map((instant) => dayNumber(wallDate(instant, ZONE)));
        for (let i = 1; i < days.length; i++)
          expect((days[i] as number) - (days[i - 1] as number)).toBeGreaterThanOrEqual(7);
      }),
      { numRuns: 2000 },
    );
  });
});
