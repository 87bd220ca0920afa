// The run panel's pure parts: graph layout and order, diffs, the model the
// host builds, message checking, render batching and the status glyphs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { FlowRunStatus, TaskStatus, type FlowRun, type Task } from '../../src/api/models';
import { parseWebviewMessage, type PanelGraph, type PanelRun, type PanelTask } from '../../src/shared/protocol';
import { LogTracker, PanelDiffer, changedFields } from '../../src/views/panel/panelDiff';
import { refuseReason } from '../../src/views/panel/loopbackImages';
import { collectTasks, toPanelGraph, toPanelRun, toPanelTask } from '../../src/views/panel/panelModel';
import { layoutGraph, longestPathLayers, NODE_H, NODE_W, topoOrder } from '../../src/webview/graphLayout';
import { PanelState } from '../../src/webview/panelState';
import { RenderScheduler } from '../../src/webview/scheduler';
import { NODE_LOOKS } from '../../src/webview/status';
import { englishPanelStrings } from './helpers/panelStrings';

const graph = (nodes: string[], edges: [string, string][], positions?: Record<string, { x: number; y: number }>): PanelGraph => ({
  nodes: nodes.map((id) => ({ id, title: id, app: null, position: positions?.[id] ?? null })),
  edges: edges.map(([source, target]) => ({ id: `${source}-${target}`, source, target })),
});

void describe('graph layout', () => {
  void test('topological order puts every node after its predecessors, ties in flow order', () => {
    const g = graph(['publish', 'validate', 'fetch', 'thumb'], [['fetch', 'validate'], ['fetch', 'thumb'], ['validate', 'publish'], ['thumb', 'publish']]);
    assert.deepEqual(topoOrder(g), ['fetch', 'validate', 'thumb', 'publish']);
  });

  void test('a cycle is broken, so every node appears once', () => {
    const g = graph(['a', 'b', 'c'], [['a', 'b'], ['b', 'c'], ['c', 'b']]);
    const order = topoOrder(g);
    assert.deepEqual([...order].sort(), ['a', 'b', 'c']);
    assert.equal(order[0], 'a');
  });

  void test('layers follow the longest path from the sources', () => {
    const g = graph(['a', 'b', 'c', 'd'], [['a', 'b'], ['b', 'c'], ['a', 'c'], ['c', 'd']]);
    const layers = longestPathLayers(g, topoOrder(g));
    assert.deepEqual(Object.fromEntries(layers), { a: 0, b: 1, c: 2, d: 3 });
  });

  void test('without positions, nodes are laid out in layers that never overlap', () => {
    const fan = ['src', ...Array.from({ length: 10 }, (_, i) => `n${i}`), 'sink'];
    const g = graph(fan, [...fan.slice(1, -1).map((n): [string, string] => ['src', n]), ...fan.slice(1, -1).map((n): [string, string] => [n, 'sink'])]);
    const layout = layoutGraph(g);
    assert.equal(layout.direction, 'tb', 'a wide fan-out runs top to bottom');
    const boxes = [...layout.positions.values()];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const overlap = Math.abs(boxes[i].x - boxes[j].x) < NODE_W && Math.abs(boxes[i].y - boxes[j].y) < NODE_H;
        assert.ok(!overlap, `boxes ${i} and ${j} overlap`);
      }
    }
    assert.ok(layout.positions.get('src')!.y < layout.positions.get('n0')!.y);
    assert.ok(layout.positions.get('n0')!.y < layout.positions.get('sink')!.y);
  });

  void test("the flow's own positions are kept (moved to the origin, spread when boxes would overlap)", () => {
    const g = graph(['a', 'b'], [['a', 'b']], { a: { x: 100, y: 50 }, b: { x: 380, y: 50 } });
    const layout = layoutGraph(g);
    assert.equal(layout.direction, 'free');
    assert.deepEqual(layout.positions.get('a'), { x: 0, y: 0 });
    assert.deepEqual(layout.positions.get('b'), { x: 280, y: 0 });
    const tight = layoutGraph(graph(['a', 'b'], [], { a: { x: 0, y: 0 }, b: { x: 50, y: 0 } }));
    assert.ok(tight.positions.get('b')!.x >= NODE_W, 'spread apart so the boxes do not overlap');
  });
});

/** The simple O(n²) topological order the fast one must match exactly. */
function referenceTopoOrder(g: PanelGraph): string[] {
  const ids = g.nodes.map((n) => n.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const indegree = new Map(ids.map((id) => [id, 0]));
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of g.edges) {
    if (!index.has(e.source) || !index.has(e.target)) continue;
    out.get(e.source)?.push(e.target);
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
  }
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < ids.length) {
    let next = ids.find((id) => !done.has(id) && indegree.get(id) === 0);
    next ??= ids.find((id) => !done.has(id));
    if (next === undefined) break;
    done.add(next);
    order.push(next);
    for (const t of out.get(next) ?? []) indegree.set(t, (indegree.get(t) ?? 0) - 1);
  }
  return order;
}

/** The pairwise spread factor the sweep must match exactly. */
function referenceSpread(points: { x: number; y: number }[]): number {
  let spread = 1;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dx = Math.abs(points[i].x - points[j].x);
      const dy = Math.abs(points[i].y - points[j].y);
      const needX = dx > 0 ? (NODE_W + 28) / dx : Infinity;
      const needY = dy > 0 ? (NODE_H + 28) / dy : Infinity;
      spread = Math.max(spread, Math.min(needX, needY, 8));
    }
  }
  return spread;
}

/** A small deterministic random generator, so failures repeat. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

void describe('graph layout at scale', () => {
  void test('the fast topological order matches the simple one (cycles, repeats, unknown ends)', () => {
    const rand = rng(7);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rand() * 30);
      const ids = Array.from({ length: n }, () => `n${Math.floor(rand() * n * 1.2)}`);
      const edges: [string, string][] = Array.from({ length: Math.floor(rand() * n * 2) }, () =>
        [`n${Math.floor(rand() * n * 1.3)}`, `n${Math.floor(rand() * n * 1.3)}`]);
      const g = graph(ids, edges);
      assert.deepEqual(topoOrder(g), referenceTopoOrder(g), `round ${round}`);
    }
  });

  void test('the spread of positioned nodes matches comparing every pair', () => {
    const rand = rng(11);
    for (let round = 0; round < 100; round++) {
      const n = 2 + Math.floor(rand() * 60);
      const ids = Array.from({ length: n }, (_, i) => `n${i}`);
      const scale = rand() < 0.5 ? 100 : 1500;
      const positions = Object.fromEntries(ids.map((id) => [id, { x: Math.round(rand() * scale), y: Math.round(rand() * scale) }]));
      const layout = layoutGraph(graph(ids, [], positions));
      const minX = Math.min(...ids.map((id) => positions[id].x));
      const minY = Math.min(...ids.map((id) => positions[id].y));
      const spread = referenceSpread(ids.map((id) => positions[id]));
      for (const id of ids) {
        assert.deepEqual(layout.positions.get(id), { x: (positions[id].x - minX) * spread, y: (positions[id].y - minY) * spread }, `round ${round} ${id}`);
      }
    }
  });
});

/** A run of `n` chained nodes, each with its task, all pending. */
function panelFixture(n: number): { run: PanelRun; tasks: PanelTask[]; graph: PanelGraph } {
  const ids = Array.from({ length: n }, (_, i) => `node_${i}`);
  const tasks: PanelTask[] = ids.map((id, i) => ({
    id: `task_${i}`, shortId: `t${i}`, nodeId: id, app: 'sandbox/echo', appTitle: 'Echo', status: 1, statusName: 'received',
    input: { i }, output: null, error: null, startedAt: null, finishedAt: null, events: [],
  }));
  const run: PanelRun = {
    id: 'flowrun_1', shortId: 'r1', flowId: 'flow_1', flowTitle: 'Flow', status: 2, statusName: 'running', error: null,
    createdAt: null, startedAt: null, finishedAt: null, cancelledAt: null, parentTaskId: null, input: {}, output: null,
    nodeStatuses: Object.fromEntries(ids.map((id) => [id, 'pending'])),
    nodeTasks: Object.fromEntries(ids.map((id, i) => [id, `task_${i}`])),
  };
  return { run, tasks, graph: graph(ids, ids.slice(1).map((id, i): [string, string] => [ids[i], id])) };
}

const connection = { state: 'live' as const, wasLive: true, error: null };

void describe('webview state: only what changed is redrawn', () => {
  const snapshotOf = (f: ReturnType<typeof panelFixture>, selectedKey: string | null = null) =>
    ({ type: 'snapshot' as const, runId: f.run.id, strings: englishPanelStrings(), run: f.run, tasks: f.tasks, graph: f.graph, connection, selectedKey });

  void test('a status diff marks exactly the changed rows, and their rows show the new data', () => {
    const f = panelFixture(50);
    const state = new PanelState();
    state.apply(snapshotOf(f, 'node:node_9'));
    assert.equal(state.changedRows, 'all', 'a snapshot redraws everything');
    state.rows();
    state.rendered();
    assert.deepEqual(state.changedRows, new Set());
    assert.equal(state.dirty.size, 0);

    state.apply({ type: 'run', changes: { nodeStatuses: { ...f.run.nodeStatuses, node_3: 'running', node_4: 'completed' } } });
    state.apply({ type: 'tasks', changes: [{ id: 'task_7', status: 5, statusName: 'running' }] });
    assert.deepEqual([...(state.changedRows as Set<string>)].sort(), ['node:node_3', 'node:node_4', 'node:node_7']);
    assert.ok(!state.dirty.has('details'), 'the selected row did not change, so its details are not redrawn');
    assert.equal(state.row('node:node_3')?.look.cls, 'running');
    assert.equal(state.row('node:node_4')?.look.cls, 'completed');
    assert.equal(state.row('node:node_7')?.task?.statusName, 'running');
    assert.equal(state.rowOfNode('node_4')?.statusName, 'completed');

    // The rows are the same as a fresh state holding the same data would build.
    const fresh = new PanelState();
    fresh.apply({
      ...snapshotOf(f),
      run: { ...f.run, nodeStatuses: { ...f.run.nodeStatuses, node_3: 'running', node_4: 'completed' } },
      tasks: f.tasks.map((t) => (t.id === 'task_7' ? { ...t, status: 5, statusName: 'running' } : t)),
    });
    assert.deepEqual(state.rows(), fresh.rows());
    state.rendered();

    state.apply({ type: 'tasks', changes: [{ id: 'task_9', statusName: 'queued', status: 2 }] });
    assert.ok(state.dirty.has('details'), "the selected row's task changed: its details are redrawn");
  });

  void test('a task no row knows yet, new node tasks, a new graph or going stale redraw every row', () => {
    const f = panelFixture(5);
    const state = new PanelState();
    state.apply(snapshotOf(f));
    state.rows();
    state.rendered();
    const loose: PanelTask = { ...f.tasks[0], id: 'task_extra', nodeId: null, startedAt: '2025-01-01T00:00:00Z' };
    state.apply({ type: 'tasks', changes: [loose] });
    assert.equal(state.changedRows, 'all');
    assert.deepEqual(state.rows().map((r) => r.key).slice(-1), ['task:task_extra'], 'the loose task gets a row after the nodes');
    state.rendered();

    state.apply({ type: 'run', changes: { nodeTasks: { ...f.run.nodeTasks, node_0: 'task_extra' } } });
    assert.equal(state.changedRows, 'all');
    assert.equal(state.row('node:node_0')?.taskId, 'task_extra');
    assert.equal(state.row('task:task_0')?.taskId, 'task_0', 'the old task is now a loose row');
    state.rendered();

    state.apply({ type: 'connection', connection: { state: 'reconnecting', wasLive: true, error: null } });
    assert.equal(state.changedRows, 'all', 'stale rows stop spinning and ticking');
    state.rendered();
    state.apply({ type: 'connection', connection: { state: 'reconnecting', wasLive: true, error: null } });
    assert.deepEqual(state.changedRows, new Set(), 'no change in staleness, no row redrawn');
  });

  void test('the once-a-second tick redraws only rows whose task is still running', () => {
    const f = panelFixture(6);
    f.tasks[2] = { ...f.tasks[2], startedAt: '2025-01-01T00:00:00Z' };
    f.tasks[3] = { ...f.tasks[3], startedAt: '2025-01-01T00:00:00Z', finishedAt: '2025-01-01T00:00:05Z' };
    const state = new PanelState();
    state.apply(snapshotOf(f));
    state.rows();
    state.rendered();
    state.markTicking();
    assert.deepEqual([...(state.changedRows as Set<string>)], ['node:node_2']);
  });
});

void describe('panel diffs', () => {
  void test('only changed fields are sent; nothing when nothing changed', () => {
    assert.deepEqual(changedFields({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 3 } }), { b: { c: 3 } });
    assert.equal(changedFields({ a: 1, b: [1] }, { a: 1, b: [1] }), undefined);
  });

  void test('tasks: a new task comes whole, a changed one with its changed fields and id', () => {
    const task = toPanelTask({ id: 't1', status: TaskStatus.Running, app_id: 'x', created_at: '1', updated_at: '1' }, 'n1');
    const differ = new PanelDiffer();
    differ.reset(undefined, []);
    assert.deepEqual(differ.taskChanges([task]), [task]);
    assert.deepEqual(differ.taskChanges([task]), []);
    const done = { ...task, status: 10, statusName: 'completed' };
    assert.deepEqual(differ.taskChanges([done]), [{ id: 't1', status: 10, statusName: 'completed' }]);
  });

  void test('logs: appended text only; a rewritten log replaces', () => {
    const logs = new LogTracker();
    assert.deepEqual(logs.next('t', 'a\n'), { text: 'a\n', reset: true });
    assert.equal(logs.next('t', 'a\n'), undefined);
    assert.deepEqual(logs.next('t', 'a\nb\n'), { text: 'b\n', reset: false });
    assert.deepEqual(logs.next('t', 'x\n'), { text: 'x\n', reset: true });
    assert.deepEqual(logs.next('u', ''), { text: '', reset: true });
  });
});

void describe('panel model', () => {
  const task: Task = {
    id: 'task_1', status: 'completed', app_id: 'app_1', app: { namespace: 'sandbox', name: 'echo' }, created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:03Z',
    events: [
      { id: 'e2', created_at: '', event_time: '2024-01-01T00:00:01Z', task_id: 'task_1', status: TaskStatus.Running },
      { id: 'e1', created_at: '', event_time: '2024-01-01T00:00:00Z', task_id: 'task_1', status: 'queued' },
      { id: 'e3', created_at: '', event_time: '2024-01-01T00:00:03Z', task_id: 'task_1', status: TaskStatus.Completed },
    ],
  };
  const run: FlowRun = {
    id: 'flowrun_abcdefghijkl', short_id: 'abcdefgh', created_at: '', updated_at: '', flow_id: 'flow_1', flow_version_id: 'v1',
    status: FlowRunStatus.Running, input: {}, node_tasks: { a: { task_id: 'task_1' }, b: { task_id: 'task_2' } }, node_statuses: { b: 'weird' },
  };

  void test('node statuses come from the run, else from the node task; unknown values say unknown', () => {
    const p = toPanelRun(run, collectTasks(run, { task_1: task }), 'My flow');
    assert.deepEqual(p.nodeStatuses, { a: 'completed', b: 'unknown' });
    assert.equal(p.statusName, 'Running');
    assert.equal(p.flowTitle, 'My flow');
    assert.deepEqual(p.nodeTasks, { a: 'task_1', b: 'task_2' });
  });

  void test('a task shows its app, times and a sorted timeline', () => {
    const p = toPanelTask(task, 'a');
    assert.equal(p.app, 'sandbox/echo');
    assert.equal(p.statusName, 'completed');
    assert.equal(p.startedAt, '2024-01-01T00:00:01Z');
    assert.equal(p.finishedAt, '2024-01-01T00:00:03Z');
    assert.deepEqual(p.events.map((e) => e.statusName), ['queued', 'running', 'completed']);
  });

  void test('the graph keeps titles and drops edges to unknown nodes', () => {
    const g = toPanelGraph({
      nodes: [{ id: 'a', type: 'app', position: { x: 1, y: 2 } }, { id: 'b', type: 'app' }],
      edges: [{ id: 'e', source: 'a', target: 'b' }, { id: 'x', source: 'a', target: 'zz' }],
      node_data: { a: { title: 'Alpha', app_id: 'ns/app' } },
    });
    assert.deepEqual(g.nodes.map((n) => [n.title, n.app, n.position]), [['Alpha', 'ns/app', { x: 1, y: 2 }], ['b', null, null]]);
    assert.equal(g.edges.length, 1);
  });
});

void describe('messages and images', () => {
  void test('messages from the webview are checked; anything else is dropped', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'action', action: 'cancel' }), { type: 'action', action: 'cancel' });
    assert.equal(parseWebviewMessage({ type: 'action', action: 'rm -rf' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'copyTaskId', taskId: 5 }), undefined);
    assert.equal(parseWebviewMessage('ready'), undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'select', key: null, taskId: 't' }), { type: 'select', key: null, taskId: 't' });
  });

  void test('the host fetches http images only from the loopback API origin', () => {
    const api = 'http://127.0.0.1:4000';
    assert.equal(refuseReason('http://127.0.0.1:4000/_sandbox/images/a.png', api), undefined);
    assert.ok(refuseReason('http://127.0.0.1:5000/a.png', api), 'another port');
    assert.ok(refuseReason('http://example.com/a.png', 'http://example.com'), 'not loopback');
    assert.ok(refuseReason('file:///etc/passwd', api));
  });
});

void describe('webview rendering helpers', () => {
  void test('any number of updates between two frames cause one render', () => {
    const frames: (() => void)[] = [];
    let rendered = 0;
    const s = new RenderScheduler(() => rendered++, (cb) => frames.push(cb));
    for (let i = 0; i < 50; i++) s.schedule();
    assert.equal(frames.length, 1);
    frames.shift()!();
    assert.equal(rendered, 1);
    s.schedule();
    assert.equal(frames.length, 1);
  });

  void test('status glyphs are the codicons they claim to be (as the codicon stylesheet the panel loads draws them)', () => {
    const css = fs.readFileSync(path.join(__dirname, '../../../node_modules/@vscode/codicons/dist/codicon.css'), 'utf8');
    // `.codicon-clock:before { content: "\ea82" }`: aliases such as clock (history's glyph) included.
    const points = new Map([...css.matchAll(/\.codicon-([a-z0-9-]+):before\s*\{\s*content:\s*"\\([0-9a-f]+)"/g)].map((m) => [m[1], m[2].toUpperCase()]));
    assert.ok(points.size > 300, 'the stylesheet was read');
    for (const look of Object.values(NODE_LOOKS)) {
      assert.equal(look.glyph.codePointAt(0)?.toString(16).toUpperCase(), points.get(look.icon), look.icon);
    }
  });
});
