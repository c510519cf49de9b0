import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../../src/db/client";
import { members } from "../../src/db/schema";
import { applyChange, undoChange } from "../../src/features/worker-tools/use-cases";
import { admin } from "../support/admin-cli";

// Spawns processes that open the embedded database: slow on a busy machine.
describe("npm run admin -- changes", { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "perche-changes-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("is listed in the help and explains itself", async () => {
    expect((await admin(["--help"])).stdout).toContain("changes [--site ID] [--limit N]");
    expect((await admin(["changes", "--help"])).stdout).toContain(
      "Usage: npm run admin -- changes [--site SITE_ID] [--limit N]",
    );
  });

  it("refuses a bad limit, a bad site id or an extra argument with exit code 2", async () => {
    for (const limit of ["0", "abc", "-3"]) {
      const result = await admin(["changes", `--limit=${limit}`]);
      expect(result).toMatchObject({
        code: 2,
        stderr: expect.stringContaining("--limit must be a whole number from 1 to 1000."),
      });
    }
    expect(await admin(["changes", "--site", "Not A Site"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--site takes a site id"),
    });
    expect((await admin(["changes", "everything"])).code).toBe(2);
  });

  it("lists workers' changes, newest first, filtered by site and limited", async () => {
    const env = { DATA_DIR: path.join(dir, "data") };
    expect((await admin(["directory", "import", "directory/example-montreal.yaml"], env)).code).toBe(0);
    expect(await admin(["changes"], env)).toMatchObject({ code: 0, stdout: "No directory changes.\n" });

    // Changes made the way the bot makes them, with the CLI stopped (the embedded database is one process).
    const handle = await openPglite(env.DATA_DIR);
    const [member] = await handle.db
      .insert(members)
      .values({
        organisationId: "relais-faubourg",
        role: "worker",
        alias: "Marc",
        pseudonym: "p",
        chatIdEnc: "sealed",
        locale: "fr",
      })
      .returning();
    const id = member?.id ?? 0;
    const actor = { memberId: id, alias: "Marc", organisationId: "relais-faubourg" };
    const at = new Date("2026-11-18T19:10:00Z");
    const out = await applyChange(
      handle.db,
      actor,
      { kind: "stock_out", siteId: "relais-faubourg-ontario", materialId: "naloxone" },
      at,
    );
    await applyChange(
      handle.db,
      actor,
      { kind: "day_closed", siteId: "relais-faubourg-ontario", day: "2026-12-03" },
      new Date("2026-11-18T19:20:00Z"),
    );
    await applyChange(
      handle.db,
      actor,
      { kind: "note_removed", siteId: "another-site" },
      new Date("2026-11-18T19:30:00Z"),
    );
    if (out.kind === "done")
      await undoChange(handle.db, actor, out.changeId, new Date("2026-11-18T19:15:00Z"));
    await handle.close();

    const all = await admin(["changes"], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(
      [
        "id\tat\tmember\torganisation\tsite\tkind\ttarget\tbefore\tafter\tundone",
        `2\t2026-11-18T19:20:00.000Z\t${id} Marc\trelais-faubourg\trelais-faubourg-ontario\tday_closed\tday:2026-12-03\t-\t{"hours":"off"}\t-`,
        `1\t2026-11-18T19:10:00.000Z\t${id} Marc\trelais-faubourg\trelais-faubourg-ontario\tstock_out\tstock:naloxone\t-\t{"since":"2026-11-18T19:10:00.000Z"}\t2026-11-18T19:15:00.000Z by ${id}`,
        "",
      ].join("\n"),
    );
    const one = await admin(["changes", "--site", "relais-faubourg-ontario", "--limit", "1"], env);
    expect(one.stdout.trim().split("\n")).toHaveLength(2);
    expect(one.stdout).toContain("\tday_closed\t");
    expect(await admin(["changes", "--site", "nowhere"], env)).toMatchObject({
      code: 0,
      stdout: "No directory changes for site nowhere.\n",
    });
  });
});
