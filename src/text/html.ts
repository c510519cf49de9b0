/** Escapes text for Telegram's HTML parse mode, which knows only &lt; &gt; &amp; &quot;. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
