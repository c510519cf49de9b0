import {
  type DirectoryFile,
  type DirectoryFileInput,
  directoryFileSchema,
} from "../../src/directory/file-schema";

/**
 * A small directory with hours chosen for the tests. Reference clock: Wednesday 18 November 2026,
 * 14:00 in Montreal (19:00 UTC).
 */
export const WEDNESDAY_2PM = new Date("2026-11-18T19:00:00Z");
export const WEDNESDAY_11PM = new Date("2026-11-19T04:00:00Z");
export const THURSDAY_5AM = new Date("2026-11-19T10:00:00Z");

const bi = (fr: string, en = fr) => ({ fr, en });

export function fixtureInput(): DirectoryFileInput {
  return {
    meta: { name: "Test", example: false },
    cheque_days: ["2026-12-01"],
    materials: [
      {
        id: "syringes",
        label: bi("Seringues", "Syringes"),
        words: ["seringue", "syringe", "aiguille", "needle", "kit"],
      },
      { id: "naloxone", label: bi("Naloxone"), words: ["naloxone", "narcan", "nalox"] },
      { id: "pipes", label: bi("Pipes à inhalation", "Inhalation pipes"), words: ["pipe", "stem", "doseur"] },
      {
        id: "test-strips",
        label: bi("Bandelettes de fentanyl", "Fentanyl test strips"),
        words: ["bandelette", "test strip", "bandelette fentanyl"],
      },
    ],
    places: [
      { id: "centre-sud", kind: "neighbourhood", name: bi("Centre-Sud"), lat: 45.5195, lon: -73.5535 },
      { id: "verdun", kind: "neighbourhood", name: bi("Verdun"), lat: 45.4578, lon: -73.5697 },
      { id: "metro-berri-uqam", kind: "metro", name: bi("Berri-UQAM"), lat: 45.5152, lon: -73.561 },
    ],
    organisations: [
      { id: "org-a", name: bi("Organisme A") },
      { id: "lines", name: bi("Lignes publiques", "Public lines") },
    ],
    sites: [
      {
        id: "day-site",
        organisation: "org-a",
        type: "fixed_site",
        name: bi("Le Local de jour", "The Day Place"),
        address: "100, rue Ontario Est",
        neighbourhood: "Centre-Sud",
        location: { lat: 45.52, lon: -73.555 },
        phone: "+1 514-555-0101",
        hours: "Mo-Fr 09:00-17:00; PH off",
        cheque_day_hours: "08:00-20:00",
        special_dates: [
          { date: "2026-12-24", hours: "10:00-14:00" },
          { date: "2026-11-27", hours: "off", note: bi("Formation", "Training") },
        ],
        materials: ["syringes", "naloxone"],
        languages: ["fr", "en"],
        note: bi("Entre sans rendez-vous.", "Walk in, no appointment."),
        verified_on: "2026-11-01",
      },
      {
        id: "night-site",
        organisation: "org-a",
        type: "supervised_consumption",
        name: bi("La Veille de nuit", "The Night Watch"),
        address: "200, rue Sainte-Catherine Est",
        neighbourhood: "Centre-Sud",
        location: { lat: 45.516, lon: -73.558 },
        hours: "Mo-Su 20:00-03:00",
        materials: ["naloxone", "pipes", "test-strips"],
        languages: ["fr"],
        verified_on: "2026-10-15",
      },
      {
        id: "verdun-pharmacy",
        organisation: "org-a",
        type: "pharmacy",
        name: bi("Pharmacie de Verdun", "Verdun Pharmacy"),
        address: "300, rue Wellington",
        neighbourhood: "Verdun",
        location: { lat: 45.458, lon: -73.57 },
        hours: "Mo-Sa 10:00-18:00",
        materials: ["naloxone"],
        languages: ["fr", "en"],
        verified_on: "2026-11-01",
      },
      {
        id: "van",
        organisation: "org-a",
        type: "mobile_unit",
        name: bi("La Camionnette", "The Van"),
        stops: [{ name: bi("Métro Papineau"), lat: 45.5237, lon: -73.5523, when: bi("19 h", "7 p.m.") }],
        phone: "+1 514-555-0102",
        hours: "Fr 19:00-22:00",
        materials: ["syringes"],
        languages: ["fr", "en"],
        verified_on: "2026-11-01",
      },
      {
        id: "line-811",
        organisation: "lines",
        type: "phone_line",
        name: bi("Info-Social 811"),
        phone: "811",
        hours: "24/7",
        languages: ["fr", "en"],
        crisis_line: true,
        verified_on: "2026-11-01",
      },
    ],
  };
}

export function fixtureDirectory(overrides: (input: DirectoryFileInput) => void = () => {}): DirectoryFile {
  const input = fixtureInput();
  overrides(input);
  return directoryFileSchema.parse(input);
}
