import { readFile, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseDocument, stringify } from "yaml";
import type { z } from "zod";
import { type DirectoryFile, directoryFileSchema } from "./file-schema";

export const EXAMPLE_DIRECTORY = fileURLToPath(
  new URL("../../directory/example-montreal.yaml", import.meta.url),
);

// A real city's directory is a few hundred kilobytes; anything far bigger is a mistake or an attack.
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export type ParseResult = { ok: true; file: DirectoryFile } | { ok: false; errors: string[] };

/** `sites[3].hours` from zod's path ["sites", 3, "hours"]. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path)
    out += typeof part === "number" ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || "(file)";
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

/** Parses YAML or JSON text (JSON is YAML) and validates it; lists every problem, never the first only. */
export function parseDirectoryText(text: string): ParseResult {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    return { ok: false, errors: document.errors.map((e) => `(syntax): ${e.message.split("\n")[0]}`) };
  }
  const result = directoryFileSchema.safeParse(document.toJS({ maxAliasCount: 100 }));
  if (!result.success) return { ok: false, errors: formatIssues(result.error.issues) };
  return { ok: true, file: result.data };
}

export type ReadResult = { ok: true; text: string } | { ok: false; errors: string[] };

/** The text of a directory file (YAML, JSON or HSDS), refused before it is read when it is too big. */
export async function readBoundedText(path: string): Promise<ReadResult> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      errors: [`(file): cannot read ${path}${code === "ENOENT" ? ": no such file" : `: ${code}`}`],
    };
  }
  if (size > MAX_FILE_BYTES) return { ok: false, errors: [`(file): ${path} is larger than 5 MB`] };
  return { ok: true, text: await readFile(path, "utf8") };
}

export async function readDirectoryFile(path: string): Promise<ParseResult> {
  const read = await readBoundedText(path);
  return read.ok ? parseDirectoryText(read.text) : read;
}

export function directoryToYaml(file: DirectoryFile): string {
  const header = file.meta.example
    ? "# EXAMPLE DATA: invented sites, invented hours. Do not use as a real directory.\n"
    : "";
  return `${header}${stringify(file, { lineWidth: 0 })}`;
}
