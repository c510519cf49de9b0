import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Every message the bot sends without being asked goes through the outbox, under a dedupe key that
 * starts with its kind ("notice:…", "claimed:…"). The README lists each kind with its reason: a new
 * kind in the code that the README does not give a reason for fails here, and so does a stale row.
 */
const root = join(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

// A dedupe key written where a queued message is made: `dedupeKey: \`kind:…`, `dedupe: (id) => \`kind:…`,
// toPerson(…, `kind:…`) or toMember(…, `kind:…`), and the relay's key function.
const KEY =
  /(?:dedupeKey:\s*|dedupe:\s*\(\w*\)\s*=>\s*|\bto(?:Person|Member)\([^`;]*?|const \w+Key = [^`]*?)`([a-z-]+):\$\{/g;

function kindsInCode(): Set<string> {
  const kinds = new Set<string>();
  for (const file of sourceFiles(join(root, "src")))
    for (const match of readFileSync(file, "utf8").matchAll(KEY)) kinds.add(match[1] as string);
  return kinds;
}

function kindsInReadme(): Set<string> {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("## Messages the bot sends without being asked");
  expect(start).toBeGreaterThan(-1);
  const section = readme.slice(start, readme.indexOf("\n## ", start + 3));
  return new Set([...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1] as string));
}

describe("messages the bot sends without being asked", () => {
  it("finds the kinds in the code (the scan itself works)", () => {
    const kinds = kindsInCode();
    for (const kind of ["notice", "claimed", "relay", "expired", "alert"]) expect(kinds).toContain(kind);
  });

  it("are each listed in the README with a reason, and the README lists no other", () => {
    expect([...kindsInReadme()].sort()).toEqual([...kindsInCode()].sort());
  });
});
