import type { DirectoryFile } from "../../src/directory/file-schema";
import type { Directory } from "../../src/directory/model";

/** The model the database would return for a file, for pure tests that need no database. */
export function toDirectoryModel(file: DirectoryFile, version = 1): Directory {
  return {
    version,
    info: {
      name: file.meta.name,
      isExample: file.meta.example,
      timezone: file.meta.timezone,
      countryCode: file.meta.country_code,
      region: file.meta.region,
      emergencyNumber: file.meta.emergency_number,
    },
    chequeDays: file.cheque_days,
    materials: file.materials,
    places: file.places,
    organisations: file.organisations,
    sites: file.sites.map((s) => ({
      id: s.id,
      organisationId: s.organisation,
      type: s.type,
      name: s.name,
      ...(s.address ? { address: s.address } : {}),
      ...(s.neighbourhood ? { neighbourhood: s.neighbourhood } : {}),
      ...(s.location ? { location: s.location } : {}),
      stops: s.stops ?? [],
      ...(s.phone ? { phone: s.phone } : {}),
      hours: s.hours,
      ...(s.cheque_day_hours ? { chequeDayHours: s.cheque_day_hours } : {}),
      specialDates: (s.special_dates ?? []).map((d) => ({
        day: d.date,
        hours: d.hours,
        ...(d.note ? { note: d.note } : {}),
      })),
      materials: s.materials,
      services: s.services,
      languages: s.languages,
      ...(s.note ? { note: s.note } : {}),
      isCrisisLine: s.crisis_line,
      verifiedOn: s.verified_on,
      stockOuts: [],
    })),
  };
}
