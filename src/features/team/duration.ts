/** "48h", "7d", "90m" → milliseconds; undefined for anything else. Pure. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,4})\s*(m|min|h|d|j)$/i.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] as string).toLowerCase();
  const minutes = unit.startsWith("m") ? value : unit === "h" ? value * 60 : value * 1440;
  return minutes > 0 ? minutes * 60_000 : undefined;
}
