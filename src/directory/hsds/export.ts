import type { z } from "zod";
import type { DirectoryFile } from "../file-schema";
import { hsdsId } from "./ids";
import { type PercheProfile, PROFILE_VERSION, type StockOutEntry } from "./profile";
import { HSDS_VERSION, type HsdsDocumentInput, type HsdsTable, type hsdsSchedule } from "./schema";
import { weeklyRows } from "./weekly-hours";

/**
 * The directory as HSDS 3.0 (tabular JSON) with the Perche profile. Pure: the same file gives the same
 * document, ids included. Each site becomes a service, a location and the service_at_location linking
 * them; its weekly hours become schedules where the opening_hours string allows it.
 */

export type HsdsExport = { [T in HsdsTable]-?: NonNullable<HsdsDocumentInput[T]> } & {
  version: string;
  perche: PercheProfile;
};

/** Stock-outs come from the database, not the file: carried for information, keyed by site id. */
export type ExportOptions = { stockOuts?: Record<string, StockOutEntry[]> };

type Site = DirectoryFile["sites"][number];
type Organisation = DirectoryFile["organisations"][number];

const SUPPLIES = "perche-supplies";
const POSTAL_CODE = /\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b/i;

export function toHsds(file: DirectoryFile, options: ExportOptions = {}): HsdsExport {
  const languageName = new Intl.DisplayNames(["en"], { type: "language" });
  const document: HsdsExport = {
    version: HSDS_VERSION,
    organization: file.organisations.map((o) => ({
      id: hsdsId("organization", o.id),
      name: o.name.fr,
      ...(o.name.en !== o.name.fr ? { alternate_name: o.name.en } : {}),
      description: `Harm-reduction organisation listed in the Perche directory "${file.meta.name}".`,
      ...(o.website ? { website: o.website } : {}),
    })),
    service: file.sites.map((s) => ({
      id: hsdsId("service", s.id),
      organization_id: hsdsId("organization", s.organisation),
      name: s.name.fr,
      ...(s.name.en !== s.name.fr ? { alternate_name: s.name.en } : {}),
      ...(s.note ? { description: s.note.fr } : {}),
      status: "active" as const,
      assured_date: s.verified_on,
    })),
    location: file.sites.map((s) => ({
      id: hsdsId("location", s.id),
      location_type: s.address || s.location ? ("physical" as const) : ("virtual" as const),
      organization_id: hsdsId("organization", s.organisation),
      name: s.name.fr,
      ...(s.name.en !== s.name.fr ? { alternate_name: s.name.en } : {}),
      ...(s.location ? { latitude: s.location.lat, longitude: s.location.lon } : {}),
    })),
    service_at_location: file.sites.map((s) => ({
      id: hsdsId("service_at_location", s.id),
      service_id: hsdsId("service", s.id),
      location_id: hsdsId("location", s.id),
    })),
    schedule: file.sites.flatMap((s) => schedulesOf(s, file.meta.timezone)),
    phone: [
      ...file.organisations.flatMap((o) =>
        o.phone
          ? [
              {
                id: hsdsId("phone", `organization:${o.id}`),
                organization_id: hsdsId("organization", o.id),
                number: o.phone,
              },
            ]
          : [],
      ),
      ...file.sites.flatMap((s) =>
        s.phone
          ? [{ id: hsdsId("phone", `site:${s.id}`), service_id: hsdsId("service", s.id), number: s.phone }]
          : [],
      ),
    ],
    language: file.sites.flatMap((s) =>
      s.languages.map((code) => ({
        id: hsdsId("language", `${s.id}:${code}`),
        service_id: hsdsId("service", s.id),
        name: languageName.of(code) ?? code,
        code,
      })),
    ),
    address: file.sites.flatMap((s) => (s.address ? [addressOf(s, s.address, file.meta)] : [])),
    // The supplies as an HSDS taxonomy, so another system can tell which services hand out naloxone.
    taxonomy: [
      {
        id: hsdsId("taxonomy", SUPPLIES),
        name: "Perche harm-reduction supplies",
        description: `Supplies and services the sites of the Perche directory "${file.meta.name}" hand out; each term's code is its Perche material id.`,
      },
    ],
    taxonomy_term: file.materials.map((m) => ({
      id: hsdsId("taxonomy_term", m.id),
      code: m.id,
      name: m.label.en,
      description: m.label.fr,
      taxonomy_id: hsdsId("taxonomy", SUPPLIES),
      language: "en",
    })),
    attribute: file.sites.flatMap((s) =>
      [...new Set(s.materials)].map((materialId) => ({
        id: hsdsId("attribute", `${s.id}:${materialId}`),
        link_id: hsdsId("service", s.id),
        link_entity: "service",
        link_type: "supply",
        taxonomy_term_id: hsdsId("taxonomy_term", materialId),
      })),
    ),
    perche: {
      profile: PROFILE_VERSION,
      meta: file.meta,
      vocabulary: file.vocabulary,
      cheque_days: file.cheque_days,
      materials: file.materials,
      places: file.places,
      organizations: file.organisations.map(organisationProfile),
      sites: file.sites.map((s) => siteProfile(s, options.stockOuts?.[s.id])),
    },
  };
  return document;
}

/** What HSDS cannot say about an organisation: everything but its website and phone. */
function organisationProfile(o: Organisation): PercheProfile["organizations"][number] {
  const { website: _website, phone: _phone, ...rest } = o;
  return rest;
}

/** What HSDS cannot say about a site: everything but its phone, address, coordinates, languages and check date. */
function siteProfile(s: Site, stockOuts: StockOutEntry[] | undefined): PercheProfile["sites"][number] {
  const {
    organisation: _organisation,
    phone: _phone,
    address: _address,
    location: _location,
    languages: _languages,
    verified_on: _verified,
    ...rest
  } = s;
  return { ...rest, ...(stockOuts?.length ? { stock_outs: stockOuts } : {}) };
}

function schedulesOf(s: Site, timeZone: string): z.input<typeof hsdsSchedule>[] {
  const notes = `Exact hours, OpenStreetMap opening_hours syntax, on the ${timeZone} clock: ${s.hours}`;
  const rows = weeklyRows(s.hours);
  const base = { service_at_location_id: hsdsId("service_at_location", s.id) };
  // Hours HSDS cannot say still get one schedule, for a person reading the file.
  if (!rows?.length) return [{ id: hsdsId("schedule", `${s.id}:0`), ...base, description: s.hours, notes }];
  return rows.map((row, index) => ({
    id: hsdsId("schedule", `${s.id}:${index}`),
    ...base,
    freq: "WEEKLY" as const,
    byday: row.days.join(","),
    opens_at: row.opens,
    closes_at: row.closes,
    notes,
  }));
}

function addressOf(s: Site, address: string, meta: DirectoryFile["meta"]) {
  const parts = address.split(",").map((p) => p.trim());
  return {
    id: hsdsId("address", s.id),
    location_id: hsdsId("location", s.id),
    // The directory writes an address as one line: it goes whole in address_1, read back as is.
    address_1: address,
    city: parts.length > 1 ? (parts.at(-1) ?? "") : "",
    state_province: meta.region,
    postal_code: POSTAL_CODE.exec(address)?.[0] ?? "",
    country: meta.country_code.toUpperCase(),
    address_type: "physical" as const,
  };
}
