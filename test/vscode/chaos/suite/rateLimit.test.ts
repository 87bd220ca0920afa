// The rate limit inside a real VS Code (a chaos part: it needs more than a
// minute, so it runs under npm run test:chaos through test/chaos/vscodeChaos.test.ts).
// Under a sandbox limit of N requests in a rolling minute (the sandbox's window is
// fixed at 60 s), the extension's background traffic (the Runs view's polls and the
// panels' followers) must never send more than N in any minute, and must recover by
// itself when the limit lifts.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startSandbox, type SandboxOptions } from '../../../../src/sandbox';
import { recordFigures } from '../../util/convergence';
import { extensionApi, waitFor, type TestSandbox } from '../../util/sandbox';

/** A direct call to the sandbox (another client acting on the run). */
async function cancelDirect(t: TestSandbox, runId: string): Promise<void> {
  const res = await fetch(`${t.sandbox.url}/flowruns/${runId}/cancel`, { method: 'POST', headers: { Authorization: `Bearer ${t.sandbox.defaultKey}` } });
  await res.arrayBuffer();
}

suite('Reliability: rate limits', function () {
  this.timeout(180_000);
  const LIMIT = 20;
  const WINDOW_MS = 60_000; // the sandbox's window is a fixed rolling minute
  let t: TestSandbox;
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('flowRuns');

  suiteSetup(async () => {
    await config().update('refreshInterval', 5, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.view.extension.flowRuns');
  });

  suiteTeardown(async () => {
    t?.ext.runPanels.closeAll();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
    await t?.dispose();
  });

  test(`under a limit of ${LIMIT} requests a minute the extension never sends more, and recovers by itself when the limit lifts`, async () => {
    // The sandbox reads rateLimitPerMinute from the options object it was given, on every request;
    // it has no call to change it, so the test keeps that object and lifts the limit by editing it.
    const timeline: string[] = [];
    const started = Date.now();
    const note = (m: string): void => {
      if (/^(GET|POST) \/(flowruns|flows|tasks)/.test(m) && timeline.length < 400) timeline.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${m}`);
    };
    const logger = { trace: note, debug: note, info: () => undefined, warn: () => undefined, error: () => undefined };
    const opts: SandboxOptions = { port: 0, speed: 1, seed: 5, logger };
    const ext = await extensionApi();
    const services = ext.services;
    const sandbox = await startSandbox(opts);
    t = { sandbox, services, ext, dispose: async () => {
      await vscode.commands.executeCommand('flowRuns.clearApiKey');
      await services.followers.reset();
      await sandbox.close();
    } };
    await config().update('apiUrl', sandbox.url, vscode.ConfigurationTarget.Global);
    await waitFor(() => services.session.baseUrl === sandbox.url, 'the session to follow flowRuns.apiUrl');
    await vscode.commands.executeCommand('flowRuns.setApiKey', sandbox.defaultKey);
    await waitFor(() => services.session.hasKey, 'the key to be stored');
    const manager = ext.runPanels;
    const tree = ext.runsTree;
    // Held runs, so the tree and three panels keep following them the whole time.
    const held = [0, 1, 2].map((i) => sandbox.createRunDirect('flow_slow', { seconds: 150 + i }).id);
    for (const id of held) await vscode.commands.executeCommand('flowRuns.openRun', id);
    await waitFor(() => held.every((id) => manager.get(id)?.connectionState === 'live'), 'the panels to go live');

    // The limit starts now; the server's request counter (refused requests included) is sampled every 100 ms.
    const samples: { at: number; requests: number }[] = [];
    const sample = (): void => {
      samples.push({ at: Date.now(), requests: sandbox.stats().requests });
    };
    sandbox.resetStats();
    opts.rateLimitPerMinute = LIMIT;
    const timer = setInterval(sample, 100);
    let recovered = false;
    try {
      // The tree polls (six list calls a round) and three panels hold their streams: more than the limit wants.
      await new Promise((r) => setTimeout(r, WINDOW_MS + 5_000));
      opts.rateLimitPerMinute = undefined;
      // Recovery: a run started now shows up and is followed live, with no user action.
      const fresh = sandbox.createRunDirect('flow_image_pipeline', { prompt: 'after the limit' });
      await waitFor(() => tree.groups.groupOf(fresh.id) !== undefined, 'the tree to pick up a new run by itself', 60_000);
      await waitFor(() => held.every((id) => manager.get(id)?.connectionState === 'live'), 'every panel to be live again', 60_000);
      recovered = true;
    } finally {
      clearInterval(timer);
      sample();
      opts.rateLimitPerMinute = undefined;
    }
    let worst = 0;
    for (const s of samples) {
      const start = samples.find((x) => x.at >= s.at - WINDOW_MS) ?? samples[0];
      worst = Math.max(worst, s.requests - start.requests);
    }
    const stats = sandbox.stats();
    recordFigures('rateLimit', {
      limitPerMinute: LIMIT, windowMs: WINDOW_MS, worstMinute: worst, requests: stats.requests, byRoute: stats.byRoute, recovered, timeline,
    });
    for (const id of held) await cancelDirect(t, id);
    assert.ok(worst <= LIMIT, `at most ${LIMIT} requests reached the server in any minute (worst: ${worst}; by route ${JSON.stringify(stats.byRoute)})`);
  });
});

