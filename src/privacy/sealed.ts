import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for the few values that must be reversible (the chat id needed to answer someone, what
 * they wrote). Format: "v1.<base64url(iv | tag | ciphertext)>"; the version prefix leaves room for key
 * rotation. A tampered or foreign value fails to open instead of yielding garbage.
 */
const VERSION = "v1";

export type Sealer = { seal(plain: string): string; open(sealed: string): string };

export function keyFromText(text: string): Buffer {
  const key = Buffer.from(text, text.length === 64 && /^[0-9a-f]+$/i.test(text) ? "hex" : "base64url");
  if (key.length !== 32)
    throw new Error("ENCRYPTION_KEY must be 32 bytes, base64 or hex (openssl rand -base64 32)");
  return key;
}

export function createSealer(keyText: string): Sealer {
  const key = keyFromText(keyText);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
    },
    open(sealed) {
      const [version, data] = sealed.split(".");
      if (version !== VERSION || !data) throw new Error("sealed value has an unknown format");
      const raw = Buffer.from(data, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    },
  };
}
