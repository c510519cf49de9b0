import { z } from "zod";

/**
 * The Perche profile of HSDS 3.0: the top-level `perche` object, carrying what HSDS has no field for,
 * so Perche → HSDS → Perche gives back the same directory. HSDS keeps what it can say itself (phones,
 * addresses, coordinates, languages, websites, the date a site was checked); the profile keeps the
 * rest. `meta`, `vocabulary`, and each organisation's and site's remaining fields travel as whole
 * objects: a field added to the directory file later goes through without a change here. The shapes are
 * checked again, field by field, by the directory file's own schema once the directory is rebuilt.
 * Documented in docs/hsds-profile.md.
 */

export const PROFILE_VERSION = "perche-hsds/1";

const looseRecord = z.looseObject({});

export const stockOutSchema = z
  .object({ material: z.string(), since: z.iso.datetime({ offset: true }) })
  .strict()
  .describe("A worker's report that a material is out at this site, and since when (for information)");

export const percheProfileSchema = z
  .looseObject({
    profile: z.literal(PROFILE_VERSION, { error: `profile must be "${PROFILE_VERSION}"` }),
    meta: looseRecord.describe("The directory file's meta, whole: name, example, IANA time zone, region..."),
    vocabulary: looseRecord.describe("The directory file's vocabulary, whole"),
    cheque_days: z.array(z.string()).describe("Days social-assistance payments arrive"),
    materials: z.array(looseRecord).describe("Supplies with their French and English labels and words"),
    places: z.array(looseRecord).describe("Neighbourhoods and metro stations of the near-me keyboard"),
    organizations: z
      .array(z.looseObject({ id: z.string() }))
      .describe(
        "Each organisation's fields HSDS has no place for (French and English names, article, serves...)",
      ),
    sites: z
      .array(z.looseObject({ id: z.string(), stock_outs: z.array(stockOutSchema).optional() }))
      .describe(
        "Each site's fields HSDS has no place for: both names, type, exact opening_hours string (PH off...), cheque-day hours, special dates, materials, services, notes, stops",
      ),
  })
  .describe("The Perche profile (docs/hsds-profile.md)");

export type PercheProfile = z.output<typeof percheProfileSchema>;
export type StockOutEntry = z.output<typeof stockOutSchema>;
