import { z } from "zod";
import { DAY_RANGES_PATTERN } from "./hours";
import { checkOpeningHours } from "./hours-syntax";
import { STALE_AFTER_DAYS } from "./staleness";

/**
 * The directory file (YAML or JSON) that organisations edit. Every text people read exists in French and
 * English. Cross-references (a site's organisation, its materials) are checked after the shape, so one
 * run of `directory validate` lists every error with its path.
 */

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "ids are 1-40 lowercase letters, digits or dashes (they go in links)");
const text = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `at most ${max} characters`);
const bilingual = (max = 200) => z.object({ fr: text(max), en: text(max) }).strict();
const isoDate = z.iso.date("must be a date written YYYY-MM-DD");
const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ().-]{1,24}$/, "must be a phone number such as +1 514-527-2626 or 811");
const latitude = z.number().min(-90).max(90);
const longitude = z.number().min(-180).max(180);

const hours = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(500)
  .superRefine((value, ctx) => {
    const problem = checkOpeningHours(value);
    if (problem) ctx.addIssue({ code: "custom", message: `not valid opening_hours syntax: ${problem}` });
  })
  .describe(
    "OpenStreetMap opening_hours syntax, e.g. 'Mo-Fr 09:00-17:00; PH off', read on the directory's wall clock. PH is the public holidays the opening_hours library counts for the region (Quebec: New Year's Day, Good Friday, Easter Monday, National Patriots' Day, June 24, Canada Day, Labour Day, Thanksgiving, Christmas Day). A night past midnight belongs to the evening it starts. A time the clocks skip is the moment they jump (3:00); a time they repeat is its first passing",
  );

const dayHours = z
  .string()
  .trim()
  .max(100)
  .regex(
    DAY_RANGES_PATTERN,
    "must be 'off' or time ranges such as '10:00-14:00' or '10:00-14:00,18:00-02:00'",
  )
  .refine(
    (value) =>
      [...value.matchAll(/(\d{1,2}):(\d{2})/g)].every(([, h, m]) => Number(h) <= 24 && Number(m) < 60),
    "hours go from 00:00 to 24:00",
  )
  .describe(
    "'off' or time ranges for that one day, e.g. '10:00-14:00'; an end before the start runs past midnight. The day owns its night: these hours replace every opening that starts that day, and an opening running into it from the evening before stops at its midnight (write '00:00-04:00,...' to keep it)",
  );

export const SITE_TYPES = [
  "fixed_site",
  "supervised_consumption",
  "mobile_unit",
  "outreach",
  "pharmacy",
  "drop_in",
  "meal_programme",
  "phone_line",
] as const;

/** Sites people reach only by phone: the file refuses them without one, and the bot cannot remove it. */
export const PHONE_ONLY_TYPES: ReadonlySet<string> = new Set(["phone_line", "mobile_unit"]);
export type SiteType = (typeof SITE_TYPES)[number];

/** Types that have a door to walk to need an address and coordinates. */
const PHYSICAL_TYPES: readonly SiteType[] = [
  "fixed_site",
  "supervised_consumption",
  "pharmacy",
  "drop_in",
  "meal_programme",
];

const material = z
  .object({
    id,
    label: bilingual(60),
    words: z.array(text(40)).min(1, "list at least one word people type").max(40),
  })
  .strict();

const place = z
  .object({
    id,
    kind: z.enum(["neighbourhood", "metro"]),
    name: bilingual(40),
    lat: latitude,
    lon: longitude,
  })
  .strict();

const articleFr = z
  .enum(["le", "la", "l'", "les"], { error: "must be le, la, l' or les" })
  .optional()
  .describe(
    "The article French puts before the name in a sentence, for a name written without one: le for « Réseau Est Solidaire » gives « l'équipe du Réseau Est Solidaire », « au Réseau ». A name that starts with its article (« Le Relais ») needs none.",
  );

const organisation = z
  .object({
    id,
    name: bilingual(),
    article_fr: articleFr,
    phone: phone.optional(),
    website: z.url().optional(),
    serves: z
      .array(id)
      .max(40)
      .optional()
      .describe(
        "Ids of the places (see places) whose requests this organisation answers first. Without it: the places named like its sites' neighbourhoods. An empty list: no area in particular.",
      ),
    keeps_requests: z
      .boolean({ error: "must be true or false" })
      .default(false)
      .describe(
        "true: a request from an area it serves waits for its own workers when none is on call, instead of going to the other organisations' workers on call",
      ),
  })
  .strict();

// Part 7: the words people type, beyond the materials' own. Lists of words or short phrases, any case
// and accents; each list holds both languages.
const words = (what: string) => z.array(text(60)).max(200, "at most 200 entries").default([]).describe(what);

const vocabulary = z
  .object({
    emergency: words(
      "Words meaning someone is in danger now (urgence, 911, au secours, overdose...): they show the emergency card first",
    ),
    help: words(
      "Words asking for a person (aide, help, parler à quelqu'un...): they get one light offer to reach a worker",
    ),
    greetings: words("Hello words (bonjour, salut, hi...): a short warm answer with the menu"),
    thanks: words("Thank-you words (merci, thanks...): a short warm answer with the menu"),
    place_words: z
      .array(
        z
          .object({ place: id, words: z.array(text(60)).min(1).max(20) })
          .strict()
          .describe("Short names people use for a place: berri, homa, st-henri, downtown..."),
      )
      .max(200)
      .default([]),
    substances: z
      .array(
        z
          .object({
            words: z.array(text(60)).min(1).max(20),
            materials: z.array(id).min(1).max(6),
          })
          .strict()
          .describe(
            "What people call what they use, and the materials it calls for: crack → pipes, mouthpieces",
          ),
      )
      .max(60)
      .default([]),
  })
  .strict();

const stop = z
  .object({ name: bilingual(80), lat: latitude, lon: longitude, when: bilingual(120).optional() })
  .strict();

const specialDate = z
  .object({ date: isoDate, hours: dayHours, note: bilingual(200).optional() })
  .strict()
  .describe(
    "One date's hours, winning over cheque-day and weekly hours for that date; a worker's closure or hours from the bot win over it",
  );

const site = z
  .object({
    id,
    organisation: id,
    type: z.enum(SITE_TYPES),
    name: bilingual(),
    article_fr: articleFr,
    address: text(200).optional(),
    neighbourhood: text(60).optional(),
    location: z.object({ lat: latitude, lon: longitude }).strict().optional(),
    stops: z.array(stop).max(10, "at most 10 stops: the card must fit in one message").optional(),
    phone: phone.optional(),
    hours,
    cheque_day_hours: dayHours
      .optional()
      .describe(
        "Hours on the directory's cheque days instead of the weekly ones ('off' or time ranges such as '08:00-20:00'); the day owns its night as a special date does",
      ),
    special_dates: z.array(specialDate).max(366).optional(),
    materials: z.array(id).max(40).default([]),
    services: z.array(bilingual(80)).max(20).default([]),
    languages: z.array(z.string().regex(/^[a-z]{2,3}$/, "use language codes such as fr, en, es")).min(1),
    note: bilingual(600).optional(),
    crisis_line: z.boolean().default(false),
    verified_on: isoDate,
  })
  .strict()
  .superRefine((value, ctx) => {
    if (PHYSICAL_TYPES.includes(value.type)) {
      if (!value.address)
        ctx.addIssue({ code: "custom", path: ["address"], message: `a ${value.type} needs an address` });
      if (!value.location)
        ctx.addIssue({
          code: "custom",
          path: ["location"],
          message: `a ${value.type} needs approximate coordinates`,
        });
    }
    if (value.type === "mobile_unit" && !value.stops?.length)
      ctx.addIssue({
        code: "custom",
        path: ["stops"],
        message: "a mobile_unit needs at least one approximate stop",
      });
    if (PHONE_ONLY_TYPES.has(value.type) && !value.phone)
      ctx.addIssue({ code: "custom", path: ["phone"], message: `a ${value.type} needs a phone number` });
    const seen = new Set<string>();
    value.special_dates?.forEach((special, index) => {
      if (seen.has(special.date))
        ctx.addIssue({
          code: "custom",
          path: ["special_dates", index, "date"],
          message: `${special.date} is listed twice`,
        });
      seen.add(special.date);
    });
  });

export const directoryFileSchema = z
  .object({
    meta: z
      .object({
        name: text(100),
        example: z.boolean().describe("true for invented data that must never be taken for real"),
        timezone: z.string().default("America/Toronto"),
        country_code: z
          .string()
          .regex(/^[a-z]{2}$/)
          .default("ca"),
        region: z
          .string()
          .default("Quebec")
          .describe("Spelled as the opening_hours library expects, e.g. Quebec"),
        emergency_number: phone.default("911"),
        stale_after_days: z
          .number()
          .int("a whole number of days")
          .min(1, "at least 1 day")
          .max(365, "at most 365 days")
          .default(STALE_AFTER_DAYS)
          .describe(
            "A site whose verified_on is older than this many days shows its age on cards, and is listed in its coordinators' reminder",
          ),
      })
      .strict(),
    cheque_days: z
      .array(isoDate)
      .default([])
      .describe("Days social-assistance payments arrive, as published"),
    // Each material is a button, each place a key of the "near me" keyboard: keep both menus usable.
    materials: z.array(material).min(1).max(40, "at most 40 materials: each one is a button"),
    places: z
      .array(place)
      .max(40, "at most 40 places: each one is a key of the near-me keyboard")
      .default([]),
    organisations: z.array(organisation).min(1),
    sites: z.array(site).min(1),
    vocabulary: vocabulary.default({
      emergency: [],
      help: [],
      greetings: [],
      thanks: [],
      place_words: [],
      substances: [],
    }),
  })
  .strict()
  .superRefine((file, ctx) => {
    const duplicates = (items: { id: string }[], key: string) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.id))
          ctx.addIssue({ code: "custom", path: [key, index, "id"], message: `id ${item.id} is used twice` });
        seen.add(item.id);
      });
    };
    duplicates(file.materials, "materials");
    duplicates(file.places, "places");
    duplicates(file.organisations, "organisations");
    duplicates(file.sites, "sites");
    const organisationIds = new Set(file.organisations.map((o) => o.id));
    const placeIds = new Set(file.places.map((p) => p.id));
    file.organisations.forEach((o, index) => {
      const listed = new Set<string>();
      o.serves?.forEach((placeId, placeIndex) => {
        const path = ["organisations", index, "serves", placeIndex];
        if (!placeIds.has(placeId))
          ctx.addIssue({
            code: "custom",
            path,
            message: `no place has the id ${placeId}: serves lists ids from places`,
          });
        else if (listed.has(placeId))
          ctx.addIssue({ code: "custom", path, message: `${placeId} is listed twice` });
        listed.add(placeId);
      });
    });
    const materialIds = new Set(file.materials.map((m) => m.id));
    file.sites.forEach((s, index) => {
      if (!organisationIds.has(s.organisation))
        ctx.addIssue({
          code: "custom",
          path: ["sites", index, "organisation"],
          message: `no organisation has the id ${s.organisation}`,
        });
      s.materials.forEach((m, materialIndex) => {
        if (!materialIds.has(m))
          ctx.addIssue({
            code: "custom",
            path: ["sites", index, "materials", materialIndex],
            message: `no material has the id ${m}`,
          });
      });
    });
    file.vocabulary.place_words.forEach((entry, index) => {
      if (!placeIds.has(entry.place))
        ctx.addIssue({
          code: "custom",
          path: ["vocabulary", "place_words", index, "place"],
          message: `no place has the id ${entry.place}`,
        });
    });
    file.vocabulary.substances.forEach((entry, index) => {
      entry.materials.forEach((m, materialIndex) => {
        if (!materialIds.has(m))
          ctx.addIssue({
            code: "custom",
            path: ["vocabulary", "substances", index, "materials", materialIndex],
            message: `no material has the id ${m}`,
          });
      });
    });
    if (!isValidTimeZone(file.meta.timezone))
      ctx.addIssue({
        code: "custom",
        path: ["meta", "timezone"],
        message: `unknown time zone ${file.meta.timezone}`,
      });
  });

export type DirectoryFile = z.output<typeof directoryFileSchema>;
export type DirectoryFileInput = z.input<typeof directoryFileSchema>;

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function directoryJsonSchema(): unknown {
  return z.toJSONSchema(directoryFileSchema, { io: "input", unrepresentable: "any" });
}
