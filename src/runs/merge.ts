// Merging what a stream or a GET says into what the follower holds.
// Full objects replace; partials copy only their `fields`. Two guards keep
// old news out: an update older (updated_at) than what we already applied for
// that object is dropped, and a terminal status never moves back.
import { parseStamp } from '../shared/time';

/**
 * Microseconds of an ISO `updated_at` (servers may send sub-millisecond
 * digits, and many changes share a millisecond), or undefined.
 */
export function stampOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const at = (value as { updated_at?: unknown }).updated_at;
  if (typeof at !== 'string') return undefined;
  // The follower asks twice per event (old-news check, then the stamp bump) for the same string.
  if (at === lastStampText) return lastStamp;
  const stamp = parseStamp(at);
  lastStampText = at;
  lastStamp = stamp;
  return stamp;
}

let lastStampText: string | undefined;
let lastStamp: number | undefined;

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

/** Equal as the server would send them: by value, and JSON-equal for objects. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const eq = jsonEqual(a, b, 0);
  // Shapes JSON.stringify treats specially (undefined members, dates, NaN, ...) keep its exact verdict.
  return eq === undefined ? JSON.stringify(a) === JSON.stringify(b) : eq;
}

const MAX_DEPTH = 64;

// JSON kinds of a value; OTHER is anything JSON.stringify drops or converts.
const OTHER = 0;
const STRING = 1;
const NUMBER = 2;
const BOOLEAN = 3;
const NULL = 4;
const ARRAY = 5;
const OBJECT = 6;

function kindOf(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return STRING;
    case 'boolean':
      return BOOLEAN;
    case 'number':
      return Number.isFinite(v) ? NUMBER : OTHER;
    case 'object': {
      if (v === null) return NULL;
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return OTHER;
      const proto: unknown = Object.getPrototypeOf(v);
      if (Array.isArray(v)) return proto === Array.prototype ? ARRAY : OTHER;
      return proto === Object.prototype || proto === null ? OBJECT : OTHER;
    }
    default:
      return OTHER;
  }
}

/**
 * JSON.stringify(a) === JSON.stringify(b) for plain JSON data (what a stream
 * parses to), walked in place without building strings; stops at the first
 * difference. Undefined when it meets a value stringify drops or converts
 * (undefined, NaN, a Date, ...) or keys that differ, so the caller falls back.
 */
function jsonEqual(a: unknown, b: unknown, depth: number): boolean | undefined {
  // The same value stringifies the same (shared sub-objects are common: a partial leaves the rest in place).
  if (a === b) return true;
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === OTHER || kb === OTHER || depth > MAX_DEPTH) return undefined;
  if (ka !== kb) return false;
  if (ka === ARRAY) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) {
      const eq = jsonEqual(x[i], y[i], depth + 1);
      if (eq !== true) return eq;
    }
    return true;
  }
  if (ka === OBJECT) {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const keysA = Object.keys(x);
    const keysB = Object.keys(y);
    // Other keys or another order: rare, and stringify skips undefined members: let it decide.
    if (keysA.length !== keysB.length) return undefined;
    for (let i = 0; i < keysA.length; i++) if (keysA[i] !== keysB[i]) return undefined;
    for (const k of keysA) {
      const eq = jsonEqual(x[k], y[k], depth + 1);
      if (eq !== true) return eq;
    }
    return true;
  }
  return a === b;
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
  // One pass per step and no intermediate arrays: this runs for every stream event.
  const keys = fields ?? Object.keys(data);
  if (isOld(held, data, guards, keys.includes('status'))) return undefined;
  const before = held as Record<string, unknown>;
  const next: Record<string, unknown> = { ...before };
  for (const k of keys) {
    if (k === 'id') continue;
    if (k in data) next[k] = data[k];
    else delete next[k];
  }
  const changed: string[] = [];
  for (const k of keys) {
    if (k !== 'id' && !same(before[k], next[k])) changed.push(k);
  }
  return { value: next as T, changed };
}
