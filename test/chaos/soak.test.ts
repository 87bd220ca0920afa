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
// The same soak inside VS Code's extension host, through the real commands,
// tree and panels, is test/vscode/chaos/suite/soak.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { FlowRunsClient } from '../../src/api/client';
import { FlowRunStatus, isActiveRunStatus, isTerminalRunStatus, toFlowRunStatus } from '../../src/api/models';
import { FollowerRegistry, type FollowerHandle } from '../../src/runs/followers';
import { RunGroups } from '../../src/runs/groups';
import { Poller } from '../../src/runs/poller';
import { RunStore } from '../../src/runs/store';
import {
  ACTIONS_PER_SECOND, exposeGc, heapSample, paceActions, SANDBOX_KEY, sandboxStats, secondHalfSlopes, soakStart,
  SOAK_SECONDS as SECONDS, startSandboxProcess, tcpHandles, waitForNoStreams, writeFigures, type SoakSample,
} from './soakKit';

/** A panel stays open this long after its run ended (a user reading it), then closes. */
const PANEL_LINGER_MS = 3_000;
const MAX_TREE_FOLLOWERS = 20;
const root = path.resolve(__dirname, '..', '..', '..');
const gc = exposeGc();

test(`soak: ${SECONDS} s of starts, cancels and completions at ${ACTIONS_PER_SECOND}/s; heap and sockets level off; nothing left open`, { timeout: (SECONDS + 240) * 1000 }, async () => {
  const sandbox = await startSandboxProcess(root);
  const { url } = sandbox;
  const client = new FlowRunsClient({ baseUrl: url, apiKey: SANDBOX_KEY, clientVersion: 'soak' });
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
  const samples: SoakSample[] = [];
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
    const mem = heapSample(gc);
    const s = await sandboxStats(url);
    samples.push({
      t: (Date.now() - started) / 1000,
      ...mem,
      openStreams: s.openStreams,
      tcpHandles: tcpHandles(),
      followers: followers.size,
      storeRuns: store.size,
    });
  };

  try {
    await paceActions(SECONDS, {
      sample,
      start: (tick) => {
        const { flow, input } = soakStart(tick);
        track(client.createRun(flow, input).then(({ data }) => {
          counts.starts++;
          store.upsert(data);
          // A user opens its panel.
          panels.set(data.id, { handle: followers.acquire(data.id) });
        }, () => {
          counts.startErrors++;
        }));
      },
      cancel: () => {
        const active = [...panels.keys()].filter((id) => isActiveRunStatus(toFlowRunStatus(store.get(id)?.status)));
        const victim = active[Math.floor(active.length / 2)];
        if (!victim) return;
        track(client.cancelRun(victim).then(() => {
          counts.cancels++;
        }, () => {
          counts.cancelErrors++;
        }));
      },
      afterAction: (now) => {
        // Panels of finished runs close after a while.
        for (const [id, p] of panels) {
          const state = p.handle.follower.view.state;
          const done = state === 'ended' || state === 'failed' || isTerminalRunStatus(toFlowRunStatus(store.get(id)?.status));
          if (done && p.closeAt === undefined) p.closeAt = now + PANEL_LINGER_MS;
          if (p.closeAt !== undefined && now >= p.closeAt) {
            p.handle.release();
            panels.delete(id);
          }
        }
      },
    });
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
  const heapAfterStoreClearMB = heapSample(gc).heapMB;
  let streamsAfter = -1;
  try {
    streamsAfter = await waitForNoStreams(url, 10_000);
  } finally {
    await followers.dispose();
    fromFollowers.dispose();
    groups.dispose();
    store.dispose();
    await sandbox.stop();
  }

  const { heap: heapSlope, streams: streamSlope, tcp: tcpSlope } = secondHalfSlopes(samples, SECONDS);
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
  writeFigures(root, 'soak-figures', figures);

  assert.ok(samples.length >= 3, 'enough samples');
  assert.ok(counts.starts > SECONDS, `runs were started continuously: ${counts.starts}`);
  assert.ok(counts.cancels > SECONDS / 4, `runs were cancelled continuously: ${counts.cancels}`);
  // Open streams follow the live runs, not time: no trend over the second half.
  assert.ok(Math.abs(streamSlope) < 5, `open streams level off (slope ${streamSlope.toFixed(2)}/min)`);
  assert.ok(Math.abs(tcpSlope) < 5, `sockets level off (slope ${tcpSlope.toFixed(2)}/min)`);
  // A flat heap is the requirement; 1 MB a minute leaves room for noise after a forced GC.
  assert.ok(heapSlope < 1, `heap levels off (slope ${heapSlope.toFixed(2)} MB/min over the second half; ${samples[samples.length - 1]?.storeRuns} runs held by the store)`);
  assert.equal(streamsAfter, 0, 'no stream is left open once every panel closed and the view hid');
});
