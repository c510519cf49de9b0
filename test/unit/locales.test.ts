import { describe, expect, it } from "vitest";
import { readLocaleResources } from "../../src/bot/i18n";

type Tree = { [key: string]: string | Tree };
function flatten(tree: Tree, prefix = "", out: Record<string, string> = {}): Record<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out[path] = value;
    else flatten(value, path, out);
  }
  return out;
}
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*-?\s*([\w.]+)/g)].map((m) => m[1]).sort();

const resources = readLocaleResources();
const fr = flatten(resources.fr);
const en = flatten(resources.en);

describe("locales", () => {
  it("has every French key in English and every English key in French", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
  });

  it("uses the same placeholders in both languages", () => {
    for (const key of Object.keys(fr))
      expect([key, placeholders(en[key] ?? "")]).toEqual([key, placeholders(fr[key] ?? "")]);
  });

  it("has no empty string", () => {
    for (const [key, value] of [...Object.entries(fr), ...Object.entries(en)])
      expect([key, value.trim().length > 0]).toEqual([key, true]);
  });

  it("keeps stigmatising words out of every message", () => {
    const all = [...Object.values(fr), ...Object.values(en)].join("\n").toLowerCase();
    for (const word of ["toxicomane", "junkie", "abuser", "addict", " clean"])
      expect(all).not.toContain(word);
  });
});
