import type { DirectoryFile } from "./file-schema";
import type { Directory, Vocabulary } from "./model";

/** The two pure conversions between the directory file and the model the bot reads. */

/** Writes the directory back in the file format, so `export` then `import` changes nothing. */
export function toDirectoryFile(directory: Directory): DirectoryFile {
  return {
    meta: {
      name: directory.info.name,
      example: directory.info.isExample,
      timezone: directory.info.timezone,
      country_code: directory.info.countryCode,
      region: directory.info.region,
      emergency_number: directory.info.emergencyNumber,
      // Written even at its default, like the zone and region: the file shows the value in use.
      stale_after_days: directory.info.staleAfterDays,
    },
    cheque_days: directory.chequeDays,
    materials: directory.materials.map((m) => ({ id: m.id, label: m.label, words: m.words })),
    places: directory.places.map((p) => ({ id: p.id, kind: p.kind, name: p.name, lat: p.lat, lon: p.lon })),
    organisations: directory.organisations.map((o) => ({
      id: o.id,
      name: o.name,
      ...(o.articleFr ? { article_fr: o.articleFr } : {}),
      ...(o.phone ? { phone: o.phone } : {}),
      ...(o.website ? { website: o.website } : {}),
      ...(o.serves ? { serves: o.serves } : {}),
      keeps_requests: o.keepsRequests,
    })),
    sites: directory.sites.map((s) => ({
      id: s.id,
      organisation: s.organisationId,
      type: s.type,
      name: s.name,
      ...(s.articleFr ? { article_fr: s.articleFr } : {}),
      ...(s.address ? { address: s.address } : {}),
      ...(s.neighbourhood ? { neighbourhood: s.neighbourhood } : {}),
      ...(s.location ? { location: s.location } : {}),
      ...(s.stops.length ? { stops: s.stops } : {}),
      ...(s.phone ? { phone: s.phone } : {}),
      hours: s.hours,
      ...(s.chequeDayHours ? { cheque_day_hours: s.chequeDayHours } : {}),
      ...(s.specialDates.length
        ? {
            special_dates: s.specialDates.map((d) => ({
              date: d.day,
              hours: d.hours,
              ...(d.note ? { note: d.note } : {}),
            })),
          }
        : {}),
      materials: s.materials,
      services: s.services,
      languages: s.languages,
      ...(s.note ? { note: s.note } : {}),
      crisis_line: s.isCrisisLine,
      verified_on: s.verifiedOn,
    })),
    vocabulary: {
      emergency: directory.vocabulary.emergency,
      help: directory.vocabulary.help,
      greetings: directory.vocabulary.greetings,
      thanks: directory.vocabulary.thanks,
      place_words: directory.vocabulary.placeWords,
      substances: directory.vocabulary.substances,
    },
  };
}

/** The model for a validated file, as the database would return it after an import (no stock-outs yet). */
export function fromDirectoryFile(file: DirectoryFile, version = 1): Directory {
  return {
    version,
    info: {
      name: file.meta.name,
      isExample: file.meta.example,
      timezone: file.meta.timezone,
      countryCode: file.meta.country_code,
      region: file.meta.region,
      emergencyNumber: file.meta.emergency_number,
      staleAfterDays: file.meta.stale_after_days,
    },
    chequeDays: file.cheque_days,
    materials: file.materials,
    places: file.places,
    organisations: file.organisations.map((o) => ({
      id: o.id,
      name: o.name,
      ...(o.article_fr ? { articleFr: o.article_fr } : {}),
      ...(o.phone ? { phone: o.phone } : {}),
      ...(o.website ? { website: o.website } : {}),
      ...(o.serves ? { serves: o.serves } : {}),
      keepsRequests: o.keeps_requests,
    })),
    sites: file.sites.map((s) => ({
      id: s.id,
      organisationId: s.organisation,
      type: s.type,
      name: s.name,
      ...(s.article_fr ? { articleFr: s.article_fr } : {}),
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
    vocabulary: vocabularyOf(file.vocabulary),
  };
}

export function vocabularyOf(section: DirectoryFile["vocabulary"]): Vocabulary {
  return {
    emergency: section.emergency,
    help: section.help,
    greetings: section.greetings,
    thanks: section.thanks,
    placeWords: section.place_words,
    substances: section.substances,
  };
}
