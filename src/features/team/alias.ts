/**
 * The name people see for a member ("Marc", "Intervenante de nuit"). Plain words only: no @mention,
 * no link, no control or invisible characters, so an alias can never point at a Telegram account.
 */
export type AliasCheck = { ok: true; alias: string } | { ok: false };

export function checkAlias(text: string): AliasCheck {
  const alias = text
    .normalize("NFC")
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\uFFFD]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
  if (alias.length < 1 || [...alias].length > 40) return { ok: false };
  if (/[@<>]|https?:|tg:|t\.me|www\./i.test(alias)) return { ok: false };
  if (alias.startsWith("/")) return { ok: false };
  return { ok: true, alias };
}
