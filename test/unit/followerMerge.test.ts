import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPartial, replaceObject, stampOf } from '../../src/runs/merge';
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
