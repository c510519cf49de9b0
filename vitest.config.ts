import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Hours must be right whatever the machine's zone: the suite runs in UTC on purpose.
    env: { TZ: "UTC" },
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
