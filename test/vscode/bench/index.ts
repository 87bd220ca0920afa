// The half of `npm run bench` that runs inside a real VS Code extension host
// (loaded as extensionTestsPath by the test host's launcher). It measures what
// only VS Code can show: activation, Run Flow -> tree, idle requests, heap,
// and the tree provider at scale. The sandbox runs in the harness process; we
// reach it over HTTP (the API) and through the harness's control server
// (stats, direct run creation). Results go to FLOW_RUNS_BENCH_OUT as JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import { FlowRunStatus, isTerminalRunStatus, type FlowRun } from '../../../src/api/models';
import type { FlowRunsTestApi } from '../../../src/testApi';
import type { RunsTreeProvider } from '../../../src/views/runsTree';
import type { RunsTreeNode } from '../../../src/views/treeNodes';
import {
  ACTIVATION_LOGGED, ENV_CONTROL, ENV_MODE, ENV_OUT, ENV_SANDBOX_KEY, ENV_SANDBOX_URL,
  type ActivationResult, type HostBenchResult, type IdleWindow, type MemoryResult, type RunToTreeResult, type TreeResult,
} from '../../bench/lib/hostProtocol';
import { writeTestResult } from '../host/testResult';
import { canDriveWorkbench, controlUrl } from '../util/workbench';

const EXTENSION_ID = 'flow-runs.flow-runs';
/** Idle windows (real time); rates are scaled to a minute by the harness. */
const HIDDEN_WINDOW_MS = 30_000;
const VISIBLE_WINDOW_MS = 60_000;
const ACTIVE_WINDOW_MS = 30_000;
const ACTIVE_RUNS = 50;
const MEMORY_RUNS = 50;
const TREE_RUNS = 10_000;
const TREE_CHANGES = 1_000;
const RUN_TO_TREE_SAMPLES = 5;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function progress(line: string): Promise<void> {
  if (!canDriveWorkbench()) return;
  await fetch(`${controlUrl()}/log`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ line: `[bench:host] ${line}` }),
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined);
}

async function control<T>(action: string, body: Record<string, unknown> = {}): Promise<T> {
  const base = process.env[ENV_CONTROL];
  if (!base) throw new Error(`${ENV_CONTROL} is not set`);
  const res = await fetch(`${base}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const payload = (await res.json()) as { ok: boolean; value?: unknown; error?: string };
  if (!payload.ok) throw new Error(`control ${action}: ${payload.error ?? 'failed'}`);
  return payload.value as T;
}

interface Stats {
  requests: number;
  byRoute: Record<string, number>;
  openStreams: number;
}

async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** global.gc when exposed; else exposes it through V8 flags (documented in the result). */
function findGc(): { gc?: () => void; method: string } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: g, method: 'global.gc' };
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn: unknown = vm.runInNewContext('gc');
    if (typeof fn === 'function') return { gc: fn as () => void, method: "v8.setFlagsFromString('--expose-gc') + vm.runInNewContext('gc')" };
  } catch {
    // fall through
  }
  return { method: 'none: no gc available; heap figures include garbage' };
}

async function settledHeap(gc: (() => void) | undefined): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(100);
  }
  return process.memoryUsage().heapUsed;
}

// ---- activation ----------------------------------------------------------------------

function findLogged(dir: string, depth = 0): number | undefined {
  if (depth > 3 || !fs.existsSync(dir)) return undefined;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findLogged(p, depth + 1);
      if (found !== undefined) return found;
    } else if (entry.name.endsWith('.log')) {
      const m = ACTIVATION_LOGGED.exec(fs.readFileSync(p, 'utf8'));
      if (m) return Number(m[1]);
    }
  }
  return undefined;
}

async function measureActivation(): Promise<{ result: ActivationResult; ext?: FlowRunsTestApi }> {
  const extension = vscode.extensions.getExtension<FlowRunsTestApi | undefined>(EXTENSION_ID);
  if (!extension) return { result: { alreadyActive: false, error: `extension ${EXTENSION_ID} is not installed` } };
  const result: ActivationResult = { alreadyActive: extension.isActive };
  const t0 = performance.now();
  const ext = await extension.activate();
  if (!result.alreadyActive) result.activateCallMs = performance.now() - t0;
  if (!ext) return { result: { ...result, error: 'activate() returned no test API (not ExtensionMode.Test)' } };
  // The log channel writes its file asynchronously: look for the line for a while.
  const logDir = path.dirname(ext.services.context.logUri.fsPath);
  try {
    result.loggedMs = await waitFor(() => findLogged(logDir), 'the "[activate] ready in N ms" log line', 10_000, 200);
  } catch (e) {
    result.error = `${errorText(e)} under ${logDir}`;
  }
  return { result, ext };
}

// ---- helpers on the real extension ----------------------------------------------------

function treeOf(ext: FlowRunsTestApi): RunsTreeProvider {
  return ext.runsTree;
}

async function connect(ext: FlowRunsTestApi): Promise<void> {
  const url = process.env[ENV_SANDBOX_URL];
  const key = process.env[ENV_SANDBOX_KEY];
  if (!url || !key) throw new Error(`${ENV_SANDBOX_URL} / ${ENV_SANDBOX_KEY} are not set`);
  const config = vscode.workspace.getConfiguration('flowRuns');
  await config.update('apiUrl', url, vscode.ConfigurationTarget.Global);
  await config.update('webUrl', `${url}/app`, vscode.ConfigurationTarget.Global);
  await waitFor(() => ext.services.session.baseUrl === url, 'the session to follow flowRuns.apiUrl');
  await vscode.commands.executeCommand('flowRuns.setApiKey', key);
  await waitFor(() => ext.services.session.hasKey, 'the API key to be stored');
}

async function showView(): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.extension.flowRuns');
}

/** Shows the Explorer instead; if the Runs view still reports itself visible, closes the side bar. */
async function hideView(ext?: FlowRunsTestApi): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.explorer');
  const view = ext?.runsTreeView;
  if (!view) return;
  try {
    await waitFor(() => !view.visible, 'the Runs view to be hidden', 5_000, 50);
  } catch {
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await waitFor(() => !view.visible, 'the Runs view to be hidden (side bar closed)', 5_000, 50);
  }
}

async function closeEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

async function measureWindow(ext: FlowRunsTestApi, ms: number, visible: boolean): Promise<IdleWindow> {
  const tree = treeOf(ext);
  const view = ext.runsTreeView;
  const state = (): string => `view.visible=${String(view?.visible)} poller.isActive=${String(tree.poller.isActive)}`;
  const pollsBefore = tree.poller.polls;
  const stateBefore = state();
  const changes: string[] = [];
  const t0 = Date.now();
  const sub = view?.onDidChangeVisibility((e) => changes.push(`${e.visible ? 'shown' : 'hidden'} at ${((Date.now() - t0) / 1000).toFixed(1)} s`));
  await control('resetStats');
  await sleep(ms);
  const stats = await control<Stats>('stats');
  sub?.dispose();
  return {
    treeState: `${stateBefore} at the start, ${state()} at the end${changes.length ? `; the view was ${changes.join(', ')}` : ''}`,
    pollsInWindow: tree.poller.polls - pollsBefore,
    requests: stats.requests,
    windowMs: ms,
    byRoute: stats.byRoute,
    openStreams: stats.openStreams,
    focused: vscode.window.state.focused,
    viewVisible: visible,
    followed: ext.services.followers.size,
    pollerDelayMs: tree.poller.currentDelayMs,
    polls: tree.poller.polls,
  };
}

// ---- phases -----------------------------------------------------------------------------

/** Run Flow (with its argument, no prompt) until the tree fired a refresh showing the run. */
async function runToTree(ext: FlowRunsTestApi): Promise<RunToTreeResult> {
  const tree = treeOf(ext);
  await showView();
  await waitFor(() => tree.state === 'ok' || tree.state === 'empty', 'the tree to load', 20_000);
  const samples: number[] = [];
  for (let i = 0; i < RUN_TO_TREE_SAMPLES; i++) {
    let runId: string | undefined;
    let shownAt: number | undefined;
    const started = ext.services.onDidStartRun((run) => {
      runId = run.id;
    });
    const check = async (): Promise<void> => {
      if (!runId || shownAt !== undefined) return;
      const roots = await tree.getChildren();
      for (const group of roots) {
        const kids = await tree.getChildren(group);
        if (kids.some((k) => k.kind === 'run' && k.runId === runId)) {
          shownAt = performance.now();
          return;
        }
      }
    };
    // The tree is on screen once it fired a refresh that covers the run's group.
    const fired = tree.onDidChangeTreeData(() => void check());
    const t0 = performance.now();
    const command = vscode.commands.executeCommand('flowRuns.runFlow', { flow: 'flow_image_pipeline', input: { prompt: `bench ${i}` } });
    try {
      await waitFor(() => shownAt !== undefined, 'the new run in the tree', 20_000, 5);
      samples.push((shownAt ?? NaN) - t0);
    } finally {
      fired.dispose();
      started.dispose();
      await command;
    }
    await closeEditors();
  }
  return { samplesMs: samples };
}

/** Fills `out` window by window, so that a later failure keeps the earlier figures. */
async function idle(ext: FlowRunsTestApi, out: NonNullable<HostBenchResult['idle']>): Promise<HostBenchResult['idle']> {
  const tree = treeOf(ext);
  // Hidden, nothing followed: panels closed, the view not on screen.
  await closeEditors();
  await hideView(ext);
  await waitFor(() => ext.services.followers.size === 0, 'every follower to stop', 30_000, 100);
  await sleep(1000);
  // Something may have brought the view back meanwhile (seen once): hide it again right before the window.
  await hideView(ext);
  await progress(`idle: view hidden for ${HIDDEN_WINDOW_MS / 1000} s`);
  out.hidden = await measureWindow(ext, HIDDEN_WINDOW_MS, false);

  // Visible, no active runs: what the poller costs (its first load is done before the window).
  await showView();
  await waitFor(() => tree.state === 'ok' || tree.state === 'empty', 'the tree to load', 20_000);
  await sleep(1000);
  await progress(`idle: view visible, no active runs, for ${VISIBLE_WINDOW_MS / 1000} s`);
  out.visible = await measureWindow(ext, VISIBLE_WINDOW_MS, true);

  // 50 active runs (flow_slow holds each Running), shown in the tree.
  const runs: FlowRun[] = [];
  for (let i = 0; i < ACTIVE_RUNS; i++) runs.push(await control<FlowRun>('createRun', { flow: 'flow_slow', input: { seconds: 600 } }));
  await vscode.commands.executeCommand('flowRuns.refresh');
  // The groups hold one page each; their totals count every active run.
  const active = (): number => (tree.groups.state(FlowRunStatus.Running).total ?? 0) + (tree.groups.state(FlowRunStatus.Pending).total ?? 0);
  await waitFor(() => active() >= ACTIVE_RUNS, `the ${ACTIVE_RUNS} active runs counted in the tree`, 30_000, 100);
  await sleep(3000);
  await progress(`idle: ${ACTIVE_RUNS} active runs, view visible, for ${ACTIVE_WINDOW_MS / 1000} s`);
  out.active50 = { ...(await measureWindow(ext, ACTIVE_WINDOW_MS, true)), activeRuns: ACTIVE_RUNS };
  // Stop them so that later phases start quiet.
  const api = await ext.services.session.requireApi();
  for (const r of runs) await api.cancelRun(r.id).catch(() => undefined);
  return out;
}

/** Follows 50 flow_fanout runs (12 nodes) to their end through the extension's FollowerRegistry, then lets go. */
async function memory(ext: FlowRunsTestApi): Promise<MemoryResult> {
  await closeEditors();
  await hideView(ext);
  await waitFor(() => ext.services.followers.size === 0, 'every follower to stop', 30_000, 100);
  const { gc, method } = findGc();
  const follow = async (count: number): Promise<boolean> => {
    const runs: FlowRun[] = [];
    for (let i = 0; i < count; i++) runs.push(await control<FlowRun>('createRun', { flow: 'flow_fanout', input: { topic: 'bench' } }));
    const handles = runs.map((r) => ext.services.followers.acquire(r.id));
    const views = await Promise.all(handles.map((h) => Promise.race([h.follower.done, sleep(120_000).then(() => undefined)])));
    for (const h of handles) h.release();
    return views.every((v) => v?.state === 'ended' && v.run !== undefined && isTerminalRunStatus(v.run.status));
  };
  // Warm-up: code paths and caches that exist once, not per run.
  await follow(5);
  const storeSizeBefore = ext.services.store.size;
  const beforeBytes = await settledHeap(gc);
  const allEnded = await follow(MEMORY_RUNS);
  await waitFor(() => ext.services.followers.size === 0, 'every follower to stop', 30_000, 100);
  await sleep(500);
  const afterBytes = await settledHeap(gc);
  return {
    gcExposed: gc !== undefined,
    gcMethod: method,
    runs: MEMORY_RUNS,
    nodesPerRun: 12,
    beforeBytes,
    afterBytes,
    storeSizeBefore,
    storeSizeAfter: ext.services.store.size,
    followersAfter: ext.services.followers.size,
    allEnded,
  };
}

function syntheticRun(i: number, status: FlowRunStatus, updatedAt: string): FlowRun {
  const created = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
  return {
    id: `flowrun_bench_${String(i).padStart(5, '0')}`,
    short_id: `b${String(i).padStart(7, '0')}`,
    created_at: created,
    updated_at: updatedAt,
    flow_id: `flow_bench_${i % 7}`,
    flow_version_id: `flowver_bench_${i % 7}`,
    status,
    input: { prompt: `run ${i}` },
    flow_run_started: created,
    flow_run_finished: status >= FlowRunStatus.Completed ? created : null,
    error: status === FlowRunStatus.Failed ? 'Node "x" failed: synthetic' : null,
  };
}

/** 10,000 runs in the store, across the groups; the provider's real code computes children and batches refreshes. */
async function treeAtScale(ext: FlowRunsTestApi): Promise<TreeResult> {
  const tree = treeOf(ext);
  await hideView(ext);
  await closeEditors();
  const statuses = [FlowRunStatus.Pending, FlowRunStatus.Running, FlowRunStatus.Completed, FlowRunStatus.Failed, FlowRunStatus.Cancelled];
  const stamp = new Date(Date.UTC(2025, 0, 2)).toISOString();
  for (let i = 0; i < TREE_RUNS; i++) ext.services.store.upsert(syntheticRun(i, statuses[i % statuses.length], stamp));
  await sleep(500);
  const groups = await tree.getChildren();
  // Warm (first calls may load a page from the server); then timed, best of a few.
  for (const g of groups) await tree.getChildren(g);
  const best = async (times: number, fn: () => Promise<void>): Promise<number> => {
    let min = Infinity;
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      await fn();
      min = Math.min(min, performance.now() - t0);
    }
    return min;
  };
  const allGroupsMs = await best(5, async () => {
    for (const g of groups) await tree.getChildren(g);
  });
  const allGroupsWithItemsMs = await best(2, async () => {
    for (const g of groups) {
      const kids: RunsTreeNode[] = await tree.getChildren(g);
      tree.getTreeItem(g);
      for (const k of kids) tree.getTreeItem(k);
    }
  });
  const pageSize = tree.groups.pageSize;
  // One page: the Running group's children, and the tree items of its first pageSize.
  const running = tree.groupNode(FlowRunStatus.Running);
  const onePageMs = await best(5, async () => {
    const page = (await tree.getChildren(running)).slice(0, pageSize);
    for (const k of page) tree.getTreeItem(k);
  });

  // 1,000 status changes spread over one second: Running -> Completed.
  const fired: number[] = [];
  const sub = tree.onDidChangeTreeData(() => fired.push(performance.now()));
  const later = new Date(Date.UTC(2025, 0, 3)).toISOString();
  const candidates = tree.groups.runsOf(FlowRunStatus.Running).slice(0, TREE_CHANGES);
  const start = performance.now();
  const perTick = 10;
  for (let i = 0; i < candidates.length; i += perTick) {
    for (const run of candidates.slice(i, i + perTick)) {
      ext.services.store.upsert({ ...run, status: FlowRunStatus.Completed, updated_at: later, flow_run_finished: later });
    }
    const due = start + ((i + perTick) / candidates.length) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const changeWindowMs = performance.now() - start;
  await sleep(1000);
  sub.dispose();
  const result: TreeResult = {
    runs: TREE_RUNS,
    groups: groups.length,
    allGroupsMs,
    allGroupsWithItemsMs,
    onePageMs,
    pageSize,
    changes: candidates.length,
    changeWindowMs,
    refreshEvents: fired.length,
    refreshSpanMs: fired.length ? fired[fired.length - 1] - start : 0,
    refreshTimesMs: fired.map((t) => Math.round((t - start) * 10) / 10),
  };
  for (let i = 0; i < TREE_RUNS; i++) ext.services.store.remove(syntheticRun(i, FlowRunStatus.Pending, stamp).id);
  return result;
}

// ---- entry ----------------------------------------------------------------------------------

export async function run(): Promise<void> {
  const t0 = Date.now();
  const mode = process.env[ENV_MODE] === 'full' ? 'full' : 'activation';
  const out = process.env[ENV_OUT];
  const notes: string[] = [];
  if (canDriveWorkbench()) {
    await fetch(`${controlUrl()}/started`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  }
  const { result: activation, ext } = await measureActivation().catch((e: unknown) => ({
    result: { alreadyActive: false, error: errorText(e) },
    ext: undefined,
  }));
  const result: HostBenchResult = { mode, activation, notes, totalMs: 0 };
  if (mode === 'full' && ext) {
    try {
      await connect(ext);
    } catch (e) {
      notes.push(`connecting to the sandbox failed: ${errorText(e)}`);
    }
    const phase = async <T>(name: string, fn: () => Promise<T>, onError: (e: string) => T): Promise<T> => {
      await progress(`${name}…`);
      const started = Date.now();
      try {
        return await fn();
      } catch (e) {
        await progress(`${name} failed: ${errorText(e)}`);
        return onError(errorText(e));
      } finally {
        notes.push(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    };
    result.runToTree = await phase('run flow -> tree', () => runToTree(ext), (error) => ({ samplesMs: [], error }));
    const idleOut: NonNullable<HostBenchResult['idle']> = {};
    result.idle = await phase('idle cost', () => idle(ext, idleOut), (error) => ({ ...idleOut, error }));
    result.memory = await phase('memory', () => memory(ext), (error) => ({ error } as MemoryResult));
    result.tree = await phase('tree at scale', () => treeAtScale(ext), (error) => ({ error } as TreeResult));
  }
  result.totalMs = Date.now() - t0;
  if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2));
  // The launcher reads this verdict file: the bench "passes" when it ran; rows judge the figures.
  const verdict = process.env.FLOW_RUNS_TEST_RESULT;
  if (verdict) writeTestResult(verdict, { passed: 1, failed: 0, pending: 0, failures: [], tests: [{ title: `bench (${mode})`, state: 'passed' }] });
}
