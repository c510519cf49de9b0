import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../../src/db/client";
import { toDirectoryFile } from "../../src/directory/file-model";
import type { DirectoryFile } from "../../src/directory/file-schema";
import { loadDirectory } from "../../src/directory/store";
import { admin } from "../support/admin-cli";
import { seedPgliteDataDir } from "../support/database";

/** The directory an embedded database holds, in the file format (the CLI is stopped meanwhile). */
async function directoryIn(dataDir: string): Promise<DirectoryFile | undefined> {
  const handle = await openPglite(dataDir);
  try {
    const directory = await loadDirectory(handle.db);
    return directory && toDirectoryFile(directory);
  } finally {
    await handle.close();
  }
}

// Each step spawns a process that opens the embedded database: slow on a busy 2-core machine.
describe("npm run admin -- directory export/import --format hsds", { timeout: 240_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "perche-hsds-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("carries a directory to a fresh database through HSDS, and refuses bad HSDS leaving it as it was", async () => {
    // Migrated already, as after a first start: each process skips the seconds of an initdb.
    const first = { DATA_DIR: seedPgliteDataDir(path.join(dir, "first")) };
    const second = { DATA_DIR: seedPgliteDataDir(path.join(dir, "second")) };
    expect((await admin(["directory", "import", "directory/example-montreal.yaml"], first)).code).toBe(0);

    const file = path.join(dir, "directory.hsds.json");
    const written = await admin(["directory", "export", "--format", "hsds", "--out", file], first);
    expect(written).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Wrote 17 sites to .* \(HSDS 3\.0\)/),
    });
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
      version: "3.0",
      perche: { profile: "perche-hsds/1" },
    });

    const imported = await admin(["directory", "import", file, "--format", "hsds"], second);
    expect(imported).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Imported 17 sites, 6 organisations/),
    });
    const original = await directoryIn(first.DATA_DIR);
    expect(original?.sites.length).toBe(17);
    expect(await directoryIn(second.DATA_DIR)).toStrictEqual(original);

    // A broken link: the whole file is refused, named, and the directory stays as it was.
    const broken = JSON.parse(readFileSync(file, "utf8"));
    broken.service_at_location[0].location_id = "nowhere";
    broken.perche.meta.name = "Should not land";
    const brokenFile = path.join(dir, "broken.json");
    writeFileSync(brokenFile, JSON.stringify(broken));
    const refused = await admin(["directory", "import", brokenFile], second);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("1 problem(s), nothing imported");
    expect(refused.stderr).toContain("service_at_location[0].location_id: no location has the id nowhere");

    // 50 MB is refused before it is read.
    const huge = path.join(dir, "huge.json");
    writeFileSync(huge, `{"organization": [${" ".repeat(50 * 1024 * 1024)}]}`);
    const tooBig = await admin(["directory", "import", huge, "--format", "hsds"], second);
    expect(tooBig).toMatchObject({ code: 1, stderr: expect.stringContaining("is larger than 5 MB") });
    rmSync(huge);

    const wrongFormat = await admin(["directory", "import", file, "--format", "xml"], second);
    expect(wrongFormat).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--format must be yaml or hsds (got "xml")'),
    });
    expect(await directoryIn(second.DATA_DIR)).toStrictEqual(original);
  });

  it("prints a file's own strings without their control codes", async () => {
    const elsewhere = JSON.parse(readFileSync("test/fixtures/hsds/elsewhere.json", "utf8"));
    elsewhere.organization[0].name = "Centre \u001b[2J\u001b[31mPasserelle";
    const file = path.join(dir, "control-codes.json");
    writeFileSync(file, JSON.stringify(elsewhere));
    const checked = await admin(["directory", "validate", file]);
    expect(checked.stdout).toContain("Centre  [2J [31mPasserelle");
    expect(checked.stdout).not.toContain("\u001b");
  });

  it("imports a file written elsewhere and prints what could not be mapped", async () => {
    const checked = await admin(["directory", "validate", "test/fixtures/hsds/elsewhere.json"]);
    expect(checked).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("elsewhere.json is valid: 3 sites"),
    });
    const env = { DATA_DIR: seedPgliteDataDir(path.join(dir, "elsewhere")) };
    const result = await admin(["directory", "import", "test/fixtures/hsds/elsewhere.json"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("What could not be mapped from HSDS");
    expect(result.stdout).toContain(
      "- schedule 3f2e1d0c-b9a8-4765-8432-10fedcba9803: freq MONTHLY: Perche's hours repeat every week; not imported",
    );
    expect(result.stdout).toContain("Imported 3 sites, 2 organisations");
    const directory = await directoryIn(env.DATA_DIR);
    expect(directory?.sites.map((s) => s.hours)).toEqual([
      "Mo-Fr 10:00-18:00; Sa 12:00-16:00",
      "Fr-Su 20:00-02:00",
      "Mo-Su 21:00-07:00",
    ]);
    // An empty database: settings come from the example, but the imported data is not marked as one.
    expect(directory?.meta).toMatchObject({ example: false, name: "Directory imported from HSDS" });
  });
});
