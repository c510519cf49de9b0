import type { Database } from "../db/executor";
import { EXAMPLE_DIRECTORY, readDirectoryFile } from "./file";
import { isDirectoryEmpty, replaceDirectory } from "./store";

export type SeedOutcome = { kind: "already-filled" } | { kind: "example-loaded"; sites: number };

/** On first start with an empty directory, load the example so the bot answers something true to its shape. */
export async function seedExampleIfEmpty(db: Database, file = EXAMPLE_DIRECTORY): Promise<SeedOutcome> {
  if (!(await isDirectoryEmpty(db))) return { kind: "already-filled" };
  const parsed = await readDirectoryFile(file);
  if (!parsed.ok) throw new Error(`The example directory is invalid: ${parsed.errors.join("; ")}`);
  const summary = await replaceDirectory(db, parsed.file);
  return { kind: "example-loaded", sites: summary.sites };
}
