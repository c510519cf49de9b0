import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { members, stockOuts } from "../../src/db/schema";
import { toDirectoryFile } from "../../src/directory/file-model";
import { directoryFileSchema } from "../../src/directory/file-schema";
import {
  getDirectoryVersion,
  loadDirectory,
  OrganisationInUseError,
  replaceDirectory,
} from "../../src/directory/store";
import {
  clearLanguageChoice,
  getLanguageChoice,
  setLanguageChoice,
} from "../../src/features/language/queries";
import { DRIVERS } from "../support/database";
import { fixtureDirectory } from "../support/directory-fixture";

describe.each(DRIVERS)("directory storage on $name", ({ open }) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await open();
  });
  afterAll(async () => {
    await handle.close();
  });

  it("imports a directory and reads it back as the bot sees it", async () => {
    const summary = await replaceDirectory(handle.db, fixtureDirectory());
    expect(summary).toMatchObject({ sites: 5, organisations: 2, materials: 4, places: 3, chequeDays: 1 });
    const directory = await loadDirectory(handle.db);
    expect(directory?.info).toEqual({
      name: "Test",
      isExample: false,
      timezone: "America/Toronto",
      countryCode: "ca",
      region: "Quebec",
      emergencyNumber: "911",
      staleAfterDays: 30,
    });
    const daySite = directory?.sites.find((s) => s.id === "day-site");
    expect(daySite).toMatchObject({
      materials: ["syringes", "naloxone"],
      location: { lat: 45.52, lon: -73.555 },
      chequeDayHours: "08:00-20:00",
      specialDates: [
        { day: "2026-11-27", hours: "off", note: { fr: "Formation", en: "Training" } },
        { day: "2026-12-24", hours: "10:00-14:00" },
      ],
    });
    expect(directory?.sites.find((s) => s.id === "van")?.stops).toHaveLength(1);
  });

  it("exports what it imported, so export then import changes nothing", async () => {
    await replaceDirectory(handle.db, fixtureDirectory());
    const exported = toDirectoryFile((await loadDirectory(handle.db)) ?? expect.fail("no directory"));
    const reparsed = directoryFileSchema.parse(JSON.parse(JSON.stringify(exported)));
    const original = fixtureDirectory();
    const bySite = (f: typeof original) => [...f.sites].sort((a, b) => a.id.localeCompare(b.id));
    expect(
      bySite(reparsed).map((s) => ({
        ...s,
        special_dates: s.special_dates?.sort((a, b) => a.date.localeCompare(b.date)),
      })),
    ).toEqual(
      bySite(original).map((s) => ({
        ...s,
        special_dates: s.special_dates?.sort((a, b) => a.date.localeCompare(b.date)),
      })),
    );
    expect(reparsed.materials).toEqual(original.materials);
    expect(reparsed.places).toEqual(original.places);
    expect(reparsed.cheque_days).toEqual(original.cheque_days);
    expect(reparsed.meta).toEqual(original.meta);
  });

  it("keeps the file's stale_after_days, and exports it as it was imported", async () => {
    await replaceDirectory(
      handle.db,
      fixtureDirectory((input) => {
        input.meta.stale_after_days = 45;
      }),
    );
    const directory = (await loadDirectory(handle.db)) ?? expect.fail("no directory");
    expect(directory.info.staleAfterDays).toBe(45);
    expect(toDirectoryFile(directory).meta.stale_after_days).toBe(45);
  });

  it("moves the version on every import so other processes reload", async () => {
    const before = (await getDirectoryVersion(handle.db)) ?? 0;
    await replaceDirectory(handle.db, fixtureDirectory());
    expect(await getDirectoryVersion(handle.db)).toBe(before + 1);
  });

  it("leaves the previous directory whole when an import fails half-way", async () => {
    await replaceDirectory(handle.db, fixtureDirectory());
    const before = await loadDirectory(handle.db);
    // Bypasses validation on purpose: a site pointing at a missing organisation fails inside the transaction,
    // after the old rows were deleted and most new ones inserted.
    const valid = fixtureDirectory();
    const file = {
      ...valid,
      sites: valid.sites.map((s, i) => (i === 3 ? { ...s, organisation: "ghost" } : s)),
    };
    await expect(replaceDirectory(handle.db, file)).rejects.toThrow();
    expect(await loadDirectory(handle.db)).toEqual(before);
  });

  it("keeps a worker's stock-out across an import while the site still lists the material", async () => {
    await replaceDirectory(handle.db, fixtureDirectory());
    const since = new Date("2026-11-18T19:10:00Z");
    await handle.db.insert(stockOuts).values([
      { siteId: "day-site", materialId: "naloxone", since },
      { siteId: "day-site", materialId: "syringes", since },
    ]);
    const summary = await replaceDirectory(
      handle.db,
      fixtureDirectory((input) => {
        const site = input.sites.find((s) => s.id === "day-site");
        if (site) site.materials = ["naloxone"];
      }),
    );
    expect(summary.keptStockOuts).toBe(1);
    const daySite = (await loadDirectory(handle.db))?.sites.find((s) => s.id === "day-site");
    expect(daySite?.stockOuts).toEqual([{ materialId: "naloxone", since }]);
  });

  it("refuses to remove an organisation that still has members, and changes nothing", async () => {
    await replaceDirectory(handle.db, fixtureDirectory());
    await handle.db.insert(members).values({
      organisationId: "org-a",
      role: "worker",
      alias: "Marc",
      pseudonym: "member-pseudo-1",
      chatIdEnc: "v1.x",
      locale: "fr",
    });
    const before = await loadDirectory(handle.db);
    const withoutOrgA = fixtureDirectory((input) => {
      input.organisations = input.organisations.filter((o) => o.id !== "org-a");
      input.sites = input.sites.filter((s) => s.organisation !== "org-a");
    });
    await expect(replaceDirectory(handle.db, withoutOrgA)).rejects.toBeInstanceOf(OrganisationInUseError);
    expect(await loadDirectory(handle.db)).toEqual(before);
    // Renaming it is fine: organisations are updated in place.
    await replaceDirectory(
      handle.db,
      fixtureDirectory((input) => {
        const org = input.organisations.find((o) => o.id === "org-a");
        if (org) org.name = { fr: "Organisme A renommé", en: "Organisation A renamed" };
      }),
    );
    expect((await loadDirectory(handle.db))?.organisations.find((o) => o.id === "org-a")?.name.fr).toBe(
      "Organisme A renommé",
    );
    await handle.db.delete(members);
  });

  it("keeps a language choice under a pseudonym, replaces it, and erases it", async () => {
    const now = new Date("2026-11-18T19:00:00Z");
    expect(await getLanguageChoice(handle.db, "pseudo-1")).toBeUndefined();
    await setLanguageChoice(handle.db, "pseudo-1", "en", now);
    await setLanguageChoice(handle.db, "pseudo-1", "fr", now);
    expect(await getLanguageChoice(handle.db, "pseudo-1")).toBe("fr");
    await clearLanguageChoice(handle.db, "pseudo-1");
    await clearLanguageChoice(handle.db, "pseudo-1");
    expect(await getLanguageChoice(handle.db, "pseudo-1")).toBeUndefined();
  });

  it("applies migrations again without harm", async () => {
    await handle.migrate();
    await handle.migrate();
    await handle.ping();
  });
});
