import { extname } from "node:path";

/** The formats `directory import` and `export` speak: the directory file (YAML or JSON) and HSDS 3.0 JSON. */
export const DIRECTORY_FORMATS = ["yaml", "hsds"] as const;
export type DirectoryFormat = (typeof DIRECTORY_FORMATS)[number];

export function isDirectoryFormat(value: string): value is DirectoryFormat {
  return (DIRECTORY_FORMATS as readonly string[]).includes(value);
}

/**
 * Without --format: a .yaml/.yml file is the directory file; JSON holding HSDS tables (organization,
 * service...) and no `sites` is HSDS; anything else is read as the directory file, whose errors then say
 * what is wrong.
 */
export function detectFormat(path: string, text: string): DirectoryFormat {
  if ([".yaml", ".yml"].includes(extname(path).toLowerCase())) return "yaml";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "yaml";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "yaml";
  const keys = Object.keys(value);
  const hsds = ["perche", "organization", "service", "service_at_location"].some((k) => keys.includes(k));
  return hsds && !keys.includes("sites") ? "hsds" : "yaml";
}
