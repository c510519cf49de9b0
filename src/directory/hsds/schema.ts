import { z } from "zod";
import { percheProfileSchema } from "./profile";

/**
 * Open Referral HSDS 3.0, the parts Perche reads and writes, in its tabular JSON form: one array per
 * table, records linked by id (as in the specification's schema/compiled/tabular.json). Written from
 * the specification's JSON schemas (openreferral/specification, schema/*.json, HSDS 3.0: the
 * organization, service, location, service_at_location, schedule, phone, language, address and
 * attribute, taxonomy and taxonomy_term tables). Records keep the fields we do not model (objects are loose), so an import can say
 * which ones it left out instead of dropping them unseen. HSDS 3.0 lets a profile add fields; the
 * Perche profile is the top-level `perche` object (see profile.ts and docs/hsds-profile.md).
 */

export const HSDS_VERSION = "3.0";

const required = (what: string) => ({
  error: (issue: { input: unknown }) =>
    issue.input === undefined ? `${what} is missing` : `${what} must be a string`,
});
const recordId = z
  .string(required("id"))
  .trim()
  .min(1, "id is missing")
  .describe("Each record must have a unique identifier (HSDS shows UUIDs)");
const reference = (table: string) =>
  z.string().trim().min(1, `must be the id of a ${table}`).optional().describe(`The id of a ${table}`);
const text = z.string();
const isoDate = z.iso.date("must be a date written YYYY-MM-DD");

export const SCHEDULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type ScheduleDay = (typeof SCHEDULE_DAYS)[number];
// RFC 5545 BYDAY: a day, preceded for MONTHLY rules by which occurrence in the month (2MO, -1FR).
const BYDAY_PART = /^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$/;
// HH:MM, seconds allowed, with the specification's optional UTC offset (09:00-05:00) or Z.
// 24:00 is the end of a day (ISO 8601), as a closing time.
export const HSDS_TIME =
  /^(?:([01]\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?|(24):(00)(?::00)?)(Z|[+-]\d{2}:?\d{2})?$/;

// A link between a record and a taxonomy term (HSDS's way to classify: here, the supplies a service hands out).
const attribute = z.looseObject({
  id: recordId,
  link_id: text.optional(),
  link_type: z.string(required("link_type")).trim().min(1, "link_type is missing"),
  link_entity: text.optional(),
  taxonomy_term_id: reference("taxonomy_term"),
  value: text.optional(),
});

export const hsdsTaxonomy = z.looseObject({
  id: recordId,
  name: z.string(required("name")).trim().min(1, "name is missing"),
  description: z.string(required("description")),
  uri: text.optional(),
});

export const hsdsTaxonomyTerm = z.looseObject({
  id: recordId,
  code: text.optional(),
  name: z.string(required("name")).trim().min(1, "name is missing"),
  description: z.string(required("description")),
  taxonomy_id: reference("taxonomy"),
  language: text.optional(),
});

export const hsdsOrganization = z.looseObject({
  id: recordId,
  name: z.string(required("name")).trim().min(1, "name is missing"),
  alternate_name: text.optional(),
  description: z.string(required("description")),
  email: text.optional(),
  website: text.optional(),
  attributes: z.array(attribute).optional(),
});

export const hsdsService = z.looseObject({
  id: recordId,
  organization_id: z
    .string(required("organization_id (the service's organization)"))
    .trim()
    .min(1, "organization_id is missing"),
  name: z.string(required("name")).trim().min(1, "name is missing"),
  alternate_name: text.optional(),
  description: text.optional(),
  status: z.enum(["active", "inactive", "defunct", "temporarily closed"], {
    error: "status must be active, inactive, defunct or temporarily closed",
  }),
  assured_date: isoDate.optional().describe("The date the information about the service was last checked"),
  attributes: z.array(attribute).optional(),
});

export const hsdsLocation = z.looseObject({
  id: recordId,
  location_type: z.enum(["physical", "postal", "virtual"], {
    error: "location_type must be physical, postal or virtual",
  }),
  organization_id: reference("organization"),
  name: text.optional(),
  alternate_name: text.optional(),
  description: text.optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  attributes: z.array(attribute).optional(),
});

export const hsdsServiceAtLocation = z.looseObject({
  id: recordId,
  service_id: z.string(required("service_id")).trim().min(1, "service_id is missing"),
  location_id: z.string(required("location_id")).trim().min(1, "location_id is missing"),
  description: text.optional(),
  attributes: z.array(attribute).optional(),
});

export const hsdsSchedule = z.looseObject({
  id: recordId,
  service_id: reference("service"),
  location_id: reference("location"),
  service_at_location_id: reference("service_at_location"),
  valid_from: isoDate.optional(),
  valid_to: isoDate.optional(),
  dtstart: isoDate.optional(),
  until: isoDate.optional(),
  freq: z.enum(["WEEKLY", "MONTHLY"], { error: "freq must be WEEKLY or MONTHLY" }).optional(),
  interval: z.number().int().min(1).optional(),
  byday: z
    .string()
    .superRefine((value, ctx) => {
      for (const part of value.split(",").map((p) => p.trim()))
        if (!BYDAY_PART.test(part))
          ctx.addIssue({
            code: "custom",
            message: `unknown day "${part}": days are MO, TU, WE, TH, FR, SA, SU (a MONTHLY rule may add 1-5 or -1 before them)`,
          });
    })
    .optional(),
  bymonthday: z.union([z.number(), z.string()]).optional(),
  opens_at: z.string().regex(HSDS_TIME, "must be a time such as 09:00 or 09:00-05:00").optional(),
  closes_at: z.string().regex(HSDS_TIME, "must be a time such as 17:00 or 17:00-05:00").optional(),
  description: text.optional(),
  notes: text.optional(),
  attributes: z.array(attribute).optional(),
});

export const hsdsPhone = z.looseObject({
  id: recordId,
  location_id: reference("location"),
  service_id: reference("service"),
  organization_id: reference("organization"),
  service_at_location_id: reference("service_at_location"),
  number: z.string(required("number")).trim().min(1, "number is missing"),
  extension: z.number().optional(),
  type: text.optional(),
  description: text.optional(),
  attributes: z.array(attribute).optional(),
});

export const hsdsLanguage = z.looseObject({
  id: recordId,
  service_id: reference("service"),
  location_id: reference("location"),
  phone_id: reference("phone"),
  name: text.optional(),
  code: text.optional().describe("ISO 639-1 or 639-3 code"),
  note: text.optional(),
  attributes: z.array(attribute).optional(),
});

export const hsdsAddress = z.looseObject({
  id: recordId,
  location_id: reference("location"),
  attention: text.optional(),
  address_1: z.string(required("address_1")),
  address_2: text.optional(),
  city: z.string(required("city")),
  region: text.optional(),
  state_province: z.string(required("state_province")),
  postal_code: z.string(required("postal_code")),
  country: z.string(required("country")),
  address_type: z.enum(["physical", "postal", "virtual"], {
    error: "address_type must be physical, postal or virtual",
  }),
  attributes: z.array(attribute).optional(),
});

/** The tables Perche reads, in the order a reader meets them. */
export const HSDS_TABLES = [
  "organization",
  "service",
  "location",
  "service_at_location",
  "schedule",
  "phone",
  "language",
  "address",
  "taxonomy",
  "taxonomy_term",
  "attribute",
] as const;
export type HsdsTable = (typeof HSDS_TABLES)[number];

// Which fields point to which table: checked after the shape, so one run lists every broken link.
const REFERENCES: Record<HsdsTable, [field: string, table: HsdsTable][]> = {
  organization: [],
  service: [["organization_id", "organization"]],
  location: [["organization_id", "organization"]],
  service_at_location: [
    ["service_id", "service"],
    ["location_id", "location"],
  ],
  schedule: [
    ["service_id", "service"],
    ["location_id", "location"],
    ["service_at_location_id", "service_at_location"],
  ],
  phone: [
    ["organization_id", "organization"],
    ["service_id", "service"],
    ["location_id", "location"],
    ["service_at_location_id", "service_at_location"],
  ],
  language: [
    ["service_id", "service"],
    ["location_id", "location"],
    ["phone_id", "phone"],
  ],
  address: [["location_id", "location"]],
  taxonomy: [],
  taxonomy_term: [["taxonomy_id", "taxonomy"]],
  attribute: [["taxonomy_term_id", "taxonomy_term"]],
};

const table = <T extends z.ZodType>(record: T) => z.array(record).max(100_000).default([]);

export const hsdsDocumentSchema = z
  .looseObject({
    version: z.string().optional().describe("The HSDS version the file follows"),
    organization: table(hsdsOrganization),
    service: table(hsdsService),
    location: table(hsdsLocation),
    service_at_location: table(hsdsServiceAtLocation),
    schedule: table(hsdsSchedule),
    phone: table(hsdsPhone),
    language: table(hsdsLanguage),
    address: table(hsdsAddress),
    taxonomy: table(hsdsTaxonomy),
    taxonomy_term: table(hsdsTaxonomyTerm),
    attribute: table(attribute),
    perche: percheProfileSchema.optional(),
  })
  .superRefine((document, ctx) => {
    const ids = new Map<HsdsTable, Set<string>>();
    for (const name of HSDS_TABLES) {
      const seen = new Set<string>();
      document[name].forEach((record, index) => {
        if (seen.has(record.id))
          ctx.addIssue({
            code: "custom",
            path: [name, index, "id"],
            message: `id ${record.id} is used twice in ${name}`,
          });
        seen.add(record.id);
      });
      ids.set(name, seen);
    }
    for (const name of HSDS_TABLES)
      document[name].forEach((record, index) => {
        for (const [field, target] of REFERENCES[name]) {
          const value = (record as Record<string, unknown>)[field];
          if (typeof value === "string" && !ids.get(target)?.has(value))
            ctx.addIssue({
              code: "custom",
              path: [name, index, field],
              message: `no ${target} has the id ${value}`,
            });
        }
      });
    document.attribute.forEach((record, index) => {
      const entity = record.link_entity as HsdsTable | undefined;
      if (record.link_id && entity && ids.has(entity) && !ids.get(entity)?.has(record.link_id))
        ctx.addIssue({
          code: "custom",
          path: ["attribute", index, "link_id"],
          message: `no ${entity} has the id ${record.link_id}`,
        });
    });
  });

export type HsdsDocument = z.output<typeof hsdsDocumentSchema>;
export type HsdsDocumentInput = z.input<typeof hsdsDocumentSchema>;
export type HsdsOrganization = z.output<typeof hsdsOrganization>;
export type HsdsService = z.output<typeof hsdsService>;
export type HsdsLocation = z.output<typeof hsdsLocation>;
export type HsdsServiceAtLocation = z.output<typeof hsdsServiceAtLocation>;
export type HsdsSchedule = z.output<typeof hsdsSchedule>;
export type HsdsPhone = z.output<typeof hsdsPhone>;
export type HsdsLanguage = z.output<typeof hsdsLanguage>;
export type HsdsAddress = z.output<typeof hsdsAddress>;
