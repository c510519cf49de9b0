import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for the few values that must be reversible (the chat id needed to answer someone, what
 * they wrote). Format: "v1.<base64url(iv | tag | ciphertext)>". A tampered or foreign value fails to
 * open instead of yielding garbage, which is also how key rotation works: values are sealed with the
 * current key and opened with the current key or, during a rotation, a previous one (GCM's tag tells
 * which key fits); `admin rotate-keys` re-seals what still needs a previous key.
 */
const VERSION = "v1";

export type Sealer = {
  seal(plain: string): string;
  open(sealed: string): string;
  /** Sealed with the current key: nothing to re-seal. */
  isCurrent(sealed: string): boolean;
};

export function keyFromText(text: string): Buffer {
  const key = Buffer.from(text, text.length === 64 && /^[0-9a-f]+$/i.test(text) ? "hex" : "base64url");
  if (key.length !== 32)
    throw new Error("ENCRYPTION_KEY must be 32 bytes, base64 or hex (openssl rand -base64 32)");
  return key;
}

function openWith(key: KeyObject, sealed: string): string {
  const [version, data] = sealed.split(".");
  if (version !== VERSION || !data) throw new Error("sealed value has an unknown format");
  const raw = Buffer.from(data, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}

export function createSealer(keyText: string, previousKeyTexts: readonly string[] = []): Sealer {
  // Key objects made once: handing a Buffer to each cipher made Node build one per call (a few percent of
  // a request-flow step in `npm run bench`).
  const key = createSecretKey(keyFromText(keyText));
  const previous = previousKeyTexts.map((text) => createSecretKey(keyFromText(text)));
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
    },
    open(sealed) {
      try {
        return openWith(key, sealed);
      } catch (error) {
        for (const old of previous) {
          try {
            return openWith(old, sealed);
          } catch {
            // not this one either
          }
        }
        throw error;
      }
    },
    isCurrent(sealed) {
      try {
        openWith(key, sealed);
        return true;
      } catch {
        return false;
      }
    },
  };
}
