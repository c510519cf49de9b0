import { z } from "zod";
import { checkOpeningHours } from "../hours-syntax";
import type { ImportOptions, MappingResult } from "./import";
import { scheduleRows } from "./schedule-rows";
import {
  HSDS_TABLES,
  type HsdsDocument,
  type HsdsLocation,
  type HsdsService,
  type HsdsServiceAtLocation,
} from "./schema";
import { hoursFromRows } from "./weekly-hours";

/**
 * An HSDS file another system wrote, without the Perche profile. Each service_at_location becomes a
 * site; what HSDS cannot say (a second language, site types, supplies, places, cheque days, settings)
 * comes from the current directory or is guessed, and every guess or left-out field is reported.
 */

const PERCHE_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const PERCHE_PHONE = /^\+?[0-9][0-9 ().-]{1,24}$/;
const LANGUAGE_CODE = /^[a-z]{2,3}$/;

// Fields each table maps; any other field holding a value is reported as left out.
const MAPPED: Record<string, string[]> = {
  organization: ["id", "name", "website"],
  service: ["id", "organization_id", "name", "description", "status", "assured_date"],
  location: ["id", "location_type", "organization_id", "name", "latitude", "longitude"],
  service_at_location: ["id", "service_id", "location_id"],
  schedule: [
    "id",
    "service_id",
    "location_id",
    "service_at_location_id",
    "freq",
    "interval",
    "byday",
    "opens_at",
    "closes_at",
    "valid_from",
    "wkst",
  ],
  phone: [
    "id",
    "organization_id",
    "service_id",
    "location_id",
    "service_at_location_id",
    "number",
    "extension",
    "type",
  ],
  language: ["id", "service_id", "location_id", "name", "code"],
  address: [
    "id",
    "location_id",
    "address_1",
    "address_2",
    "city",
    "state_province",
    "postal_code",
    "country",
    "address_type",
  ],
};
// Always present in HSDS, and nothing a reader misses when they are left out.
// A taxonomy alone says nothing about a site; the attributes using it are counted below.
const UNREPORTED = new Set(["version", "perche", "metadata", "taxonomy", "taxonomy_term", "attribute"]);

/**
 * Rows of a table that share a link id, found without scanning the table for each site (a file may hold
 * a hundred thousand rows): positions by id, and `rowsAt` gives them back in the file's order.
 */
function positionsBy<T>(rows: readonly T[], ...keys: ((row: T) => string | null | undefined)[]) {
  const maps = keys.map(() => new Map<string, number[]>());
  rows.forEach((row, position) => {
    keys.forEach((key, i) => {
      const id = key(row);
      if (!id) return;
      const map = maps[i] as Map<string, number[]>;
      const list = map.get(id);
      if (list) list.push(position);
      else map.set(id, [position]);
    });
  });
  /** The rows whose i-th key is ids[i], for each i given (undefined: skipped), in the file's order, once each. */
  return (...ids: (string | undefined)[]): T[] => {
    const found = new Set<number>();
    ids.forEach((id, i) => {
      if (id) for (const position of maps[i]?.get(id) ?? []) found.add(position);
    });
    return [...found].sort((a, b) => a - b).map((position) => rows[position] as T);
  };
}

export function fromElsewhere(document: HsdsDocument, options: ImportOptions): MappingResult {
  const base = options.base;
  if (!base)
    return {
      errors: [
        "(file): this HSDS file has no Perche profile: importing it needs a directory to take materials, places and settings from",
      ],
    };
  const report: string[] = [];
  const timeZone = base.meta.timezone;
  const label = (table: string, record: { id: string; name?: unknown }) =>
    typeof record.name === "string" && record.name
      ? `${table} "${record.name}" (${record.id})`
      : `${table} ${record.id}`;

  // Perche ids go in links: HSDS ids are kept when they fit, made to fit otherwise.
  const taken = new Set<string>();
  const percheId = (hsds: string) => {
    let id =
      hsds
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+/, "")
        .slice(0, 40) || "hsds";
    if (!PERCHE_ID.test(id)) id = `hsds-${id}`.slice(0, 40);
    let unique = id;
    for (let n = 2; taken.has(unique); n++) unique = `${id.slice(0, 36)}-${n}`;
    taken.add(unique);
    return unique;
  };

  const phonesAt = positionsBy(
    document.phone,
    (p) => p.organization_id,
    (p) => p.service_at_location_id,
    (p) => p.service_id,
    (p) => p.location_id,
  );
  const addressesAt = positionsBy(document.address, (a) => a.location_id);
  const languagesAt = positionsBy(
    document.language,
    (l) => l.service_id,
    (l) => l.location_id,
  );
  const schedulesAt = positionsBy(
    document.schedule,
    (s) => s.service_at_location_id,
    (s) => s.service_id,
    (s) => s.location_id,
  );
  const attributesAt = positionsBy(document.attribute, (a) => a.link_id);
  const attributeOrder = new Map(document.attribute.map((a, position) => [a, position]));

  const organisationIds = new Map<string, string>();
  const organisations = document.organization.map((o) => {
    const id = percheId(o.id);
    organisationIds.set(o.id, id);
    const what = label("organization", o);
    report.push(`${what}: name: HSDS has one language; the same text was put in French and English`);
    const website = o.website && z.url().safeParse(o.website).success ? o.website : undefined;
    if (o.website && !website) report.push(`${what}: website: "${o.website}" is not a full URL; left out`);
    const phone = phoneOf(
      phonesAt(o.id).filter(
        (p) => p.organization_id === o.id && !p.service_id && !p.location_id && !p.service_at_location_id,
      ),
      what,
      report,
    );
    return {
      id,
      name: { fr: o.name.trim(), en: o.name.trim() },
      ...(website ? { website } : {}),
      ...(phone ? { phone } : {}),
    };
  });

  // An attribute whose taxonomy term's code is a material id says the site hands it out (a Perche
  // export read without its profile, or a system that adopted the codes).
  const materialIds = new Set(base.materials.map((m) => m.id));
  const terms = new Map(document.taxonomy_term.map((t) => [t.id, t]));
  const usedAttributes = new Set<string>();
  const materialsOf = (linkIds: string[]) => {
    const found: string[] = [];
    const attributes = [...new Set(linkIds.flatMap((id) => attributesAt(id)))].sort(
      (a, b) => (attributeOrder.get(a) ?? 0) - (attributeOrder.get(b) ?? 0),
    );
    for (const attribute of attributes) {
      if (!attribute.link_id || !linkIds.includes(attribute.link_id)) continue;
      const code = terms.get(attribute.taxonomy_term_id ?? "")?.code;
      if (!code || !materialIds.has(code)) continue;
      usedAttributes.add(attribute.id);
      if (!found.includes(code)) found.push(code);
    }
    return found;
  };

  const services = new Map(document.service.map((s) => [s.id, s]));
  const locations = new Map(document.location.map((l) => [l.id, l]));
  const sites = document.service_at_location.flatMap((link) => {
    const service = services.get(link.service_id) as HsdsService;
    const location = locations.get(link.location_id) as HsdsLocation;
    const site = siteOf(link, service, location);
    return site ? [site] : [];
  });

  function siteOf(link: HsdsServiceAtLocation, service: HsdsService, location: HsdsLocation) {
    const what = `service_at_location ${link.id} (service "${service.name}" at ${location.name ? `"${location.name}"` : `location ${location.id}`})`;
    if (service.status !== "active") {
      report.push(`${what}: not imported: the service is ${service.status}`);
      return undefined;
    }
    const hours = hoursOf(link, service, location, what);
    if (!hours) return undefined;
    const address = addressOf(location.id);
    const coordinates =
      location.latitude !== undefined && location.longitude !== undefined
        ? { lat: location.latitude, lon: location.longitude }
        : undefined;
    // The most specific number first: this service here, then the service, then the place.
    const phone = phoneOf(
      [
        ...phonesAt(undefined, link.id).filter((p) => p.service_at_location_id === link.id),
        ...phonesAt(undefined, undefined, service.id).filter(
          (p) => !p.service_at_location_id && p.service_id === service.id,
        ),
        ...phonesAt(undefined, undefined, undefined, location.id).filter(
          (p) => !p.service_at_location_id && !p.service_id && p.location_id === location.id,
        ),
      ],
      what,
      report,
    );
    let type: "fixed_site" | "phone_line";
    if (location.location_type !== "virtual" && address && coordinates) type = "fixed_site";
    else if (phone && !address) type = "phone_line";
    else {
      report.push(
        `${what}: not imported: a place needs an address and coordinates (latitude, longitude), a phone line a phone number`,
      );
      return undefined;
    }
    report.push(`${what}: type: HSDS has no site type; set to ${type}, check it`);
    const place = type === "fixed_site" && location.name && location.name !== service.name;
    const withPlace = `${service.name} (${location.name})`;
    const name = place && withPlace.length <= 200 ? withPlace : service.name;
    report.push(`${what}: name: HSDS has one language; the same text was put in French and English`);
    const description = service.description?.trim();
    const note = description && description.length <= 600 ? { fr: description, en: description } : undefined;
    if (note) report.push(`${what}: note: the service's description was put in French and English`);
    else if (description) report.push(`${what}: the service's description is over 600 characters; left out`);
    const languages = languagesOf(service.id, location.id, what);
    const materials = materialsOf([link.id, service.id, location.id]);
    let verified = service.assured_date;
    if (!verified) {
      verified = options.today;
      report.push(
        `${what}: assured_date: none given; the check date is set to the import day, ${options.today}`,
      );
    }
    return {
      id: percheId(link.id),
      organisation: organisationIds.get(service.organization_id),
      type,
      name: { fr: name.trim(), en: name.trim() },
      ...(address ? { address } : {}),
      ...(coordinates && type === "fixed_site" ? { location: coordinates } : {}),
      ...(phone ? { phone } : {}),
      hours,
      materials,
      languages,
      ...(note ? { note } : {}),
      verified_on: verified,
    };
  }

  function addressOf(locationId: string): string | undefined {
    const candidates = addressesAt(locationId).filter((a) => a.location_id === locationId);
    const address = candidates.find((a) => a.address_type === "physical") ?? candidates[0];
    if (!address) return undefined;
    const line = [
      address.address_1,
      address.address_2,
      address.city,
      [address.state_province, address.postal_code].filter(Boolean).join(" "),
    ]
      .map((part) => part?.trim())
      .filter(Boolean)
      .join(", ");
    return line.slice(0, 200) || undefined;
  }

  function languagesOf(serviceId: string, locationId: string, what: string): string[] {
    const codes: string[] = [];
    for (const language of languagesAt(serviceId, locationId).filter(
      (l) => l.service_id === serviceId || l.location_id === locationId,
    )) {
      const code = language.code?.trim().toLowerCase();
      if (code && LANGUAGE_CODE.test(code)) {
        if (!codes.includes(code)) codes.push(code);
      } else report.push(`${label("language", language)}: no ISO 639 code (code); left out`);
    }
    if (codes.length > 0) return codes;
    report.push(`${what}: languages: none given; set to French (fr), check it`);
    return ["fr"];
  }

  function hoursOf(link: HsdsServiceAtLocation, service: HsdsService, location: HsdsLocation, what: string) {
    const schedules = schedulesAt(link.id, service.id, location.id).filter(
      (s) =>
        s.service_at_location_id === link.id ||
        (!s.service_at_location_id &&
          s.service_id === service.id &&
          (!s.location_id || s.location_id === location.id)) ||
        (!s.service_at_location_id && !s.service_id && s.location_id === location.id),
    );
    const rows = schedules.flatMap((schedule) => scheduleRows(schedule, options.today, timeZone, report));
    if (rows.length === 0) {
      report.push(
        `${what}: not imported: no weekly schedule Perche can read (a site without hours would show as closed)`,
      );
      return undefined;
    }
    const hours = hoursFromRows(rows);
    const problem = checkOpeningHours(hours);
    if (problem) {
      report.push(`${what}: not imported: its schedules give hours Perche cannot read (${problem})`);
      return undefined;
    }
    return hours;
  }

  const linked = new Set(document.service_at_location.map((l) => l.service_id));
  const unlinked = new Set(document.service.filter((s) => !linked.has(s.id)).map((s) => s.id));
  for (const service of document.service)
    if (unlinked.has(service.id))
      report.push(
        `${label("service", service)}: not imported: no location (no service_at_location links it to one), and a Perche site is a service at a location`,
      );
  for (const name of HSDS_TABLES) {
    const mapped = MAPPED[name];
    if (!mapped) continue;
    for (const record of document[name]) {
      if (name === "service" && unlinked.has(record.id)) continue; // reported whole above
      const left = Object.entries(record)
        .filter(([key, value]) => !mapped.includes(key) && hasValue(value))
        .map(([key]) => key);
      if (left.length) report.push(`${label(name, record)}: not imported: ${left.join(", ")}`);
    }
  }
  // Tables Perche reads nothing from, HSDS's own (taxonomies, attributes) or others (contact, funding...).
  for (const [key, value] of Object.entries(document))
    if (!MAPPED[key] && !UNREPORTED.has(key) && hasValue(value))
      report.push(
        `${key}: ${Array.isArray(value) ? `${value.length} record(s)` : "this field"} not imported: Perche has no place for it`,
      );

  const unused = document.attribute.length - usedAttributes.size;
  if (unused > 0)
    report.push(
      `attribute: ${unused} record(s) not imported: Perche reads only supplies (a taxonomy term whose code is a material id)`,
    );

  const meta = base.meta.example
    ? { ...base.meta, example: false, name: "Directory imported from HSDS" }
    : base.meta;
  report.push(
    `meta, materials, places, vocabulary, cheque_days: HSDS has none; taken from the ${base.meta.example ? "example" : "current"} directory (settings: ${meta.name}, ${meta.timezone}); a site's materials come from attributes whose taxonomy term's code is a material id`,
  );
  return {
    file: {
      meta,
      cheque_days: base.cheque_days,
      materials: base.materials,
      places: base.places,
      organisations,
      sites,
      vocabulary: base.vocabulary,
    },
    // A schedule or language shared by several sites is reported once.
    report: [...new Set(report)],
  };
}

// RFC 6350 types a person cannot call.
const NOT_CALLABLE = new Set(["fax", "pager"]);

function phoneOf(
  phones: { id: string; number: string; extension?: number | undefined; type?: string | undefined }[],
  what: string,
  report: string[],
) {
  for (const [index, phone] of phones.entries()) {
    if (phone.type && NOT_CALLABLE.has(phone.type.toLowerCase())) {
      report.push(`${what}: phone ${phone.id}: a ${phone.type} number; left out`);
      continue;
    }
    const number = percheNumber(phone.number);
    if (!number) {
      report.push(
        `${what}: phone ${phone.id}: "${phone.number}" is not a phone number Perche can show; left out`,
      );
      continue;
    }
    if (phone.extension !== undefined)
      report.push(`${what}: phone ${phone.id}: extension ${phone.extension} left out`);
    const others = phones.length - index - 1;
    if (others > 0) report.push(`${what}: ${others} more phone number(s) left out: Perche shows one`);
    return number;
  }
  return undefined;
}

/** The number as written when Perche can show it; a North American number written "(514) 555-0199" is rewritten. */
function percheNumber(raw: string): string | undefined {
  const number = raw.trim();
  if (PERCHE_PHONE.test(number)) return number;
  const digits = number.replace(/\D/g, "");
  const local = digits.length === 11 && digits.startsWith("1") ? digits.slice(1) : digits;
  if (local.length === 10) return `+1 ${local.slice(0, 3)}-${local.slice(3, 6)}-${local.slice(6)}`;
  return undefined;
}

function hasValue(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}
