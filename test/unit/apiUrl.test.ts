import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBaseUrl, isLoopbackHost } from '../../src/api/url';
import { backoffDelay, describeWait, parseRateLimitReset, parseRetryAfter } from '../../src/api/backoff';
import { clampDelay, MAX_WAIT_MS } from '../../src/shared/delay';
import { ENDPOINT_SCOPES, scopeFor } from '../../src/api/scopes';
import { unwrapSuccess, problemFrom } from '../../src/api/envelope';

void describe('base URL check', () => {
  void test('https anywhere is accepted and normalised without a trailing slash', () => {
    assert.deepEqual(checkBaseUrl('https://api.inference.sh/'), { ok: true, url: 'https://api.inference.sh' });
    assert.deepEqual(checkBaseUrl('  https://proxy.example.com/api/v1// '), { ok: true, url: 'https://proxy.example.com/api/v1' });
  });

  void test('plain http is allowed only for loopback hosts', () => {
    for (const ok of ['http://localhost:8787', 'http://127.0.0.1:1234/', 'http://127.1.2.3', 'http://[::1]:9000', 'http://app.localhost']) {
      assert.equal(checkBaseUrl(ok).ok, true, ok);
    }
    for (const bad of ['http://api.inference.sh', 'http://10.0.0.5:8080', 'http://128.0.0.1', 'http://localhost.evil.com']) {
      const r = checkBaseUrl(bad);
      assert.equal(r.ok, false, bad);
      if (!r.ok) assert.match(r.message, /https/);
    }
  });

  void test('other schemes, credentials, queries and garbage are refused with a sentence saying what to do', () => {
    for (const bad of ['ftp://x.example', 'https://user:pw@api.inference.sh', 'https://api.inference.sh/?a=1', 'not a url', '']) {
      const r = checkBaseUrl(bad);
      assert.equal(r.ok, false, bad);
      if (!r.ok) assert.match(r.message, /\.$/);
    }
  });

  void test('loopback detection', () => {
    assert.equal(isLoopbackHost('127.255.255.255'), true);
    assert.equal(isLoopbackHost('127.0.0.256'), false);
    assert.equal(isLoopbackHost('localhost.'), true);
  });
});

void describe('retry timing', () => {
  void test('Retry-After accepts seconds and HTTP dates', () => {
    assert.deepEqual(parseRetryAfter('7'), { ms: 7000, capped: false });
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.deepEqual(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now), { ms: 5000, capped: false });
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  void test('Retry-After that is negative, in the past or garbage falls back to our own backoff', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    // "-5" once parsed as a date in 2001 and gave three retries within 10 ms.
    assert.equal(parseRetryAfter('-5', now), undefined);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now), undefined);
    assert.equal(parseRetryAfter('NaN', now), undefined);
    assert.equal(parseRetryAfter('1e400', now), undefined);
  });

  void test('a wait longer than an hour is cut to an hour and says so', () => {
    assert.deepEqual(parseRetryAfter('1000000000'), { ms: MAX_WAIT_MS, capped: true });
    assert.deepEqual(parseRateLimitReset(String(1e30), 1_700_000_000_000), { ms: MAX_WAIT_MS, capped: true });
    assert.ok(describeWait(MAX_WAIT_MS, Date.parse('2025-01-01T10:00:00')).startsWith('at 11:00'), 'a long wait names the time');
    assert.equal(describeWait(12_000), 'in 12 s');
  });

  void test('X-RateLimit-Reset is unix seconds, or delta seconds below 10^9', () => {
    const now = 1_700_000_000_000;
    assert.deepEqual(parseRateLimitReset('1700000003', now), { ms: 3000, capped: false });
    assert.deepEqual(parseRateLimitReset('1699999990', now), { ms: 0, capped: false });
    // Delta seconds (common): once read as unix seconds, it gave a 0 ms wait and 5 attempts in 51 ms.
    assert.deepEqual(parseRateLimitReset('30', now), { ms: 30_000, capped: false });
    assert.equal(parseRateLimitReset('x', now), undefined);
    assert.equal(parseRateLimitReset('-3', now), undefined);
  });

  void test('every delay is clamped into what a timer can hold', () => {
    assert.equal(clampDelay(NaN), 0);
    assert.equal(clampDelay(-5), 0);
    assert.equal(clampDelay(2 ** 31), MAX_WAIT_MS);
    assert.equal(clampDelay(Infinity), MAX_WAIT_MS);
    assert.equal(clampDelay(1500), 1500);
  });

  void test('backoff is exponential, capped, and fully jittered', () => {
    assert.equal(backoffDelay(0, 100, 1000, () => 0.999), 99);
    assert.equal(backoffDelay(3, 100, 1000, () => 0.5), 400);
    assert.equal(backoffDelay(10, 100, 1000, () => 0.5), 500);
    assert.equal(backoffDelay(5, 100, 1000, () => 0), 0);
  });
});

void describe('scopes', () => {
  void test('each endpoint names the scope of the wire protocol', () => {
    assert.equal(scopeFor('POST', '/flowruns'), 'flows:execute');
    assert.equal(scopeFor('POST', '/flowruns/list'), 'flows:read');
    assert.equal(scopeFor('GET', '/flowruns/fr_1'), 'flows:read');
    assert.equal(scopeFor('POST', '/flowruns/fr_1'), 'flows:write');
    assert.equal(scopeFor('POST', '/flowruns/fr_1/cancel'), 'flows:execute');
    assert.equal(scopeFor('POST', '/flowruns/fr_1/clone'), 'flows:write');
    assert.equal(scopeFor('POST', '/flowruns/fr_1/visibility'), 'flows:write');
    assert.equal(scopeFor('GET', '/flowruns/fr_1/stream'), 'flows:read');
    assert.equal(scopeFor('GET', '/flowruns/fr_1/tasks/stream'), 'flows:read');
    assert.equal(scopeFor('POST', '/flows/list'), 'flows:read');
    assert.equal(scopeFor('GET', '/flows/f_1'), 'flows:read');
    assert.equal(scopeFor('GET', '/tasks/t_1'), 'apps:read');
    assert.equal(scopeFor('DELETE', '/tasks/t_1'), undefined);
    assert.equal(ENDPOINT_SCOPES.length, 13);
  });
});

void describe('success forms', () => {
  void test('envelope, bare DTO and legacy all give the data', () => {
    const run = { id: 'fr_1', status: 2 };
    assert.deepEqual(unwrapSuccess({ data: run, messages: [{ level: 'warning', code: 'w', message: 'careful' }] }), {
      data: run, messages: [{ level: 'warning', code: 'w', message: 'careful' }],
    });
    assert.deepEqual(unwrapSuccess(run), { data: run, messages: [] });
    assert.deepEqual(unwrapSuccess({ success: true, status: 200, data: run, error: null }), { data: run, messages: [] });
    const page = { items: [run], has_next: false, data: 'not an envelope' };
    assert.deepEqual(unwrapSuccess(page), { data: page, messages: [] });
    const failed = unwrapSuccess({ success: false, status: 400, data: null, error: { code: 'bad', message: 'Nope' } });
    assert.ok('legacyError' in failed && failed.legacyError.text === 'Nope' && failed.legacyError.code === 'bad');
  });

  void test('problem text is detail, else title, else message', () => {
    assert.equal(problemFrom({ type: 'https://api.inference.sh/errors/x', title: 'T', detail: 'D' }).text, 'D');
    assert.equal(problemFrom({ title: 'T' }).text, 'T');
    assert.equal(problemFrom({ message: 'M' }).text, 'M');
    assert.equal(problemFrom({ type: 'https://api.inference.sh/errors/rate_limited' }).code, 'rate_limited');
  });
});
