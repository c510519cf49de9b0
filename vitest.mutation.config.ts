import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config";

// For `npm run mutation` only. Each mutant's tests run in a new process: the migrated embedded
// database is kept on disk between them (see test/support/database.ts) instead of built each time.
export default mergeConfig(
  base,
  defineConfig({
    test: { env: { PGLITE_TEMPLATE_CACHE: "node_modules/.cache/perche" } },
  }),
);
