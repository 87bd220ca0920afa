// The client against the local sandbox over real HTTP/SSE: every endpoint and
// every error class the sandbox can produce, plus a follower on a live run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowRunsClient } from '../../src/api/client';
import { isApiError, type ApiError } from '../../src/api/errors';
import { FlowRunStatus, type FlowRun } from '../../src/api/models';
import { RunFollower } from '../../src/runs/follower';
import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../src/sandbox';
import { assertNoSecret, failOnUnhandledRejection, recordingLogger } from './helpers/guards';
import { waitFor } from './helpers/testServer';

failOnUnhandledRejection();

let sb: Sandbox;
const logger = recordingLogger();
const errors: unknown[] = [];

before(async () => {
  sb = await startSandbox({ port: 0, speed: 0.02, seed: 7, seedRuns: 30, keepAliveMs: 100 });
});
after(async () => {
  await sb.close();
});

function client(key: string | undefined = sb.defaultKey, extra: { timeoutMs?: number } = {}): FlowRunsClient {
  return new FlowRunsClient({ baseUrl: sb.url, apiKey: key, clientVersion: 'test', logger, retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 }, ...extra });
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    errors.push(e);
    assert.ok(isApiError(e));
    return e;
  }
  assert.fail('expected the call to fail');
}

async function finished(id: string): Promise<FlowRun> {
  await waitFor(() => [3, 4, 5].includes(sb.getRun(id)?.status ?? 0), 10_000, `run ${id} to finish`);
  const run = sb.getRun(id);
  assert.ok(run);
  return run;
}

void describe('every endpoint against the sandbox', () => {
  void test('create, get, update, visibility, clone, cancel', async () => {
    const c = client();
    const created = await c.createRun('flow_image_pipeline', { prompt: 'A mountain landscape' });
    assert.equal(created.data.flow_id, 'flow_image_pipeline');
    assert.ok([FlowRunStatus.Pending, FlowRunStatus.Running].includes(created.data.status));
    const id = created.data.id;
    assert.equal((await c.getRun(id)).id, id);
    const updated = await c.updateRun(id, { fail_on_error: true });
    assert.equal(updated.fail_on_error, true);
    assert.equal((await c.setVisibility(id, 'team')).visibility, 'team');
    const flow = await c.cloneRun(id);
    assert.notEqual(flow.id, 'flow_image_pipeline');
    assert.ok(Array.isArray(flow.nodes) && flow.nodes.length === 3, 'clone returns a Flow with the graph');
    const slow = await c.createRun('flow_slow', { seconds: 30 });
    const cancelled = await c.cancelRun(slow.data.id);
    assert.equal((cancelled ?? (await c.getRun(slow.data.id))).status, FlowRunStatus.Cancelled);
    await finished(id);
  });

  void test('envelope messages reach the caller', async () => {
    const seen: string[] = [];
    const c = new FlowRunsClient({ baseUrl: sb.url, apiKey: sb.defaultKey, clientVersion: 't', onMessages: (m, method, path) => seen.push(`${method} ${path} ${m[0]?.code ?? ''}`) });
    const run = await c.createRun('flow_image_pipeline', { prompt: 'x', not_in_schema: 1 });
    assert.ok(run.messages.length >= 1);
    const res = await c.updateRun(run.data.id, { flow_id: 'nope' });
    assert.equal(res.id, run.data.id);
    assert.ok(seen.some((s) => s.startsWith('POST /flowruns ')), seen.join('\n'));
    assert.ok(seen.some((s) => s.includes('ignored_field')), seen.join('\n'));
    await finished(run.data.id);
  });

  void test('list runs with cursor, limit, filters and sort; list and get flows; get a task', async () => {
    const c = client();
    const first = await c.listRuns({ limit: 5, sort: [{ field: 'created_at', dir: 'desc' }] });
    assert.equal(first.items.length, 5);
    assert.equal(first.has_next, true);
    assert.ok(first.next_cursor);
    const second = await c.listRuns({ limit: 5, cursor: first.next_cursor ?? undefined, sort: [{ field: 'created_at', dir: 'desc' }] });
    assert.equal(second.items.length, 5);
    assert.equal(new Set([...first.items, ...second.items].map((r) => r.id)).size, 10, 'pages do not overlap');
    const failed = await c.listRuns({ limit: 50, filters: [{ field: 'status', operator: 'eq', value: FlowRunStatus.Failed }] });
    assert.ok(failed.items.every((r) => r.status === FlowRunStatus.Failed));
    const flows = await c.listFlows({ limit: 50 });
    assert.ok(flows.items.some((f) => f.id === 'flow_fanout'));
    const fanout = await c.getFlow('flow_fanout');
    assert.equal(fanout.nodes.length, 12);
    const done = await finished(sb.createRunDirect('flow_image_pipeline', { prompt: 'p' }).id);
    const ref = Object.values(done.node_tasks ?? {})[0];
    const task = await c.getTask(ref.task_id);
    assert.equal(task.id, ref.task_id);
    assert.equal(task.flow_run_id, done.id);
  });

  void test('both streams deliver the run and its tasks until done', async () => {
    const run = sb.createRunDirect('flow_image_pipeline', { prompt: 'p' });
    const c = client();
    const runEvents: string[] = [];
    const taskIds = new Set<string>();
    let done = 0;
    const a = c.streamRun(run.id, { onObject: (r) => runEvents.push(`full ${r.status}`), onPartial: (_d, f) => runEvents.push(`partial ${(f ?? []).join(',')}`), onDone: () => done++ });
    const b = c.streamTasks(run.id, { onObject: (t) => taskIds.add(t.id), onPartial: (d) => { if (typeof d.id === 'string') taskIds.add(d.id); }, onDone: () => done++ });
    await Promise.all([a.closed, b.closed]);
    assert.equal(done, 2);
    assert.ok(runEvents.length >= 2);
    assert.ok(runEvents.some((e) => /partial .*status/.test(e)));
    assert.equal(taskIds.size, 3);
    await waitFor(() => sb.stats().openStreams === 0, 5000, 'streams closed on the server');
  });
});

void describe('every error class against the sandbox', () => {
  void test('401: an unknown key', async () => {
    const err = await failure(client('inf_not_a_real_key_123').getRun('x'));
    assert.equal(err.kind, 'unauthorized');
  });

  void test('403 names the missing scope for each key', async () => {
    const run = sb.createRunDirect('flow_image_pipeline', { prompt: 'p' });
    const cases: [string, (c: FlowRunsClient) => Promise<unknown>, string][] = [
      [SANDBOX_KEYS.readOnly, (c) => c.createRun('flow_image_pipeline', { prompt: 'x' }), 'flows:execute'],
      [SANDBOX_KEYS.noExecute, (c) => c.cancelRun(run.id), 'flows:execute'],
      [SANDBOX_KEYS.noWrite, (c) => c.cloneRun(run.id), 'flows:write'],
      [SANDBOX_KEYS.noWrite, (c) => c.updateRun(run.id, { fail_on_error: true }), 'flows:write'],
      [SANDBOX_KEYS.readOnly, (c) => c.setVisibility(run.id, 'public'), 'flows:write'],
      [SANDBOX_KEYS.noRead, (c) => c.getRun(run.id), 'flows:read'],
      [SANDBOX_KEYS.noRead, (c) => c.listRuns({}), 'flows:read'],
      [SANDBOX_KEYS.noRead, (c) => c.listFlows({}), 'flows:read'],
      [SANDBOX_KEYS.noRead, (c) => c.getFlow('flow_fanout'), 'flows:read'],
    ];
    for (const [key, call, scope] of cases) {
      const err = await failure(call(client(key)));
      assert.equal(err.kind, 'forbidden');
      assert.equal(err.scope, scope);
      assert.ok(err.userMessage.includes(scope));
      assertNoSecret(err, key);
    }
    await finished(run.id);
  });

  void test('404, 400 and a conflict-like refusal', async () => {
    const c = client();
    assert.equal((await failure(c.getRun('flowrun_nope'))).kind, 'not_found');
    assert.equal((await failure(c.getFlow('flow_nope'))).kind, 'not_found');
    assert.equal((await failure(c.getTask('task_nope'))).kind, 'not_found');
    const bad = await failure(c.createRun('flow_image_pipeline', { prompt: 42 }));
    assert.equal(bad.kind, 'invalid_request');
    assert.ok(bad.detail);
    const vis = await failure(c.setVisibility('x', 'everyone' as 'public'));
    assert.ok(['invalid_request', 'not_found'].includes(vis.kind));
    const done = await finished(sb.createRunDirect('flow_image_pipeline', { prompt: 'p' }).id);
    const again = await failure(c.cancelRun(done.id));
    assert.equal(again.kind, 'invalid_request');
    assert.match(again.userMessage, /already completed/);
  });

  void test('429 from the rate limit: retried after X-RateLimit/Retry-After, else reported with the wait', async () => {
    const limited = await startSandbox({ port: 0, speed: 0, rateLimitPerMinute: 3 });
    try {
      const c = new FlowRunsClient({ baseUrl: limited.url, apiKey: limited.defaultKey, clientVersion: 't', timeoutMs: 2000, retry: { maxRetries: 3 } });
      for (let i = 0; i < 3; i++) await c.listFlows({});
      const err = await failure(c.listFlows({}));
      assert.equal(err.kind, 'rate_limited');
      assert.ok(err.retryAfterMs !== undefined && err.retryAfterMs > 2000, 'the wait is longer than the deadline, so it is reported at once');
      // The budget (X-RateLimit-Remaining: 0) was known, so the refused call was never sent.
      assert.equal(limited.stats().byRoute['POST /flows/list'], 3);
    } finally {
      await limited.close();
    }
  });

  void test('429 and 500 faults: reads retried through them', async () => {
    const faulty = await startSandbox({ port: 0, speed: 0, faults: { seed: 3, rate429: 0.3, retryAfterSeconds: 0, rate500: 0.3 } });
    try {
      const c = new FlowRunsClient({ baseUrl: faulty.url, apiKey: faulty.defaultKey, clientVersion: 't', retry: { maxRetries: 10, baseDelayMs: 1, maxDelayMs: 5 } });
      for (let i = 0; i < 10; i++) assert.equal((await c.getFlow('flow_fanout')).id, 'flow_fanout');
      const injected = faulty.stats().faultsInjected;
      assert.ok((injected['429'] ?? 0) > 0 && (injected['500'] ?? 0) > 0, JSON.stringify(injected));
      faulty.setFaults({ seed: 1, rate500: 1 });
      const err = await failure(c.createRun('flow_image_pipeline', { prompt: 'x' }));
      assert.equal(err.kind, 'server');
      assert.equal(faulty.stats().byRoute['POST /flowruns'], 1, 'a create is not retried on 500');
    } finally {
      await faulty.close();
    }
  });

  void test('timeout, abort and network errors', async () => {
    const slow = await startSandbox({ port: 0, speed: 0, faults: { latencyMs: [2000, 2000] } });
    try {
      const c = new FlowRunsClient({ baseUrl: slow.url, apiKey: slow.defaultKey, clientVersion: 't', timeoutMs: 100 });
      assert.equal((await failure(c.getRun('x'))).kind, 'timeout');
      const ac = new AbortController();
      const p = c.getRun('x', { signal: ac.signal, timeoutMs: 10_000 });
      ac.abort();
      assert.equal((await failure(p)).kind, 'aborted');
    } finally {
      await slow.close();
    }
    const gone = new FlowRunsClient({ baseUrl: slow.url, apiKey: 'inf_x_key_0001', clientVersion: 't', retry: { maxRetries: 1, baseDelayMs: 1 } });
    assert.equal((await failure(gone.getRun('x'))).kind, 'network');
  });

  void test('no key and an insecure base URL are refused before sending', async () => {
    const before = sb.stats().requests;
    assert.equal((await failure(client('').getRun('x'))).kind, 'no_key');
    const insecure = new FlowRunsClient({ baseUrl: sb.url.replace('127.0.0.1', 'sandbox.example.com'), apiKey: sb.defaultKey, clientVersion: 't' });
    assert.equal((await failure(insecure.getRun('x'))).kind, 'insecure_url');
    assert.equal(sb.stats().requests, before);
  });

  void test('streams: a 401/403/404 on connect is a fatal error', async () => {
    const run = sb.createRunDirect('flow_image_pipeline', { prompt: 'p' });
    const results: [string, boolean][] = [];
    for (const [key, id] of [['inf_bad_key_000', run.id], [SANDBOX_KEYS.noRead, run.id], [sb.defaultKey, 'flowrun_nope']] as const) {
      const conn = client(key).streamRun(id, {
        onObject: () => undefined,
        onPartial: () => undefined,
        onError: (e, fatal) => {
          errors.push(e);
          results.push([isApiError(e) ? e.kind : 'other', fatal]);
        },
      });
      await conn.closed;
    }
    assert.deepEqual(results, [['unauthorized', true], ['forbidden', true], ['not_found', true]]);
    await finished(run.id);
  });

  void test('no key in any error or log line', () => {
    assert.ok(errors.length > 15);
    for (const e of errors) {
      for (const key of Object.values(SANDBOX_KEYS)) assertNoSecret(e, key);
    }
    for (const line of logger.lines) for (const key of Object.values(SANDBOX_KEYS)) assert.ok(!line.includes(key), line);
  });
});

void describe('follower on the sandbox', () => {
  void test('follows a 12-node fan-out to the end and matches the server exactly', async () => {
    const run = sb.createRunDirect('flow_fanout', { topic: 'rivers' });
    const f = new RunFollower(client(), run.id, { silenceMs: 2000, backoff: { baseMs: 5, maxMs: 50 } });
    let changes = 0;
    f.onDidChange(() => changes++);
    f.start();
    const view = await f.done;
    assert.equal(view.state, 'ended');
    assert.deepEqual(view.run, sb.getRun(run.id));
    for (const ref of Object.values(view.run?.node_tasks ?? {})) {
      assert.deepEqual(view.tasks[ref.task_id], sb.getTask(ref.task_id), `task ${ref.task_id}`);
    }
    assert.ok(changes > 3);
    await waitFor(() => sb.stats().openStreams === 0, 5000, 'no stream left open');
  });

  void test('a failing flow ends Failed with its error', async () => {
    const run = sb.createRunDirect('flow_flaky', {});
    const f = new RunFollower(client(), run.id, { silenceMs: 2000, backoff: { baseMs: 5, maxMs: 50 } });
    f.start();
    const view = await f.done;
    const server = sb.getRun(run.id);
    assert.equal(view.run?.status, server?.status);
    assert.equal(view.run?.error, server?.error);
    assert.deepEqual(view.run?.node_statuses, server?.node_statuses);
  });

  void test('stop() mid-run closes both streams on the server', async () => {
    const c = client();
    const run = await c.createRun('flow_slow', { seconds: 30 });
    const f = new RunFollower(c, run.data.id, { silenceMs: 2000 });
    f.start();
    await waitFor(() => f.view.state === 'live', 5000, 'live');
    await waitFor(() => sb.stats().openStreams === 2, 5000, 'two streams open');
    await f.stop();
    assert.equal(f.view.state, 'stopped');
    await waitFor(() => sb.stats().openStreams === 0, 5000, 'the server sees both streams closed');
    await c.cancelRun(run.data.id);
  });
});
