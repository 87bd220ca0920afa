// The convergence check shared by the reliability suites: RUNS runs followed at once, with
// their panels open and the Runs view showing, while the sandbox injects seeded faults;
// afterwards every tree item, every panel (its posted record and its webview) and the store
// equal the server exactly. Two suite files use it (reliability.test.ts and
// reliabilityVaried.test.ts), so the two VS Code windows can each take one.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as vscode from 'vscode';
import { FlowRunStatus, isTerminalRunStatus, toFlowRunStatus, type FlowRun } from '../../../src/api/models';
import type { FaultPlan } from '../../../src/sandbox';
import { statusName } from '../../../src/shared/runText';
import type { HostMessage, PanelRun, PanelTask } from '../../../src/shared/protocol';
import type { RunPanel } from '../../../src/views/panel/runPanelHost';
import { EXTENSION_ID, useSandbox, waitFor, type TestSandbox } from './sandbox';
import { expectedPanelState } from './panelExpect';
import * as wb from './workbench';

export const RUNS = 20;
export const FAULT_SEED = Number(process.env.FLOW_RUNS_RELIABILITY_SEED ?? 9);
/** Where the figures of the last run go (for the README's Reliability section). */
function figuresFile(): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  return path.join(ext?.extensionPath ?? process.cwd(), 'test-results', 'reliability-figures.json');
}

export function recordFigures(key: string, value: unknown): void {
  const file = figuresFile();
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // First figure of this run.
  }
  all[key] = { ...(value as object), at: new Date().toISOString() };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

/** Replays what the host posted: the last snapshot, then every diff on top (what the webview holds). */
export function replay(posted: readonly HostMessage[]): { run: PanelRun | null; tasks: Map<string, PanelTask>; logs: Map<string, string> } {
  let run: PanelRun | null = null;
  let tasks = new Map<string, PanelTask>();
  const logs = new Map<string, string>();
  for (const m of posted) {
    if (m.type === 'snapshot') {
      run = m.run;
      tasks = new Map(m.tasks.map((t) => [t.id, t]));
    } else if (m.type === 'run') {
      run = { ...(run ?? {}), ...m.changes } as PanelRun;
    } else if (m.type === 'tasks') {
      for (const c of m.changes) tasks.set(c.id, { ...(tasks.get(c.id) ?? {}), ...c } as PanelTask);
    } else if (m.type === 'logs') {
      logs.set(m.taskId, m.reset ? m.text : (logs.get(m.taskId) ?? '') + m.text);
    }
  }
  return { run, tasks, logs };
}

/** The webview lists a row per flow node (graph or node task) plus a row per task of no node. */
function expectedRows(posted: readonly HostMessage[], want: { run: PanelRun; tasks: Map<string, PanelTask> }): number {
  let graphNodes: string[] = [];
  for (const m of posted) {
    if (m.type === 'snapshot' && m.graph) graphNodes = m.graph.nodes.map((n) => n.id);
    else if (m.type === 'graph') graphNodes = m.graph.nodes.map((n) => n.id);
  }
  const nodes = new Set([...graphNodes, ...Object.keys(want.run.nodeTasks)]);
  const withNode = new Set(Object.values(want.run.nodeTasks));
  return nodes.size + [...want.tasks.keys()].filter((id) => !withNode.has(id)).length;
}

/** Where two values first differ, as a path, for a readable failure. */
function firstDifference(got: unknown, want: unknown, path = ''): string {
  if (got && want && typeof got === 'object' && typeof want === 'object') {
    for (const k of new Set([...Object.keys(got), ...Object.keys(want)])) {
      const a = (got as Record<string, unknown>)[k];
      const b = (want as Record<string, unknown>)[k];
      if (!isDeepStrictEqual(a, b)) return firstDifference(a, b, `${path}.${k}`);
    }
  }
  return `${path || '(value)'}: got ${JSON.stringify(got)?.slice(0, 200)} want ${JSON.stringify(want)?.slice(0, 200)}`;
}

export function sorted<T>(m: Map<string, T>): [string, T][] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export const readDom = `() => {
  const nodes = {};
  for (const n of document.querySelectorAll('.node')) nodes[n.getAttribute('data-node-id')] = n.getAttribute('data-status');
  return {
    runId: (document.querySelector('.run-id') || {}).textContent || '',
    badge: (document.querySelector('.badge-text') || {}).textContent || '',
    nodes,
    // A long table is virtualized: it tells its size in aria-rowcount (with the header row) and
    // holds only the rows near the view.
    rows: (() => {
      const count = (document.querySelector('table.tasks') || { getAttribute: () => null }).getAttribute('aria-rowcount');
      return count === null ? document.querySelectorAll('tr.task-row').length : Number(count) - 1;
    })(),
    rowsInPage: document.querySelectorAll('tr.task-row').length,
    finalOutput: (document.querySelector('.final-output') || {}).textContent || '',
  };
}`;

export interface DomState {
  runId: string;
  badge: string;
  nodes: Record<string, string>;
  /** Task rows the table says it has (a virtualized one holds fewer in the page). */
  rows: number;
  rowsInPage: number;
  finalOutput: string;
}


export function trackRejections(): { list: unknown[]; dispose(): void } {
  const list: unknown[] = [];
  const on = (reason: unknown): void => {
    list.push(reason);
  };
  process.on('unhandledRejection', on);
  return { list, dispose: () => process.off('unhandledRejection', on) };
}

/** A direct call to the sandbox that no fault touches (another client acting on the run). */
async function cancelDirect(t: TestSandbox, runId: string): Promise<void> {
  const res = await fetch(`${t.sandbox.url}/flowruns/${runId}/cancel`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${t.sandbox.defaultKey}`, 'X-Sandbox-Faults': '{}' },
  });
  await res.arrayBuffer();
}

const secondsSince = (t0: number): number => Math.round((Date.now() - t0) / 100) / 10;

/** Which server and key a convergence run faces. */
interface ConvergenceVariant {
  /** The key of the figures in test-results/reliability-figures.json. */
  figures: string;
  /** A key without apps:read: task details come from the run and the tasks stream only. */
  flowsOnly: boolean;
}

/**
 * RUNS runs followed at once, panels open and the Runs view showing, under
 * seeded faults on every read; afterwards the store, the tree, every panel's
 * record and webview equal the server exactly.
 */
export async function runConvergence(t: TestSandbox, variant: ConvergenceVariant): Promise<void> {
  const manager = t.ext.runPanels;
  const tree = t.ext.runsTree;
  const rejections = trackRejections();
  // Notifications an earlier suite left (one survived notifications.clearAll once) are not this test's.
  await vscode.commands.executeCommand('notifications.clearAll');
  const earlier = new Set(await wb.notificationTexts());
  const began = Date.now();
  try {
    // Reads only (GETs, streams, the tree's list): a create or cancel that fails is the user's to retry, not a recovered fault.
    const plan: FaultPlan = {
      seed: FAULT_SEED,
      routes: ['GET ', 'POST /flowruns/list'],
      latencyMs: [0, 120],
      rate429: 0.05,
      retryAfterSeconds: 1,
      rate500: 0.06,
      dropProbability: 0.04,
      malformedProbability: 0.1,
      duplicateProbability: 0.15,
      silenceProbability: 0.02,
      // The follower's own silence limit is 45 s and not configurable from here: a silence is
      // kept at 3 s, after which the sandbox closes the stream (the follower sees a drop).
      silenceMs: 3000,
    };
    t.sandbox.resetStats();
    t.sandbox.setFaults(plan);
    const flows = ['flow_image_pipeline', 'flow_fanout', 'flow_flaky', 'flow_image_pipeline', 'flow_unpositioned'];
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const flow = flows[i % flows.length];
      const input = flow === 'flow_fanout' ? { topic: `topic ${i}` } : flow === 'flow_image_pipeline' ? { prompt: `scene ${i}` } : {};
      ids.push(t.sandbox.createRunDirect(flow, input).id);
    }
    for (const id of ids) await vscode.commands.executeCommand('flowRuns.openRun', id);
    await waitFor(() => ids.every((id) => manager.get(id)), 'every panel to open');
    // Two runs are cancelled by another client while they run.
    const cancelled = [ids[1], ids[6]];
    await waitFor(() => cancelled.every((id) => t.sandbox.getRun(id)?.status === FlowRunStatus.Running), 'the two runs to be running', 30_000);
    for (const id of cancelled) await cancelDirect(t, id);

    const phases: Record<string, number> = { panelsOpenS: secondsSince(began) };
    await waitFor(() => ids.every((id) => isTerminalRunStatus(toFlowRunStatus(t.sandbox.getRun(id)?.status))),
      'every run to end on the server', 90_000);
    phases.serverEndedS = secondsSince(began);
    await waitFor(() => ids.every((id) => manager.get(id)?.connectionState === 'ended'), "every panel's follower to end", 120_000,
      () => `states: ${ids.map((id) => manager.get(id)?.connectionState).join(',')}`);
    phases.followersEndedS = secondsSince(began);
    const stats = t.sandbox.stats();
    t.sandbox.setFaults(undefined);

    const mismatches: string[] = [];
    const check = (what: string, got: unknown, want: unknown): void => {
      try {
        assert.deepEqual(got, want);
      } catch {
        mismatches.push(`${what}: ${firstDifference(got, want)}`);
      }
    };

    // The store and the tree.
    await waitFor(() => ids.every((id) => tree.groups.groupOf(id) === toFlowRunStatus(t.sandbox.getRun(id)?.status)),
      'the tree to place every run in its final group', 20_000).catch(() => undefined);
    for (const id of ids) {
      const server = t.sandbox.getRun(id) as FlowRun;
      const held = t.services.store.get(id);
      check(`${id} store status`, held?.status, server.status);
      check(`${id} store node statuses`, held?.node_statuses, server.node_statuses);
      check(`${id} store output`, held?.output ?? null, server.output ?? null);
      check(`${id} store error`, held?.error ?? null, server.error ?? null);
      check(`${id} tree group`, tree.groups.groupOf(id), toFlowRunStatus(server.status));
      const node = tree.runNodeFor(id);
      const item = node ? tree.getTreeItem(node) : undefined;
      const icon = item?.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
      const wantIcon = ['question', 'clock', 'sync~spin', 'pass', 'error', 'circle-slash'][toFlowRunStatus(server.status)];
      check(`${id} tree icon`, icon, wantIcon);
      check(`${id} tree item is not cancelable`, /\bcancelable\b/.test(String(item?.contextValue ?? '')), false);
    }

    // Each panel: reveal it (a hidden webview is torn down), let it take its snapshot, and compare
    // what the host told it, and what the webview shows, with the server.
    let domChecked = 0;
    for (const id of ids) {
      const panel = manager.get(id) as RunPanel;
      const before = panel.posted.filter((m) => m.type === 'snapshot').length;
      panel.reveal();
      await waitFor(() => panel.isReady && panel.posted.filter((m) => m.type === 'snapshot').length > before,
        `panel ${id} to take a fresh snapshot`, 15_000);
      await new Promise((r) => setTimeout(r, 80));
      const got = replay(panel.posted);
      const want = expectedPanelState(t, id);
      check(`${id} panel run`, got.run, want.run);
      check(`${id} panel tasks`, sorted(got.tasks), sorted(want.tasks));
      if (wb.canDriveWorkbench()) {
        const dom = await waitFor(async () => {
          const d = (await wb.frameEvaluate(readDom)) as DomState;
          return d.runId === id && d.badge === want.run.statusName ? d : undefined;
        }, `the webview of ${id} to show ${want.run.statusName}`, 10_000).catch(async () => (await wb.frameEvaluate(readDom)) as DomState);
        check(`${id} webview badge`, dom.badge, want.run.statusName);
        check(`${id} webview node statuses`, dom.nodes, want.run.nodeStatuses);
        check(`${id} webview task rows`, dom.rows, expectedRows(panel.posted, want));
        domChecked++;
      }
    }
    if (wb.canDriveWorkbench()) await wb.screenshot('reliability-converged');

    const toasts = (await wb.notificationTexts()).filter((n) => /failed:|Flow Runs/i.test(n) && !earlier.has(n));
    const faults = Object.values(stats.faultsInjected).reduce((a, b) => a + b, 0);
    const tasksRefused = stats.byStatus['GET /tasks/:id']?.['403'] ?? 0;
    const taskIds = new Set(ids.flatMap((id) => Object.values(t.sandbox.getRun(id)?.node_tasks ?? {}).map((r) => r.task_id)));
    recordFigures(variant.figures, {
      profile: t.sandbox.profile,
      flowsOnlyKey: variant.flowsOnly,
      tasksRefused403: tasksRefused,
      tasks: taskIds.size,
      runsFollowed: ids.length,
      panelsOpen: ids.length,
      treeFollowers: 'up to 20 (the view was showing)',
      faultsInjected: stats.faultsInjected,
      faultsTotal: faults,
      requests: stats.requests,
      finalStatuses: ids.map((id) => statusName({ status: t.sandbox.getRun(id)?.status })),
      webviewsChecked: domChecked,
      mismatches: mismatches.length,
      unhandledRejections: rejections.list.length,
      errorToasts: toasts.length,
      seed: FAULT_SEED,
      durationS: secondsSince(began),
      // Where the time went: panels open, every run ended on the server, every follower ended (then the checks).
      phases,
    });
    assert.ok((stats.faultsInjected.drop ?? 0) > 0 && (stats.faultsInjected['500'] ?? 0) > 0 && (stats.faultsInjected.malformed ?? 0) > 0
      && (stats.faultsInjected.duplicate ?? 0) > 0 && (stats.faultsInjected['429'] ?? 0) > 0 && (stats.faultsInjected.latency ?? 0) > 0,
    `every kind of fault was injected: ${JSON.stringify(stats.faultsInjected)}`);
    assert.deepEqual(mismatches, [], `${mismatches.length} mismatch(es) with the server`);
    if (variant.flowsOnly) {
      // A key without apps:read: at most one refused GET /tasks per task (one in all, in practice), and the panel says why logs are missing.
      assert.ok(tasksRefused <= taskIds.size, `GET /tasks answered 403 ${tasksRefused} times for ${taskIds.size} tasks`);
      const panel = manager.get(ids[0]) as RunPanel;
      const notice = [...panel.posted].reverse().map((m) => (m.type === 'snapshot' || m.type === 'connection' ? m.connection.notice : undefined)).find((n) => n);
      assert.match(notice ?? '', /Task logs need a key with apps:read/);
    } else {
      assert.equal(tasksRefused, 0);
    }
    assert.deepEqual(rejections.list.map(String), [], 'no unhandled rejection');
    assert.deepEqual(toasts, [], 'no error notification for a fault the extension recovered from');
    for (const id of cancelled) assert.equal(t.sandbox.getRun(id)?.status, FlowRunStatus.Cancelled, 'the runs cancelled elsewhere show Cancelled');
  } finally {
    rejections.dispose();
  }
}

/** The suite around a convergence test: a faulty sandbox, quick refreshes, no toasts, the Runs view showing. */
export function convergenceSuite(options: Parameters<typeof useSandbox>[0]): { t: () => TestSandbox } {
  let t: TestSandbox | undefined;
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('flowRuns');
  suiteSetup(async () => {
    t = await useSandbox(options);
    await config().update('refreshInterval', 5, vscode.ConfigurationTarget.Global);
    await config().update('notifications', 'never', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.view.extension.flowRuns');
  });
  suiteTeardown(async () => {
    t?.sandbox.setFaults(undefined);
    t?.ext.runPanels.closeAll();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
    await config().update('notifications', undefined, vscode.ConfigurationTarget.Global);
    await t?.dispose();
  });
  return {
    t: () => {
      if (!t) throw new Error('the suite has not set up its sandbox');
      return t;
    },
  };
}

