// Issue 14: the client against answers the seed page allows but our sandbox
// once never sent. Each test here failed against the client before the fix.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowRunsClient } from '../../src/api/client';
import { ApiError, isApiError, type ApiError as ApiErrorType } from '../../src/api/errors';
import { FlowRunStatus, type FlowRun, type ListPage, type ListRequest } from '../../src/api/models';
import { RunFollower } from '../../src/runs/follower';
import { FollowerRegistry } from '../../src/runs/followers';
import { RunGroups } from '../../src/runs/groups';
import { RunStore } from '../../src/runs/store';
import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../src/sandbox';
import { FakeApi, at, makeRun, makeTask } from './helpers/fakeApi';
import { failOnUnhandledRejection } from './helpers/guards';
import { sendJson, sendProblem, startTestServer, waitFor, type TestServer } from './helpers/testServer';

failOnUnhandledRejection();

const fast = { silenceMs: 60_000, backoff: { baseMs: 5, maxMs: 50 } };
const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function live(api: FakeApi): Promise<RunFollower> {
  const f = new RunFollower(api, 'fr_1', fast);
  closers.push(() => f.stop());
  f.start();
  await waitFor(() => f.view.state === 'live', 5000, 'live');
  return f;
}

function clientFor(url: string, key: string, extra: Partial<ConstructorParameters<typeof FlowRunsClient>[0]> = {}): FlowRunsClient {
  return new FlowRunsClient({ baseUrl: url, apiKey: key, clientVersion: 'test', timeoutMs: 5000, retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 }, ...extra });
}

async function server(handler: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const s = await startTestServer(handler);
  closers.push(() => s.close());
  return s;
}

void describe('1. task details with a key that lacks apps:read', () => {
  void test('a flows-only key costs one refused GET /tasks for the whole session, and the panel says once what is missing', async () => {
    const sb: Sandbox = await startSandbox({ speed: 0.02, seed: 3 });
    closers.push(() => sb.close());
    const api = clientFor(sb.url, SANDBOX_KEYS.flowsOnly);
    const registry = new FollowerRegistry(() => api, fast);
    closers.push(() => registry.dispose());
    // Two fan-out runs, one after the other, through the same registry (as the tree and panels share it).
    for (const n of [1, 2]) {
      const { data: run } = await api.createRun('flow_fanout', { topic: `run ${n}` });
      const handle = registry.acquire(run.id);
      const view = await handle.follower.done;
      handle.release();
      assert.equal(view.state, 'ended');
      const server = sb.getRun(run.id);
      assert.equal(view.run?.status, server?.status);
      assert.deepEqual(view.run?.node_statuses, server?.node_statuses);
      // The nested node_tasks copies (and the tasks stream) still give every task's status.
      for (const ref of Object.values(server?.node_tasks ?? {})) {
        assert.equal(view.tasks[ref.task_id]?.status, sb.getTask(ref.task_id)?.status, `task ${ref.task_id}`);
      }
      assert.equal(view.taskAccess?.scope, 'apps:read');
    }
    const refused = sb.stats().byStatus['GET /tasks/:id']?.['403'] ?? 0;
    assert.equal(refused, 1, `GET /tasks answered 403 ${refused} times (once is the whole cost)`);
  });

  void test('a 404 on one task is remembered for that task; Retry asks again', async () => {
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_gone' } } }));
    const registry = new FollowerRegistry(() => api, fast);
    closers.push(() => registry.dispose());
    const h = registry.acquire('fr_1');
    await waitFor(() => h.follower.view.state === 'live');
    await waitFor(() => api.getTaskCalls.length === 1);
    // More events naming the task: no more GETs for it.
    for (let i = 2; i < 30; i++) api.latest('run').partial({ node_statuses: { a: 'running', b: `s${i}` }, updated_at: at(i) }, ['node_statuses', 'updated_at']);
    api.latest('run').partial({ node_tasks: { a: { task_id: 't_gone' }, b: { task_id: 't_new' } }, updated_at: at(40) }, ['node_tasks', 'updated_at']);
    await waitFor(() => api.getTaskCalls.includes('t_new'));
    assert.deepEqual(api.getTaskCalls.filter((id) => id === 't_gone'), ['t_gone']);
    h.release();
  });

  void test('a finished run whose tasks stream stays open and quiet ends after one quiet read, not ten', async () => {
    // A key without apps:read: the tasks no GET gives are read from the finished run's tasks stream.
    // A server that has nothing more keeps that stream open and silent (the varied profile does).
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_a' } } }));
    api.taskError = new ApiError({ kind: 'forbidden', status: 403, scope: 'apps:read', userMessage: 'needs apps:read' });
    const f = new RunFollower(api, 'fr_1', { ...fast, silenceMs: 200 });
    closers.push(() => f.stop());
    f.start();
    await waitFor(() => f.view.state === 'live', 5000, 'live');
    const before = api.streams.filter((x) => x.kind === 'tasks').length;
    api.run = makeRun({ status: FlowRunStatus.Completed, updated_at: at(9), node_tasks: { a: { task_id: 't_a' } }, node_statuses: { a: 'completed' } });
    api.latest('run').partial({ status: FlowRunStatus.Completed, updated_at: at(9) }, ['status', 'updated_at']);
    const view = await f.done;
    assert.equal(view.state, 'ended');
    const reads = api.streams.filter((x) => x.kind === 'tasks').length - before;
    assert.equal(reads, 1, `the quiet tasks stream was read ${reads} times`);
  });

  void test('a 403 on a task stops every task GET of every follower until the user asks again', async () => {
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_a' }, b: { task_id: 't_b' } } }));
    api.taskError = new ApiError({ kind: 'forbidden', status: 403, scope: 'apps:read', userMessage: 'needs apps:read' });
    const registry = new FollowerRegistry(() => api, fast);
    closers.push(() => registry.dispose());
    const h = registry.acquire('fr_1');
    await waitFor(() => h.follower.view.taskAccess !== undefined);
    const after403 = api.getTaskCalls.length;
    assert.ok(after403 <= 6, 'only the GETs already in flight');
    for (let i = 2; i < 50; i++) api.latest('run').partial({ node_tasks: { a: { task_id: 't_a' }, b: { task_id: 't_b' }, [`n${i}`]: { task_id: `t_${i}` } }, updated_at: at(i) }, ['node_tasks', 'updated_at']);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(api.getTaskCalls.length, after403, 'no GET /tasks after the refusal');
    // The user asks (Retry): the key may have been fixed on the server.
    api.taskError = undefined;
    api.tasks.set('t_a', makeTask('t_a', 'running', 2));
    registry.retryTaskAccess();
    await waitFor(() => api.getTaskCalls.length > after403);
    await waitFor(() => h.follower.view.taskAccess === undefined);
    h.release();
  });
});

void describe('2. partial updates of other shapes', () => {
  void test('{id, data, fields} on the run stream is a partial, not a run that replaces ours', async () => {
    const api = new FakeApi(makeRun({ node_statuses: { a: 'running', b: 'pending' } }));
    const f = await live(api);
    api.latest('run').partial({ node_statuses: { a: 'completed', b: 'running' }, updated_at: at(3) }, ['node_statuses', 'updated_at'], 'message', 'fr_1');
    assert.equal(f.view.run?.status, FlowRunStatus.Running, 'the status is kept');
    assert.equal(f.view.run?.flow_id, 'flow_a');
    assert.deepEqual(f.view.run?.node_statuses, { a: 'completed', b: 'running' });
    // One naming another run is not ours.
    api.latest('run').partial({ status: 4, updated_at: at(4) }, ['status'], 'message', 'fr_other');
    assert.equal(f.view.run?.status, FlowRunStatus.Running);
  });

  void test('a task partial whose data lacks the id is placed by its top-level id', async () => {
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_a' } } }));
    api.tasks.set('t_a', makeTask('t_a', 'running', 1));
    const f = await live(api);
    await waitFor(() => f.view.tasks.t_a !== undefined);
    api.latest('tasks').partial({ status: 'completed', updated_at: at(5) }, ['status', 'updated_at'], 'message', 't_a');
    assert.equal(f.view.tasks.t_a.status, 'completed');
  });

  void test('a partial that names nothing is not dropped silently: the follower resyncs with a GET', async () => {
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_a' } } }));
    api.tasks.set('t_a', makeTask('t_a', 'running', 1));
    const f = await live(api);
    const gets = api.getRunCalls;
    api.latest('tasks').partial({ status: 'completed', updated_at: at(5) }, ['status', 'updated_at']);
    await waitFor(() => api.getRunCalls === gets + 1 && f.view.state === 'live', 5000, 'a resync GET');
  });

  void test('a full task without logs on the tasks stream keeps the logs held', async () => {
    const log = { id: 'l1', created_at: at(1), updated_at: at(1), task_id: 't_a', log_type: 1, content: 'hello' };
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_a' } } }));
    api.tasks.set('t_a', makeTask('t_a', 'running', 1, { logs: [log] }));
    const f = await live(api);
    await waitFor(() => f.view.tasks.t_a?.logs?.length === 1);
    const { logs: _omitted, ...withoutLogs } = makeTask('t_a', 'running', 2, { output: { step: 2 } });
    api.latest('tasks').object(withoutLogs);
    assert.deepEqual(f.view.tasks.t_a.output, { step: 2 });
    assert.deepEqual(f.view.tasks.t_a.logs, [log], 'the logs are still there');
  });

  void test('a task first seen without logs is fetched whole once, not on every event', async () => {
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_a' } } }));
    const f = await live(api);
    const before = api.getTaskCalls.length;
    api.tasks.set('t_x', makeTask('t_x', 'running', 1, { logs: [{ id: 'l', created_at: at(1), updated_at: at(1), task_id: 't_x', log_type: 1, content: 'x' }] }));
    for (let i = 2; i < 20; i++) {
      const { logs: _l, ...bare } = makeTask('t_x', 'running', i);
      api.latest('tasks').object(bare);
    }
    await waitFor(() => f.view.tasks.t_x?.logs?.length === 1, 5000, 'logs fetched');
    assert.equal(api.getTaskCalls.filter((id) => id === 't_x').length, 1);
    assert.ok(api.getTaskCalls.length - before >= 1);
  });
});

void describe('3. counts and times', () => {
  function pageOf(items: FlowRun[], extra: Partial<ListPage<FlowRun>> = {}): ListPage<FlowRun> {
    return { items, has_next: false, next_cursor: null, ...extra };
  }

  void test('total_items 0 (or absent) while items exist: the group count is unknown, not 0', async () => {
    const runs = [makeRun({ id: 'fr_a', status: 2, created_at: at(3) }), makeRun({ id: 'fr_b', status: 2, created_at: at(2) })];
    const list = (req: ListRequest): Promise<ListPage<FlowRun>> => Promise.resolve(pageOf(runs.slice(0, req.limit ?? 25), { has_next: true, next_cursor: 'c', total_items: 0 }));
    const groups = new RunGroups(new RunStore(), list, { pageSize: 5 });
    closers.push(() => Promise.resolve(groups.dispose()));
    await groups.ensureLoaded(FlowRunStatus.Running);
    assert.equal(groups.runsOf(FlowRunStatus.Running).length, 2);
    assert.equal(groups.state(FlowRunStatus.Running).total, undefined, 'unknown: the tree then says "2+"');
  });

  void test('a run without created_at is placed (by updated_at) without throwing', async () => {
    const noCreated = { ...makeRun({ id: 'fr_nc', status: 2, updated_at: at(5) }) } as Partial<FlowRun>;
    delete noCreated.created_at;
    const runs = [makeRun({ id: 'fr_a', status: 2, created_at: at(3) }), noCreated as FlowRun];
    const list = (): Promise<ListPage<FlowRun>> => Promise.resolve(pageOf(runs, { total_items: 2 }));
    const groups = new RunGroups(new RunStore(), list, { pageSize: 5 });
    closers.push(() => Promise.resolve(groups.dispose()));
    await groups.ensureLoaded(FlowRunStatus.Running);
    assert.deepEqual(groups.runsOf(FlowRunStatus.Running).map((r) => r.id), ['fr_nc', 'fr_a']);
    await groups.refresh(new Set([FlowRunStatus.Running]));
    await groups.loadMore(FlowRunStatus.Running);
  });
});

void describe('4. rate limits', () => {
  void test('X-RateLimit-Reset in delta seconds is a wait of that many seconds', async () => {
    const s = await server((_req, res) => sendProblem(res, 429, 'rate_limited', 'slow down', {}, { 'X-RateLimit-Reset': '30', 'X-RateLimit-Remaining': '0' }));
    const err = await clientFor(s.url, 'inf_rate_key', { timeoutMs: 2000 }).getRun('fr_1').then(() => undefined, (e: unknown) => e);
    assert.ok(isApiError(err) && err.kind === 'rate_limited');
    assert.ok((err.retryAfterMs ?? 0) > 25_000 && (err.retryAfterMs ?? 0) <= 30_000, `waits ~30 s, not 0 (got ${String(err.retryAfterMs)})`);
    assert.equal(s.requests.length, 1, 'no retries within a 2 s deadline');
  });

  void test('a create that spent its budget does not hold back reads', async () => {
    const s = await server((req, res) => {
      if (req.method === 'POST' && req.url === '/flowruns') {
        sendJson(res, 201, makeRun(), { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '3600' });
      } else sendJson(res, 200, makeRun(), { 'X-RateLimit-Remaining': '999', 'X-RateLimit-Reset': '60' });
    });
    const c = clientFor(s.url, 'inf_rate_key');
    await c.createRun('flow_a', {});
    const run = await c.getRun('fr_1');
    assert.equal(run.id, 'fr_1');
    // A second create waits for its own window: refused at once here (the wait is past the deadline).
    const err = await c.createRun('flow_a', {}).then(() => undefined, (e: unknown) => e);
    assert.ok(isApiError(err) && err.kind === 'rate_limited');
    assert.match(err.userMessage, /Try again at \d\d:\d\d/);
    assert.equal(s.requests.filter((r) => r.method === 'POST' && r.path === '/flowruns').length, 1);
  });
});

void describe('5. a 403 that is not about a scope', () => {
  void test('keeps the scope hint and shows what the server said', async () => {
    const sb = await startSandbox({ speed: 0, faults: { rate403: 1, routes: ['POST /flowruns'] } });
    closers.push(() => sb.close());
    const err = await clientFor(sb.url, sb.defaultKey).createRun('flow_image_pipeline', { prompt: 'x' }).then(() => undefined, (e: unknown) => e);
    assert.ok(isApiError(err));
    const e: ApiErrorType = err;
    assert.equal(e.status, 403);
    assert.match(e.userMessage, /one-time password/i);
    assert.match(e.userMessage, /flows:execute/);
  });
});

void describe('7. one stream ending does not drop the other', () => {
  void test('the tasks stream ending (done) leaves the run stream open; only the tasks stream is reopened', async () => {
    const api = new FakeApi(makeRun());
    const f = await live(api);
    const run = api.latest('run');
    const streams = api.streams.length;
    api.latest('tasks').end();
    await waitFor(() => api.streams.length === streams + 1, 5000, 'the tasks stream reopened');
    assert.ok(run.open, 'the run stream was never closed');
    assert.equal(api.latest('tasks').kind, 'tasks');
    assert.equal(f.view.state, 'live', 'an idle tasks stream is not a connection problem');
    // Run events keep flowing on the stream that stayed.
    run.partial({ node_statuses: { a: 'completed', b: 'running' }, updated_at: at(9) }, ['node_statuses', 'updated_at']);
    assert.deepEqual(f.view.run?.node_statuses, { a: 'completed', b: 'running' });
  });

  void test('a server that ends every tasks stream at once: the run stream is still read to the end', async () => {
    const sb = await startSandbox({ speed: 0.02, seed: 5 });
    closers.push(() => sb.close());
    // A proxy in front of the sandbox whose tasks stream ends immediately with `done`.
    const proxy = await server(async (req, res) => {
      if (req.url?.endsWith('/tasks/stream')) {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.end('event: done\ndata: {}\n\n');
        return;
      }
      const upstream = await fetch(`${sb.url}${req.url ?? ''}`, { method: req.method, headers: { authorization: String(req.headers.authorization), accept: String(req.headers.accept ?? '*/*') } });
      res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/json' });
      if (!upstream.body) {
        res.end();
        return;
      }
      const reader = upstream.body.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) res.write(r.value);
      res.end();
    });
    const api = clientFor(proxy.url, sb.defaultKey);
    const created = sb.createRunDirect('flow_fanout', { topic: 'idle tasks stream' });
    const lines: string[] = [];
    const logger = { trace: () => undefined, debug: (m: string) => lines.push(m), info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const f = new RunFollower(api, created.id, { ...fast, logger });
    closers.push(() => f.stop());
    f.start();
    const view = await f.done;
    assert.equal(view.state, 'ended');
    assert.equal(view.run?.status, sb.getRun(created.id)?.status);
    const runStreams = proxy.requests.filter((r) => /\/flowruns\/[^/]+\/stream$/.test(r.path)).length;
    const runGets = proxy.requests.filter((r) => r.method === 'GET' && /\/flowruns\/[^/]+$/.test(r.path)).length;
    // Before: every tasks-stream `done` tore both streams down, and it reconnected until a GET saw the end.
    assert.equal(runStreams, 1, `one run stream, read to its end: ${lines.join('\n')}\n${proxy.requests.map((r) => r.path).join('\n')}`);
    // Every GET of the run is a resync after a (re)connect (or the final one), none more.
    const taskStreams = proxy.requests.filter((r) => r.path.endsWith('/tasks/stream')).length;
    assert.ok(runGets <= taskStreams + runStreams + 1, `${runGets} GETs of the run for ${taskStreams + runStreams} stream connections`);
  });
});
