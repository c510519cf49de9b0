import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The order test files start in, for vitest.config.ts. With two workers the run lasts at least as long
 * as its slowest file, and ends late when a long file starts last: so the long ones go first. vitest's
 * own order uses the durations of the previous run, which a fresh checkout (CI after `npm ci`) does not
 * have; these groups, from the slowest (measured on 2 cores), come first whatever it knows, and vitest's
 * order holds inside each group.
 */
const SLOWEST_FIRST: readonly string[] = [
  // npm ci twice in a fresh folder.
  "test/e2e/recipe.test.ts",
  // Each restarts npm start several times, with faults lasting seconds.
  "test/e2e/outside/",
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
