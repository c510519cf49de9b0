import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const keyFileSchema = z.object({
  pseudonymKey: z.string().min(32),
  encryptionKey: z.string().min(32).optional(),
  previousPseudonymKeys: z.array(z.string().min(32)).optional(),
  previousEncryptionKeys: z.array(z.string().min(32)).optional(),
});
type KeyFile = z.infer<typeof keyFileSchema>;

export type Keys = {
  pseudonymKey: string;
  encryptionKey: string;
  /** Keys being rotated out: values made with them are still read, never written. */
  previousPseudonymKeys: string[];
  previousEncryptionKeys: string[];
  generatedInto?: string;
};

export const newKey = () => randomBytes(32).toString("base64url");

/**
 * Keys come from configuration. In embedded mode, those not configured are generated once into
 * DATA_DIR/keys.json (owner-only) and reused on every start. Losing that file resets every language
 * choice and makes open requests unanswerable: back it up with the data.
 */
export function loadKeys(options: {
  pseudonymKey: string | undefined;
  encryptionKey: string | undefined;
  previousPseudonymKeys?: string[];
  previousEncryptionKeys?: string[];
  dataDir: string;
  embedded: boolean;
}): Keys {
  const previous = {
    previousPseudonymKeys: options.previousPseudonymKeys ?? [],
    previousEncryptionKeys: options.previousEncryptionKeys ?? [],
  };
  if (options.pseudonymKey && options.encryptionKey)
    return { pseudonymKey: options.pseudonymKey, encryptionKey: options.encryptionKey, ...previous };
  if (!options.embedded) throw new Error("PSEUDONYM_KEY and ENCRYPTION_KEY are required with DATABASE_URL");
  const file = keyFilePath(options.dataDir);
  const stored = readKeyFile(file);
  const keys: KeyFile = {
    ...stored,
    pseudonymKey: stored?.pseudonymKey ?? newKey(),
    encryptionKey: stored?.encryptionKey ?? newKey(),
  };
  const changed = !stored || stored.encryptionKey === undefined;
  if (changed) writeKeyFile(file, keys);
  return {
    pseudonymKey: options.pseudonymKey ?? keys.pseudonymKey,
    encryptionKey: options.encryptionKey ?? (keys.encryptionKey as string),
    previousPseudonymKeys: [...previous.previousPseudonymKeys, ...(keys.previousPseudonymKeys ?? [])],
    previousEncryptionKeys: [...previous.previousEncryptionKeys, ...(keys.previousEncryptionKeys ?? [])],
    ...(changed ? { generatedInto: file } : {}),
  };
}

export const keyFilePath = (dataDir: string) => path.join(dataDir, "keys.json");

export function readKeyFile(file: string): KeyFile | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = keyFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} is damaged: restore it from a backup`);
  return parsed.data;
}

/** Written aside then renamed, so a crash never leaves a half-written key file. */
export function writeKeyFile(file: string, keys: KeyFile): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.tmp`;
  const tidy: KeyFile = {
    pseudonymKey: keys.pseudonymKey,
    ...(keys.encryptionKey ? { encryptionKey: keys.encryptionKey } : {}),
    ...(keys.previousPseudonymKeys?.length ? { previousPseudonymKeys: keys.previousPseudonymKeys } : {}),
    ...(keys.previousEncryptionKeys?.length ? { previousEncryptionKeys: keys.previousEncryptionKeys } : {}),
  };
  writeFileSync(temporary, `${JSON.stringify(tidy, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}
