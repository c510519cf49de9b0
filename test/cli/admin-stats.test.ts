import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../../src/db/client";
import { chequeDays, statCounters } from "../../src/db/schema";
import { exportRows, formatExport, statsRange } from "../../src/stats/export";
import { admin } from "../support/admin-cli";

describe("the range of `admin stats`", () => {
  const today = "2026-11-18";
  it("defaults to the 30 days up to today, or up to --to", () => {
    expect(statsRange({}, today)).toEqual({ ok: true, from: "2026-10-20", to: "2026-11-18" });
    expect(statsRange({ to: "2026-03-01" }, today)).toEqual({
      ok: true,
      from: "2026-01-31",
      to: "2026-03-01",
    });
    expect(statsRange({ from: "2026-11-01" }, today)).toEqual({ ok: true, from: "2026-11-01", to: today });
  });

  it("refuses dates that do not exist, a range backwards and one longer than three years", () => {
    expect(statsRange({ from: "2026-02-30" }, today)).toEqual({
      ok: false,
      error: '--from must be a date written YYYY-MM-DD (got "2026-02-30").',
    });
    expect(statsRange({ to: "18/11/2026" }, today)).toMatchObject({ ok: false });
    expect(statsRange({ from: "2026-11-10", to: "2026-11-01" }, today)).toEqual({
      ok: false,
      error: "--from (2026-11-10) is after --to (2026-11-01).",
    });
    expect(statsRange({ from: "2023-11-18", to: "2026-11-18" }, today)).toMatchObject({ ok: true });
    expect(statsRange({ from: "2020-01-01", to: "2026-01-01" }, today)).toEqual({
      ok: false,
      error: "2193 days is too long a range: at most 1098 days (three years).",
    });
  });
});

describe("the formats of `admin stats`", () => {
  it("quotes a CSV field that holds a comma or a quote, and leaves an unknown cycle day empty", () => {
    const rows = exportRows([{ day: "2026-11-05", metric: "lookup.material", key: 'a,"b"', value: 2 }], []);
    expect(formatExport(rows, "csv", { from: "2026-11-05", to: "2026-11-05" })).toBe(
      'day,day_from_cheque,metric,key,value\n2026-11-05,,lookup.material,"a,""b""",2\n',
    );
    expect(JSON.parse(formatExport(rows, "json", { from: "2026-11-05", to: "2026-11-05" }))).toEqual([
      { day: "2026-11-05", day_from_cheque: null, metric: "lookup.material", key: 'a,"b"', value: 2 },
    ]);
  });
});

// Each call spawns a process that opens the embedded database: slow on a busy machine.
describe("npm run admin -- stats", { timeout: 180_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "perche-stats-"));
    env = { DATA_DIR: path.join(dir, "data") };
    // The CLI creates and migrates the database; then the test writes counters into it, as the bot would.
    expect((await admin(["migrate"], env)).code).toBe(0);
    const handle = await openPglite(env.DATA_DIR as string);
    await handle.db.insert(chequeDays).values([{ day: "2026-10-01" }, { day: "2026-11-01" }]);
    await handle.db.insert(statCounters).values([
      { day: "2026-10-30", metric: "lookup", key: "material", organisationId: "", value: 4 },
      { day: "2026-11-01", metric: "lookup.material", key: "naloxone", organisationId: "", value: 3 },
      { day: "2026-11-01", metric: "request.category", key: "food", organisationId: "org-a", value: 2 },
      { day: "2026-11-01", metric: "request.category", key: "food", organisationId: "org-b", value: 1 },
      { day: "2026-11-02", metric: "request.nobody_on_call", key: "", organisationId: "org-a", value: 1 },
    ]);
    await handle.close();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes CSV with a header, the day relative to cheque day, and teams summed", async () => {
    const result = await admin(
      ["stats", "--from", "2026-10-30", "--to", "2026-11-02", "--format", "csv"],
      env,
    );
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(
      [
        "day,day_from_cheque,metric,key,value",
        "2026-10-30,-2,lookup,material,4",
        "2026-11-01,0,lookup.material,naloxone,3",
        "2026-11-01,0,request.category,food,3",
        "2026-11-02,1,request.nobody_on_call,,1",
        "",
      ].join("\n"),
    );
  });

  it("writes the same as JSON, and a readable table by default", async () => {
    const json = await admin(
      ["stats", "--from", "2026-11-01", "--to", "2026-11-01", "--format", "json"],
      env,
    );
    expect(JSON.parse(json.stdout)).toEqual([
      { day: "2026-11-01", day_from_cheque: 0, metric: "lookup.material", key: "naloxone", value: 3 },
      { day: "2026-11-01", day_from_cheque: 0, metric: "request.category", key: "food", value: 3 },
    ]);
    const text = await admin(["stats", "--from", "2026-11-01", "--to", "2026-11-02", "--org", "org-x"], env);
    expect(text).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("No organisation has the id org-x"),
    });
    const table = await admin(["stats", "--from", "2026-11-01", "--to", "2026-11-02"], env);
    expect(table.stdout).toBe(
      [
        'Counts from 2026-11-01 to 2026-11-02 (all organisations). "cheque" is the day relative to cheque day.',
        "day         cheque  metric                  key       value",
        "2026-11-01       0  lookup.material         naloxone      3",
        "2026-11-01       0  request.category        food          3",
        "2026-11-02       1  request.nobody_on_call  -             1",
        "",
      ].join("\n"),
    );
    const empty = await admin(["stats", "--from", "2025-01-01", "--to", "2025-01-31"], env);
    expect(empty.stdout).toContain("Nothing was counted in this range.");
  });

  it("explains bad input with exit code 2", async () => {
    const cases: Array<[string[], string]> = [
      [["stats", "--format", "xml"], '--format must be text, csv or json (got "xml").'],
      [["stats", "--from", "2026-13-01"], '--from must be a date written YYYY-MM-DD (got "2026-13-01").'],
      [
        ["stats", "--from", "2026-11-10", "--to", "2026-11-01"],
        "--from (2026-11-10) is after --to (2026-11-01).",
      ],
      [["stats", "--from", "2000-01-01", "--to", "2026-01-01"], "too long a range: at most 1098 days"],
      [["stats", "everything"], "stats takes no argument here."],
    ];
    for (const [args, message] of cases) {
      const result = await admin(args, env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe("");
    }
    const help = await admin(["stats", "--help"], env);
    expect(help.stdout).toContain("request.claim_wait (key: lower edge in minutes");
  });
});
