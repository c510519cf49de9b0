import { describe, expect, it } from "vitest";
import { parseDirectoryText } from "../../src/directory/file";
import { fromDirectoryFile, toDirectoryFile } from "../../src/directory/file-model";
import { directoryFileSchema } from "../../src/directory/file-schema";
import { servedPlaces } from "../../src/directory/serves";
import { fixtureDirectory, fixtureInput } from "../support/directory-fixture";

function nth<T>(items: T[], index: number): T {
  const item = items[index];
  if (!item) throw new Error(`the fixture has no item ${index}`);
  return item;
}

describe("the places each organisation serves, in the directory file", () => {
  it("takes an explicit serves list as written, and keeps_requests as given", () => {
    const file = fixtureDirectory((input) => {
      input.organisations[0] = { ...nth(input.organisations, 0), serves: ["verdun"], keeps_requests: true };
    });
    const directory = fromDirectoryFile(file);
    expect(servedPlaces(directory).get("org-a")).toEqual(new Set(["verdun"]));
    expect(directory.organisations.find((o) => o.id === "org-a")?.keepsRequests).toBe(true);
  });

  it("without serves, serves the places named like its sites' neighbourhoods, accents and case aside", () => {
    const file = fixtureDirectory((input) => {
      nth(input.sites, 2).neighbourhood = "VERDÙN";
      // A métro station with a neighbourhood's name is not the neighbourhood.
      input.places?.push({
        id: "metro-verdun",
        kind: "metro",
        name: { fr: "Verdun", en: "Verdun" },
        lat: 45.46,
        lon: -73.57,
      });
    });
    const served = servedPlaces(fromDirectoryFile(file));
    // Centre-Sud (two sites) and Verdun (the pharmacy); the van has no neighbourhood, the line none either.
    expect(served.get("org-a")).toEqual(new Set(["centre-sud", "verdun"]));
    expect(served.get("lines")).toEqual(new Set());
    expect(fromDirectoryFile(file).organisations[0]?.keepsRequests).toBe(false);
  });

  it("an empty serves list means no area in particular, not its sites' neighbourhoods", () => {
    const file = fixtureDirectory((input) => {
      nth(input.organisations, 0).serves = [];
    });
    expect(servedPlaces(fromDirectoryFile(file)).get("org-a")).toEqual(new Set());
  });

  it("writes both back on export, so export then import changes nothing", () => {
    const file = fixtureDirectory((input) => {
      input.organisations[0] = { ...nth(input.organisations, 0), serves: ["centre-sud", "metro-berri-uqam"] };
      input.organisations[1] = { ...nth(input.organisations, 1), keeps_requests: true };
    });
    const exported = toDirectoryFile(fromDirectoryFile(file));
    expect(exported.organisations).toEqual(file.organisations);
    expect(directoryFileSchema.parse(exported)).toEqual(file);
  });

  it.each([
    {
      name: "a place that does not exist",
      serves: ["centre-sud", "rosemont"],
      keeps: undefined,
      error: "organisations[0].serves[1]: no place has the id rosemont: serves lists ids from places",
    },
    {
      name: "a place listed twice",
      serves: ["verdun", "verdun"],
      keeps: undefined,
      error: "organisations[0].serves[1]: verdun is listed twice",
    },
    {
      name: "a name instead of an id",
      serves: ["Centre-Sud"],
      keeps: undefined,
      error:
        "organisations[0].serves[0]: ids are 1-40 lowercase letters, digits or dashes (they go in links)",
    },
    {
      name: "keeps_requests that is not true or false",
      serves: undefined,
      keeps: "yes",
      error: "organisations[0].keeps_requests: must be true or false",
    },
  ])("refuses $name, saying where and what", ({ serves, keeps, error }) => {
    const input = fixtureInput() as unknown as { organisations: Record<string, unknown>[] };
    input.organisations[0] = {
      ...input.organisations[0],
      ...(serves ? { serves } : {}),
      ...(keeps !== undefined ? { keeps_requests: keeps } : {}),
    };
    const result = parseDirectoryText(JSON.stringify(input));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContain(error);
  });

  it("the example directory gives each organisation that takes requests the areas it serves", async () => {
    const { readDirectoryFile, EXAMPLE_DIRECTORY } = await import("../../src/directory/file");
    const result = await readDirectoryFile(EXAMPLE_DIRECTORY);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const served = servedPlaces(fromDirectoryFile(result.file));
    expect([...(served.get("relais-faubourg") ?? [])]).toContain("centre-sud");
    // Without serves: the neighbourhood of its site.
    expect(served.get("reseau-est")).toEqual(new Set(["hochelaga-maisonneuve"]));
    expect(result.file.organisations.some((o) => o.keeps_requests)).toBe(true);
    expect(result.file.organisations.some((o) => o.serves)).toBe(true);
  });
});
