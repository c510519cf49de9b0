import { formatIssues, MAX_FILE_BYTES } from "../file";
import { type DirectoryFile, directoryFileSchema } from "../file-schema";
import { fromElsewhere } from "./from-elsewhere";
import { fromProfile } from "./from-profile";
import { type HsdsDocument, hsdsDocumentSchema } from "./schema";

/**
 * An HSDS 3.0 file (tabular JSON) read back as a directory file. Pure. A file Perche wrote carries the
 * Perche profile and comes back whole; a file written elsewhere gives what HSDS can say, and the
 * report says, in plain English, what could not be mapped. Anything wrong with the file itself
 * (missing ids, broken links, unknown days, too big) is an error: nothing is imported.
 */

export type HsdsImport =
  | { ok: true; file: DirectoryFile; report: string[]; hasProfile: boolean }
  | { ok: false; errors: string[] };

export type ImportOptions = {
  /** Where a file without the profile takes materials, places, vocabulary, cheque days and settings from. */
  base?: DirectoryFile;
  /** yyyy-mm-dd: the check date of a service that gives none. */
  today: string;
};

/** The rebuilt directory before its own validation: the directory file as YAML would hold it. */
export type MappedDirectory = { file: unknown; report: string[] };
export type MappingResult = MappedDirectory | { errors: string[] };

export function parseHsdsText(text: string, options: ImportOptions): HsdsImport {
  // The directory file's bound: a city's HSDS file is a few hundred kilobytes.
  if (text.length > MAX_FILE_BYTES || Buffer.byteLength(text, "utf8") > MAX_FILE_BYTES)
    return { ok: false, errors: ["(file): larger than 5 MB"] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`(syntax): not JSON: ${(error as Error).message}`] };
  }
  return fromHsds(value, options);
}

export function fromHsds(value: unknown, options: ImportOptions): HsdsImport {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, errors: ["(file): an HSDS file is a JSON object with one array per table"] };
  const parsed = hsdsDocumentSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: formatIssues(parsed.error.issues) };
  const document: HsdsDocument = parsed.data;
  if (document.organization.length === 0 && document.service.length === 0)
    return { ok: false, errors: ["(file): no organization and no service: is this an HSDS file?"] };
  const mapped = document.perche ? fromProfile(document, document.perche) : fromElsewhere(document, options);
  if ("errors" in mapped) return { ok: false, errors: mapped.errors };
  const checked = directoryFileSchema.safeParse(mapped.file);
  if (!checked.success)
    return {
      ok: false,
      errors: formatIssues(checked.error.issues).map((e) => `as a Perche directory, ${e}`),
    };
  return { ok: true, file: checked.data, report: mapped.report, hasProfile: Boolean(document.perche) };
}
