// Cursor paging, filters and sort for the list endpoints. Keyset pagination on
// (sort field, id), not offsets, so a cursor keeps pointing at the same place
// while new runs arrive. Cursors are opaque base64url JSON.
import type { ListFilter, ListPage } from '../api/models';
import { invalid } from './apiError';
import { isoToMicros } from './clock';
import { isRecord as isObject } from '../shared/guards';

export interface ListQuery {
  cursor?: string;
  limit: number;
  filters: ListFilter[];
  sort: { field: string; dir: 'asc' | 'desc' };
  search?: { term: string; exact: boolean };
}

export interface ListOptions {
  /** Fields that `search.term` looks in. */
  searchFields: string[];
  /** Turns a filter value into the stored form (e.g. status names into numbers). */
  coerce?: (field: string, value: unknown) => unknown;
}

const OPERATORS = new Set([
  'eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike',
  'contains', 'not_contains', 'is_null', 'is_not_null', 'is_empty', 'is_not_empty',
]);

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** Reads a list request body (every field optional; zero values mean defaults). */
export function parseListRequest(body: unknown): ListQuery {
  const b = isObject(body) ? body : {};
  let limit = DEFAULT_LIMIT;
  if (b.limit !== undefined && b.limit !== null && b.limit !== 0) {
    if (typeof b.limit !== 'number' || !Number.isInteger(b.limit) || b.limit < 0) throw invalid('limit must be a positive integer');
    limit = Math.min(b.limit, MAX_LIMIT);
  }
  const filters: ListFilter[] = [];
  if (b.filters !== undefined && b.filters !== null) {
    if (!Array.isArray(b.filters)) throw invalid('filters must be an array of {field, operator, value}');
    b.filters.forEach((f: unknown, i: number) => {
      if (!isObject(f) || typeof f.field !== 'string' || typeof f.operator !== 'string') {
        throw invalid(`filters[${i}] must be an object with string field and operator`);
      }
      if (!OPERATORS.has(f.operator)) throw invalid(`filters[${i}].operator "${f.operator}" is not one of ${[...OPERATORS].join(', ')}`);
      filters.push({ field: f.field, operator: f.operator as ListFilter['operator'], value: f.value });
    });
  }
  let sort: ListQuery['sort'] = { field: 'created_at', dir: 'desc' };
  if (Array.isArray(b.sort) && b.sort.length > 0) {
    const s: unknown = b.sort[0];
    if (!isObject(s) || typeof s.field !== 'string' || !s.field) throw invalid('sort[0] must be {field, dir}');
    const dir = typeof s.dir === 'string' ? s.dir.toLowerCase() : 'desc';
    if (dir !== 'asc' && dir !== 'desc') throw invalid('sort[0].dir must be "asc" or "desc"');
    sort = { field: s.field, dir };
  }
  let search: ListQuery['search'];
  if (isObject(b.search) && typeof b.search.term === 'string' && b.search.term) {
    search = { term: b.search.term, exact: b.search.exact === true };
  }
  const cursor = typeof b.cursor === 'string' && b.cursor ? b.cursor : undefined;
  return { cursor, limit, filters, sort, search };
}

/** GET /flowruns?limit=&cursor=&status=&flow_id=&filters=<json>&sort=<json>. */
export function listRequestFromQuery(params: URLSearchParams): unknown {
  const body: Record<string, unknown> = {};
  const limit = params.get('limit');
  if (limit) body.limit = Number(limit);
  const cursor = params.get('cursor');
  if (cursor) body.cursor = cursor;
  const parseJson = (name: string): unknown => {
    const raw = params.get(name);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw invalid(`${name} must be JSON`);
    }
  };
  const filters = parseJson('filters');
  const extra: ListFilter[] = [];
  for (const field of ['status', 'flow_id']) {
    const v = params.get(field);
    if (v) extra.push({ field, operator: 'eq', value: field === 'status' && /^\d+$/.test(v) ? Number(v) : v });
  }
  body.filters = [...(Array.isArray(filters) ? (filters as unknown[]) : []), ...extra];
  const sort = parseJson('sort');
  if (sort) body.sort = sort;
  return body;
}

function getField(item: unknown, field: string): unknown {
  let cur: unknown = item;
  for (const part of field.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}/;

/** Orders numbers numerically, ISO dates by time (sub-ms included), other strings by code unit. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    if (DATE_LIKE.test(a) && DATE_LIKE.test(b)) {
      const x = isoToMicros(a);
      const y = isoToMicros(b);
      if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${escaped}$`, flags);
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.keys(v).length === 0;
  return false;
}

function asList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v.split(',').map((s) => s.trim());
  return [v];
}

function matches(item: unknown, f: ListFilter, coerce: (field: string, value: unknown) => unknown): boolean {
  const actual = getField(item, f.field);
  const value = f.operator === 'in' || f.operator === 'not_in'
    ? asList(f.value).map((v) => coerce(f.field, v))
    : coerce(f.field, f.value);
  switch (f.operator) {
    case 'eq': return compareValues(actual, value) === 0;
    case 'neq': return compareValues(actual, value) !== 0;
    case 'in': return (value as unknown[]).some((v) => compareValues(actual, v) === 0);
    case 'not_in': return !(value as unknown[]).some((v) => compareValues(actual, v) === 0);
    case 'gt': return actual !== undefined && actual !== null && compareValues(actual, value) > 0;
    case 'gte': return actual !== undefined && actual !== null && compareValues(actual, value) >= 0;
    case 'lt': return actual !== undefined && actual !== null && compareValues(actual, value) < 0;
    case 'lte': return actual !== undefined && actual !== null && compareValues(actual, value) <= 0;
    case 'like': return typeof actual === 'string' && likeToRegExp(String(value), 's').test(actual);
    case 'ilike': return typeof actual === 'string' && likeToRegExp(String(value), 'is').test(actual);
    case 'contains':
      if (Array.isArray(actual)) return actual.some((v) => compareValues(v, value) === 0);
      return typeof actual === 'string' && actual.toLowerCase().includes(String(value).toLowerCase());
    case 'not_contains':
      if (Array.isArray(actual)) return !actual.some((v) => compareValues(v, value) === 0);
      return !(typeof actual === 'string' && actual.toLowerCase().includes(String(value).toLowerCase()));
    case 'is_null': return actual === undefined || actual === null;
    case 'is_not_null': return actual !== undefined && actual !== null;
    case 'is_empty': return isEmpty(actual);
    case 'is_not_empty': return !isEmpty(actual);
    default: return false;
  }
}

interface CursorData { v: unknown; id: string; f: string; o: 'asc' | 'desc'; d: 'next' | 'prev' }

function encodeCursor(c: CursorData): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(s: string): CursorData {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (isObject(c) && typeof c.id === 'string' && typeof c.f === 'string' && (c.o === 'asc' || c.o === 'desc') && (c.d === 'next' || c.d === 'prev')) {
      return { v: c.v, id: c.id, f: c.f, o: c.o, d: c.d };
    }
  } catch {
    // falls through to the error below
  }
  throw invalid('cursor is not a cursor this server issued');
}

/** Filters, sorts and pages `all`. `total_items` counts every match, not just this page. */
export function listPage<T extends { id: string }>(all: Iterable<T>, q: ListQuery, opts: ListOptions): ListPage<T> {
  const coerce = opts.coerce ?? ((_f: string, v: unknown) => v);
  let items = [...all].filter((it) => q.filters.every((f) => matches(it, f, coerce)));
  if (q.search) {
    const term = q.search.term.toLowerCase();
    const exact = q.search.exact;
    items = items.filter((it) => opts.searchFields.some((field) => {
      const v = getField(it, field);
      if (typeof v !== 'string') return false;
      return exact ? v.toLowerCase() === term : v.toLowerCase().includes(term);
    }));
  }
  // A cursor carries its own sort, so paging stays consistent even if the client forgets it.
  const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
  const field = cursor ? cursor.f : q.sort.field;
  const dir = cursor ? cursor.o : q.sort.dir;
  const sign = dir === 'asc' ? 1 : -1;
  const keyOf = (it: T): { v: unknown; id: string } => ({ v: getField(it, field), id: it.id });
  const cmp = (a: { v: unknown; id: string }, b: { v: unknown; id: string }): number => {
    const c = compareValues(a.v, b.v);
    if (c !== 0) return sign * c;
    return sign * (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  };
  items.sort((a, b) => cmp(keyOf(a), keyOf(b)));

  let page: T[];
  let hasNext: boolean;
  let hasPrevious: boolean;
  if (cursor && cursor.d === 'prev') {
    const before = items.filter((it) => cmp(keyOf(it), cursor) < 0);
    page = before.slice(Math.max(0, before.length - q.limit));
    hasPrevious = before.length > page.length;
    hasNext = items.length > before.length;
  } else if (cursor) {
    const after = items.filter((it) => cmp(keyOf(it), cursor) > 0);
    page = after.slice(0, q.limit);
    hasNext = after.length > page.length;
    hasPrevious = items.length > after.length;
  } else {
    page = items.slice(0, q.limit);
    hasNext = items.length > page.length;
    hasPrevious = false;
  }
  const first = page[0];
  const last = page[page.length - 1];
  return {
    items: page,
    next_cursor: hasNext && last ? encodeCursor({ ...keyOf(last), f: field, o: dir, d: 'next' }) : '',
    prev_cursor: hasPrevious && first ? encodeCursor({ ...keyOf(first), f: field, o: dir, d: 'prev' }) : '',
    has_next: hasNext,
    has_previous: hasPrevious,
    items_per_page: q.limit,
    total_items: items.length,
  };
}
