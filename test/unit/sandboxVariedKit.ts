// Helpers for the varied-profile tests: telling apart, from the wire, which
// form an answer or a stream payload took; and raw HTTP calls that keep the
// status, headers and body as sent.
import type { Sandbox } from '../../src/sandbox';

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body; undefined when empty. */
  body: unknown;
}

export async function raw(sb: Sandbox, method: string, path: string, body?: unknown, key: string = sb.defaultKey, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const h: Record<string, string> = { Authorization: `Bearer ${key}`, 'X-API-Version': '2', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(`${sb.url}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as unknown) : undefined };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type BodyKind = 'envelope' | 'bare' | 'legacy' | 'empty' | 'empty-object';

/** Which success form a body took, and the DTO it carries (wire spec section 2). */
export function unwrap(a: RawAnswer): { kind: BodyKind; data: unknown } {
  if (a.status === 204 || a.body === undefined) return { kind: 'empty', data: undefined };
  const b = a.body;
  if (!isObject(b)) return { kind: 'bare', data: b };
  if (Object.keys(b).length === 0) return { kind: 'empty-object', data: undefined };
  if ('success' in b && 'data' in b) return { kind: 'legacy', data: b.data };
  if ('data' in b && 'messages' in b) return { kind: 'envelope', data: b.data };
  return { kind: 'bare', data: b };
}

/** The DTO of a success answer, whatever its form; throws on an error status. */
export function dataOf<T>(a: RawAnswer): T {
  if (a.status >= 400) throw new Error(`HTTP ${a.status}: ${a.text.slice(0, 300)}`);
  return unwrap(a).data as T;
}

export type PayloadKind = 'full' | 'partial' | 'partial-without-id' | 'partial-top-level-id' | 'partial-top-level-id-only';

/** Which form a stream payload took (wire spec sections 5 and 6). */
export function payloadKind(p: unknown): PayloadKind {
  if (!isObject(p)) throw new Error(`not an object payload: ${JSON.stringify(p)}`);
  if (isObject(p.data) && Array.isArray(p.fields)) {
    const idInData = typeof p.data.id === 'string';
    if (typeof p.id === 'string') return idInData ? 'partial-top-level-id' : 'partial-top-level-id-only';
    return idInData ? 'partial' : 'partial-without-id';
  }
  return 'full';
}

const RUN_TIMES = new Set(['flow_run_started', 'flow_run_finished', 'flow_run_cancelled', 'event_time']);

/** Timestamp fields: every `*_at`, `flow_run_started|finished|cancelled` and `event_time` string, anywhere in `value`. */
export function timestamps(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => timestamps(v, out));
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && (k.endsWith('_at') || RUN_TIMES.has(k))) out.push(v);
      else timestamps(v, out);
    }
  }
  return out;
}

/** `0`, `3`, `6` or `9` digits and the zone of a stamp, or undefined when it is not one of the allowed layouts. */
export function stampLayout(s: string): { digits: number; zone: 'Z' | '+00:00' } | undefined {
  const m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d{3}|\d{6}|\d{9}))?(Z|\+00:00)$/.exec(s);
  return m ? { digits: m[1]?.length ?? 0, zone: m[2] as 'Z' | '+00:00' } : undefined;
}

/** Microseconds since the epoch of an allowed stamp (the sandbox never goes below microseconds). */
export function stampMicros(s: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(s);
  if (!m) throw new Error(`not a stamp: ${s}`);
  const frac = (m[2] ?? '').padEnd(9, '0');
  if (!/^\d{6}0{3}$/.test(frac)) throw new Error(`a stamp finer than microseconds: ${s}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number(frac.slice(0, 6));
}
