import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const keyFileSchema = z.object({
  pseudonymKey: z.string().min(32),
  encryptionKey: z.string().min(32).optional(),
});

export type Keys = { pseudonymKey: string; encryptionKey: string; generatedInto?: string };

const newKey = () => randomBytes(32).toString("base64url");

/**
 * Keys come from configuration. In embedded mode, those not configured are generated once into
 * DATA_DIR/keys.json (owner-only) and reused on every start. Losing that file resets every language
 * choice and makes open requests unanswerable: back it up with the data.
 */
export function loadKeys(options: {
  pseudonymKey: string | undefined;
  encryptionKey: string | undefined;
  dataDir: string;
  embedded: boolean;
}): Keys {
  if (options.pseudonymKey && options.encryptionKey)
    return { pseudonymKey: options.pseudonymKey, encryptionKey: options.encryptionKey };
  if (!options.embedded) throw new Error("PSEUDONYM_KEY and ENCRYPTION_KEY are required with DATABASE_URL");
  const file = path.join(options.dataDir, "keys.json");
  let stored: z.infer<typeof keyFileSchema> | undefined;
  if (existsSync(file)) {
    const parsed = keyFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file} is damaged: restore it from a backup`);
    stored = parsed.data;
  }
  const keys = {
    pseudonymKey: stored?.pseudonymKey ?? newKey(),
    encryptionKey: stored?.encryptionKey ?? newKey(),
  };
  const changed = !stored || stored.encryptionKey === undefined;
  if (changed) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    // Written aside then renamed, so a crash never leaves a half-written key file.
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  }
  return {
    pseudonymKey: options.pseudonymKey ?? keys.pseudonymKey,
    encryptionKey: options.encryptionKey ?? keys.encryptionKey,
    ...(changed ? { generatedInto: file } : {}),
  };
}
