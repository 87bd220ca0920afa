// Merging what a stream or a GET says into what the follower holds.
// Full objects replace; partials copy only their `fields`. Two guards keep
// old news out: an update older (updated_at) than what we already applied for
// that object is dropped, and a terminal status never moves back.

/**
 * Microseconds of an ISO `updated_at` (servers may send sub-millisecond
 * digits, and many changes share a millisecond), or undefined.
 */
export function stampOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const at = (value as { updated_at?: unknown }).updated_at;
  if (typeof at !== 'string') return undefined;
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return undefined;
  const sub = /\.\d{3}(\d{1,3})/.exec(at);
  return ms * 1000 + (sub ? Number(sub[1].padEnd(3, '0')) : 0);
}

export interface MergeGuards {
  /** The newest updated_at applied so far for this object. */
  stamp?: number;
  /** Whether a status value is terminal for this kind of object. */
  isTerminal: (status: unknown) => boolean;
}

export interface Merged<T> {
  value: T;
  /** Top-level keys whose value differs from before. */
  changed: string[];
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Keys whose values differ between two objects (either side may be missing). */
export function changedKeys(before: object | undefined, after: object): string[] {
  const a = (before ?? {}) as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !same(a[k], b[k]));
}

function status(value: object | undefined): unknown {
  return value === undefined ? undefined : (value as { status?: unknown }).status;
}

/** True when `incoming` must be dropped as old news. */
function isOld(held: object | undefined, incoming: Record<string, unknown>, guards: MergeGuards, touchesStatus: boolean): boolean {
  const at = stampOf(incoming);
  if (guards.stamp !== undefined && at !== undefined && at < guards.stamp) return true;
  if (held !== undefined && touchesStatus && guards.isTerminal(status(held)) && 'status' in incoming && !guards.isTerminal(incoming.status)) {
    return true;
  }
  return false;
}

/** A full object: replaces what is held, unless it is old news. Undefined = ignored. */
export function replaceObject<T extends object>(held: T | undefined, incoming: T, guards: MergeGuards): Merged<T> | undefined {
  if (isOld(held, incoming as Record<string, unknown>, guards, true)) return undefined;
  return { value: incoming, changed: changedKeys(held, incoming) };
}

/**
 * A partial `{data, fields}`: copies only `fields` (all of `data` when
 * fields is undefined). A listed field missing from data is cleared, as the
 * server omits empty values. `id` is never changed. Undefined = ignored.
 */
export function applyPartial<T extends object>(
  held: T,
  data: Record<string, unknown>,
  fields: readonly string[] | undefined,
  guards: MergeGuards,
): Merged<T> | undefined {
  const keys = (fields ?? Object.keys(data)).filter((k) => k !== 'id');
  if (isOld(held, data, guards, keys.includes('status'))) return undefined;
  const next: Record<string, unknown> = { ...(held as Record<string, unknown>) };
  for (const k of keys) {
    if (k in data) next[k] = data[k];
    else delete next[k];
  }
  const changed = keys.filter((k) => !same((held as Record<string, unknown>)[k], next[k]));
  return { value: next as T, changed };
}
