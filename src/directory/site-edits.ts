/**
 * The fields of a site that coordinators edit in the bot (part 10): regular hours, phone, the site's
 * own note and the materials it hands out. Everything else about a site stays with the directory file.
 *
 * An import and the bot's edits meet here. Each site row keeps `file_base`: each field's value as the
 * last import wrote it. At the next import, for each field (a three-way merge):
 * - the bot never changed it (the row still holds the base): the file's value is taken;
 * - the bot changed it and the file did not (the file still holds the base): the bot's edit is kept;
 * - both changed it to the same value: nothing to say;
 * - both changed it differently: the file's value is taken, and the import says which edit it overrode.
 * So an old file imported again never undoes a coordinator's work, and a file someone changed on
 * purpose still wins, with the override named.
 */

export const EDITABLE_FIELDS = ["hours", "phone", "note", "materials"] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/** A site's editable values, as the database row and the directory file both give them. */
export type EditableValues = {
  hours: string;
  phone: string | null;
  note: { fr: string; en: string } | null;
  materials: readonly string[];
};

/** One comparable text per field (materials as a set: their order is the directory's, not the site's). */
export function canonicalFields(values: EditableValues): Record<EditableField, string> {
  return {
    hours: values.hours.trim(),
    phone: values.phone?.trim() ?? "",
    note: values.note ? JSON.stringify([values.note.fr, values.note.en]) : "",
    materials: [...new Set(values.materials)].sort().join(","),
  };
}

export type FieldMerge = "file" | "kept" | "overridden";

/** Whose value a field takes at an import (see the module's comment). */
export function mergeField(base: string | undefined, current: string, incoming: string): FieldMerge {
  if (base === undefined || current === base) return "file";
  if (incoming === base) return "kept";
  return incoming === current ? "file" : "overridden";
}

export type SiteField = { siteId: string; field: EditableField };

/** What an import did with the bot's edits, for its report. */
export type EditsReport = { kept: SiteField[]; overridden: SiteField[] };

/** The import's lines about the bot's edits; none when there were none. */
export function editsReportLines(report: EditsReport): string[] {
  const list = (fields: SiteField[]) => fields.map((f) => `${f.siteId} (${f.field})`).join(", ");
  return [
    ...(report.kept.length
      ? [
          `Kept ${report.kept.length} edit(s) made in the bot, which the file does not change: ${list(report.kept)}. Export the directory to get them into your file.`,
        ]
      : []),
    ...(report.overridden.length
      ? [
          `The file replaced ${report.overridden.length} edit(s) made in the bot, because it changes the same field: ${list(report.overridden)}.`,
        ]
      : []),
  ];
}
