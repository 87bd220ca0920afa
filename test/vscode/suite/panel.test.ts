// The run panel inside a real VS Code against the sandbox: what the user sees
// in the webview (read through the workbench), what the host posted (a
// snapshot, then diffs only), and what the server holds at the end.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { FlowRunStatus, type Flow, type FlowRun } from '../../../src/api/models';
import type { HostMessage } from '../../../src/shared/protocol';
import { runIdFromState, type RunPanelManager } from '../../../src/views/panel/panelManager';
import type { RunPanel } from '../../../src/views/panel/runPanelHost';
import { useSandbox, waitFor, type TestSandbox } from '../util/sandbox';
import { expectedPanelState } from '../util/panelExpect';
import { replay } from '../util/convergence';
import * as wb from '../util/workbench';
import { flowOfSize } from '../../bench/lib/benchFlows';

const XSS = '<img src=x onerror=alert(1)>';

/** A copy of the image pipeline with a real-time "review" step, so a run stays Running as long as we need. */
function heldFlow(): Flow {
  const now = new Date().toISOString();
  return {
    id: 'flow_panel_held',
    created_at: now,
    updated_at: now,
    namespace: 'sandbox',
    name: 'held-pipeline',
    title: 'Landscape with review',
    nodes: [
      { id: 'enhance', type: 'app', position: { x: 0, y: 60 } },
      { id: 'generate', type: 'app', position: { x: 280, y: 0 } },
      { id: 'review', type: 'app', position: { x: 280, y: 130 } },
      { id: 'upscale', type: 'app', position: { x: 560, y: 60 } },
    ],
    edges: [
      { id: 'e1', source: 'enhance', target: 'generate' },
      { id: 'e2', source: 'enhance', target: 'review' },
      { id: 'e3', source: 'generate', target: 'upscale' },
      { id: 'e4', source: 'review', target: 'upscale' },
    ],
    node_data: {
      enhance: { app_id: 'sandbox/text-transform', function: 'enhance', title: 'Enhance prompt', input: { text: '{{input.prompt}}' } },
      generate: { app_id: 'sandbox/image-generator', function: 'generate', title: 'Generate image', input: { prompt: '{{nodes.enhance.text}}', width: 512, height: 320 } },
      review: { app_id: 'sandbox/delay', function: 'run', title: 'Human review', input: { seconds: 60 } },
      upscale: { app_id: 'sandbox/upscale', function: 'upscale', title: 'Upscale', input: { image: '{{nodes.generate.image}}', factor: 2 } },
    },
  };
}

/** One node whose output is text that looks like markup. */
function xssFlow(): Flow {
  const now = new Date().toISOString();
  return {
    id: 'flow_panel_xss',
    created_at: now,
    updated_at: now,
    name: 'xss',
    title: `${XSS} flow`,
    nodes: [{ id: 'say', type: 'app', position: { x: 0, y: 0 } }],
    edges: [],
    node_data: { say: { app_id: 'sandbox/echo', function: 'run', title: XSS, input: { text: XSS } } },
  };
}

/** The benches' 200-node flow (layers of ten), as a flow the sandbox can run. */
function longFlow(): Flow {
  const now = new Date().toISOString();
  const { nodes, edges, node_data } = flowOfSize(LONG_FLOW_NODES);
  return { id: 'flow_panel_long', created_at: now, updated_at: now, name: 'long', title: 'A long flow', nodes, edges, node_data };
}

const LONG_FLOW_NODES = 200;

/** Every node status the host ever told the webview, per node, without repeats. */
function statusHistory(posted: HostMessage[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const note = (statuses: Record<string, string> | undefined): void => {
    for (const [node, s] of Object.entries(statuses ?? {})) {
      const list = (out[node] ??= []);
      if (list[list.length - 1] !== s) list.push(s);
    }
  };
  for (const m of posted) {
    if (m.type === 'snapshot') note(m.run?.nodeStatuses);
    else if (m.type === 'run') note(m.changes.nodeStatuses);
  }
  return out;
}

interface DomState {
  badge: string;
  nodes: Record<string, string>;
  finalImages: string[];
  rows: number;
  banner: string | null;
}

const readDom = `() => {
  const nodes = {};
  for (const n of document.querySelectorAll('.node')) nodes[n.getAttribute('data-node-id')] = n.getAttribute('data-status');
  const banner = document.querySelector('.banner');
  return {
    badge: (document.querySelector('.badge-text') || {}).textContent || '',
    nodes,
    finalImages: [...document.querySelectorAll('.final-output img.output-image')].filter((i) => i.complete && i.naturalWidth > 0).map((i) => i.getAttribute('src') || ''),
    rows: document.querySelectorAll('tr.task-row').length,
    banner: banner && !banner.hidden ? banner.textContent : null,
  };
}`;

/** Waits until the host has told the webview that the follower ended (its final diffs go before that). */
async function settled(panel: RunPanel, timeoutMs = 30_000): Promise<void> {
  await waitFor(() => panel.posted.some((m) =>
    (m.type === 'connection' && m.connection.state === 'ended') || (m.type === 'snapshot' && m.connection.state === 'ended')),
  'the panel to be told the run ended', timeoutMs);
}

async function dom(): Promise<DomState> {
  return (await wb.frameEvaluate(readDom)) as DomState;
}

suite('Run panel', function () {
  this.timeout(90_000);
  let t: TestSandbox;
  let manager: RunPanelManager;
  let previousTheme: string | undefined;
  const workbench = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('workbench');

  async function setTheme(theme: string, kind: 'vscode-dark' | 'vscode-light'): Promise<void> {
    await workbench().update('colorTheme', theme, vscode.ConfigurationTarget.Global);
    if (wb.canDriveWorkbench()) {
      await waitFor(async () => (await wb.frameEvaluate(`document.body.classList.contains('${kind}')`)) === true, `the ${theme} theme in the webview`);
    }
  }

  async function open(runId: string): Promise<RunPanel> {
    await vscode.commands.executeCommand('flowRuns.openRun', runId);
    const panel = await waitFor(() => manager.get(runId), 'the panel to open');
    await waitFor(() => panel.isReady, 'the webview to say ready');
    return panel;
  }

  function serverRun(id: string): FlowRun {
    const r = t.sandbox.getRun(id);
    assert.ok(r, `the sandbox has run ${id}`);
    return r;
  }


  suiteSetup(async () => {
    t = await useSandbox({ speed: 0.5 });
    manager = t.ext.runPanels;
    assert.ok(manager, 'the run panel manager is exposed for tests');
    t.sandbox.addFlow(heldFlow());
    t.sandbox.addFlow(xssFlow());
    t.sandbox.addFlow(longFlow());
    // The Runs view follows active runs while visible: close it so the panel is the only follower.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    previousTheme = workbench().inspect<string>('colorTheme')?.globalValue;
    await workbench().update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
  });

  teardown(async () => {
    t.sandbox.setFaults(undefined);
    manager.closeAll();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suiteTeardown(async () => {
    await workbench().update('colorTheme', previousTheme, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('flowRuns').update('confirmCancel', undefined, vscode.ConfigurationTarget.Global);
    await t?.dispose();
  });

  test('a 3-node run: each node moves through its statuses to completed, then the image output shows', async () => {
    // Held until the panel is open, so that a slow window still sees every step from the first.
    const created = t.sandbox.createRunDirect('flow_image_pipeline', { prompt: 'A mountain landscape at dawn' }, { held: true });
    const panel = await open(created.id);
    await waitFor(() => panel.connectionState === 'live', 'the panel to go live');
    assert.ok(t.sandbox.releaseRun(created.id), 'the held run starts');
    const seenInDom: Record<string, Set<string>> = {};
    let last: DomState | undefined;
    if (wb.canDriveWorkbench()) {
      last = await waitFor(async () => {
        const d = await dom();
        for (const [node, s] of Object.entries(d.nodes)) (seenInDom[node] ??= new Set()).add(s);
        return d.badge === 'Completed' && d.finalImages.length > 0 ? d : undefined;
      }, 'the webview to show the run completed with its image', 40_000);
    }
    await settled(panel);
    await waitFor(() => serverRun(created.id).status === FlowRunStatus.Completed, 'the server run to complete');

    // The host told the webview every step: not yet there, running, completed.
    const history = statusHistory(panel.posted);
    assert.deepEqual(Object.keys(history).sort(), ['enhance', 'generate', 'upscale']);
    for (const [node, statuses] of Object.entries(history)) {
      assert.equal(statuses[statuses.length - 1], 'completed', `${node} ends completed: ${statuses.join(' > ')}`);
      assert.ok(statuses.includes('running'), `${node} was shown running: ${statuses.join(' > ')}`);
    }
    assert.notEqual(history.upscale[0], 'completed', 'upscale started out not completed');

    // A snapshot first, then diffs only: no second snapshot, and run diffs carry only some fields.
    const snapshots = panel.posted.filter((m) => m.type === 'snapshot').length;
    assert.equal(panel.posted[0]?.type, 'snapshot');
    assert.equal(snapshots, 1);
    const runDiffs = panel.posted.filter((m): m is Extract<HostMessage, { type: 'run' }> => m.type === 'run');
    assert.ok(runDiffs.length > 0, 'run changes were posted');
    const fullSize = Object.keys(expectedPanelState(t, created.id).run).length;
    assert.ok(runDiffs.every((m) => Object.keys(m.changes).length < fullSize), 'every run diff is partial');
    assert.ok(!JSON.stringify(panel.posted).includes(t.sandbox.defaultKey), 'the API key never reaches the webview');

    if (last) {
      assert.deepEqual(last.nodes, { enhance: 'completed', generate: 'completed', upscale: 'completed' });
      assert.equal(last.rows, 3);
      // Loopback http images come through the host as data: URLs (the CSP has no http:).
      assert.match(last.finalImages[0], /^data:image\/png;base64,/);
      const sawProgress = Object.values(seenInDom).some((s) => s.has('running') || s.has('pending'));
      assert.ok(sawProgress, `the webview showed progress before completion: ${JSON.stringify(Object.fromEntries(Object.entries(seenInDom).map(([k, v]) => [k, [...v]])))}`);
      await wb.screenshot('panel-finished-dark');
      await setTheme('Default Light Modern', 'vscode-light');
      await wb.screenshot('panel-finished-light');
      await setTheme('Default Dark Modern', 'vscode-dark');
    }
  });

  test('a failing run shows the failing node and its error', async () => {
    const created = t.sandbox.createRunDirect('flow_flaky', {});
    const panel = await open(created.id);
    const run = await waitFor(() => {
      const r = serverRun(created.id);
      return r.status === FlowRunStatus.Failed ? r : undefined;
    }, 'the flaky run to fail');
    await settled(panel);
    const final = replay(panel.posted).run;
    assert.equal(final?.statusName, 'Failed');
    assert.equal(final?.nodeStatuses.validate, 'failed');
    assert.ok(run.error, 'the server gives an error');
    assert.equal(final?.error, run.error);
    const validateTask = t.sandbox.getTask(run.node_tasks?.validate?.task_id ?? '');
    assert.ok(validateTask?.error, 'the failing task has an error');
    if (wb.canDriveWorkbench()) {
      const seen = await waitFor(async () => {
        const v = (await wb.frameEvaluate(`() => ({
          badge: document.querySelector('.badge-text')?.textContent,
          runError: document.querySelector('.run-error:not([hidden])')?.textContent,
          node: document.querySelector('.node[data-node-id="validate"]')?.getAttribute('data-status'),
          nodeLabel: document.querySelector('.node[data-node-id="validate"]')?.getAttribute('aria-label'),
          taskError: document.querySelector('.task-error:not([hidden])')?.textContent,
        })`)) as Record<string, string | undefined>;
        return v.badge === 'Failed' && v.taskError ? v : undefined;
      }, 'the failure in the webview');
      assert.equal(seen.node, 'failed');
      assert.match(seen.nodeLabel ?? '', /failed/, 'the status is in words, not colour alone');
      assert.equal(seen.runError, run.error);
      assert.equal(seen.taskError, validateTask.error, 'the failing node is selected and shows its task error');
      await wb.screenshot('panel-failed-dark');
    }
  });

  test('Cancel in the panel ends the run Cancelled', async () => {
    const created = t.sandbox.createRunDirect('flow_panel_held', { prompt: 'A lake under the northern lights' });
    const panel = await open(created.id);
    await waitFor(() => serverRun(created.id).node_statuses?.generate === 'completed', 'the image to be generated');
    assert.equal(serverRun(created.id).status, FlowRunStatus.Running);
    if (wb.canDriveWorkbench()) {
      await waitFor(async () => (await dom()).nodes.generate === 'completed', 'the webview to show the generated image');
      // Select the image node, so the screenshot shows a task's details and output image.
      await wb.click('.node[data-node-id="generate"]');
      await waitFor(async () => (await wb.frameEvaluate(`document.querySelectorAll('.details-section img.output-image').length > 0`)) === true, 'the task output image');
      await wb.screenshot('panel-running-dark');
      await setTheme('Default Light Modern', 'vscode-light');
      await wb.screenshot('panel-running-light');
      await setTheme('Default Dark Modern', 'vscode-dark');

      // The confirmation modal is the Cancel command's own (tested with the tree); see the report:
      // triggered from a focused webview, showWarningMessage({modal}) resolved at once without a dialog.
      await vscode.workspace.getConfiguration('flowRuns').update('confirmCancel', false, vscode.ConfigurationTarget.Global);
      await wb.click('button[data-action="cancel"]');
      await waitFor(() => panel.received.some((m) => m.type === 'action' && m.action === 'cancel'), 'the webview to post the cancel action');
    } else {
      await vscode.workspace.getConfiguration('flowRuns').update('confirmCancel', false, vscode.ConfigurationTarget.Global);
      assert.ok(panel.isReady);
      await vscode.commands.executeCommand('flowRuns.cancelRun', created.id);
    }
    await waitFor(() => serverRun(created.id).status === FlowRunStatus.Cancelled, 'the server to cancel the run', 30_000);
    await waitFor(() => replay(panel.posted).run?.statusName === 'Cancelled', 'the panel to show Cancelled');
    assert.ok(panel.received.some((m) => m.type === 'action' && m.action === 'cancel') || !wb.canDriveWorkbench(),
      'the webview posted the cancel action');
    if (wb.canDriveWorkbench()) {
      const d = await waitFor(async () => {
        const v = await dom();
        return v.badge === 'Cancelled' ? v : undefined;
      }, 'the webview badge to say Cancelled');
      assert.equal(d.badge, 'Cancelled');
      assert.equal(await wb.frameEvaluate(`document.querySelector('button[data-action="cancel"]').hidden`), true,
        'Cancel is offered only while the run is pending or running');
    }
  });

  test('the panel survives dropped streams and ends exactly equal to the server', async () => {
    t.sandbox.setFaults({ seed: 7, routes: ['/stream'], dropStreamAfterEvents: 2 });
    const before = t.sandbox.stats().faultsInjected.drop ?? 0;
    const created = t.sandbox.createRunDirect('flow_image_pipeline', { prompt: 'A storm over the sea' });
    const panel = await open(created.id);
    await settled(panel, 60_000);
    assert.ok((t.sandbox.stats().faultsInjected.drop ?? 0) > before, 'the sandbox dropped streams');
    const got = replay(panel.posted);
    const want = expectedPanelState(t, created.id);
    assert.deepEqual(got.run, want.run);
    assert.deepEqual(new Map([...got.tasks].sort()), new Map([...want.tasks].sort()));
    assert.ok(panel.posted.some((m) => m.type === 'connection' && (m.connection.state === 'reconnecting' || (m.connection.state === 'connecting' && m.connection.wasLive))),
      'the webview was told the stream was down');
    if (wb.canDriveWorkbench()) {
      const d = await waitFor(async () => {
        const v = await dom();
        return v.badge === 'Completed' && v.finalImages.length ? v : undefined;
      }, 'the webview to show the final state');
      assert.equal(d.banner, null, 'no "Reconnecting…" banner once the run has ended');
    }
  });

  test('server text is shown as text, never as markup', async () => {
    const created = t.sandbox.createRunDirect('flow_panel_xss', {});
    const panel = await open(created.id);
    await settled(panel);
    assert.equal(replay(panel.posted).run?.statusName, 'Completed');
    if (wb.canDriveWorkbench()) {
      const v = (await waitFor(async () => {
        const r = (await wb.frameEvaluate(`() => ({
          text: document.querySelector('.final-output')?.textContent || '',
          title: document.querySelector('.flow-title')?.textContent || '',
          stray: document.querySelectorAll('img:not(.output-image)').length,
          imgX: document.querySelectorAll('img[src="x"]').length,
        })`)) as { text: string; title: string; stray: number; imgX: number };
        // The flow's title comes from its own GET, which may answer after the run's output:
        // until then the header shows the flow id.
        return r.text.includes(XSS) && r.title !== 'flow_panel_xss' ? r : undefined;
      }, 'the output text and the flow title in the webview'));
      assert.equal(v.stray, 0, 'no <img> was made from server text');
      assert.equal(v.imgX, 0);
      assert.equal(v.title, `${XSS} flow`);
    }
  });

  test('a 200-node run: the task table tells its size and End reaches the last node', async function () {
    if (!wb.canDriveWorkbench()) this.skip();
    // Held: every node stays pending, so the table is still while the keys move.
    const created = t.sandbox.createRunDirect('flow_panel_long', {}, { held: true });
    await open(created.id);
    const last = `node:node_${LONG_FLOW_NODES - 1}`;
    const table = (await waitFor(async () => {
      const r = (await wb.frameEvaluate(`() => ({
        rowCount: document.querySelector('table.tasks')?.getAttribute('aria-rowcount') ?? null,
        inPage: document.querySelectorAll('tr.task-row').length,
      })`)) as { rowCount: string | null; inPage: number };
      return r.rowCount !== null && r.inPage > 0 ? r : undefined;
    }, 'the task table'));
    // ARIA counts the header row too.
    assert.equal(table.rowCount, String(LONG_FLOW_NODES + 1), 'aria-rowcount: every node plus the header');
    assert.ok(table.inPage < LONG_FLOW_NODES, `only the rows in view are in the page (${table.inPage})`);

    await wb.click('tr.task-row');
    await wb.press('End');
    const focused = `() => { const a = document.activeElement; return a && a.matches('tr.task-row') ? [a.getAttribute('data-key'), a.getAttribute('aria-rowindex')] : null; }`;
    const end = await waitFor(async () => {
      const f = (await wb.frameEvaluate(focused)) as [string, string] | null;
      return f?.[0] === last ? f : undefined;
    }, `focus on the last node's row (${last})`);
    assert.equal(end[1], String(LONG_FLOW_NODES + 1), 'the last row is numbered after every other');
    await wb.screenshot('panel-long-end-dark');
    await wb.press('Home');
    await waitFor(async () => ((await wb.frameEvaluate(focused)) as [string, string] | null)?.[0] === 'node:node_0', 'Home: focus on the first row');
  });

  test('a panel restored after a reload follows its run again (serializer)', async () => {
    const created = t.sandbox.createRunDirect('flow_image_pipeline', { prompt: 'A desert at night' });
    // What VS Code does on reload: a new panel of our view type, with the state the webview saved.
    const restored = vscode.window.createWebviewPanel('flowRuns.run', 'restoring', vscode.ViewColumn.Active, { enableScripts: true });
    await manager.deserializeWebviewPanel(restored, { runId: created.id });
    const panel = manager.get(created.id);
    assert.ok(panel, 'the restored panel is managed');
    assert.equal(panel.webviewPanel, restored);
    await waitFor(() => panel.isReady, 'the restored webview to say ready');
    await settled(panel);
    assert.equal(replay(panel.posted).run?.id, created.id);
    assert.match(restored.title, /Image pipeline · /);
    // Opening the same run again reveals the same panel.
    await vscode.commands.executeCommand('flowRuns.openRun', created.id);
    assert.equal(manager.list().filter((p) => p.runId === created.id).length, 1);
    // A state without a run id gives nothing to restore: the panel is closed.
    const broken = vscode.window.createWebviewPanel('flowRuns.run', 'broken', vscode.ViewColumn.Active, {});
    let closed = false;
    broken.onDidDispose(() => (closed = true));
    await manager.deserializeWebviewPanel(broken, { something: 'else' });
    assert.equal(closed, true);
    assert.equal(runIdFromState({ runId: 'flowrun_1' }), 'flowrun_1');
    if (wb.canDriveWorkbench()) {
      // The webview renders on its next frame: wait for the id rather than read it once.
      let text = '';
      await waitFor(async () => (text = await wb.frameText('.run-id')) === created.id, `the restored panel to show ${created.id} (last read: "${text}")`);
    }
  });

  test('a finished run\'s panel keeps its final state when flowRuns.apiUrl moves to another server', async () => {
    const created = t.sandbox.createRunDirect('flow_image_pipeline', { prompt: 'A lake at noon' });
    const panel = await open(created.id);
    await settled(panel);
    const config = vscode.workspace.getConfiguration('flowRuns');
    const sandboxUrl = t.sandbox.url;
    // Nothing listens there: a panel that followed its run again would turn Reconnecting… (or ask for a key).
    const elsewhere = 'http://127.0.0.1:9';
    const posted = panel.posted.length;
    await config.update('apiUrl', elsewhere, vscode.ConfigurationTarget.Global);
    try {
      await waitFor(() => t.services.session.baseUrl === elsewhere, 'the session to follow the new URL');
      await new Promise((r) => setTimeout(r, 500)); // more than the panel's flush delay
      assert.equal(panel.connectionState, 'ended');
      const told = panel.posted.slice(posted).filter((m) => m.type === 'connection' || m.type === 'snapshot');
      assert.deepEqual(told, [], `the webview was told nothing new: ${JSON.stringify(told).slice(0, 300)}`);
      if (wb.canDriveWorkbench()) {
        const header = await wb.frameText('header');
        assert.ok(!/Reconnecting|API key/i.test(header), `the header still shows the finished run: ${header}`);
        assert.ok(header.includes('Completed'), header);
      }
    } finally {
      await config.update('apiUrl', sandboxUrl, vscode.ConfigurationTarget.Global);
      await waitFor(() => t.services.session.baseUrl === sandboxUrl && t.services.session.hasKey, 'the sandbox and its key to be back');
    }
  });

  test('closing the panel closes its streams at once', async () => {
    const created = t.sandbox.createRunDirect('flow_slow', { seconds: 30 });
    const panel = await open(created.id);
    await waitFor(() => panel.connectionState === 'live', 'the panel to go live');
    await waitFor(() => t.sandbox.stats().openStreams >= 2, 'the run and tasks streams to be open');
    panel.webviewPanel.dispose();
    assert.equal(manager.get(created.id), undefined);
    await waitFor(() => t.sandbox.stats().openStreams === 0, 'every stream to close', 3000);
    assert.equal(t.services.followers.size, 0);
    await vscode.workspace.getConfiguration('flowRuns').update('confirmCancel', false, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('flowRuns.cancelRun', created.id);
  });
});
