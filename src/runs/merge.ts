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
  // The follower asks twice per event (old-news check, then the stamp bump) for the same string.
  if (at === lastStampText) return lastStamp;
  const stamp = parseStamp(at);
  lastStampText = at;
  lastStamp = stamp;
  return stamp;
}

let lastStampText: string | undefined;
let lastStamp: number | undefined;

/** Microseconds of an ISO timestamp string, or undefined when it is not a date. */
export function parseStamp(at: string): number | undefined {
  const fast = strictIsoStamp(at);
  if (fast !== undefined) return fast;
  // Anything unusual (no zone, lower-case t, day 31 of a 30-day month, ...) goes the slow, exact way.
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return undefined;
  const sub = /\.\d{3}(\d{1,3})/.exec(at);
  return ms * 1000 + (sub ? Number(sub[1].padEnd(3, '0')) : 0);
}

/**
 * Orders two ISO timestamps by time, not by text: servers trim trailing zeros
 * of the fraction (".1Z" is later than ".12Z" as text). Anything that is not
 * a date compares as text.
 */
export function compareTimes(a: string, b: string): number {
  if (a === b) return 0;
  // The usual case, and cheap (groups sort on every refresh): the same UTC layout and length, where text order is time order.
  if (a.length === b.length && a.charCodeAt(10) === 84 && b.charCodeAt(10) === 84
    && a.charCodeAt(a.length - 1) === 90 && b.charCodeAt(b.length - 1) === 90) return a < b ? -1 : 1;
  const x = parseStamp(a);
  const y = parseStamp(b);
  if (x !== undefined && y !== undefined && x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The digit at `i`, or -1. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function twoDigits(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The last `YYYY-MM-DDTHH:MM:SS` read and its UTC milliseconds: a stream's stamps share it for a second. */
let secondText = '';
let secondMs = 0;

/** UTC milliseconds of a valid `YYYY-MM-DDTHH:MM:SS` at the start of `s`, or undefined. */
function wholeSecondsOf(s: string): number | undefined {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84
    || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const y1 = twoDigits(s, 0);
  const y2 = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  // Years below 100 would be read as 19xx by Date.UTC; leap seconds and 24:00 are left to Date.parse.
  if (y1 < 1 || y2 < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23
    || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const year = y1 * 100 + y2;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with every field in range,
 * read without Date.parse or a regex (one per stream event adds up); the
 * result equals the Date.parse route. Undefined when the string comes in
 * another shape (the caller falls back).
 */
function strictIsoStamp(s: string): number | undefined {
  const n = s.length;
  if (n < 20) return undefined;
  let base: number;
  if (secondText.length === 19 && s.startsWith(secondText)) {
    base = secondMs;
  } else {
    const whole = wholeSecondsOf(s);
    if (whole === undefined) return undefined;
    base = whole;
    secondText = s.slice(0, 19);
    secondMs = whole;
  }
  let i = 19;
  let ms = 0;
  let micros = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    const start = i;
    for (let d = digit(s, i); d >= 0; d = digit(s, ++i)) {
      // Date.parse keeps milliseconds (3 digits); the next 3 are the microseconds; the rest is dropped.
      const k = i - start;
      if (k < 3) ms += d * (k === 0 ? 100 : k === 1 ? 10 : 1);
      else if (k < 6) micros += d * (k === 3 ? 100 : k === 4 ? 10 : 1);
    }
    if (i === start) return undefined;
  }
  let offsetMinutes = 0;
  const zone = s.charCodeAt(i);
  if (zone === 90 && i + 1 === n) {
    offsetMinutes = 0;
  } else if ((zone === 43 || zone === 45) && i + 6 === n && s.charCodeAt(i + 3) === 58) {
    const oh = twoDigits(s, i + 1);
    const om = twoDigits(s, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offsetMinutes = (zone === 43 ? 1 : -1) * (oh * 60 + om);
  } else {
    return undefined;
  }
  return (base + ms - offsetMinutes * 60_000) * 1000 + micros;
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
