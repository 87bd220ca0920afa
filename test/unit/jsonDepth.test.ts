// The depth bound on parsed JSON (issue 15): values nested past the limit are
// cut with a marker, and the cheap text scan that decides whether the walk is
// needed at all (issue 16: the walk on every event cost a quarter of the
// follower's time) agrees with the walk exactly, strings and escapes included.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { limitDepth, nestsDeeperThan, parseJsonBounded } from '../../src/api/jsonDepth';
import { TOO_DEEP } from '../../src/api/limits';

const nested = (depth: number, open = '[', close = ']'): string => open.repeat(depth) + close.repeat(depth);

void describe('JSON depth', () => {
  void test('the scan says "too deep" exactly when the walk would cut something', () => {
    for (const max of [1, 2, 3, 10]) {
      for (let depth = 1; depth <= max + 2; depth++) {
        for (const [o, c] of [['[', ']'], ['{"a":', '}']]) {
          const text = `${o.repeat(depth)}1${c.repeat(depth)}`;
          const value: unknown = JSON.parse(text);
          const cut = limitDepth(value, max);
          assert.equal(nestsDeeperThan(text, max), cut > 0, `depth ${depth}, limit ${max}, ${o}`);
        }
      }
    }
  });

  void test('brackets inside strings (with escaped quotes and backslashes) do not count', () => {
    const text = JSON.stringify({ s: '[[[[[[[[[[{{{{{{{{{{', t: 'a \\" [[[[[[[[[[', u: '\\\\', v: [['x']] });
    assert.equal(nestsDeeperThan(text, 3), false);
    assert.equal(nestsDeeperThan(text, 2), true);
    assert.equal(parseJsonBounded(text, 3).cut, 0);
    const cut = parseJsonBounded(text, 2);
    assert.equal(cut.cut, 1);
    assert.deepEqual((cut.value as { v: unknown[] }).v, [TOO_DEEP]);
  });

  void test('more brackets than the limit, all inside strings or side by side, is not too deep', () => {
    const inStrings = JSON.stringify({ log: '{['.repeat(600), list: Array.from({ length: 30 }, () => ({ a: [1] })) });
    // {list: [{a: [1]}]} is four deep, whatever the strings hold.
    assert.equal(nestsDeeperThan(inStrings, 5), false);
    assert.equal(nestsDeeperThan(inStrings, 4), false);
    assert.equal(nestsDeeperThan(inStrings, 3), true);
    // Long text with few brackets: no exact walk needed, and the answer is the same.
    const wide = JSON.stringify({ text: 'x'.repeat(10_000), n: [[1]] });
    assert.equal(nestsDeeperThan(wide, 3), false);
    assert.equal(nestsDeeperThan(wide, 2), true);
  });

  void test('a value 100,000 deep is cut at the limit without a stack overflow; short texts skip the scan', () => {
    const { value, cut } = parseJsonBounded(nested(100_000), 1000);
    assert.equal(cut, 1);
    let depth = 0;
    let v: unknown = value;
    while (Array.isArray(v)) {
      depth++;
      v = v[0];
    }
    assert.equal(depth, 1000);
    assert.equal(v, TOO_DEEP);
    assert.equal(nestsDeeperThan(nested(5), 1000), false);
  });
});
