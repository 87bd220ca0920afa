// The soak inside a real VS Code (a chaos part: FLOW_RUNS_SOAK_SECONDS, default
// 600, under npm run test:chaos). Starts, cancels and completions at 5 a second
// against a sandbox in a child process, while the Runs view shows and polls,
// the tree follows the active runs it shows, a few run panels are open, and
// "run finished" notifications come (cleared every 10 s, as a user would).
// Starts make the calls Run Flow makes after its checks (the session's API
// client, then runStarted), without opening a panel for each of three runs a
// second; one start in five opens its panel (at most six open), which closes
// 3 s after its run ends. Cancels go through the Cancel Run command. Every
// 10 s the extension host's heap (after a full collection), its TCP handles
// and the sandbox's open streams are sampled: all must level off. At the end
// every panel closes and the view hides: open streams must be 0.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { isActiveRunStatus, isTerminalRunStatus, toFlowRunStatus } from '../../../../src/api/models';
import type { ActionOutcome } from '../../../../src/commands/runActions';
import {
  ACTIONS_PER_SECOND, exposeGc, heapSample, paceActions, SANDBOX_KEY, sandboxStats, secondHalfSlopes, soakStart,
  SOAK_SECONDS, startSandboxProcess, tcpHandles, waitForNoStreams, writeFigures, type SandboxProcess, type SoakSample,
} from '../../../chaos/soakKit';
import { EXTENSION_ID, extensionApi, waitFor } from '../../util/sandbox';

const PANEL_EVERY = 5;
const MAX_PANELS = 6;
const PANEL_LINGER_MS = 3_000;
const SETTINGS = ['apiUrl', 'webUrl', 'confirmCancel', 'refreshInterval'] as const;

suite('Reliability: soak inside the extension host', function () {
  this.timeout((SOAK_SECONDS + 300) * 1000);
  let sandbox: SandboxProcess | undefined;
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('flowRuns');

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('flowRuns.clearApiKey');
    for (const key of SETTINGS) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    await sandbox?.stop();
  });

  test(`${SOAK_SECONDS} s of starts, cancels and completions at ${ACTIONS_PER_SECOND}/s: heap and sockets level off; no stream left open`, async () => {
    const repo = vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? process.cwd();
    const ext = await extensionApi();
    const services = ext.services;
    const gc = exposeGc();
    sandbox = await startSandboxProcess(repo);
    const { url } = sandbox;
    await config().update('apiUrl', url, vscode.ConfigurationTarget.Global);
    await config().update('webUrl', `${url}/app`, vscode.ConfigurationTarget.Global);
    await config().update('confirmCancel', false, vscode.ConfigurationTarget.Global);
    await config().update('refreshInterval', 5, vscode.ConfigurationTarget.Global);
    await waitFor(() => services.session.baseUrl === url, 'the session to follow flowRuns.apiUrl');
    await vscode.commands.executeCommand('flowRuns.setApiKey', SANDBOX_KEY);
    await waitFor(() => services.session.hasKey, 'the API key to be stored');
    await vscode.commands.executeCommand('workbench.view.extension.flowRuns');
    const tree = ext.runsTree;
    const manager = ext.runPanels;
    await waitFor(() => tree.groups.totalsKnown, 'the Runs view to load');
    const api = await services.session.requireApi();

    const counts = { starts: 0, cancels: 0, startErrors: 0, cancelErrors: 0, panelsOpened: 0 };
    /** Runs started here that may still be active (cancel candidates). */
    const ours = new Set<string>();
    const panels = new Map<string, { closeAt?: number }>();
    const samples: SoakSample[] = [];
    const pending = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>): void => {
      const q = p.catch(() => undefined).finally(() => pending.delete(q));
      pending.add(q);
    };
    const started = Date.now();
    const sample = async (): Promise<void> => {
      const mem = heapSample(gc);
      const s = await sandboxStats(url);
      samples.push({
        t: (Date.now() - started) / 1000, ...mem, openStreams: s.openStreams, tcpHandles: tcpHandles(),
        followers: services.followers.size, storeRuns: services.store.size,
      });
    };
    const statusOf = (id: string): ReturnType<typeof toFlowRunStatus> => toFlowRunStatus(services.store.get(id)?.status);

    try {
      await paceActions(SOAK_SECONDS, {
        sample: async () => {
          // A user clears the "run finished" notifications now and then.
          await vscode.commands.executeCommand('notifications.clearAll');
          await sample();
        },
        start: (tick) => {
          const { flow, input } = soakStart(tick);
          track(api.createRun(flow, input).then(({ data }) => {
            counts.starts++;
            services.runStarted(data);
            ours.add(data.id);
            if (counts.starts % PANEL_EVERY === 0 && panels.size < MAX_PANELS) {
              panels.set(data.id, {});
              counts.panelsOpened++;
              return vscode.commands.executeCommand('flowRuns.openRun', data.id);
            }
            return undefined;
          }, () => {
            counts.startErrors++;
          }));
        },
        cancel: () => {
          for (const id of ours) if (!isActiveRunStatus(statusOf(id))) ours.delete(id);
          const active = [...ours];
          const victim = active[Math.floor(active.length / 2)];
          if (!victim) return;
          ours.delete(victim);
          track(Promise.resolve(vscode.commands.executeCommand<ActionOutcome>('flowRuns.cancelRun', victim)).then((outcome) => {
            if (outcome?.ok) counts.cancels++;
            else counts.cancelErrors++;
          }));
        },
        afterAction: (now) => {
          for (const [id, p] of panels) {
            if (p.closeAt === undefined && isTerminalRunStatus(statusOf(id))) p.closeAt = now + PANEL_LINGER_MS;
            if (p.closeAt !== undefined && now >= p.closeAt) {
              manager.get(id)?.dispose();
              panels.delete(id);
            }
          }
        },
      });
    } finally {
      // Every panel closes and the view hides.
      await Promise.allSettled([...pending]);
      manager.closeAll();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('workbench.view.explorer');
      await vscode.commands.executeCommand('notifications.clearAll');
    }
    // Runs started here are watched for their "finished" notification until they end (seconds at this speed).
    const streamsAfter = await waitForNoStreams(url, 60_000);
    // A finished run's watcher lets go after the follower's final GET (at most 10 s later).
    await waitFor(() => services.followers.size === 0, 'the last followers to be let go', 30_000).catch(() => undefined);
    const followersAfter = services.followers.size;

    const slopes = secondHalfSlopes(samples, SOAK_SECONDS);
    const last = samples[samples.length - 1];
    const figures = {
      seconds: SOAK_SECONDS,
      actionsPerSecond: ACTIONS_PER_SECOND,
      ...counts,
      gcExposed: !!gc,
      heapMB: { first: samples[0]?.heapMB, max: Math.max(...samples.map((s) => s.heapMB)), last: last?.heapMB },
      heapSlopeMBPerMinSecondHalf: slopes.heap,
      runsInStore: { max: Math.max(...samples.map((s) => s.storeRuns)), last: last?.storeRuns },
      followers: { max: Math.max(...samples.map((s) => s.followers)), afterClose: followersAfter },
      openStreams: { max: Math.max(...samples.map((s) => s.openStreams)), last: last?.openStreams },
      openStreamsSlopePerMinSecondHalf: slopes.streams,
      tcpHandles: { max: Math.max(...samples.map((s) => s.tcpHandles)), last: last?.tcpHandles },
      tcpHandlesSlopePerMinSecondHalf: slopes.tcp,
      openStreamsAfterClose: streamsAfter,
      samples,
    };
    writeFigures(repo, 'soak-vscode-figures', figures);

    assert.ok(samples.length >= 3, 'enough samples');
    assert.ok(counts.starts > SOAK_SECONDS, `runs were started continuously: ${counts.starts}`);
    assert.ok(counts.cancels > SOAK_SECONDS / 4, `runs were cancelled continuously: ${counts.cancels} (${counts.cancelErrors} refused)`);
    assert.ok(Math.abs(slopes.streams) < 5, `open streams level off (slope ${slopes.streams.toFixed(2)}/min)`);
    assert.ok(Math.abs(slopes.tcp) < 5, `sockets level off (slope ${slopes.tcp.toFixed(2)}/min)`);
    assert.ok(slopes.heap < 1, `the extension host's heap levels off (slope ${slopes.heap.toFixed(2)} MB/min over the second half; ${last?.storeRuns} runs in the store)`);
    assert.equal(streamsAfter, 0, 'no stream is left open once every panel closed and the view hid');
    assert.equal(followersAfter, 0, 'no follower is left once every panel closed and the view hid');
  });
});
