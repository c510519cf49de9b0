import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin } from "../support/admin-cli";

/**
 * The first coordinator in one step from the command line: `invite` on a fresh database loads the
 * example directory (and says so), `--role coordinator` is the name (`admin` its alias), the sentences
 * read right, and `link` works while another process holds the embedded database.
 */
describe("npm run admin on a fresh installation", { timeout: 180_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "perche-cli-first-"));
    env = { DATA_DIR: path.join(dir, "data") };
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("invites a coordinator on an empty database, loading the example directory first and saying so", async () => {
    const invited = await admin(
      ["invite", "--role", "coordinator", "--org", "relais-faubourg", "--username", "PercheBot"],
      env,
    );
    expect(invited.code, invited.stderr).toBe(0);
    expect(invited.stderr).toContain("The directory was empty: loaded the EXAMPLE directory");
    expect(invited.stdout).toMatch(/^https:\/\/t\.me\/PercheBot\?start=inv-[A-Za-z0-9_-]{22}\n/);
    expect(invited.stdout).toContain("Single use, for a coordinator of relais-faubourg");

    // Loaded once: the next invitation finds it there.
    const alias = await admin(
      ["invite", "--role", "admin", "--org", "relais-faubourg", "--username", "PercheBot"],
      env,
    );
    expect(alias.stderr).not.toContain("EXAMPLE");
    expect(alias.stdout).toContain("Single use, for a coordinator of relais-faubourg");
    const peer = await admin(
      ["invite", "--role", "peer", "--org", "pas-de-cote", "--username", "PercheBot"],
      env,
    );
    expect(peer.stdout).toContain("Single use, for a peer helper of pas-de-cote");
  });

  it("names the roles it takes, and the organisations there are when the id is wrong", async () => {
    const role = await admin(["invite", "--role", "boss", "--org", "relais-faubourg"], env);
    expect(role).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--role worker, peer or coordinator"),
    });
    const unknown = await admin(["invite", "--role", "worker", "--org", "nowhere", "--username", "x"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      "No organisation has the id nowhere. The directory has: maison-du-canal,",
    );
    expect(unknown.stderr).toContain("relais-faubourg");
  });

  describe("while another process holds the embedded database", () => {
    let holder: ChildProcess;
    beforeAll(() => {
      // The lock file names a live process, as the running bot's does.
      holder = spawn("sleep", ["120"], { stdio: "ignore" });
      mkdirSync(env.DATA_DIR as string, { recursive: true });
      writeFileSync(path.join(env.DATA_DIR as string, "perche.lock"), String(holder.pid));
    });
    afterAll(() => {
      holder.kill();
      rmSync(path.join(env.DATA_DIR as string, "perche.lock"), { force: true });
    });

    it("prints a site's link, saying the id could not be checked", async () => {
      const link = await admin(["link", "relais-faubourg-ontario", "--username", "PercheBot"], env);
      expect(link.code, link.stderr).toBe(0);
      expect(link.stdout).toBe("https://t.me/PercheBot?start=site-relais-faubourg-ontario\n");
      expect(link.stderr).toContain("Not checked: the bot holds the embedded database");
    });

    it("still refuses what needs the database, saying why", async () => {
      const members = await admin(["members"], env);
      expect(members.code).toBe(1);
      expect(members.stderr).toContain("is using this DATA_DIR");
    });
  });
});
