/**
 * What pure formatting code needs from i18n: a key and values in, text out. Values are HTML-escaped
 * unless `html: true` says they are already safe HTML built by the caller.
 */
export type Translate = (key: string, vars?: Record<string, unknown>) => string;

export function withHtml(vars: Record<string, unknown>): Record<string, unknown> {
  return { ...vars, interpolation: { escapeValue: false } };
}
