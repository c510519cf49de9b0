import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const keyFileSchema = z.object({ pseudonymKey: z.string().min(32) });

export type Keys = { pseudonymKey: string; generatedInto?: string };

/**
 * Keys come from configuration. In embedded mode, when none is configured, they are generated once into
 * DATA_DIR/keys.json (owner-only) and reused on every start: losing that file resets every language
 * choice, and nothing else.
 */
export function loadKeys(options: {
  configured: string | undefined;
  dataDir: string;
  embedded: boolean;
}): Keys {
  if (options.configured) return { pseudonymKey: options.configured };
  if (!options.embedded) throw new Error("PSEUDONYM_KEY is required with DATABASE_URL");
  const file = path.join(options.dataDir, "keys.json");
  if (existsSync(file)) {
    const parsed = keyFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file} is damaged: restore it from a backup or remove it`);
    return { pseudonymKey: parsed.data.pseudonymKey };
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const keys = { pseudonymKey: randomBytes(32).toString("base64url") };
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return { ...keys, generatedInto: file };
}
