import type { StorageConfig } from "../config";
import type { Database } from "../db/executor";
import { keyFilePath, newKey, readKeyFile, writeKeyFile } from "../privacy/keys";
import { rekeyPseudonyms, resealAll } from "../privacy/rotation";
import { createSealer } from "../privacy/sealed";

/**
 * `admin rotate-keys`. With the embedded database and generated keys (DATA_DIR/keys.json), it does the
 * whole rotation: a new encryption key is written next to the old one, every sealed value is re-sealed,
 * then the old key is dropped. With keys from the environment (PostgreSQL), the operator sets the new
 * key and lists the old one in ENCRYPTION_KEY_PREVIOUS on every instance; this re-seals, then says to
 * remove ENCRYPTION_KEY_PREVIOUS.
 *
 * Pseudonyms are one-way (Perche never keeps Telegram ids). Rows with a sealed private chat id (members,
 * alert subscribers, open requests) are moved to a new pseudonym key at once; the rest (language
 * choices) follow each person on their next message while the previous key is still listed.
 */
export const ROTATE_HELP = `Usage: npm run admin -- rotate-keys [--pseudonym] [--drop-previous]

Embedded database with generated keys (DATA_DIR/keys.json), bot stopped:
  rotate-keys                   new encryption key; every sealed value re-sealed; the old key dropped
  rotate-keys --pseudonym       also a new pseudonym key: team members, alert subscribers and open
                                requests move to it at once; the old key stays as "previous" so
                                language choices follow each person on their next message; keep it
                                RETENTION_DAYS
  rotate-keys --drop-previous   forget the previous pseudonym key(s)

PostgreSQL (keys in the environment), instances may keep running:
  1. on every instance: ENCRYPTION_KEY=<new> ENCRYPTION_KEY_PREVIOUS=<old>, restart
  2. npm run admin -- rotate-keys   (same environment): re-seals every value with the new key
  3. remove ENCRYPTION_KEY_PREVIOUS, restart
  For the pseudonym key: PSEUDONYM_KEY=<new> PSEUDONYM_KEY_PREVIOUS=<old> on every instance, restart,
  run rotate-keys (moves members, subscribers and open requests), and remove the previous key after
  RETENTION_DAYS.`;

export type RotateOptions = { pseudonym: boolean; dropPrevious: boolean };

export async function rotateKeys(
  config: StorageConfig,
  options: RotateOptions,
  withDb: <T>(action: (db: Database) => Promise<T>) => Promise<T>,
  say: (line: string) => void,
  usage: (line: string) => never,
): Promise<void> {
  const fromEnvironment = Boolean(config.encryptionKey);
  if (fromEnvironment) {
    if (options.pseudonym || options.dropPrevious)
      usage(
        "The keys come from the environment: set PSEUDONYM_KEY to the new key and PSEUDONYM_KEY_PREVIOUS to the old one on every instance (see --help).",
      );
    const encryption = config.previousEncryptionKeys.length > 0;
    const pseudonym = config.previousPseudonymKeys.length > 0;
    if (!encryption && !pseudonym)
      usage(
        "Nothing to rotate: set ENCRYPTION_KEY to the new key and ENCRYPTION_KEY_PREVIOUS to the old one, or PSEUDONYM_KEY and PSEUDONYM_KEY_PREVIOUS (see --help).",
      );
    const sealer = createSealer(config.encryptionKey as string, config.previousEncryptionKeys);
    await withDb(async (db) => {
      if (encryption) say(summary(await resealAll(db, sealer)));
      if (pseudonym) say(rekeyed(await rekeyPseudonyms(db, sealer, config.pseudonymKey as string)));
    });
    if (encryption)
      say(
        "Every value is sealed with the new key. Now remove ENCRYPTION_KEY_PREVIOUS and restart every instance.",
      );
    if (pseudonym) say(AFTER_PSEUDONYM);
    return;
  }

  const file = keyFilePath(config.dataDir);
  const stored = readKeyFile(file);
  if (!stored?.encryptionKey)
    usage(`No keys in ${file} yet: start the bot once (it generates them), then rotate.`);
  if (options.dropPrevious) {
    const dropped = stored.previousPseudonymKeys?.length ?? 0;
    writeKeyFile(file, { ...stored, previousPseudonymKeys: [] });
    say(
      dropped > 0 ? `Dropped ${dropped} previous pseudonym key(s).` : "There was no previous pseudonym key.",
    );
    return;
  }
  const old = stored.encryptionKey;
  const rotated = {
    ...stored,
    encryptionKey: newKey(),
    previousEncryptionKeys: [old, ...(stored.previousEncryptionKeys ?? [])],
    ...(options.pseudonym
      ? {
          pseudonymKey: newKey(),
          previousPseudonymKeys: [stored.pseudonymKey, ...(stored.previousPseudonymKeys ?? [])],
        }
      : {}),
  };
  // First both keys on disk, so a crash half-way leaves every value readable; then re-seal; then drop.
  writeKeyFile(file, rotated);
  const sealer = createSealer(rotated.encryptionKey, rotated.previousEncryptionKeys);
  await withDb(async (db) => {
    say(summary(await resealAll(db, sealer)));
    if (options.pseudonym) say(rekeyed(await rekeyPseudonyms(db, sealer, rotated.pseudonymKey)));
  });
  writeKeyFile(file, { ...rotated, previousEncryptionKeys: [] });
  say(`New encryption key in ${file}; the old one is gone. Back the file up with the data.`);
  if (options.pseudonym) say(AFTER_PSEUDONYM);
}

// Language choices and unfinished dialogues hold no chat id: they follow each person on their next message.
const AFTER_PSEUDONYM =
  "Team members, alert subscribers and open requests now use the new pseudonym key. Language choices move when each person next writes: drop the previous key after RETENTION_DAYS (embedded: rotate-keys --drop-previous; PostgreSQL: remove PSEUDONYM_KEY_PREVIOUS).";

function rekeyed(counts: Record<string, number>): string {
  return `Moved to the new pseudonym key: ${Object.entries(counts)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ")}.`;
}

function summary(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name}: ${n}`);
  return `Re-sealed ${total} value(s)${parts.length ? ` (${parts.join(", ")})` : ""}.`;
}
