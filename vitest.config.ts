import { configDefaults, defineConfig } from "vitest/config";
import SlowestFirst from "./test/support/slowest-first.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Stryker's sandboxes (npm run mutation) hold a copy of the tests: never run those.
    exclude: [...configDefaults.exclude, ".stryker-tmp/**"],
    // Hours must be right whatever the machine's zone: the suite runs in UTC on purpose.
    env: { TZ: "UTC" },
    pool: "forks",
    // Three files at a time, even on 2 cores (vitest's default there is one): the end-to-end and
    // command-line files spend most of their time waiting on child processes, timers and faults that
    // last seconds (cli/ and three end-to-end files on the shared 2-core machine: 422 s two at a time,
    // 263 s three at a time). Four at a time was faster (653 s → 576 s for the whole suite on a fresh
    // clone, 2026-12-03) but starved the fault suite's processes: a database connection slower than its
    // connect timeout made a webhook update fail after its reply went out, and the reply came twice.
    // The slowest files start first, so that the run does not end waiting on one.
    maxWorkers: 3,
    sequence: { sequencer: SlowestFirst },
    // Suite-wide privacy check: no test may see the bot forward a message or look a person up.
    setupFiles: ["test/support/forbidden-calls.ts"],
    // The embedded database initialised and migrated once for the run, not once per test file.
    globalSetup: ["test/support/pglite-template.ts"],
    // Generous: the embedded database initialises in WebAssembly, and CI shares 2 cores. Speed is
    // measured by the benchmark, never by these limits.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
