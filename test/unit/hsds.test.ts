import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_DIRECTORY, readDirectoryFile } from "../../src/directory/file";
import type { DirectoryFile } from "../../src/directory/file-schema";
import { type HsdsExport, toHsds } from "../../src/directory/hsds/export";
import { hsdsId } from "../../src/directory/hsds/ids";
import { fromHsds, type HsdsImport, parseHsdsText } from "../../src/directory/hsds/import";
import { hsdsDocumentSchema } from "../../src/directory/hsds/schema";
import { hoursFromRows, weeklyRows } from "../../src/directory/hsds/weekly-hours";
import { fixtureDirectory } from "../support/directory-fixture";

const TODAY = "2026-11-18";
const ELSEWHERE = path.join(import.meta.dirname, "../fixtures/hsds/elsewhere.json");

function imported(result: HsdsImport) {
  if (!result.ok) throw new Error(`expected an import, got:\n${result.errors.join("\n")}`);
  return result;
}
/** A copy of the export to break, as JSON would carry it. */
function exported(file: DirectoryFile = fixtureDirectory()): HsdsExport {
  return JSON.parse(JSON.stringify(toHsds(file)));
}

let example: DirectoryFile;
beforeAll(async () => {
  const read = await readDirectoryFile(EXAMPLE_DIRECTORY);
  if (!read.ok) throw new Error(read.errors.join("\n"));
  example = read.file;
});

describe("HSDS export then import (Perche → HSDS → Perche)", () => {
  it("gives back the fixture directory unchanged, with nothing to report", () => {
    const file = fixtureDirectory();
    const back = imported(parseHsdsText(JSON.stringify(toHsds(file)), { today: TODAY }));
    expect(back.file).toStrictEqual(file);
    expect(back.report).toEqual([]);
    expect(back.hasProfile).toBe(true);
  });

  it("gives back the example directory shipped in directory/ unchanged", () => {
    const back = imported(parseHsdsText(JSON.stringify(toHsds(example)), { today: TODAY }));
    expect(back.file).toStrictEqual(example);
    expect(back.report).toEqual([]);
  });

  it("writes a document that passes the HSDS 3.0 schema, with the same UUIDs on every run", () => {
    for (const file of [fixtureDirectory(), example]) {
      const document = toHsds(file);
      expect(hsdsDocumentSchema.safeParse(document).success).toBe(true);
      expect(JSON.stringify(toHsds(file))).toBe(JSON.stringify(document));
      const ids = [
        ...document.organization,
        ...document.service,
        ...document.location,
        ...document.service_at_location,
        ...document.schedule,
        ...document.phone,
        ...document.language,
        ...document.address,
        ...document.taxonomy,
        ...document.taxonomy_term,
        ...document.attribute,
      ].map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids)
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it("says in HSDS what HSDS can say: service, location, weekly schedule, phone, address, languages", () => {
    const document = toHsds(fixtureDirectory());
    const service = document.service.find((s) => s.id === hsdsId("service", "day-site"));
    expect(service).toMatchObject({
      organization_id: hsdsId("organization", "org-a"),
      name: "Le Local de jour",
      alternate_name: "The Day Place",
      status: "active",
      assured_date: "2026-11-01",
    });
    expect(document.location.find((l) => l.id === hsdsId("location", "day-site"))).toMatchObject({
      location_type: "physical",
      latitude: 45.52,
      longitude: -73.555,
    });
    expect(
      document.schedule.filter((s) => s.service_at_location_id === hsdsId("service_at_location", "day-site")),
    ).toEqual([
      expect.objectContaining({
        freq: "WEEKLY",
        byday: "MO,TU,WE,TH,FR",
        opens_at: "09:00",
        closes_at: "17:00",
        notes: expect.stringContaining("Mo-Fr 09:00-17:00; PH off"),
      }),
    ]);
    expect(document.phone).toContainEqual(
      expect.objectContaining({ service_id: hsdsId("service", "day-site"), number: "+1 514-555-0101" }),
    );
    expect(document.address).toContainEqual(
      expect.objectContaining({
        location_id: hsdsId("location", "day-site"),
        address_1: "100, rue Ontario Est",
        country: "CA",
        state_province: "Quebec",
      }),
    );
    expect(
      document.language
        ?.filter((l) => l.service_id === hsdsId("service", "day-site"))
        .map((l) => [l.code, l.name]),
    ).toEqual([
      ["fr", "French"],
      ["en", "English"],
    ]);
    // A phone line has no place to walk to.
    expect(document.location.find((l) => l.id === hsdsId("location", "line-811"))?.location_type).toBe(
      "virtual",
    );
  });

  it("lists the supplies as an HSDS taxonomy, and each site's as attributes of its service", () => {
    const document = toHsds(fixtureDirectory());
    expect(document.taxonomy_term).toContainEqual(
      expect.objectContaining({
        id: hsdsId("taxonomy_term", "naloxone"),
        code: "naloxone",
        name: "Naloxone",
      }),
    );
    expect(
      document.attribute
        .filter((a) => a.link_id === hsdsId("service", "day-site"))
        .map((a) => document.taxonomy_term.find((t) => t.id === a.taxonomy_term_id)?.code),
    ).toEqual(["syringes", "naloxone"]);
    expect(document.attribute[0]).toMatchObject({ link_entity: "service", link_type: "supply" });
  });

  it("keeps in the Perche profile what HSDS lacks: both languages, PH off, special dates, cheque days, the time zone", () => {
    const { perche } = toHsds(fixtureDirectory());
    expect(perche.meta).toMatchObject({ timezone: "America/Toronto", region: "Quebec" });
    expect(perche.cheque_days).toEqual(["2026-12-01"]);
    expect(perche.sites[0]).toMatchObject({
      id: "day-site",
      name: { fr: "Le Local de jour", en: "The Day Place" },
      hours: "Mo-Fr 09:00-17:00; PH off",
      cheque_day_hours: "08:00-20:00",
      special_dates: [
        { date: "2026-12-24", hours: "10:00-14:00" },
        { date: "2026-11-27", hours: "off", note: { fr: "Formation", en: "Training" } },
      ],
      materials: ["syringes", "naloxone"],
    });
    // HSDS carries these: the profile does not say them twice.
    expect(perche.sites[0]).not.toHaveProperty("phone");
    expect(perche.sites[0]).not.toHaveProperty("verified_on");
  });

  it("carries meta whole: a field another part added (stale_after_days) comes back unchanged", () => {
    const file = fixtureDirectory((input) => {
      input.meta.stale_after_days = 45;
    });
    const back = imported(fromHsds(exported(file), { today: TODAY }));
    expect(back.file.meta.stale_after_days).toBe(45);
    expect(back.file).toStrictEqual(file);
  });

  it("hands meta and the vocabulary whole to the directory file's validation, which names a field it does not know", () => {
    const document = exported();
    Object.assign(document.perche.meta, { future_field: 1 });
    Object.assign(document.perche.vocabulary, { farewells: ["bye"] });
    expect(fromHsds(document, { today: TODAY })).toEqual({
      ok: false,
      errors: [
        expect.stringMatching(/^as a Perche directory, meta: .*future_field/),
        expect.stringMatching(/^as a Perche directory, vocabulary: .*farewells/),
      ],
    });
  });

  it("writes workers' stock-outs for information, and says an import does not read them", () => {
    const file = fixtureDirectory();
    const document = toHsds(file, {
      stockOuts: { "day-site": [{ material: "naloxone", since: "2026-11-18T15:00:00.000Z" }] },
    });
    expect(document.perche.sites[0]?.stock_outs).toEqual([
      { material: "naloxone", since: "2026-11-18T15:00:00.000Z" },
    ]);
    const back = imported(fromHsds(JSON.parse(JSON.stringify(document)), { today: TODAY }));
    expect(back.file).toStrictEqual(file);
    expect(back.report).toEqual([
      "site day-site: stock_outs: not imported; the database keeps the stock-outs workers reported",
    ]);
  });

  it("takes what HSDS says over the profile: a phone number changed in HSDS reaches the site", () => {
    const document = exported();
    const phone = document.phone.find((p) => p.service_id === hsdsId("service", "day-site"));
    if (phone) phone.number = "+1 514-555-0199";
    const back = imported(fromHsds(document, { today: TODAY }));
    expect(back.file.sites.find((s) => s.id === "day-site")?.phone).toBe("+1 514-555-0199");
  });

  it("reports, without importing, a service another system added beside the profile", () => {
    const document = exported();
    document.service.push({
      id: "added-elsewhere",
      organization_id: hsdsId("organization", "org-a"),
      name: "Added elsewhere",
      status: "active",
    });
    const back = imported(fromHsds(document, { today: TODAY }));
    expect(back.file.sites.map((s) => s.id)).toEqual(fixtureDirectory().sites.map((s) => s.id));
    expect(back.report).toEqual([
      'service "Added elsewhere" (added-elsewhere): not in the Perche profile, not imported',
    ]);
  });
});

describe("weekly hours between opening_hours and HSDS schedules", () => {
  it.each([
    [
      "Mo-Fr 09:00-17:00; PH off",
      [{ days: ["MO", "TU", "WE", "TH", "FR"], opens: "09:00", closes: "17:00" }],
    ],
    [
      "Mo-Fr 09:00-21:00; Sa,Su 12:00-20:00; PH 12:00-18:00",
      [
        { days: ["MO", "TU", "WE", "TH", "FR"], opens: "09:00", closes: "21:00" },
        { days: ["SA", "SU"], opens: "12:00", closes: "20:00" },
      ],
    ],
    [
      "Mo-Sa 10:00-18:00; Sa 10:00-14:00",
      [
        { days: ["MO", "TU", "WE", "TH", "FR"], opens: "10:00", closes: "18:00" },
        { days: ["SA"], opens: "10:00", closes: "14:00" },
      ],
    ],
    [
      "Mo,We 11:30-13:30,17:00-19:00",
      [
        { days: ["MO", "WE"], opens: "11:30", closes: "13:30" },
        { days: ["MO", "WE"], opens: "17:00", closes: "19:00" },
      ],
    ],
    [
      "Mo-Su 20:00-03:00",
      [{ days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], opens: "20:00", closes: "03:00" }],
    ],
    ["24/7", [{ days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], opens: "00:00", closes: "24:00" }]],
    ["Mo-Fr 09:00-17:00; We off", [{ days: ["MO", "TU", "TH", "FR"], opens: "09:00", closes: "17:00" }]],
  ])("%s gives its weekly rows", (hours, rows) => {
    expect(weeklyRows(hours)).toEqual(rows);
  });

  it.each([
    "Jan-Mar Mo 10:00-12:00",
    "Mo 10:00+",
    'Mo-Fr 09:00-17:00 "by appointment"',
    "week 1-10 Mo 09:00-10:00",
  ])("%s says more than HSDS can: no rows", (hours) => {
    expect(weeklyRows(hours)).toBeUndefined();
  });

  it.each([
    "Mo-Fr 09:00-17:00",
    "Mo-Fr 09:00-21:00; Sa,Su 12:00-20:00",
    "Mo,We,Fr 11:30-13:30",
    "24/7",
    "Fr-Su 20:00-02:00",
  ])("%s comes back the same through schedules", (hours) => {
    expect(hoursFromRows(weeklyRows(hours) ?? [])).toBe(hours);
  });
});

describe("an HSDS file written elsewhere (test/fixtures/hsds/elsewhere.json)", () => {
  const result = () =>
    imported(parseHsdsText(readFileSync(ELSEWHERE, "utf8"), { base: fixtureDirectory(), today: TODAY }));

  it("maps its organizations, and one site per service at a location", () => {
    const { file } = result();
    expect(file.organisations).toEqual([
      {
        id: "0b6f6a52-3d1e-4c0a-9a41-6f2d8e7c1a01",
        name: { fr: "Centre Passerelle (organisme fictif)", en: "Centre Passerelle (organisme fictif)" },
        website: "https://passerelle.example.org",
        phone: "+1 514-555-0150",
        keeps_requests: false,
      },
      {
        id: "0b6f6a52-3d1e-4c0a-9a41-6f2d8e7c1a02",
        name: { fr: "Écoute Nuit (organisme fictif)", en: "Écoute Nuit (organisme fictif)" },
        keeps_requests: false,
      },
    ]);
    expect(file.sites).toEqual([
      expect.objectContaining({
        id: "e1d2c3b4-a596-4786-9a0b-1c2d3e4f5a01",
        organisation: "0b6f6a52-3d1e-4c0a-9a41-6f2d8e7c1a01",
        type: "fixed_site",
        name: {
          fr: "Distribution de matériel (Local Rosemont)",
          en: "Distribution de matériel (Local Rosemont)",
        },
        address: "5000, boulevard Saint-Michel (fictif), Montréal, QC H1Y 0A0",
        location: { lat: 45.5431, lon: -73.5852 },
        phone: "+1 514-555-0151",
        hours: "Mo-Fr 10:00-18:00; Sa 12:00-16:00",
        languages: ["fr", "en"],
        note: {
          fr: "Sterile supplies, naloxone and a coffee.",
          en: "Sterile supplies, naloxone and a coffee.",
        },
        verified_on: "2026-10-20",
      }),
      expect.objectContaining({
        id: "e1d2c3b4-a596-4786-9a0b-1c2d3e4f5a02",
        type: "fixed_site",
        address: "4800, rue Beaubien Est (fictif), Sous-sol, Montréal, QC H1T 0A0",
        hours: "Fr-Su 20:00-02:00",
        languages: ["fr"],
        verified_on: TODAY,
      }),
      expect.objectContaining({
        id: "e1d2c3b4-a596-4786-9a0b-1c2d3e4f5a03",
        organisation: "0b6f6a52-3d1e-4c0a-9a41-6f2d8e7c1a02",
        type: "phone_line",
        name: { fr: "Ligne d'écoute de nuit", en: "Ligne d'écoute de nuit" },
        phone: "+1 514-555-0199",
        hours: "Mo-Su 21:00-07:00",
        languages: ["fr", "es"],
      }),
    ]);
    // What HSDS has no word for stays the current directory's.
    expect(file.materials).toEqual(fixtureDirectory().materials);
    expect(file.meta).toEqual(fixtureDirectory().meta);
  });

  it("reports, each naming the record and the field, what it could not map", () => {
    const { report } = result();
    expect(report).toEqual(
      expect.arrayContaining([
        'organization "Centre Passerelle (organisme fictif)" (0b6f6a52-3d1e-4c0a-9a41-6f2d8e7c1a01): name: HSDS has one language; the same text was put in French and English',
        'organization "Centre Passerelle (organisme fictif)" (0b6f6a52-3d1e-4c0a-9a41-6f2d8e7c1a01): phone 7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d01: extension 12 left out',
        "schedule 3f2e1d0c-b9a8-4765-8432-10fedcba9803: freq MONTHLY: Perche's hours repeat every week; not imported",
        'service "Accompagnement juridique" (5c0e9d7a-8b21-4f3e-a6d2-1e4b7c9f2b04): not imported: no location (no service_at_location links it to one), and a Perche site is a service at a location',
        'language "Haitian Creole" (c4d5e6f7-0a1b-4c2d-9e3f-4a5b6c7d8e05): no ISO 639 code (code); left out',
        'organization "Centre Passerelle (organisme fictif)" (0b6f6a52-3d1e-4c0a-9a41-6f2d8e7c1a01): not imported: description, email',
        'location "Local Rosemont" (9a3b1c7e-2f4d-4e6a-8b1c-3d5e7f9a1c01): not imported: transportation',
        "contact: 1 record(s) not imported: Perche has no place for it",
        expect.stringMatching(
          /e1d2c3b4-a596-4786-9a0b-1c2d3e4f5a02 .*assured_date: none given; the check date is set to the import day, 2026-11-18/,
        ),
        expect.stringMatching(
          /e1d2c3b4-a596-4786-9a0b-1c2d3e4f5a03 .*type: HSDS has no site type; set to phone_line, check it/,
        ),
      ]),
    );
  });

  it("reads times with seconds or 24:00, and says when it drops a UTC offset", () => {
    const document = JSON.parse(readFileSync(ELSEWHERE, "utf8"));
    Object.assign(document.schedule[4], { opens_at: "21:00-05:00", closes_at: "24:00:00" });
    const back = imported(fromHsds(document, { base: fixtureDirectory(), today: TODAY }));
    expect(back.file.sites.find((s) => s.type === "phone_line")?.hours).toBe("Mo-Su 21:00-24:00");
    expect(back.report).toContain(
      "schedule 3f2e1d0c-b9a8-4765-8432-10fedcba9805: opens_at: the UTC offset in 21:00-05:00 was dropped; the time is read on the directory's clock (America/Toronto)",
    );
  });

  it("reads a Perche export stripped of its profile as any other file: hours, phones, supplies", () => {
    const { perche: _profile, ...bare } = exported();
    const back = imported(fromHsds(bare, { base: fixtureDirectory(), today: TODAY }));
    const day = back.file.sites.find((s) => s.id === hsdsId("service_at_location", "day-site"));
    expect(day).toMatchObject({
      type: "fixed_site",
      name: { fr: "Le Local de jour", en: "Le Local de jour" },
      phone: "+1 514-555-0101",
      hours: "Mo-Fr 09:00-17:00",
      materials: ["syringes", "naloxone"],
      languages: ["fr", "en"],
    });
    expect(back.report).not.toContainEqual(expect.stringMatching(/^attribute:/));
  });

  it("is refused without a directory to take materials and settings from", () => {
    expect(parseHsdsText(readFileSync(ELSEWHERE, "utf8"), { today: TODAY })).toEqual({
      ok: false,
      errors: [expect.stringContaining("has no Perche profile")],
    });
  });

  it("reports a service at a location with no schedule, and leaves it out", () => {
    const document = JSON.parse(readFileSync(ELSEWHERE, "utf8"));
    document.schedule = document.schedule.filter(
      (s: { service_id?: string }) => s.service_id !== "5c0e9d7a-8b21-4f3e-a6d2-1e4b7c9f2b02",
    );
    const back = imported(fromHsds(document, { base: fixtureDirectory(), today: TODAY }));
    expect(back.file.sites.map((s) => s.id)).not.toContain("e1d2c3b4-a596-4786-9a0b-1c2d3e4f5a02");
    expect(back.report).toContainEqual(
      expect.stringMatching(
        /e1d2c3b4-a596-4786-9a0b-1c2d3e4f5a02 .*not imported: no weekly schedule Perche can read/,
      ),
    );
  });
});

describe("bad HSDS input: a clear message naming what is wrong, and nothing imported", () => {
  type Breaker = (document: HsdsExport) => unknown;
  const cases: [string, Breaker, string][] = [
    [
      "an organization without an id",
      (d) => {
        delete (d.organization[0] as { id?: string }).id;
      },
      "organization[0].id: id is missing",
    ],
    [
      "a service without its organization",
      (d) => {
        delete (d.service[0] as { organization_id?: string }).organization_id;
      },
      "service[0].organization_id: organization_id (the service's organization) is missing",
    ],
    [
      "a service_at_location pointing to an unknown location",
      (d) => {
        d.service_at_location[0] = { ...d.service_at_location[0], location_id: "nowhere" } as never;
      },
      "service_at_location[0].location_id: no location has the id nowhere",
    ],
    [
      "a phone for an unknown service",
      (d) => {
        d.phone.push({ id: "p-x", service_id: "ghost", number: "811" });
      },
      "no service has the id ghost",
    ],
    [
      "an id used twice",
      (d) => {
        d.location.push({ ...d.location[0] } as never);
      },
      `location[${fixtureDirectory().sites.length}].id: id ${hsdsId("location", "day-site")} is used twice in location`,
    ],
    [
      "an unknown day",
      (d) => {
        d.schedule.push({
          id: "s-x",
          freq: "WEEKLY",
          byday: "MO,XX",
          opens_at: "09:00",
          closes_at: "10:00",
        });
      },
      'byday: unknown day "XX": days are MO, TU, WE, TH, FR, SA, SU',
    ],
    [
      "a day written in full",
      (d) => {
        d.schedule.push({ id: "s-y", byday: "Monday" });
      },
      'byday: unknown day "Monday"',
    ],
    [
      "a time that is not HH:MM",
      (d) => {
        d.schedule.push({ id: "s-z", byday: "MO", opens_at: "9am" });
      },
      "opens_at: must be a time such as 09:00 or 09:00-05:00",
    ],
    [
      "a profile site with no service in the HSDS part",
      (d) => {
        Object.assign(d.perche.sites[3] as object, { id: "ghost-site" });
      },
      `perche.sites[3]: no service has the id ${hsdsId("service", "ghost-site")} (site ghost-site)`,
    ],
    [
      "a profile with hours the directory cannot read",
      (d) => {
        Object.assign(d.perche.sites[0] as object, { hours: "Mo-Fx 9h" });
      },
      "as a Perche directory, sites[0].hours: not valid opening_hours syntax",
    ],
    [
      "a closing time past the end of the day",
      (d) => {
        d.schedule.push({ id: "s-w", byday: "MO", opens_at: "22:00", closes_at: "24:30" });
      },
      "closes_at: must be a time such as 17:00 or 17:00-05:00",
    ],
    [
      "an attribute for an unknown taxonomy term",
      (d) => {
        d.attribute.push({ id: "a-x", link_type: "supply", taxonomy_term_id: "nothing" });
      },
      "no taxonomy_term has the id nothing",
    ],
    [
      "an attribute on an unknown service",
      (d) => {
        d.attribute.push({ id: "a-y", link_type: "supply", link_entity: "service", link_id: "ghost" });
      },
      `attribute[${fixtureDirectory().sites.flatMap((s) => s.materials).length}].link_id: no service has the id ghost`,
    ],
    ["a JSON array", () => [], "(file): an HSDS file is a JSON object with one array per table"],
  ];

  it.each(cases)("%s", (_what, breakIt, message) => {
    const document = exported();
    const replaced = breakIt(document);
    const result = fromHsds(replaced ?? document, { base: fixtureDirectory(), today: TODAY });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toContainEqual(expect.stringContaining(message));
  });

  it("refuses text that is not JSON", () => {
    expect(parseHsdsText("organization: [", { today: TODAY })).toEqual({
      ok: false,
      errors: [expect.stringContaining("(syntax): not JSON")],
    });
  });

  it("refuses a 50 MB body before parsing it", () => {
    const body = `{"organization": [${" ".repeat(50 * 1024 * 1024)}]}`;
    expect(parseHsdsText(body, { today: TODAY })).toEqual({
      ok: false,
      errors: ["(file): larger than 5 MB"],
    });
  });
});
