// The run panel's pure parts: graph layout and order, diffs, the model the
// host builds, message checking, render batching and the status glyphs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { FlowRunStatus, TaskStatus, type FlowRun, type Task } from '../../src/api/models';
import { parseWebviewMessage, type PanelGraph } from '../../src/shared/protocol';
import { LogTracker, PanelDiffer, changedFields } from '../../src/views/panel/panelDiff';
import { refuseReason } from '../../src/views/panel/loopbackImages';
import { collectTasks, toPanelGraph, toPanelRun, toPanelTask } from '../../src/views/panel/panelModel';
import { layoutGraph, longestPathLayers, NODE_H, NODE_W, topoOrder } from '../../src/webview/graphLayout';
import { RenderScheduler } from '../../src/webview/scheduler';
import { NODE_LOOKS } from '../../src/webview/status';

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

  void test('status glyphs are the codicons they claim to be', () => {
    const csv = fs.readFileSync(path.join(__dirname, '../../../node_modules/@vscode/codicons/dist/codicon.csv'), 'utf8');
    const points = new Map(csv.split('\n').slice(1).map((l) => l.split(',')).map(([name, , code]) => [name, code?.trim()]));
    for (const look of Object.values(NODE_LOOKS)) {
      assert.equal(look.glyph.codePointAt(0)?.toString(16).toUpperCase(), points.get(look.icon), look.icon);
    }
  });
});
