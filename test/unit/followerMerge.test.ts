import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPartial, changedKeys, replaceObject, stampOf } from '../../src/runs/merge';
import { parseStamp } from '../../src/shared/time';
import { reconnectDelay, RunFollower } from '../../src/runs/follower';
import { FakeApi, at, makeRun, makeTask } from './helpers/fakeApi';
import { waitFor } from './helpers/testServer';
import { decodeLogContent } from '../../src/runs/logContent';

const guards = (stamp?: number) => ({ stamp, isTerminal: (s: unknown) => s === 3 || s === 4 });
const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();

void describe('merge', () => {
  void test('full objects replace and report the changed keys', () => {
    const r = replaceObject({ id: 'a', status: 1, x: 1, updated_at: t(1) }, { id: 'a', status: 2, x: 1, updated_at: t(2) }, guards(stampOf({ updated_at: t(1) })));
    assert.deepEqual(r?.changed.sort(), ['status', 'updated_at']);
  });

  void test('old full objects and terminal-to-active moves are ignored', () => {
    assert.equal(replaceObject({ id: 'a', status: 1 }, { id: 'a', status: 1, updated_at: t(1) }, guards(stampOf({ updated_at: t(2) }))), undefined);
    assert.equal(replaceObject({ id: 'a', status: 3 }, { id: 'a', status: 2 }, guards()), undefined);
    assert.ok(replaceObject({ id: 'a', status: 3 }, { id: 'a', status: 4 }, guards()));
  });

  void test('timestamps keep sub-millisecond digits', () => {
    const a = stampOf({ updated_at: '2025-01-01T00:00:00.123456Z' }) ?? 0;
    const b = stampOf({ updated_at: '2025-01-01T00:00:00.123457Z' }) ?? 0;
    assert.ok(b > a);
    assert.equal(stampOf({ updated_at: 'soon' }), undefined);
  });

  void test('partials copy listed fields, clear listed fields that are absent, and never touch id', () => {
    const held = { id: 'a', status: 1, error: 'x', output: 1 };
    const r = applyPartial(held, { id: 'b', status: 2, output: 9 }, ['status', 'error', 'id'], guards());
    assert.deepEqual(r?.value, { id: 'a', status: 2, output: 1 });
    assert.deepEqual(r?.changed.sort(), ['error', 'status']);
    assert.deepEqual(applyPartial(held, { output: 2 }, undefined, guards())?.value, { ...held, output: 2 });
  });

  void test('a partial that only touches other fields may arrive for a finished object', () => {
    const r = applyPartial({ id: 'a', status: 3, output: 1 }, { output: 2 }, ['output'], guards());
    assert.deepEqual(r?.value, { id: 'a', status: 3, output: 2 });
    assert.equal(applyPartial({ id: 'a', status: 3 }, { status: 2 }, ['status'], guards()), undefined);
  });
});

/** The stamp as it was computed before the fast path: Date.parse plus the sub-millisecond digits. */
function referenceStamp(at: string): number | undefined {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return undefined;
  const sub = /\.\d{3}(\d{1,3})/.exec(at);
  return ms * 1000 + (sub ? Number(sub[1].padEnd(3, '0')) : 0);
}

/** The changed-keys rule as it was: strict equality, JSON text equality for objects. */
function referenceChanged(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const same = (a: unknown, b: unknown): boolean => {
    if (a === b) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    return JSON.stringify(a) === JSON.stringify(b);
  };
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !same(before[k], after[k]));
}

/** Small seeded PRNG so a failure names its case. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

void describe('merge fast paths keep the exact rules', () => {
  void test('updated_at stamps equal the Date.parse reading, for valid, odd and invalid strings', () => {
    const fixed = [
      '2025-01-01T00:00:00Z', '2025-01-01T00:00:00.1Z', '2025-01-01T00:00:00.12Z', '2025-01-01T00:00:00.123Z',
      '2025-01-01T00:00:00.1234Z', '2025-01-01T00:00:00.123456Z', '2025-01-01T00:00:00.123456789Z',
      '2025-01-01T00:00:00.123+01:30', '2025-01-01T00:00:00.123456-05:00', '2025-01-01T00:00:00.123-00:00',
      '2024-02-29T23:59:59.999999Z', '2025-02-29T00:00:00Z', '2025-02-30T00:00:00Z', '2025-04-31T00:00:00Z',
      '2025-01-01T24:00:00Z', '2025-01-01T23:59:60Z', '2025-13-01T00:00:00Z', '2025-00-10T00:00:00Z',
      '2025-01-01t00:00:00Z', '2025-01-01T00:00:00.Z', '2025-01-01T00:00Z', '0099-01-01T00:00:00Z',
      '0100-03-01T00:00:00Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '1969-12-31T23:59:59.999999Z',
      '+002025-01-01T00:00:00Z', '2025-01-01T00:00:00.123+24:00', '2025-01-01T00:00:00.123+23:59',
      '2025-01-01T00:00:00.123+0130', '2025-01-01T00:00:00.123Zjunk', '2025-1-01T00:00:00Z', 'soon', '',
      '2025-01-01 00:00:00Z', '2025-01-01T00:00:00.1a3456Z', '9999-12-31T23:59:59.999999Z',
    ];
    for (const s of fixed) assert.equal(parseStamp(s), referenceStamp(s), s);
    const r = prng(42);
    const pad = (n: number, w: number): string => String(n).padStart(w, '0');
    for (let i = 0; i < 5000; i++) {
      const fraction = r() < 0.2 ? '' : `.${pad(Math.floor(r() * 1e9), 9).slice(0, 1 + Math.floor(r() * 9))}`;
      const zone = r() < 0.6 ? 'Z' : `${r() < 0.5 ? '+' : '-'}${pad(Math.floor(r() * 25), 2)}:${pad(Math.floor(r() * 61), 2)}`;
      const s = `${pad(Math.floor(r() * 10000), 4)}-${pad(Math.floor(r() * 14), 2)}-${pad(Math.floor(r() * 33), 2)}T`
        + `${pad(Math.floor(r() * 25), 2)}:${pad(Math.floor(r() * 61), 2)}:${pad(Math.floor(r() * 61), 2)}${fraction}${zone}`;
      assert.equal(parseStamp(s), referenceStamp(s), s);
      // Through stampOf too, twice in a row (the repeat is served from its cache).
      assert.equal(stampOf({ updated_at: s }), referenceStamp(s), s);
      assert.equal(stampOf({ updated_at: s }), referenceStamp(s), s);
    }
  });

  void test('stamps of one second share the whole-second reading but keep their own digits', () => {
    const a = stampOf({ updated_at: '2025-06-01T10:00:00.000001Z' });
    const b = stampOf({ updated_at: '2025-06-01T10:00:00.999999+02:00' });
    const c = stampOf({ updated_at: '2025-06-01T10:00:00.5Z' });
    assert.equal(a, Date.UTC(2025, 5, 1, 10) * 1000 + 1);
    assert.equal(b, (Date.UTC(2025, 5, 1, 8) + 999) * 1000 + 999);
    assert.equal(c, (Date.UTC(2025, 5, 1, 10) + 500) * 1000);
  });

  void test('changed keys equal the JSON-text rule for every shape, odd ones included', () => {
    const date = new Date(Date.UTC(2025, 0, 1));
    const values: unknown[] = [
      undefined, null, 0, -0, 1, 1.5, NaN, Infinity, '', '1', 'a', true, false, date, date.toISOString(),
      [], [1], [1, 2], [2, 1], [undefined], [null], [NaN], ['a', { b: 1 }],
      {}, { a: 1 }, { a: 1, b: 2 }, { b: 2, a: 1 }, { a: undefined }, { a: 1, b: undefined }, { a: { b: [1, { c: null }] } },
      { a: { b: [1, { c: undefined }] } }, { a: date }, { a: date.toISOString() }, { toJSON: () => 'x' }, 'x',
      Object.assign(Object.create(null) as object, { a: 1 }), { a: () => 1 }, { a: [1, () => 1] }, { a: [1, null] },
    ];
    const r = prng(7);
    const pick = (): unknown => {
      const v = values[Math.floor(r() * values.length)];
      // Fresh copies as well as shared references: a stream parses new objects every time.
      return r() < 0.5 || typeof v !== 'object' || v === null || v instanceof Date ? v : structuredCloneSafe(v);
    };
    for (let i = 0; i < 5000; i++) {
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const k of ['a', 'b', 'c']) {
        if (r() < 0.8) before[k] = pick();
        if (r() < 0.8) after[k] = r() < 0.3 ? before[k] : pick();
      }
      assert.deepEqual(changedKeys(before, after), referenceChanged(before, after), `case ${i}`);
      const fields = Object.keys(after);
      const merged = applyPartial(before, after, fields, guards());
      const next = { ...before, ...after };
      assert.deepEqual(merged?.changed, fields.filter((k) => referenceChanged({ [k]: before[k] }, { [k]: next[k] }).length > 0), `partial ${i}`);
    }
  });

  void test('deep objects are compared to the end, not cut short', () => {
    const deep = (leaf: number): Record<string, unknown> => {
      let v: Record<string, unknown> = { leaf };
      for (let i = 0; i < 100; i++) v = { child: v, i };
      return v;
    };
    assert.deepEqual(changedKeys({ x: deep(1) }, { x: deep(1) }), []);
    assert.deepEqual(changedKeys({ x: deep(1) }, { x: deep(2) }), ['x']);
  });
});

/** structuredClone that keeps functions out of the way (they cannot be cloned; they are shared). */
function structuredCloneSafe(v: object): unknown {
  try {
    return structuredClone(v);
  } catch {
    return v;
  }
}

void describe('follower merging', () => {
  void test('nested tasks merge when the run brings them, and a later run partial does not undo a task event', async () => {
    const summary = { ...makeTask('t_a', 1, 1), logs: undefined };
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_a', task: summary } } }));
    api.tasks.set('t_a', makeTask('t_a', 1, 1));
    const f = new RunFollower(api, 'fr_1', { silenceMs: 60_000, backoff: { baseMs: 1, maxMs: 5 } });
    try {
      f.start();
      await waitFor(() => f.view.state === 'live' && f.view.tasks.t_a !== undefined, 5000, 'live');
      // A task event without updated_at (a server that sends only the changed field).
      api.latest('tasks').partial({ id: 't_a', status: 7 }, ['status']);
      assert.equal(f.view.tasks.t_a?.status, 7);
      api.latest('run').partial({ node_statuses: { a: 'running' }, updated_at: at(2) }, ['node_statuses', 'updated_at']);
      assert.equal(f.view.tasks.t_a?.status, 7, 'the run partial did not touch node_tasks');
      // node_tasks itself changes: its nested copy is merged (newer than what we hold).
      api.latest('run').partial({ node_tasks: { a: { task_id: 't_a', task: { ...summary, status: 9, updated_at: at(3) } } }, updated_at: at(3) }, ['node_tasks', 'updated_at']);
      assert.equal(f.view.tasks.t_a?.status, 9);
    } finally {
      await f.stop();
    }
  });

  void test('a stream that was live is reopened quickly once; a failing connect backs off as before', async () => {
    const fixed = (x: number) => () => x;
    // Live, then dropped: 10-25 % of the base.
    assert.equal(reconnectDelay(0, true, 1000, 30_000, undefined, fixed(0)), 100);
    assert.equal(reconnectDelay(0, true, 1000, 30_000, undefined, fixed(0.999999)), 249);
    // Never live (the connect failed): full jitter up to the base.
    assert.equal(reconnectDelay(0, false, 1000, 30_000, undefined, fixed(0.999999)), 999);
    // Later attempts: exponential, live or not (a flapping server is not hammered), capped.
    assert.equal(reconnectDelay(1, true, 1000, 30_000, undefined, fixed(0.999999)), 1999);
    assert.equal(reconnectDelay(3, false, 1000, 30_000, undefined, fixed(0.5)), 4000);
    assert.equal(reconnectDelay(10, true, 1000, 30_000, undefined, fixed(0.999999)), 29_999);
    // Retry-After wins.
    assert.equal(reconnectDelay(0, true, 1000, 30_000, 5000, fixed(0)), 5000);

    // In a follower: a base of 10 s would wait up to 10 s; the live drop reopens within 2.5 s.
    const api = new FakeApi(makeRun());
    const f = new RunFollower(api, 'fr_1', { silenceMs: 60_000, backoff: { baseMs: 10_000, maxMs: 60_000 } });
    try {
      f.start();
      await waitFor(() => f.view.state === 'live', 5000, 'live');
      const opened = api.streams.length;
      const tasks = api.latest('tasks');
      api.latest('run').drop();
      // Only the stream that dropped is reopened; the tasks stream stays as it was.
      await waitFor(() => f.view.state === 'live' && api.streams.length === opened + 1, 5000, 'reopened after the drop');
      assert.equal(api.getRunCalls, 2, 'a fresh GET on the reconnect');
      assert.ok(tasks.open, 'the tasks stream was not torn down');
    } finally {
      await f.stop();
    }
  });
});

void describe('log content', () => {
  void test('base64 of UTF-8 text is decoded', () => {
    const text = 'Step 1/3: loading model ✓\nready';
    assert.equal(decodeLogContent(Buffer.from(text).toString('base64')), text);
    assert.equal(decodeLogContent('aGk='), 'hi');
    assert.equal(decodeLogContent(Buffer.from('\u001b[32mgreen\u001b[0m').toString('base64')), '\u001b[32mgreen\u001b[0m');
  });

  void test('plain text, binary and non-canonical base64 are shown as is', () => {
    for (const s of ['Done', 'test', 'abcd1234', 'hello world', '', 'aGk', 'aGk=\n!', 'YQ', 'data']) assert.equal(decodeLogContent(s), s, s);
    const binary = Buffer.from([0, 1, 2, 3, 255, 254]).toString('base64');
    assert.equal(decodeLogContent(binary), binary);
    const latin1 = Buffer.from([0xe9, 0x74, 0xe9]).toString('base64');
    assert.equal(decodeLogContent(latin1), latin1, 'not valid UTF-8');
  });
});
