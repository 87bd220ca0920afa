// The bad-input catalogue in plain Node (the layers the extension uses, over
// real HTTP): answers that are not JSON or are cut off, statuses outside the
// enums, a 500-node run, a 5 MB log and outputs nested 900 and 20,000 deep. Each gives
// a clear message or a graceful result, and nothing is lost.
// (Malformed input files are the Run Flow suite's: test/vscode/suite/runFlow.test.ts.)
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FlowRunsClient } from '../../src/api/client';
import { isApiError, type ApiError } from '../../src/api/errors';
import { MAX_JSON_DEPTH, TOO_DEEP } from '../../src/api/limits';
import {
  FlowRunStatus, LogType, TaskStatus, toFlowRunStatus, type Flow, type FlowRun, type ListPage, type ListRequest, type Task,
} from '../../src/api/models';
import { RunFollower } from '../../src/runs/follower';
import { RunGroups } from '../../src/runs/groups';
import { decodeLogContent } from '../../src/runs/logContent';
import { RunStore } from '../../src/runs/store';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { LogTracker } from '../../src/views/panel/panelDiff';
import { collectTasks, graphSourceOf, toPanelGraph, toPanelRun, toPanelTask } from '../../src/views/panel/panelModel';
import { failOnUnhandledRejection } from './helpers/guards';

failOnUnhandledRejection();

const KEY = 'inf_bad_input_suite_key';
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function server(route: Route): Promise<string> {
  const sockets = new Set<Socket>();
  const s = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => route(req, res));
  });
  s.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  closers.push(() => new Promise<void>((resolve) => {
    for (const sock of sockets) sock.destroy();
    s.close(() => resolve());
  }));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function client(url: string): FlowRunsClient {
  return new FlowRunsClient({ baseUrl: url, apiKey: KEY, clientVersion: '0.0.0-test', timeoutMs: 5000, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 } });
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isApiError(e), `an ApiError, not ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 'bottom <b>not bold</b>' };
  for (let i = depth - 1; i >= 0; i--) v = { [`level${i}`]: v };
  return v;
}

/** Follows a finished run whose output (on the GET and the stream) is `deep`. */
async function followDeep(deepJson: string): Promise<{ follower: RunFollower }> {
  const now = '2025-03-01T00:00:00Z';
  // Written as text: JSON.stringify itself overflows the stack on the deepest values.
  const body = `{"id":"fr_deep","flow_id":"flow_deep","status":${FlowRunStatus.Completed},"input":{},"output":{"value":${deepJson}},`
    + `"node_outputs":{"echo":{"value":${deepJson}}},"created_at":"${now}","updated_at":"${now}"}`;
  const partial = `{"data":{"id":"fr_deep","output":{"value":${deepJson}},"updated_at":"${now}"},"fields":["output"]}`;
  const url = await server((req, res) => {
    if (req.url?.endsWith('/stream')) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end(`data: ${partial}\n\nevent: done\ndata: {}\n\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  const follower = new RunFollower(client(url), 'fr_deep', { backoff: { baseMs: 10, maxMs: 100 }, streamTasks: false });
  follower.start();
  await follower.done;
  await follower.stop();
  return { follower };
}

function depthOf(v: unknown): number {
  let d = 0;
  let cur = v;
  while (cur && typeof cur === 'object') {
    const values = Object.values(cur as Record<string, unknown>);
    const next = values.find((x) => x && typeof x === 'object');
    if (!next) break;
    cur = next;
    d++;
  }
  return d;
}

describe('server bodies that are not JSON, or are cut off', () => {
  const bodies: Record<string, (res: http.ServerResponse) => void> = {
    'an HTML page': (res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><html><body>Sign in to the proxy</body></html>');
    },
    'plain text': (res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('OK');
    },
    'JSON cut off mid-way (complete HTTP body)': (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"data": {"id": "fr_1", "status": 2, "inp');
    },
    'a body shorter than its Content-Length (connection dropped)': (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
      res.write('{"data": {"id": "fr_1", ');
      setTimeout(() => res.socket?.destroy(), 20);
    },
    'a JSON value that is not the object asked for': (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('[1, 2, 3]');
    },
  };

  for (const [name, send] of Object.entries(bodies)) {
    test(`${name}: every read says 'bad_response' in a sentence, never crashes`, async () => {
      const url = await server((_req, res) => send(res));
      const api = client(url);
      const calls: [string, () => Promise<unknown>][] = [
        ['GET run', () => api.getRun('fr_1')],
        ['GET task', () => api.getTask('task_1')],
        ['GET flow', () => api.getFlow('flow_1')],
      ];
      if (!name.startsWith('a JSON value')) calls.push(['POST list', () => api.listRuns({ limit: 5 })]);
      for (const [what, call] of calls) {
        const err = await failure(call());
        assert.equal(err.kind, 'bad_response', `${what}: ${err.kind} ${err.userMessage}`);
        assert.match(err.userMessage, /not JSON|cut off|did not contain the expected object|not a list page/, `${what}: ${err.userMessage}`);
        assert.match(err.userMessage, /\.$/, 'a whole sentence');
      }
    });
  }

  test('a stream answered with a web page is a clear bad_response, and the follower keeps trying (nothing lost once the server heals)', async () => {
    let healed = false;
    const run: FlowRun = {
      id: 'fr_heal', flow_id: 'flow_a', status: FlowRunStatus.Completed, input: {}, output: { text: 'final' },
      created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:05Z',
    } as FlowRun;
    const url = await server((req, res) => {
      if (!healed) {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html>maintenance</html>');
        return;
      }
      if (req.url?.endsWith('/stream')) {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify(run)}\n\n`);
        res.end('event: done\ndata: {}\n\n');
        return;
      }
      const text = JSON.stringify(run);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(text);
    });
    const errors: Error[] = [];
    const conn = client(url).streamRun('fr_heal', { onObject: () => undefined, onPartial: () => undefined, onError: (e) => errors.push(e) });
    await conn.closed;
    const streamError = errors.find(isApiError);
    assert.equal(streamError?.kind, 'bad_response');
    assert.match(streamError?.userMessage ?? '', /instead of an event stream/);

    const follower = new RunFollower(client(url), 'fr_heal', { backoff: { baseMs: 5, maxMs: 30 }, streamTasks: false });
    const states = new Set<string>();
    follower.onDidChange((c) => states.add(c.view.state));
    follower.start();
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(states.has('reconnecting'), `the follower retries a broken answer: ${[...states].join(', ')}`);
    healed = true;
    const view = await follower.done;
    await follower.stop();
    assert.equal(view.state, 'ended');
    assert.deepEqual(view.run?.output, { text: 'final' });
  });
});

describe('statuses outside the enums are Unknown, never a crash', () => {
  const now = '2025-02-01T00:00:00Z';
  const weird: FlowRun[] = [
    { id: 'fr_99', status: 99 },
    { id: 'fr_neg', status: -1 },
    { id: 'fr_frac', status: 2.5 },
    { id: 'fr_str', status: 'exploded' },
    { id: 'fr_null', status: null },
    { id: 'fr_missing' },
    { id: 'fr_ok', status: FlowRunStatus.Running },
  ].map((r) => ({ flow_id: 'flow_a', input: {}, created_at: now, updated_at: now, ...r }) as unknown as FlowRun);

  test('the store and the groups place them in the Unknown group, which then shows', async () => {
    const store = new RunStore();
    const list = (req: ListRequest): Promise<ListPage<FlowRun>> => {
      const want = req.filters?.find((f) => f.field === 'status')?.value;
      const items = weird.filter((r) => toFlowRunStatus(r.status) === want);
      return Promise.resolve({ items: items.slice(0, req.limit), has_next: false, next_cursor: null, total_items: items.length });
    };
    const groups = new RunGroups(store, list, { pageSize: 25 });
    await groups.refresh(new Set([FlowRunStatus.Unknown, FlowRunStatus.Running]));
    await groups.ensureLoaded(FlowRunStatus.Unknown);
    assert.ok(groups.shownStatuses().includes(FlowRunStatus.Unknown), 'the Unknown group shows when it has runs');
    assert.deepEqual(groups.runsOf(FlowRunStatus.Unknown).map((r) => r.id).sort(), ['fr_99', 'fr_frac', 'fr_missing', 'fr_neg', 'fr_null', 'fr_str']);
    assert.deepEqual(groups.runsOf(FlowRunStatus.Running).map((r) => r.id), ['fr_ok']);
    // A known run that turns into nonsense moves to Unknown; back to sense, it moves back.
    store.upsert({ ...weird[6], status: 42 as FlowRunStatus, updated_at: '2025-02-01T00:00:01Z' });
    assert.equal(groups.groupOf('fr_ok'), FlowRunStatus.Unknown);
    store.upsert({ ...weird[6], status: FlowRunStatus.Completed, updated_at: '2025-02-01T00:00:02Z' });
    assert.equal(groups.groupOf('fr_ok'), FlowRunStatus.Completed);
    groups.dispose();
    store.dispose();
  });

  test('the panel model says Unknown for the run, unknown for nodes and tasks', () => {
    const task = {
      id: 'task_w', status: 77, app_id: 'x/y', input: {}, output: null, created_at: now, updated_at: now,
      events: [{ id: 'e1', created_at: now, event_time: now, task_id: 'task_w', status: 'teleporting' }], logs: [],
    } as unknown as Task;
    const run = {
      ...weird[0], node_tasks: { a: { task_id: 'task_w' }, b: { task_id: 'task_v' } },
      node_statuses: { a: 'exploded', b: 42 },
    } as unknown as FlowRun;
    const tasks = collectTasks(run, { task_w: task });
    const panelRun = toPanelRun(run, tasks, 'A flow');
    assert.equal(panelRun.status, FlowRunStatus.Unknown);
    assert.equal(panelRun.statusName, 'Unknown');
    assert.deepEqual(panelRun.nodeStatuses, { a: 'unknown', b: 'unknown' });
    const panelTask = toPanelTask(task, 'a');
    assert.equal(panelTask.status, TaskStatus.Unknown);
    assert.equal(panelTask.statusName, 'unknown');
    assert.deepEqual(panelTask.events.map((e) => e.statusName), ['unknown']);
    for (const r of weird) assert.doesNotThrow(() => toPanelRun(r, new Map(), undefined), r.id);
  });
});

describe('big and deep data', () => {
  let sandbox: Sandbox;
  after(async () => sandbox?.close());

  async function sb(): Promise<Sandbox> {
    sandbox ??= await startSandbox({ port: 0, speed: 0, keys: [{ key: KEY, scopes: [] }] });
    return sandbox;
  }

  async function follow(s: Sandbox, runId: string): Promise<RunFollower> {
    const follower = new RunFollower(client(s.url), runId, { backoff: { baseMs: 10, maxMs: 200 } });
    follower.start();
    await follower.done;
    await follower.stop();
    return follower;
  }

  test('a run of a 500-node flow converges and its graph has all 500 nodes', async () => {
    const s = await sb();
    const now = new Date().toISOString();
    const nodes = Array.from({ length: 500 }, (_, i) => ({ id: `n${i}`, type: 'app', position: { x: (i % 25) * 200, y: Math.floor(i / 25) * 100 } }));
    // 20 layers of 25: each node feeds the node below it.
    const edges = nodes.slice(25).map((n, i) => ({ id: `e${i}`, type: 'default', source: nodes[i].id, target: n.id }));
    const flow: Flow = {
      id: 'flow_500', created_at: now, updated_at: now, name: 'five-hundred', title: '500 nodes', nodes, edges,
      node_data: Object.fromEntries(nodes.map((n) => [n.id, { app_id: 'sandbox/echo', function: 'run', input: { n: n.id } }])),
    };
    s.addFlow(flow);
    const created = s.createRunDirect('flow_500', {});
    const follower = await follow(s, created.id);
    const server = s.getRun(created.id);
    assert.equal(server?.status, FlowRunStatus.Completed);
    const view = follower.view;
    assert.equal(view.state, 'ended');
    assert.equal(view.run?.status, FlowRunStatus.Completed);
    assert.deepEqual(view.run?.node_statuses, server?.node_statuses);
    assert.deepEqual(view.run?.output, server?.output);
    assert.equal(Object.keys(view.tasks).length, 500, 'every node task is held');
    const panelRun = toPanelRun(view.run, collectTasks(view.run, view.tasks), '500 nodes');
    assert.equal(Object.values(panelRun.nodeStatuses).filter((st) => st === 'completed').length, 500);
    const source = graphSourceOf(view.run, flow);
    assert.ok(source, 'a graph to draw');
    const graph = toPanelGraph(source);
    assert.equal(graph.nodes.length, 500);
    assert.equal(graph.edges.length, 475);
  });

  test('an output nested 900 deep survives the stream, the GET and the panel model intact', async () => {
    // Served by a small server: the sandbox itself deep-copies runs with structuredClone, whose
    // recursion stops short of depth 2000 in Node 20 (see the report).
    const deep = nested(900);
    const { follower } = await followDeep(JSON.stringify(deep));
    assert.equal(follower.view.state, 'ended');
    // Compared as JSON text: node's deepEqual itself recurses too deep for this.
    const want = JSON.stringify({ value: deep });
    assert.equal(JSON.stringify(follower.view.run?.output), want);
    const panelRun = toPanelRun(follower.view.run as FlowRun, new Map(), 'Deep');
    assert.equal(depthOf(panelRun.output), 901);
    // What the host posts must survive JSON (VS Code serialises webview messages).
    assert.equal(JSON.stringify(panelRun.output), want);
  });

  test('an output nested deeper than the limit is cut with a clear marker; the status and the rest still apply', async () => {
    // 20,000 levels: JSON.stringify (and any recursive merge) of this overflows the stack.
    const depth = 20_000;
    const deepJson = `${'{"level":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`;
    const { follower } = await followDeep(deepJson);
    assert.equal(follower.view.state, 'ended');
    assert.equal(follower.view.run?.status, FlowRunStatus.Completed);
    const text = JSON.stringify(follower.view.run?.output);
    assert.ok(text.includes(JSON.stringify(TOO_DEEP)), 'the cut part says why it is missing');
    assert.ok(depthOf(follower.view.run?.output) < MAX_JSON_DEPTH, 'nothing deeper than the limit is kept');
    const panelRun = toPanelRun(follower.view.run, new Map(), 'Deep');
    assert.ok(JSON.stringify(panelRun.output).includes('too deeply nested to display'));
  });

  test('a 5 MB task log arrives whole, decodes from base64 exactly, and the panel sends it all', async () => {
    const line = 'step 0001: généré ✓ <script>window.__pwned=1</script>\n';
    const text = line.repeat(Math.ceil((5 * 1024 * 1024) / Buffer.byteLength(line)));
    const now = '2025-03-01T00:00:00Z';
    const task = {
      id: 'task_big', status: TaskStatus.Completed, app_id: 'sandbox/echo', input: {}, output: { ok: true }, created_at: now, updated_at: now, events: [],
      logs: [{ id: 'log_1', created_at: now, updated_at: now, task_id: 'task_big', log_type: LogType.Run, content: Buffer.from(text).toString('base64') }],
    } as unknown as Task;
    const run = {
      id: 'fr_big', flow_id: 'flow_a', status: FlowRunStatus.Completed, input: {}, output: {}, created_at: now, updated_at: now,
      node_tasks: { only: { task_id: 'task_big' } },
    } as unknown as FlowRun;
    const url = await server((req, res) => {
      if (req.url?.endsWith('/stream')) {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.end('event: done\ndata: {}\n\n');
        return;
      }
      const body = JSON.stringify(req.url?.startsWith('/tasks/') ? task : run);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    const follower = new RunFollower(client(url), 'fr_big', { backoff: { baseMs: 10, maxMs: 100 } });
    follower.start();
    await follower.done;
    await follower.stop();
    const got = follower.view.tasks.task_big;
    assert.ok(got, 'the task was fetched');
    let decoded: string;
    try {
      decoded = decodeLogContent(got.logs?.[0]?.content ?? '');
    } catch (e) {
      assert.fail(`decodeLogContent threw on a ${Math.round((got.logs?.[0]?.content.length ?? 0) / 1e6)} MB base64 log: ${String(e)}`);
    }
    assert.ok(Buffer.byteLength(decoded) >= 5 * 1024 * 1024, 'at least 5 MB');
    assert.equal(decoded, text, 'decoded exactly, nothing lost');
    const tracker = new LogTracker();
    const first = tracker.next('task_big', decoded);
    assert.deepEqual(first, { text, reset: true });
    assert.equal(tracker.next('task_big', decoded), undefined, 'nothing sent twice');
  });
});
