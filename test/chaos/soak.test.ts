// Soak: continuous starts, cancels and completions at 5 a second against the
// sandbox for FLOW_RUNS_SOAK_SECONDS (default 600), through the plain-Node
// layers the extension is made of: the API client, the FollowerRegistry (with
// "panels" that open on each new run and close a while after it ends, and the
// tree's followers of active runs), the RunStore and the RunGroups + Poller
// of the Runs view. The sandbox runs in a child process (dist/sandbox.js), so
// this process's heap is the extension's alone. Every 10 s: heap and sockets
// (the sandbox's open streams and this process's TCP handles). Both must level
// off: the slope over the second half is bounded. At the end, with every panel
// closed and the view hidden, the server must hold no open stream.
// (Not inside VS Code: a 10-minute workbench run is too heavy for this machine;
// the layers are the same code the extension host runs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { FlowRunsClient } from '../../src/api/client';
import { FlowRunStatus, isActiveRunStatus, isTerminalRunStatus, toFlowRunStatus } from '../../src/api/models';
import { FollowerRegistry, type FollowerHandle } from '../../src/runs/followers';
import { RunGroups } from '../../src/runs/groups';
import { Poller } from '../../src/runs/poller';
import { RunStore } from '../../src/runs/store';

const SECONDS = Number(process.env.FLOW_RUNS_SOAK_SECONDS ?? 600);
const ACTIONS_PER_SECOND = 5;
const SAMPLE_MS = 10_000;
/** A panel stays open this long after its run ended (a user reading it), then closes. */
const PANEL_LINGER_MS = 3_000;
const MAX_TREE_FOLLOWERS = 20;
const root = path.resolve(__dirname, '..', '..', '..');

interface Sample {
  t: number;
  heapMB: number;
  rssMB: number;
  openStreams: number;
  tcpHandles: number;
  followers: number;
  storeRuns: number;
}

async function startSandboxProcess(): Promise<{ url: string; child: ChildProcess }> {
  const script = path.join(root, 'dist', 'sandbox.js');
  assert.ok(fs.existsSync(script), `${script} is built (npm run build)`);
  const child = spawn(process.execPath, [script, '--port', '0', '--speed', '0.25', '--seed', '11', '--keep-alive', '5000', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the sandbox did not start: ${out}`)), 15_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the sandbox exited (${code ?? 'signal'}): ${out}`)));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return { url, child };
}

async function sandboxStats(url: string): Promise<{ openStreams: number; requests: number }> {
  const res = await fetch(`${url}/_sandbox/stats`);
  const body = (await res.json()) as { data?: { openStreams: number; requests: number }; openStreams?: number; requests?: number };
  const s = body.data ?? (body as { openStreams: number; requests: number });
  return { openStreams: s.openStreams, requests: s.requests };
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPWrap').length;
}

/** A full collection before each heap sample, so the samples show what is retained, not garbage. */
function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn: unknown = vm.runInNewContext('gc');
    return typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
}
const gc = exposeGc();

test(`soak: ${SECONDS} s of starts, cancels and completions at ${ACTIONS_PER_SECOND}/s; heap and sockets level off; nothing left open`, { timeout: (SECONDS + 240) * 1000 }, async () => {
  const { url, child } = await startSandboxProcess();
  const client = new FlowRunsClient({ baseUrl: url, apiKey: 'inf_sandbox_demo', clientVersion: 'soak' });
  const followers = new FollowerRegistry(() => client, {});
  const store = new RunStore();
  const fromFollowers = followers.onDidChangeRun((run) => store.upsert(run));
  const groups = new RunGroups(store, (req) => client.listRuns(req), { pageSize: 25 });
  const open = new Set([FlowRunStatus.Pending, FlowRunStatus.Running, FlowRunStatus.Completed]);
  const poller = new Poller({ intervalMs: 5_000, maxFactor: 2, poll: () => groups.refresh(open) });
  poller.setActive(true);

  const panels = new Map<string, { handle: FollowerHandle; closeAt?: number }>();
  const treeLeases = new Map<string, FollowerHandle>();
  const counts = { starts: 0, cancels: 0, startErrors: 0, cancelErrors: 0 };
  const samples: Sample[] = [];
  const started = Date.now();
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    const q = p.catch(() => undefined).finally(() => pending.delete(q));
    pending.add(q);
  };

  /** The Runs view: follow the active runs it shows (at most 20), like the tree does. */
  const reconcileTree = (): void => {
    const want = new Set<string>();
    for (const status of [FlowRunStatus.Pending, FlowRunStatus.Running]) {
      for (const run of groups.runsOf(status)) {
        if (want.size >= MAX_TREE_FOLLOWERS) break;
        if (isActiveRunStatus(toFlowRunStatus(run.status))) want.add(run.id);
      }
    }
    for (const [id, h] of treeLeases) {
      if (!want.has(id)) {
        h.release();
        treeLeases.delete(id);
      }
    }
    for (const id of want) if (!treeLeases.has(id)) treeLeases.set(id, followers.acquire(id));
  };
  const groupsSub = groups.onDidChange(() => reconcileTree());

  const sample = async (): Promise<void> => {
    gc?.();
    const mem = process.memoryUsage();
    const s = await sandboxStats(url);
    samples.push({
      t: (Date.now() - started) / 1000,
      heapMB: mem.heapUsed / 2 ** 20,
      rssMB: mem.rss / 2 ** 20,
      openStreams: s.openStreams,
      tcpHandles: tcpHandles(),
      followers: followers.size,
      storeRuns: store.size,
    });
  };

  const pattern = ['start', 'start', 'cancel', 'start', 'cancel'] as const;
  let tick = 0;
  await sample();
  let nextSample = Date.now() + SAMPLE_MS;
  try {
    while (Date.now() - started < SECONDS * 1000) {
      const action = pattern[tick++ % pattern.length];
      if (action === 'start') {
        const flow = tick % 7 === 0 ? 'flow_fanout' : tick % 5 === 0 ? 'flow_flaky' : 'flow_image_pipeline';
        const input = flow === 'flow_fanout' ? { topic: `soak ${tick}` } : { prompt: `soak ${tick}` };
        track(client.createRun(flow, input).then(({ data }) => {
          counts.starts++;
          store.upsert(data);
          // A user opens its panel.
          panels.set(data.id, { handle: followers.acquire(data.id) });
        }, () => {
          counts.startErrors++;
        }));
      } else {
        const active = [...panels.keys()].filter((id) => isActiveRunStatus(toFlowRunStatus(store.get(id)?.status)));
        const victim = active[Math.floor(active.length / 2)];
        if (victim) {
          track(client.cancelRun(victim).then(() => {
            counts.cancels++;
          }, () => {
            counts.cancelErrors++;
          }));
        }
      }
      // Panels of finished runs close after a while.
      const now = Date.now();
      for (const [id, p] of panels) {
        const state = p.handle.follower.view.state;
        const done = state === 'ended' || state === 'failed' || isTerminalRunStatus(toFlowRunStatus(store.get(id)?.status));
        if (done && p.closeAt === undefined) p.closeAt = now + PANEL_LINGER_MS;
        if (p.closeAt !== undefined && now >= p.closeAt) {
          p.handle.release();
          panels.delete(id);
        }
      }
      if (now >= nextSample) {
        nextSample += SAMPLE_MS;
        await sample();
      }
      await new Promise((r) => setTimeout(r, 1000 / ACTIONS_PER_SECOND));
    }
    await sample();
  } finally {
    // Every panel closes and the view hides.
    poller.dispose();
    groupsSub.dispose();
    for (const p of panels.values()) p.handle.release();
    panels.clear();
    for (const h of treeLeases.values()) h.release();
    treeLeases.clear();
    await Promise.allSettled([...pending]);
  }

  const finalStatuses = store.all().map((r) => toFlowRunStatus(r.status));
  const byStatus = (st: FlowRunStatus): number => finalStatuses.filter((x) => x === st).length;
  // What the growth is made of: drop what the store and the groups hold, collect, and look again.
  groups.reset();
  store.clear();
  gc?.();
  const heapAfterStoreClearMB = process.memoryUsage().heapUsed / 2 ** 20;
  let streamsAfter = -1;
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      streamsAfter = (await sandboxStats(url)).openStreams;
      if (streamsAfter === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await followers.dispose();
    fromFollowers.dispose();
    groups.dispose();
    store.dispose();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }

  const second = samples.filter((s) => s.t >= SECONDS / 2);
  const heapSlope = slope(second.map((s) => [s.t / 60, s.heapMB])); // MB per minute
  const streamSlope = slope(second.map((s) => [s.t / 60, s.openStreams])); // streams per minute
  const tcpSlope = slope(second.map((s) => [s.t / 60, s.tcpHandles]));
  const figures = {
    seconds: SECONDS,
    actionsPerSecond: ACTIONS_PER_SECOND,
    ...counts,
    completed: byStatus(FlowRunStatus.Completed),
    failed: byStatus(FlowRunStatus.Failed),
    cancelled: byStatus(FlowRunStatus.Cancelled),
    stillActive: byStatus(FlowRunStatus.Pending) + byStatus(FlowRunStatus.Running),
    runsInStore: samples[samples.length - 1]?.storeRuns,
    heapPerStoredRunKB: ((samples[samples.length - 1]?.heapMB ?? 0) - (samples[0]?.heapMB ?? 0)) * 1024 / Math.max(1, samples[samples.length - 1]?.storeRuns ?? 1),
    gcExposed: !!gc,
    heapMB: { first: samples[0]?.heapMB, max: Math.max(...samples.map((s) => s.heapMB)), last: samples[samples.length - 1]?.heapMB },
    heapSlopeMBPerMinSecondHalf: heapSlope,
    heapAfterStoreClearMB,
    openStreams: { max: Math.max(...samples.map((s) => s.openStreams)), last: samples[samples.length - 1]?.openStreams },
    openStreamsSlopePerMinSecondHalf: streamSlope,
    tcpHandlesSlopePerMinSecondHalf: tcpSlope,
    openStreamsAfterClose: streamsAfter,
    samples,
  };
  const file = path.join(root, 'test-results', 'soak-figures.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`soak figures (${file}):\n${JSON.stringify({ ...figures, samples: samples.length }, null, 2)}\n`);

  assert.ok(samples.length >= 3, 'enough samples');
  assert.ok(counts.starts > SECONDS, `runs were started continuously: ${counts.starts}`);
  assert.ok(counts.cancels > SECONDS / 4, `runs were cancelled continuously: ${counts.cancels}`);
  // Open streams follow the live runs, not time: no trend over the second half.
  assert.ok(Math.abs(streamSlope) < 5, `open streams level off (slope ${streamSlope.toFixed(2)}/min)`);
  assert.ok(Math.abs(tcpSlope) < 5, `sockets level off (slope ${tcpSlope.toFixed(2)}/min)`);
  // A flat heap is the requirement; 1 MB a minute leaves room for noise after a forced GC.
  // (Today the RunStore keeps every run it ever saw, ~9 KB each: see the report.)
  assert.ok(heapSlope < 1, `heap levels off (slope ${heapSlope.toFixed(2)} MB/min over the second half; ${samples[samples.length - 1]?.storeRuns} runs held by the store)`);
  assert.equal(streamsAfter, 0, 'no stream is left open once every panel closed and the view hid');
});
