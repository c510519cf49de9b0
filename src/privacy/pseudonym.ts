import { createHmac } from "node:crypto";

/**
 * A keyed pseudonym of a Telegram user id. Without the key, the stored value cannot be turned back into
 * the id, nor matched against a list of ids. The purpose label keeps pseudonyms of different features
 * apart even under one key.
 */
export function pseudonymFor(key: string, telegramUserId: number, purpose = "person"): string {
  return createHmac("sha256", key).update(`${purpose}:${telegramUserId}`).digest("base64url");
}
