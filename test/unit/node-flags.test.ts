import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * `npm start` runs Node with a small young generation and a heap cap, which keeps the bot's resident
 * memory under 200 MB (README, "Performance"). The benchmark must measure the bot as it runs, so
 * `npm run bench` (and the processes it starts, which inherit its flags) uses the same flags.
 */
const scripts = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

const nodeFlags = (script: string | undefined) =>
  (script ?? "").split(/\s+/).filter((word) => word.startsWith("--max-"));

describe("Node's flags", () => {
  it("bound the heap when the bot starts", () => {
    expect(nodeFlags(scripts.start)).toEqual(["--max-semi-space-size=8", "--max-old-space-size=256"]);
  });

  it("are the same for the benchmark as for the bot", () => {
    expect(nodeFlags(scripts.bench)).toEqual(nodeFlags(scripts.start));
  });
});
