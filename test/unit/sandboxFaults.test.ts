// Fault injection in the sandbox: HTTP faults, stream faults, rate limits,
// and replay of the same schedule from the same seed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FlowRun } from '../../src/api/models';
import { startSandbox, type FaultPlan, type Sandbox } from '../../src/sandbox';
import { call, StreamReader, waitUntil } from './sandboxHelpers';

async function statuses(sb: Sandbox, path: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call(sb, 'GET', path)).status);
  return out;
}

async function finishedRun(sb: Sandbox, flow: string, input: Record<string, unknown>): Promise<FlowRun> {
  const run = sb.createRunDirect(flow, input);
  return waitUntil(() => {
    const r = sb.getRun(run.id);
    return r && Number(r.status) >= 3 ? r : undefined;
  }, 10000, 'run to finish');
}

/** What a client saw on one stream: event kinds in order and how it ended. */
async function streamShape(sb: Sandbox, path: string): Promise<string> {
  const s = new StreamReader(`${sb.url}${path}`, sb.defaultKey);
  const end = await s.ended;
  return `${s.events.filter((e) => e.event !== 'comment').map((e) => ({ message: 'M', malformed: 'x', done: 'd' })[e.event] ?? '?').join('')}|${end}`;
}

describe('sandbox faults', () => {
  let sb: Sandbox;
  let runPath = '';
  before(async () => {
    sb = await startSandbox({ port: 0, speed: 0, keepAliveMs: 20 });
    runPath = `/flowruns/${(await finishedRun(sb, 'flow_fanout', { topic: 'faults' })).id}`;
  });
  after(() => sb.close());

  test('429 carries Retry-After, or X-RateLimit-Reset in unix seconds', async () => {
    sb.setFaults({ rate429: 1, retryAfterSeconds: 2 });
    const a = await call(sb, 'GET', runPath);
    assert.equal(a.status, 429);
    assert.equal(a.headers.get('retry-after'), '2');
    assert.equal(a.json.type, 'https://api.inference.sh/errors/rate_limited');
    sb.setFaults({ rate429: 1, rate429Header: 'x-ratelimit-reset', retryAfterSeconds: 5 });
    const b = await call(sb, 'GET', runPath);
    assert.equal(b.status, 429);
    assert.equal(b.headers.get('retry-after'), null);
    const reset = Number(b.headers.get('x-ratelimit-reset'));
    assert.ok(reset >= Math.floor(Date.now() / 1000) + 3 && reset <= Math.ceil(Date.now() / 1000) + 6);
    sb.setFaults(undefined);
  });

  test('500 is a problem+json, counted in the stats; control routes are not counted', async () => {
    sb.resetStats();
    sb.setFaults({ rate500: 1 });
    const r = await call(sb, 'GET', runPath);
    assert.equal(r.status, 500);
    assert.match(r.contentType, /application\/problem\+json/);
    assert.equal(r.json.type, 'https://api.inference.sh/errors/internal_error');
    const stats = (await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { data: { requests: number; byRoute: Record<string, number>; faultsInjected: Record<string, number> } };
    assert.equal(stats.data.requests, 1);
    assert.deepEqual(stats.data.byRoute, { 'GET /flowruns/:id': 1 });
    assert.equal(stats.data.faultsInjected['500'], 1);
    sb.setFaults(undefined);
  });

  test('the same seed replays the same schedule; another seed does not', async () => {
    const plan: FaultPlan = { seed: 42, rate429: 0.25, rate500: 0.25 };
    sb.setFaults(plan);
    const first = await statuses(sb, runPath, 40);
    sb.setFaults(plan);
    const second = await statuses(sb, runPath, 40);
    assert.deepEqual(second, first);
    assert.ok(first.includes(200) && first.includes(429) && first.includes(500));
    sb.setFaults({ ...plan, seed: 43 });
    assert.notDeepEqual(await statuses(sb, runPath, 40), first);
    const other = await startSandbox({ port: 0, speed: 0, faults: plan });
    try {
      const id = other.createRunDirect('flow_unpositioned', {}).id;
      assert.deepEqual(await statuses(other, `/flowruns/${id}`, 40), first);
    } finally {
      await other.close();
    }
    sb.setFaults(undefined);
  });

  test('stream faults replay from the seed too', async () => {
    const plan: FaultPlan = { seed: 9, duplicateProbability: 0.3, malformedProbability: 0.3, dropProbability: 0.05 };
    sb.setFaults(plan);
    const shapes = [await streamShape(sb, `${runPath}/tasks/stream`), await streamShape(sb, `${runPath}/tasks/stream`)];
    sb.setFaults(plan);
    const again = [await streamShape(sb, `${runPath}/tasks/stream`), await streamShape(sb, `${runPath}/tasks/stream`)];
    assert.deepEqual(again, shapes);
    assert.ok(shapes.join('').includes('x'), 'some malformed events');
    assert.ok(/MM/.test(shapes.join('')), 'some messages');
    sb.setFaults(undefined);
  });

  test('a stream drops after N events, without done', async () => {
    const run = sb.createRunDirect('flow_slow', { seconds: 30 });
    sb.setFaults({ dropStreamAfterEvents: 0, routes: ['GET /flowruns/:id/stream'] });
    const s = new StreamReader(`${sb.url}/flowruns/${run.id}/stream`, sb.defaultKey);
    const end = await s.ended;
    assert.notEqual(end, 'done');
    assert.equal(s.messages.length, 0);
    sb.setFaults({ dropStreamAfterEvents: 5 });
    const t = new StreamReader(`${sb.url}${runPath}/tasks/stream`, sb.defaultKey);
    assert.notEqual(await t.ended, 'done');
    assert.equal(t.messages.length, 5);
    sb.setFaults(undefined);
    await call(sb, 'POST', `/flowruns/${run.id}/cancel`);
  });

  test('malformed and duplicated events', async () => {
    sb.setFaults({ malformedProbability: 1 });
    const m = new StreamReader(`${sb.url}${runPath}/stream`, sb.defaultKey);
    assert.equal(await m.ended, 'done');
    assert.deepEqual(m.events.filter((e) => e.event !== 'comment').map((e) => e.event), ['malformed', 'message', 'done']);
    sb.setFaults({ duplicateProbability: 1 });
    const d = new StreamReader(`${sb.url}${runPath}/stream`, sb.defaultKey);
    assert.equal(await d.ended, 'done');
    assert.equal(d.messages.length, 2);
    assert.deepEqual(d.messages[0], d.messages[1]);
    sb.setFaults(undefined);
  });

  test('silence: no events and no keep-alives, then the connection drops', async () => {
    const run = sb.createRunDirect('flow_slow', { seconds: 30 });
    sb.setFaults({ silenceProbability: 1, silenceMs: 150 });
    const s = new StreamReader(`${sb.url}/flowruns/${run.id}/stream`, sb.defaultKey);
    const end = await s.ended;
    assert.notEqual(end, 'done');
    assert.equal(s.events.length, 0, 'nothing at all, keep-alives included');
    assert.ok((sb.stats().faultsInjected.silence ?? 0) >= 1);
    sb.setFaults(undefined);
    await call(sb, 'POST', `/flowruns/${run.id}/cancel`);
  });

  test('route filters, the control endpoint and a per-request header', async () => {
    const set = await fetch(`${sb.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ rate500: 1, routes: ['/stream'] }) });
    assert.equal(set.status, 200);
    assert.equal((await call(sb, 'GET', runPath)).status, 200);
    const s = new StreamReader(`${sb.url}${runPath}/stream`, sb.defaultKey);
    assert.equal(await s.ended, 'error');
    assert.equal(s.status, 500);
    assert.equal((await fetch(`${sb.url}/_sandbox/faults`, { method: 'POST', body: 'null' })).status, 200);
    assert.equal((await fetch(`${sb.url}/_sandbox/faults`, { method: 'POST', body: '{"rate500": 3}' })).status, 400);
    assert.equal((await call(sb, 'GET', runPath)).status, 200);
    const one = await call(sb, 'GET', runPath, undefined, sb.defaultKey, { 'X-Sandbox-Faults': '{"rate429": 1}' });
    assert.equal(one.status, 429);
    assert.equal((await call(sb, 'GET', runPath)).status, 200);
    const reset = await fetch(`${sb.url}/_sandbox/reset-stats`, { method: 'POST' });
    assert.equal(reset.status, 200);
    assert.equal(sb.stats().requests, 0);
  });

  test('latency is injected and counted', async () => {
    sb.resetStats();
    sb.setFaults({ latencyMs: [20, 30] });
    assert.equal((await call(sb, 'GET', runPath)).status, 200);
    assert.equal(sb.stats().faultsInjected.latency, 1);
    sb.setFaults(undefined);
  });
});

describe('sandbox rate limit', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ port: 0, speed: 0, rateLimitPerMinute: 3 });
  });
  after(() => sb.close());

  test('past N requests a minute: 429 with X-RateLimit headers and Retry-After', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call(sb, 'POST', '/flowruns/list', {}));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 429]);
    assert.equal(answers[0].headers.get('x-ratelimit-limit'), '3');
    assert.equal(answers[0].headers.get('x-ratelimit-remaining'), '2');
    assert.equal(answers[3].headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Number(answers[3].headers.get('x-ratelimit-reset')) > Date.now() / 1000);
    assert.ok(Number(answers[3].headers.get('retry-after')) >= 1);
    assert.equal(answers[3].json.type, 'https://api.inference.sh/errors/rate_limited');
    assert.equal((await call(sb, 'POST', '/flowruns/list', {}, 'inf_sandbox_read')).status, 200, 'limits are per key');
  });
});
