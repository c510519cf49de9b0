import { defineConfig } from "drizzle-kit";

// Used only by `npm run db:generate` to write reviewed SQL into migrations/.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./migrations",
  casing: "snake_case",
});
