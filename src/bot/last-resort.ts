/**
 * The emergency number is directory data. This is used only before any directory was ever loaded (or
 * when the database is down on a fresh process), so a person in an overdose never gets a blank.
 */
export const LAST_RESORT_EMERGENCY_NUMBER = "911";
