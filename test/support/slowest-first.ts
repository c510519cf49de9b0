import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The order test files start in, for vitest.config.ts. With three workers the run lasts at least as long
 * as its slowest file, and ends late when a long file starts last: so the long ones go first. vitest's
 * own order uses the durations of the previous run, which a fresh checkout (CI after `npm ci`) does not
 * have. So these come first whatever it knows: the slowest files by name, longest first (seconds of a
 * run on the shared 2-core machine on 2026-12-03, one file at a time), then the rest by folder; vitest's
 * order holds among the files of a folder.
 */
const SLOWEST_FIRST: readonly string[] = [
  "test/e2e/outside/process-faults.test.ts", // 245 s: five kills and stops, each followed by a start
  "test/cli/admin.test.ts", // 175 s: 28 commands, each a process of its own
  "test/e2e/outside/instances.test.ts", // 143 s
  "test/e2e/outside/telegram-faults.test.ts", // 122 s
  "test/e2e/outages.test.ts", // 105 s
  "test/e2e/outside/database-faults.test.ts", // 95 s
  "test/cli/changes.test.ts", // 85 s
  "test/e2e/recipe.test.ts", // 83 s: npm ci twice in a fresh folder
  "test/cli/admin-stats.test.ts", // 76 s
  "test/cli/first-coordinator.test.ts", // 73 s
  "test/e2e/",
  "test/cli/",
  "test/bot/",
  "test/db/",
];

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const known = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const file = path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join("/");
      const index = SLOWEST_FIRST.findIndex((prefix) => file.startsWith(prefix));
      return index === -1 ? SLOWEST_FIRST.length : index;
    };
    // Stable: vitest's order within a group.
    return known
      .map((spec, at) => ({ spec, at, rank: rank(spec) }))
      .sort((a, b) => a.rank - b.rank || a.at - b.at)
      .map(({ spec }) => spec);
  }
}
