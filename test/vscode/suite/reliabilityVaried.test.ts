// Reliability inside a real VS Code, part two: the convergence check (test/vscode/util/
// convergence.ts) on the varied profile with a flows-only key, then the bad-input catalogue as
// the user meets it (unknown statuses, a 5 MB log, an output nested 900 deep) from a crafted
// server. Part one, the default profile and a 500-node run, is reliability.test.ts.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as vscode from 'vscode';
import {
  FlowRunStatus, LogType, TaskStatus, toFlowRunStatus, type Flow, type FlowRun, type Task,
} from '../../../src/api/models';
import { SANDBOX_KEYS } from '../../../src/sandbox';
import type { RunPanelManager } from '../../../src/views/panel/panelManager';
import type { RunPanel } from '../../../src/views/panel/runPanelHost';
import type { RunsTreeProvider } from '../../../src/views/runsTree';
import { convergenceSuite, FAULT_SEED, readDom, replay, RUNS, runConvergence, trackRejections, type DomState } from '../util/convergence';
import { extensionApi, waitFor } from '../util/sandbox';
import * as wb from '../util/workbench';

/** A small API server with runs the sandbox cannot make: statuses outside the enums, a 5 MB log, deep output. */
interface CraftedApi {
  url: string;
  runs: Map<string, FlowRun>;
  tasks: Map<string, Task>;
  flows: Map<string, Flow>;
  close(): Promise<void>;
}

async function craftedApi(key: string): Promise<CraftedApi> {
  const runs = new Map<string, FlowRun>();
  const tasks = new Map<string, Task>();
  const flows = new Map<string, Flow>();
  const sockets = new Set<Socket>();
  const send = (res: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${key}`) return send(res, 401, { title: 'Unauthorized', status: 401, detail: 'Unknown key' });
      const url = new URL(req.url ?? '/', 'http://x');
      const p = url.pathname;
      let m: RegExpExecArray | null;
      if (req.method === 'POST' && (p === '/flowruns/list' || p === '/flows/list')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { limit?: number; filters?: { field: string; value: unknown }[] };
        const status = body.filters?.find((f) => f.field === 'status')?.value;
        const all = p === '/flows/list' ? [...flows.values()] : [...runs.values()].filter((r) => status === undefined || toFlowRunStatus(r.status) === status);
        return send(res, 200, { items: all.slice(0, body.limit ?? 25), has_next: false, next_cursor: null, total_items: all.length });
      }
      if ((m = /^\/flowruns\/([^/]+)\/(stream|tasks\/stream)$/.exec(p))) {
        // Open streams that only keep alive: the run is read with GET.
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(': hello\n\n');
        const ka = setInterval(() => res.write(': keep-alive\n\n'), 5000);
        res.on('close', () => clearInterval(ka));
        return;
      }
      if ((m = /^\/flowruns\/([^/]+)$/.exec(p)) && runs.has(m[1])) return send(res, 200, { data: runs.get(m[1]) });
      if ((m = /^\/tasks\/([^/]+)$/.exec(p)) && tasks.has(m[1])) return send(res, 200, { data: tasks.get(m[1]) });
      if ((m = /^\/flows\/([^/]+)$/.exec(p)) && flows.has(m[1])) return send(res, 200, { data: flows.get(m[1]) });
      return send(res, 404, { title: 'Not found', status: 404, detail: `No ${p}` });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    runs,
    tasks,
    flows,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 'the bottom' };
  for (let i = depth - 1; i >= 0; i--) v = { [`level${i}`]: v };
  return v;
}


suite('Reliability: convergence on the varied profile with a flows-only key', function () {
  this.timeout(180_000);
  // Every answer picks among the forms the seed page allows (envelope/bare/legacy bodies, partials with a
  // top-level id, tasks without logs, named events, idle tasks streams, 0-9 fraction digits, ...), and
  // the key has the three flows scopes but not apps:read, as a real flows-only key.
  const s = convergenceSuite({ speed: 0.4, seed: FAULT_SEED, keepAliveMs: 2000, profile: 'varied', key: SANDBOX_KEYS.flowsOnly });

  test(`${RUNS} runs under faults on the varied profile, with a key without apps:read, end exactly as the server`, async () => {
    await runConvergence(s.t(), { figures: 'convergenceVaried', flowsOnly: true });
  });
});

suite('Reliability: bad input from the server', function () {
  this.timeout(120_000);
  const KEY = 'inf_crafted_reliability_key';
  const now = '2025-04-01T10:00:00Z';
  let api: CraftedApi;
  let manager: RunPanelManager;
  let tree: RunsTreeProvider;
  let previousUrl: string | undefined;
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('flowRuns');
  const LOG_LINE = 'step: généré ✓ <b>not bold</b>\n';
  const LOG_TEXT = LOG_LINE.repeat(Math.ceil((5 * 1024 * 1024) / Buffer.byteLength(LOG_LINE)));

  const task = (id: string, extra: Partial<Task> = {}): Task => (({
    id, short_id: id.slice(-6), status: TaskStatus.Completed, app_id: 'sandbox/echo', app_version_id: 'v', input: {}, output: { ok: true },
    created_at: now, updated_at: now, events: [], logs: [], ...extra,
  }));
  const run = (id: string, extra: Record<string, unknown>): FlowRun => ({
    id, short_id: id.slice(-6), flow_id: 'flow_crafted', flow_version_id: 'v1', status: FlowRunStatus.Completed, input: {}, output: null,
    created_at: now, updated_at: now, flow_run_started: now, flow_run_finished: null, visibility: 'private', ...extra,
  } as unknown as FlowRun);

  suiteSetup(async () => {
    api = await craftedApi(KEY);
    api.flows.set('flow_crafted', {
      id: 'flow_crafted', created_at: now, updated_at: now, name: 'crafted', title: 'Crafted answers',
      nodes: [{ id: 'a', type: 'app', position: { x: 0, y: 0 } }, { id: 'b', type: 'app', position: { x: 240, y: 0 } }],
      edges: [{ id: 'e', type: 'default', source: 'a', target: 'b' }],
      node_data: { a: { app_id: 'sandbox/echo' }, b: { app_id: 'sandbox/echo' } },
    });
    api.tasks.set('task_weird', task('task_weird', { status: 77 as TaskStatus, events: [{ id: 'e1', created_at: now, event_time: now, task_id: 'task_weird', status: 'teleporting' }] as unknown as Task['events'] }));
    api.runs.set('fr_weird_99', run('fr_weird_99', { status: 99, node_tasks: { a: { task_id: 'task_weird' } }, node_statuses: { a: 'exploded', b: 42 } }));
    api.runs.set('fr_weird_str', run('fr_weird_str', { status: 'zooming', updated_at: '2025-04-01T10:00:01Z' }));
    api.tasks.set('task_biglog', task('task_biglog', {
      logs: [{ id: 'log1', created_at: now, updated_at: now, task_id: 'task_biglog', log_type: LogType.Run, content: Buffer.from(LOG_TEXT).toString('base64') }],
    }));
    api.runs.set('fr_biglog', run('fr_biglog', { node_tasks: { a: { task_id: 'task_biglog' } }, node_statuses: { a: 'completed', b: 'skipped' }, flow_run_finished: now, updated_at: '2025-04-01T10:00:02Z' }));
    api.runs.set('fr_deep', run('fr_deep', { output: { value: nested(900) }, node_statuses: { a: 'completed', b: 'completed' }, flow_run_finished: now, updated_at: '2025-04-01T10:00:03Z' }));

    previousUrl = config().inspect<string>('apiUrl')?.globalValue;
    const ext = await extensionApi();
    const services = ext.services;
    await config().update('apiUrl', api.url, vscode.ConfigurationTarget.Global);
    await waitFor(() => services.session.baseUrl === api.url, 'the session to follow flowRuns.apiUrl');
    await vscode.commands.executeCommand('flowRuns.setApiKey', KEY);
    await waitFor(() => services.session.hasKey, 'the key to be stored');
    manager = ext.runPanels;
    tree = ext.runsTree;
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.view.extension.flowRuns');
  });

  suiteTeardown(async () => {
    manager?.closeAll();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('flowRuns.clearApiKey');
    await config().update('apiUrl', previousUrl, vscode.ConfigurationTarget.Global);
    await api?.close();
  });

  async function open(id: string): Promise<RunPanel> {
    await vscode.commands.executeCommand('flowRuns.openRun', id);
    const panel = await waitFor(() => manager.get(id), `the panel of ${id}`);
    await waitFor(() => panel.isReady && replay(panel.posted).run !== null, `the panel of ${id} to get the run`);
    return panel;
  }

  test('statuses outside the enums show as Unknown in the tree and the panel, without a crash or an error', async () => {
    const rejections = trackRejections();
    try {
      await vscode.commands.executeCommand('flowRuns.refresh');
      await waitFor(() => tree.groups.shownStatuses().includes(FlowRunStatus.Unknown), 'the Unknown group to show');
      await tree.groups.ensureLoaded(FlowRunStatus.Unknown);
      assert.deepEqual(tree.groups.runsOf(FlowRunStatus.Unknown).map((r) => r.id).sort(), ['fr_weird_99', 'fr_weird_str']);
      for (const id of ['fr_weird_99', 'fr_weird_str']) {
        const node = tree.runNodeFor(id);
        assert.ok(node, `${id} is in the tree`);
        const item = tree.getTreeItem(node);
        assert.equal(item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : '', 'question');
        assert.doesNotMatch(String(item.contextValue), /\bcancelable\b/, 'an unknown run is not offered Cancel');
      }
      const panel = await open('fr_weird_99');
      const got = replay(panel.posted);
      assert.equal(got.run?.statusName, 'Unknown');
      assert.deepEqual(got.run?.nodeStatuses, { a: 'unknown', b: 'unknown' });
      assert.equal(got.tasks.get('task_weird')?.statusName, 'unknown');
      if (wb.canDriveWorkbench()) {
        await wb.waitForText('Unknown', { timeoutMs: 10_000 });
        const d = await waitFor(async () => {
          const v = (await wb.frameEvaluate(readDom)) as DomState;
          return v.runId === 'fr_weird_99' && Object.keys(v.nodes).length === 2 ? v : undefined;
        }, 'the webview to draw the run');
        assert.equal(d.badge, 'Unknown');
        assert.deepEqual(d.nodes, { a: 'unknown', b: 'unknown' });
        await wb.screenshot('reliability-unknown-status');
      }
      const errors = (await wb.notificationTexts()).filter((n) => /failed:/i.test(n));
      assert.deepEqual(errors, []);
      assert.deepEqual(rejections.list.map(String), []);
    } finally {
      rejections.dispose();
    }
  });

  test('a 5 MB log reaches the panel whole (the webview keeps its tail and says so)', async () => {
    const panel = await open('fr_biglog');
    if (wb.canDriveWorkbench()) await wb.click('tr.task-row');
    else assert.fail('selecting a task needs the workbench');
    const got = await waitFor(() => replay(panel.posted).logs.get('task_biglog'), 'the host to send the log', 20_000);
    assert.equal(got.length, LOG_TEXT.length, 'every character of the 5 MB log was sent');
    assert.equal(got, LOG_TEXT);
    const shown = await waitFor(async () => {
      const v = (await wb.frameEvaluate(`() => ({ len: (document.querySelector('pre.logs') || {}).textContent?.length || 0,
        tail: ((document.querySelector('pre.logs') || {}).textContent || '').slice(-200),
        note: (document.querySelector('.log-note:not([hidden])') || {}).textContent || '' })`)) as { len: number; tail: string; note: string };
      return v.len > 0 ? v : undefined;
    }, 'the webview to show the log');
    assert.equal(shown.tail, LOG_TEXT.slice(-200), 'the latest lines are shown');
    if (shown.len < LOG_TEXT.length) assert.match(shown.note, /trimmed/, 'a trimmed log says so');
    await wb.screenshot('reliability-5mb-log');
  });

  test('an output nested 900 deep renders (folded) and reaches the panel intact', async () => {
    const panel = await open('fr_deep');
    const got = replay(panel.posted);
    assert.equal(JSON.stringify(got.run?.output), JSON.stringify({ value: nested(900) }), 'the whole output was sent');
    if (wb.canDriveWorkbench()) {
      const v = await waitFor(async () => {
        const r = (await wb.frameEvaluate(`() => ({ badge: (document.querySelector('.badge-text') || {}).textContent || '',
          output: !!document.querySelector('.final-output .json-tree, .final-output .value, .final-output'),
          text: (document.querySelector('.final-output') || {}).textContent || '' })`)) as { badge: string; output: boolean; text: string };
        return r.badge === 'Completed' && r.text.includes('value') ? r : undefined;
      }, 'the webview to render the deep output');
      assert.ok(v.output);
      await wb.screenshot('reliability-deep-output');
    }
  });
});
