/**
 * What pure formatting code needs from i18n: a key and values in, text out. Values are HTML-escaped
 * unless `html: true` says they are already safe HTML built by the caller.
 */
export type Translate = (key: string, vars?: Record<string, unknown>) => string;

/** Values inserted as they are: for HTML built and escaped by the caller, and for plain-text messages
 * (sent without parse_mode), where escaping would show "&amp;". */
export function withHtml(vars: Record<string, unknown>): Record<string, unknown> {
  return { ...vars, interpolation: { escapeValue: false } };
}
