import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, ROOT } from "../support/admin-cli";

// Each test spawns processes that open the embedded database (initdb in WebAssembly): slow on a busy
// 2-core machine, so these get a generous limit.
describe("npm run admin", { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "perche-cli-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints help for the whole tool and for each command", async () => {
    const main = await admin(["--help"]);
    expect(main.code).toBe(0);
    for (const command of [
      "migrate",
      "directory validate FILE",
      "directory import FILE",
      "directory export",
      "link SITE_ID",
    ])
      expect(main.stdout).toContain(command);
    const validate = await admin(["directory", "validate", "--help"]);
    expect(validate.stdout).toContain("Usage: npm run admin -- directory validate FILE");
  });

  it("refuses an unknown command or a missing argument with exit code 2", async () => {
    const unknown = await admin(["frobnicate"]);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown command: frobnicate"),
    });
    const missing = await admin(["directory", "import"]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining("needs exactly one FILE") });
    const badOption = await admin(["migrate", "--frob"]);
    expect(badOption.code).toBe(2);
  });

  it("validates the example directory", async () => {
    const result = await admin(["directory", "validate", "directory/example-montreal.yaml"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/is valid: \d+ sites/);
  });

  it("lists every error of a broken file with its path", async () => {
    const file = path.join(dir, "broken.yaml");
    const example = readFileSync(path.join(ROOT, "directory/example-montreal.yaml"), "utf8");
    writeFileSync(
      file,
      example
        .replace('hours: "Mo-Fr 09:00-17:00; PH off"', 'hours: "Mo-Fx 9h-17h"')
        .replace("organisation: relais-faubourg\n", "organisation: nobody\n")
        .replace('verified_on: "2026-11-01"', 'verified_on: "yesterday"'),
    );
    const result = await admin(["directory", "validate", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("3 problem(s)");
    expect(result.stderr).toMatch(/sites\[\d+\]\.hours: not valid opening_hours syntax/);
    expect(result.stderr).toMatch(/sites\[\d+\]\.organisation: no organisation has the id nobody/);
    expect(result.stderr).toMatch(/sites\[\d+\]\.verified_on: must be a date written YYYY-MM-DD/);
  });

  it("says what is wrong with a file that is not YAML, or not there", async () => {
    const file = path.join(dir, "garbage.yaml");
    writeFileSync(file, "sites: [\n  - {");
    expect((await admin(["directory", "validate", file])).stderr).toContain("(syntax):");
    expect((await admin(["directory", "validate", path.join(dir, "missing.yaml")])).stderr).toContain(
      "no such file",
    );
  });

  it("imports, exports the same directory back, and prints a site's link", async () => {
    const env = { DATA_DIR: path.join(dir, "data") };
    const imported = await admin(["directory", "import", "directory/example-montreal.yaml"], env);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^Imported \d+ sites/);
    expect(imported.stdout).toContain("EXAMPLE");

    const out = path.join(dir, "export.yaml");
    expect((await admin(["directory", "export", "--out", out], env)).code).toBe(0);
    const again = await admin(["directory", "validate", out]);
    expect(again.code).toBe(0);

    const link = await admin(["link", "relais-faubourg-ontario", "--username", "@PercheBot"], env);
    expect(link.stdout.trim()).toBe("https://t.me/PercheBot?start=site-relais-faubourg-ontario");
    const unknown = await admin(["link", "no-such-site", "--username", "PercheBot"], env);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("No site has the id no-such-site"),
    });
  });

  it("refuses an import that fails validation and leaves the directory as it was", async () => {
    const env = { DATA_DIR: path.join(dir, "data") };
    const file = path.join(dir, "empty-sites.yaml");
    writeFileSync(file, "meta: { name: x, example: false }\nmaterials: []\norganisations: []\nsites: []\n");
    const result = await admin(["directory", "import", file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nothing imported");
    const exported = await admin(["directory", "export"], env);
    expect(exported.stdout).toContain("relais-faubourg-ontario");
  });

  it("invites a worker with a single-use link, lists members and revokes one", async () => {
    const env = { DATA_DIR: path.join(dir, "data") };
    const invited = await admin(
      [
        "invite",
        "--role",
        "worker",
        "--org",
        "relais-faubourg",
        "--expires",
        "2h",
        "--username",
        "PercheBot",
      ],
      env,
    );
    expect(invited.code).toBe(0);
    expect(invited.stdout).toMatch(/^https:\/\/t\.me\/PercheBot\?start=inv-[A-Za-z0-9_-]{22}\n/);
    expect(invited.stdout).toContain("Single use, for a worker of relais-faubourg");
    expect(await admin(["members"], env)).toMatchObject({ code: 0, stdout: "No active members.\n" });
    expect(await admin(["revoke", "999"], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("No active member has the id 999"),
    });
  });

  it("makes an invitation last 48 hours unless told otherwise", async () => {
    const env = { DATA_DIR: path.join(dir, "data") };
    const before = Date.now();
    const invited = await admin(
      ["invite", "--role", "peer", "--org", "relais-faubourg", "--username", "PercheBot"],
      env,
    );
    const after = Date.now();
    expect(invited.code).toBe(0);
    const until = /valid until (\S+)\.$/m.exec(invited.stdout)?.[1];
    const hours = (at: number) => (Date.parse(until ?? "") - at) / 3_600_000;
    // The printed end lies 48 hours after some moment while the command ran.
    expect(hours(after)).toBeLessThanOrEqual(48);
    expect(hours(before)).toBeGreaterThanOrEqual(48);
  });

  it("refuses a bad role, an unknown organisation or a silly lifetime", async () => {
    const env = { DATA_DIR: path.join(dir, "data") };
    expect((await admin(["invite", "--role", "boss", "--org", "relais-faubourg"], env)).code).toBe(2);
    expect(
      (
        await admin(
          ["invite", "--role", "worker", "--org", "relais-faubourg", "--expires", "90d", "--username", "x"],
          env,
        )
      ).code,
    ).toBe(2);
    const unknown = await admin(["invite", "--role", "peer", "--org", "nowhere", "--username", "x"], env);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("No organisation has the id nowhere"),
    });
    expect((await admin(["revoke", "abc"], env)).code).toBe(2);
  });

  it("refuses a shift in bad syntax or for nobody, and explains how to set one", async () => {
    const env = { DATA_DIR: path.join(dir, "data") };
    expect((await admin(["shift", "--help"], env)).stdout).toContain(
      'shift MEMBER_ID --hours "Mo-Fr 18:00-02:00"',
    );
    expect((await admin(["shift", "1"], env)).code).toBe(2);
    const bad = await admin(["shift", "1", "--hours", "Mo-Fx 9-17"], env);
    expect(bad).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("--hours is not valid opening_hours syntax"),
    });
    const nobody = await admin(["shift", "4242", "--hours", "Mo-Fr 18:00-23:00"], env);
    expect(nobody).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("No active member has the id 4242"),
    });
  });
});
