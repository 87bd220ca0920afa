// The Buffer-free byte helpers the web build uses (src/shared/utf8.ts, base64.ts) agree with
// Node's Buffer, which the Node build used before, on every kind of character.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { base64ToBytes, bytesToBase64 } from '../../src/shared/base64';
import { utf8ByteLength } from '../../src/shared/utf8';
import { checkSize } from '../../src/input/parseInput';

const SAMPLES = [
  '', 'plain ascii', 'café', '日本語のテキスト', 'emoji 🦊 and 🚀', 'a lone high \ud83d surrogate', 'a lone low \ude00 one',
  'pair at the end \ud83e\udd8a', '\ud83d', 'x'.repeat(70_000) + '€',
];

void test('utf8ByteLength counts what a UTF-8 encoder writes, lone surrogates as U+FFFD', () => {
  for (const s of SAMPLES) assert.equal(utf8ByteLength(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s.slice(0, 40)));
});

void test('checkSize measures UTF-8 bytes: 5 MB of three-byte characters is over a 5 MB limit that ASCII of the same length is not', () => {
  const chars = Math.floor((5 * 1024 * 1024) / 2);
  assert.equal(checkSize('a'.repeat(chars)), undefined);
  assert.equal(checkSize('€'.repeat(chars))?.code, 'too_large');
});

void test('base64 round-trips bytes as Buffer does, including inputs past one String.fromCharCode chunk', () => {
  const big = new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff);
  for (const bytes of [new Uint8Array(), Uint8Array.of(0), Uint8Array.of(0xff, 0xfe), big]) {
    const text = bytesToBase64(bytes);
    assert.equal(text, Buffer.from(bytes).toString('base64'));
    assert.deepEqual(base64ToBytes(text), bytes);
  }
});
