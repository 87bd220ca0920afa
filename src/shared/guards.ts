// Narrowing of `unknown` values that every layer needs (API bodies, webview
// messages, settings, input files). Plain code: no imports.

/** A plain JSON-style object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
