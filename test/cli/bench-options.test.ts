import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/admin-cli";

const run = promisify(execFile);

/** `npm run bench -- <args>` refuses what it does not know before measuring anything. */
async function bench(args: string[]) {
  try {
    const { stdout, stderr } = await run(
      path.join(ROOT, "node_modules/.bin/tsx"),
      ["bench/run.ts", ...args],
      {
        cwd: ROOT,
        env: { ...process.env, BENCH_DATABASE_URL: "", TEST_DATABASE_URL: "" },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm run bench options", () => {
  it("explains itself on --help and measures nothing", async () => {
    const result = await bench(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--quick");
    expect(result.stderr).not.toContain("mixed traffic");
  });

  it("refuses an unknown option with the usage, before starting any run", async () => {
    const result = await bench(["--quik"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("bench: unknown option --quik");
    expect(result.stderr).toContain("npm run bench [-- --quick]");
    expect(result.stderr).not.toContain("mixed traffic");
  });
});
