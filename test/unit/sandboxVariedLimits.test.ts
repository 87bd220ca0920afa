// Rate limits and refusals: X-RateLimit-Reset as unix or delta seconds and
// Retry-After as seconds or an HTTP date (rate limiter and injected 429s),
// budgets per kind (run creation vs the rest), an opt-in 403 that is not about
// a scope, and answers counted by status per route.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_FORBIDDEN_DETAIL, parseFaultPlan, SANDBOX_KEYS, startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox';
import { raw, type RawAnswer } from './sandboxVariedKit';

const PIPE = { flow: 'flow_image_pipeline', input: { prompt: 'limits' } };

async function withSandbox<T>(opts: SandboxOptions, fn: (sb: Sandbox) => Promise<T>): Promise<T> {
  const sb = await startSandbox({ port: 0, speed: 0, ...opts });
  try {
    return await fn(sb);
  } finally {
    await sb.close();
  }
}

type ResetKind = 'unix' | 'delta';

/** Whether an X-RateLimit-Reset value is unix or delta seconds, checked against the window it describes (at most a minute away). */
function resetKind(value: string | null, nowS: number): ResetKind {
  assert.match(value ?? '', /^\d+$/, `a whole number of seconds: ${String(value)}`);
  const n = Number(value);
  if (n > 1e9) {
    assert.ok(n >= nowS - 1 && n <= nowS + 61, `unix seconds within the minute: ${n} vs now ${nowS}`);
    return 'unix';
  }
  assert.ok(n <= 61, `delta seconds within the minute: ${n}`);
  return 'delta';
}

type RetryKind = 'seconds' | 'http-date' | 'absent';

function retryKind(value: string | null, nowMs: number): RetryKind {
  if (value === null) return 'absent';
  if (/^\d+$/.test(value)) {
    assert.ok(Number(value) >= 1 && Number(value) <= 61, value);
    return 'seconds';
  }
  assert.match(value, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/, 'an HTTP date');
  const at = Date.parse(value);
  assert.ok(at >= nowMs - 1000 && at <= nowMs + 62_000, `an HTTP date within the minute: ${value}`);
  return 'http-date';
}

describe('varied profile: rate-limit headers', () => {
  test('the rate limiter sends X-RateLimit-Reset as unix or delta seconds, Retry-After as seconds, an HTTP date or not at all', async () => {
    await withSandbox({ profile: 'varied', seed: 4, rateLimitPerMinute: 3 }, async (sb) => {
      const resets = new Set<ResetKind>();
      const retries = new Set<RetryKind>();
      for (let i = 0; i < 30; i++) {
        const a = await raw(sb, 'POST', '/flowruns/list', {});
        const nowMs = Date.now();
        resets.add(resetKind(a.headers.get('x-ratelimit-reset'), Math.floor(nowMs / 1000)));
        assert.equal(a.headers.get('x-ratelimit-limit'), '3');
        if (i >= 3) {
          assert.equal(a.status, 429);
          assert.equal(a.headers.get('x-ratelimit-remaining'), '0');
          retries.add(retryKind(a.headers.get('retry-after'), nowMs));
        } else assert.equal(a.status, 200);
      }
      assert.deepEqual([...resets].sort(), ['delta', 'unix']);
      assert.deepEqual([...retries].sort(), ['absent', 'http-date', 'seconds']);
    });
  });

  test('injected 429s say when in every form too', async () => {
    await withSandbox({ profile: 'varied', seed: 4 }, async (sb) => {
      const run = sb.createRunDirect('flow_unpositioned', {});
      const resets = new Set<ResetKind>();
      const retries = new Set<RetryKind>();
      sb.setFaults({ rate429: 1, rate429Header: 'x-ratelimit-reset', retryAfterSeconds: 5 });
      for (let i = 0; i < 12; i++) {
        const a = await raw(sb, 'GET', `/flowruns/${run.id}`);
        assert.equal(a.status, 429);
        assert.equal(a.headers.get('retry-after'), null);
        const kind = resetKind(a.headers.get('x-ratelimit-reset'), Math.floor(Date.now() / 1000));
        if (kind === 'delta') assert.ok(Number(a.headers.get('x-ratelimit-reset')) >= 4);
        resets.add(kind);
      }
      sb.setFaults({ rate429: 1, retryAfterSeconds: 5 });
      for (let i = 0; i < 12; i++) {
        const a = await raw(sb, 'GET', `/flowruns/${run.id}`);
        const kind = retryKind(a.headers.get('retry-after'), Date.now());
        assert.notEqual(kind, 'absent', 'the plan asked for Retry-After');
        retries.add(kind);
      }
      assert.deepEqual([...resets].sort(), ['delta', 'unix']);
      assert.deepEqual([...retries].sort(), ['http-date', 'seconds']);
    });
  });

  test('the seed profile keeps unix seconds and Retry-After seconds', async () => {
    await withSandbox({ rateLimitPerMinute: 1 }, async (sb) => {
      for (let i = 0; i < 6; i++) {
        const a = await raw(sb, 'POST', '/flowruns/list', {});
        assert.equal(resetKind(a.headers.get('x-ratelimit-reset'), Math.floor(Date.now() / 1000)), 'unix');
        if (i > 0) assert.equal(retryKind(a.headers.get('retry-after'), Date.now()), 'seconds');
      }
    });
  });
});

describe('rate limits per kind', () => {
  test('run creation has its own budget: its Remaining 0 says nothing about reads, and each kind\'s headers describe its own budget', async () => {
    for (const profile of ['seed', 'varied'] as const) {
      await withSandbox({ profile, rateLimitPerMinute: 5, createRateLimitPerMinute: 2 }, async (sb) => {
        const creates: RawAnswer[] = [];
        for (let i = 0; i < 3; i++) creates.push(await raw(sb, 'POST', '/flowruns', PIPE));
        assert.deepEqual(creates.map((a) => a.status), [200, 200, 429], profile);
        assert.deepEqual(creates.map((a) => a.headers.get('x-ratelimit-limit')), ['2', '2', '2']);
        assert.deepEqual(creates.map((a) => a.headers.get('x-ratelimit-remaining')), ['1', '0', '0']);
        assert.match(creates[2].text, /run creations a minute/);
        const reads: RawAnswer[] = [];
        for (let i = 0; i < 6; i++) reads.push(await raw(sb, 'POST', '/flowruns/list', {}));
        assert.deepEqual(reads.map((a) => a.status), [200, 200, 200, 200, 200, 429], 'reads spend their own budget only');
        assert.deepEqual(reads.map((a) => a.headers.get('x-ratelimit-limit')), ['5', '5', '5', '5', '5', '5']);
        assert.deepEqual(reads.map((a) => a.headers.get('x-ratelimit-remaining')), ['4', '3', '2', '1', '0', '0']);
        assert.equal((await raw(sb, 'POST', '/flowruns', PIPE, SANDBOX_KEYS.noRead)).status, 200, 'budgets are per key');
      });
    }
  });

  test('without a creation budget, run creation shares the one budget, as before', async () => {
    await withSandbox({ rateLimitPerMinute: 3 }, async (sb) => {
      const statuses = [
        (await raw(sb, 'POST', '/flowruns', PIPE)).status,
        (await raw(sb, 'POST', '/flowruns/list', {})).status,
        (await raw(sb, 'POST', '/flowruns', PIPE)).status,
        (await raw(sb, 'POST', '/flowruns/list', {})).status,
      ];
      assert.deepEqual(statuses, [200, 200, 200, 429]);
    });
  });

  test('a creation budget alone leaves reads unlimited and without rate-limit headers', async () => {
    await withSandbox({ createRateLimitPerMinute: 1 }, async (sb) => {
      assert.equal((await raw(sb, 'POST', '/flowruns', PIPE)).status, 200);
      assert.equal((await raw(sb, 'POST', '/flowruns', PIPE)).status, 429);
      const read = await raw(sb, 'POST', '/flowruns/list', {});
      assert.equal(read.status, 200);
      assert.equal(read.headers.get('x-ratelimit-limit'), null);
    });
  });
});

describe('refusals', () => {
  test('an opt-in 403 that is not about a scope: the problem\'s detail says why', async () => {
    for (const profile of ['seed', 'varied'] as const) {
      await withSandbox({ profile }, async (sb) => {
        sb.setFaults({ rate403: 1, routes: ['POST /flowruns'] });
        const a = await raw(sb, 'POST', '/flowruns', PIPE);
        assert.equal(a.status, 403);
        assert.match(a.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.deepEqual(a.body, { type: 'https://api.inference.sh/errors/forbidden', title: 'Forbidden', status: 403, detail: DEFAULT_FORBIDDEN_DETAIL });
        assert.equal(sb.listAllRuns().length, 0, 'nothing was created');
        assert.equal((await raw(sb, 'GET', '/flows/flow_fanout')).status, 200, 'other routes answer');
        sb.setFaults({ rate403: 1, forbiddenDetail: 'This organization requires SSO for API keys.' });
        const sso = await raw(sb, 'GET', '/flows/flow_fanout');
        assert.equal(sso.status, 403);
        assert.equal((sso.body as { detail: string }).detail, 'This organization requires SSO for API keys.');
        assert.equal(sb.stats().faultsInjected['403'], 2);
        sb.setFaults(undefined);
      });
    }
    assert.throws(() => parseFaultPlan({ rate403: 2 }), /rate403 must be a probability/);
    assert.throws(() => parseFaultPlan({ forbiddenDetail: '' }), /forbiddenDetail must be a non-empty string/);
    assert.throws(() => parseFaultPlan({ forbiddenDetail: 'x'.repeat(501) }), /at most 500/);
  });

  test('plans without 403s replay as before (the 403 draw comes last)', async () => {
    const statuses = async (plan: Parameters<Sandbox['setFaults']>[0]): Promise<number[]> => withSandbox({ faults: plan }, async (sb) => {
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await raw(sb, 'POST', '/flowruns/list', {})).status);
      return out;
    });
    const without = await statuses({ seed: 42, rate429: 0.25, rate500: 0.25 });
    const with403 = await statuses({ seed: 42, rate429: 0.25, rate500: 0.25, rate403: 0.3 });
    assert.ok(with403.includes(403) && without.every((s) => s !== 403));
    with403.forEach((s, i) => assert.equal(s === 403 ? without[i] : s, without[i], `request ${i}`));
  });

  test('stats count answers by status per route: a flows-only key\'s GET /tasks/{id} is 403', async () => {
    await withSandbox({}, async (sb) => {
      const run = sb.createRunDirect('flow_unpositioned', {});
      for (let i = 0; i < 3; i++) assert.equal((await raw(sb, 'GET', `/tasks/${run.task_id ?? ''}`, undefined, SANDBOX_KEYS.flowsOnly)).status, 403);
      assert.equal((await raw(sb, 'GET', `/tasks/${run.task_id ?? ''}`)).status, 200);
      assert.equal((await raw(sb, 'GET', '/tasks/task_missing')).status, 404);
      assert.equal((await raw(sb, 'GET', `/flowruns/${run.id}`, undefined, SANDBOX_KEYS.flowsOnly)).status, 200);
      assert.deepEqual(sb.stats().byStatus, { 'GET /tasks/:id': { 200: 1, 403: 3, 404: 1 }, 'GET /flowruns/:id': { 200: 1 } });
      const viaHttp = (await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { data: { byStatus: Record<string, Record<string, number>> } };
      assert.equal(viaHttp.data.byStatus['GET /tasks/:id']['403'], 3);
      sb.resetStats();
      assert.deepEqual(sb.stats().byStatus, {});
    });
  });
});
