// The run explorer inside a real VS Code against the sandbox: the welcome
// view without a key, a wrong key refused, group counts equal to the
// server's, paging to the last run, a run moving to Completed by itself,
// Cancel offered only on active runs, and no request while the view is
// hidden and idle.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { FlowRunStatus, toFlowRunStatus, type FlowRun } from '../../../src/api/models';
import { GROUP_ORDER } from '../../../src/runs/groups';
import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../../src/sandbox';
import type { RunsTreeProvider } from '../../../src/views/runsTree';
import { shortIdOf } from '../../../src/shared/runText';
import type { RunsTreeNode } from '../../../src/views/treeNodes';
import { extensionApi, useSandbox, waitFor, type TestSandbox } from '../util/sandbox';
import * as wb from '../util/workbench';

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('flowRuns');

async function showView(): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.extension.flowRuns');
}

async function hideView(): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.explorer');
}

/**
 * The screenshot suite's sandbox: speed 30, so a run stays Pending for 9 s, long enough to be
 * seen, and one run that has got past Pending by the time the picture is taken. Started while
 * the explorer suite waits out its idle window (the extension sends nothing to this sandbox
 * then: its settings point at the other one), so those 9 s are not waited twice.
 */
let screenshotSandbox: Promise<{ sandbox: Sandbox; running: FlowRun }> | undefined;
function prepareScreenshotSandbox(): Promise<{ sandbox: Sandbox; running: FlowRun }> {
  screenshotSandbox ??= startSandbox({ port: 0, seedRuns: 40, speed: 30 }).then((sandbox) => ({
    sandbox,
    running: sandbox.createRunDirect('flow_slow', { seconds: 120 }),
  }));
  return screenshotSandbox;
}

function countByStatus(runs: readonly FlowRun[]): Map<FlowRunStatus, number> {
  const m = new Map<FlowRunStatus, number>();
  for (const r of runs) m.set(toFlowRunStatus(r.status), (m.get(toFlowRunStatus(r.status)) ?? 0) + 1);
  return m;
}

suite('Run explorer', function () {
  this.timeout(60000);
  let t: TestSandbox;
  let tree: RunsTreeProvider;
  let view: vscode.TreeView<RunsTreeNode>;

  /** Everything a group's children say, item by item. */
  async function childItems(status: FlowRunStatus): Promise<vscode.TreeItem[]> {
    const children = await tree.getChildren(tree.groupNode(status));
    return children.map((c) => tree.getTreeItem(c));
  }

  async function loadEverything(): Promise<void> {
    for (const status of tree.groups.shownStatuses()) {
      await tree.getChildren(tree.groupNode(status));
      for (let guard = 0; tree.groups.state(status).hasNext && guard < 50; guard++) {
        await vscode.commands.executeCommand('flowRuns.loadMore', tree.groupNode(status));
      }
    }
  }

  suiteSetup(async () => {
    await config().update('refreshInterval', 5, vscode.ConfigurationTarget.Global);
    await config().update('pageSize', 10, vscode.ConfigurationTarget.Global);
    t = await useSandbox({ seedRuns: 130, speed: 0.05 });
    tree = t.ext.runsTree;
    view = t.ext.runsTreeView;
  });

  suiteTeardown(async () => {
    await config().update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
    await config().update('pageSize', undefined, vscode.ConfigurationTarget.Global);
    await t?.dispose();
  });

  teardown(async () => {
    if (wb.canDriveWorkbench()) await wb.press('Escape').catch(() => undefined);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  test('without a key the welcome view offers Set API Key', async () => {
    await vscode.commands.executeCommand('flowRuns.clearApiKey');
    await waitFor(() => !t.services.session.hasKey, 'the key to be cleared');
    await showView();
    await waitFor(() => tree.state === 'noKey', 'flowRuns.state to be noKey');
    assert.deepEqual(await tree.getChildren(), [], 'an empty root lets the welcome view show');
    if (wb.canDriveWorkbench()) {
      await wb.waitForText('Connect to inference.sh to see your flow runs.', { timeoutMs: 15000 });
      await wb.waitForText('Set API Key');
      await wb.screenshot('explorer-welcome');
    }
  });

  test('a wrong key is refused with a message and not stored', async () => {
    await showView();
    if (wb.canDriveWorkbench()) {
      // The real password box, typed into as a user would.
      const result = vscode.commands.executeCommand<boolean>('flowRuns.setApiKey');
      await wb.waitForText('create one in Settings', { timeoutMs: 15000 });
      await wb.type('inf_not_a_real_key');
      await wb.press('Enter');
      assert.equal(await result, false, 'the command reports that nothing was stored');
      // In the Notifications center: toasts are hidden while the smoke-test driver runs (see notificationTexts).
      await wb.waitForNotification('was rejected');
      assert.equal(t.services.session.hasKey, false);
      await vscode.commands.executeCommand('notifications.clearAll');
    }
    assert.equal(await vscode.commands.executeCommand<boolean>('flowRuns.setApiKey', 'inf_wrong'), false);
    assert.equal(t.services.session.hasKey, false, 'a 401 key is not stored');
    assert.equal(await vscode.commands.executeCommand<boolean>('flowRuns.setApiKey', SANDBOX_KEYS.noRead), false);
    assert.equal(t.services.session.hasKey, false, 'a key without flows:read is not stored');
    if (wb.canDriveWorkbench()) await wb.waitForNotification('lacks the flows:read scope');
    assert.equal(tree.state, 'noKey');
  });

  test('the groups carry the server counts', async () => {
    assert.equal(await vscode.commands.executeCommand<boolean>('flowRuns.setApiKey', SANDBOX_KEYS.full), true);
    await showView();
    await vscode.commands.executeCommand('flowRuns.refresh');
    await waitFor(() => tree.state === 'ok' && tree.groups.totalsKnown, 'the counts to load');
    const expected = countByStatus(t.sandbox.listAllRuns());
    for (const status of GROUP_ORDER) {
      assert.equal(tree.groups.state(status).total, expected.get(status) ?? 0, `count of ${FlowRunStatus[status]}`);
    }
    const shown = (await tree.getChildren()).map((n) => tree.getTreeItem(n));
    assert.deepEqual(shown.map((i) => i.label), ['Pending', 'Running', 'Completed', 'Failed', 'Cancelled'],
      'Unknown is left out while empty');
    const completed = shown.find((i) => i.label === 'Completed');
    assert.equal(completed?.description, String(expected.get(FlowRunStatus.Completed)));
    if (wb.canDriveWorkbench()) {
      // The workbench draws a tree change on its own schedule: the rows may still show "…" for a moment.
      const count = String(expected.get(FlowRunStatus.Completed));
      let rows: string[] = [];
      const drawn = await waitFor(async () => {
        rows = await wb.texts('.monaco-list-row');
        return rows.some((r) => r.includes('Completed') && r.includes(count));
      }, 'the Completed row to show its count', 15000).catch(() => false);
      assert.ok(drawn, `a row shows Completed with its count ${count}: ${rows.slice(0, 6).join(' | ')}`);
    }
  });

  test('paging with Load more reaches every run', async () => {
    await showView();
    const all = t.sandbox.listAllRuns();
    assert.ok(all.length >= 120, `the sandbox holds ${all.length} runs`);
    await tree.getChildren(tree.groupNode(FlowRunStatus.Completed));
    if (wb.canDriveWorkbench()) {
      // Once through the real item.
      const pages = tree.groups.state(FlowRunStatus.Completed).pages;
      await wb.clickText('Load more…', { timeoutMs: 15000 });
      await waitFor(() => tree.groups.state(FlowRunStatus.Completed).pages > pages, 'a click on Load more… to fetch a page');
    }
    await loadEverything();
    const ids = new Set<string>();
    for (const status of tree.groups.shownStatuses()) {
      for (const r of tree.groups.runsOf(status)) ids.add(r.id);
      const items = await childItems(status);
      assert.ok(!items.some((i) => i.label === 'Load more…'), `no Load more… left in ${FlowRunStatus[status]}`);
    }
    assert.equal(ids.size, all.length, 'every run is listed once');
    for (const r of all) assert.ok(ids.has(r.id), `run ${r.id} is listed`);
  });

  test('run items show title, short id, icon, tooltip and open the panel on click', async () => {
    const [item] = await childItems(FlowRunStatus.Completed);
    assert.ok(item);
    const run = tree.groups.runsOf(FlowRunStatus.Completed)[0];
    assert.ok(run);
    await waitFor(() => t.services.flows.title(run.flow_id), 'the flow title to load');
    const fresh = tree.getTreeItem(tree.runNodeFor(run.id) as RunsTreeNode);
    assert.equal(fresh.label, t.services.flows.title(run.flow_id));
    assert.ok(String(fresh.description).startsWith(shortIdOf(run)));
    assert.equal((fresh.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.deepEqual(fresh.command?.arguments, [run.id]);
    assert.equal(fresh.command?.command, 'flowRuns.openRun');
    const tip = fresh.tooltip as vscode.MarkdownString;
    assert.equal(tip.isTrusted, false);
    assert.ok(tip.value.includes(run.id.replace(/_/g, '\\_')) || tip.value.includes(run.id), 'the tooltip carries the run id');
    assert.ok(fresh.accessibilityInformation?.label.includes('completed'));
  });

  test('a running run moves to Completed by itself', async () => {
    await showView();
    const created = t.sandbox.createRunDirect('flow_slow', { seconds: 3 });
    await vscode.commands.executeCommand('flowRuns.refresh');
    await waitFor(() => {
      const g = tree.groups.groupOf(created.id);
      return g === FlowRunStatus.Running || g === FlowRunStatus.Pending;
    }, 'the new run to show as pending or running');
    await waitFor(() => tree.followedRunIds().includes(created.id), 'the visible active run to be followed');
    const completedBefore = tree.groups.state(FlowRunStatus.Completed).total ?? 0;
    await waitFor(() => tree.groups.groupOf(created.id) === FlowRunStatus.Completed, 'the run to move to Completed', 30000);
    assert.equal(tree.groups.state(FlowRunStatus.Completed).total, completedBefore + 1);
    assert.equal(tree.groups.state(FlowRunStatus.Running).total, 0);
    const items = await childItems(FlowRunStatus.Completed);
    assert.ok(items.some((i) => i.id === `run:${FlowRunStatus.Completed}:${created.id}`), 'Completed lists it');
    await waitFor(() => !tree.followedRunIds().includes(created.id), 'its follower to be released', 15000);
  });

  test('a group keeps the pages loaded: runs finishing meanwhile push the oldest behind Load more…, which brings them back', async () => {
    await showView();
    await vscode.commands.executeCommand('flowRuns.refresh');
    await tree.getChildren(tree.groupNode(FlowRunStatus.Completed));
    await waitFor(() => tree.groups.state(FlowRunStatus.Completed).pages === 1, 'one page of Completed');
    const fresh = [1, 2, 3].map((i) => t.sandbox.createRunDirect('flow_slow', { seconds: i }));
    await waitFor(() => fresh.every((r) => tree.groups.groupOf(r.id) === FlowRunStatus.Completed), 'the new runs to finish into Completed', 30000);
    const items = await childItems(FlowRunStatus.Completed);
    const runs = items.filter((i) => i.label !== 'Load more…');
    assert.equal(runs.length, 10, 'still one page of 10 runs');
    assert.equal(items[items.length - 1]?.label, 'Load more…');
    const shown = new Set(tree.groups.runsOf(FlowRunStatus.Completed).map((r) => r.id));
    for (const r of fresh) assert.ok(shown.has(r.id), `the new run ${r.id} is on top`);
    if (wb.canDriveWorkbench()) {
      // What the user sees: the new runs on top (VS Code applies the refresh after its debounce).
      const rowsSay = async (): Promise<boolean> => {
        // A row's text runs label and description together ("Running0").
        const rows = (await wb.texts('.monaco-list-row')).map((r) => r.replace(/\s+/g, ''));
        const completedRows = rows.slice(rows.findIndex((r) => r.startsWith('Completed')));
        return rows.includes('Running0') && fresh.every((r) => completedRows.slice(1, 4).some((row) => row.includes(shortIdOf(r))));
      };
      await waitFor(rowsSay, 'the tree on screen to show the new runs on top of Completed and Running empty', 15000);
      await wb.screenshot('explorer-window-moved');
    }
    await loadEverything();
    const all = t.sandbox.listAllRuns();
    const ids = new Set<string>();
    for (const status of tree.groups.shownStatuses()) for (const r of tree.groups.runsOf(status)) ids.add(r.id);
    assert.equal(ids.size, all.length, 'Load more… reaches every run once, none skipped past the moved window');
  });

  test('Cancel is offered only for active runs', async () => {
    await showView();
    const slow = t.sandbox.createRunDirect('flow_slow', { seconds: 60 });
    try {
      await vscode.commands.executeCommand('flowRuns.refresh');
      await waitFor(() => tree.groups.groupOf(slow.id) === FlowRunStatus.Running, 'the slow run to show as running');
      const activeItem = tree.getTreeItem(tree.runNodeFor(slow.id) as RunsTreeNode);
      assert.match(String(activeItem.contextValue), /\bcancelable\b/);
      assert.match(String(activeItem.contextValue), /\brun\b/);
      const done = tree.groups.runsOf(FlowRunStatus.Completed)[0];
      assert.ok(done);
      const doneItem = tree.getTreeItem(tree.runNodeFor(done.id) as RunsTreeNode);
      assert.doesNotMatch(String(doneItem.contextValue), /\bcancelable\b/);
      assert.match(String(doneItem.contextValue), /\bhasOutput\b/);
      for (const status of [FlowRunStatus.Failed, FlowRunStatus.Cancelled]) {
        for (const r of tree.groups.runsOf(status)) {
          const item = tree.getTreeItem(tree.runNodeFor(r.id) as RunsTreeNode);
          assert.doesNotMatch(String(item.contextValue), /\bcancelable\b/, `${r.id} (${FlowRunStatus[status]})`);
        }
      }
      if (wb.canDriveWorkbench()) {
        // The real context menus, as a user opens them.
        await wb.rightClickText(shortIdOf(slow), { timeoutMs: 15000 });
        await wb.waitForText('Clone Flow from Run');
        const activeMenu = await wb.texts('.context-view .action-label');
        await wb.screenshot('explorer-context-menu-running');
        await wb.press('Escape');
        assert.ok(activeMenu.includes('Cancel Run'), `menu of a running run: ${activeMenu.join(', ')}`);
        assert.ok(activeMenu.includes('Copy Run ID'));
        await wb.rightClickText(shortIdOf(done), { timeoutMs: 15000 });
        await wb.waitForText('Clone Flow from Run');
        const doneMenu = await wb.texts('.context-view .action-label');
        await wb.press('Escape');
        assert.ok(!doneMenu.includes('Cancel Run'), `menu of a completed run: ${doneMenu.join(', ')}`);
        assert.ok(doneMenu.includes('Open in Browser'));
        assert.ok(doneMenu.includes('Clone Flow from Run'));
      }
    } finally {
      await t.services.session.current()?.cancelRun(slow.id).catch(() => undefined);
    }
    await waitFor(() => tree.groups.groupOf(slow.id) === FlowRunStatus.Cancelled, 'the cancelled run to move');
  });

  test('a finished run started here is announced per flowRuns.notifications, and counted meanwhile', async () => {
    const shown = t.ext.notificationsShown;
    const statusBar = t.ext.statusBar;
    const api = await t.services.session.requireApi();
    await config().update('notifications', 'failures', vscode.ConfigurationTarget.Global);
    try {
      const before = shown.length;
      const slow = (await api.createRun('flow_slow', { seconds: 3 })).data;
      t.services.runStarted(slow);
      await waitFor(() => view.selection.some((n) => n.kind === 'run' && n.runId === slow.id), 'the new run to be revealed and selected');
      await waitFor(() => /^\$\(sync~spin\) [1-9]\d*$/.test(statusBar.text), 'the status bar to count the active run');
      const flaky = (await api.createRun('flow_flaky', {})).data;
      t.services.runStarted(flaky);
      await waitFor(() => shown.length > before, 'a notification for the failed run');
      assert.match(shown[before] ?? '', /Flaky pipeline.*failed/);
      // In the Notifications center: toasts are hidden while the smoke-test driver runs (see notificationTexts).
      if (wb.canDriveWorkbench()) await wb.waitForNotification('"Flaky pipeline" failed');
      await waitFor(() => t.services.store.get(slow.id)?.status === FlowRunStatus.Completed, 'the slow run to complete', 20000);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(shown.length, before + 1, 'a completed run is not announced in "failures" mode');
    } finally {
      await config().update('notifications', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Filter by Flow narrows every group to one flow and shows it; Clear brings all back', async () => {
    await showView();
    const expected = t.sandbox.listAllRuns().filter((r) => r.flow_id === 'flow_slow');
    if (wb.canDriveWorkbench()) {
      const picked = vscode.commands.executeCommand('flowRuns.filterByFlow');
      await waitFor(async () => (await wb.texts('.quick-input-widget .monaco-list-row')).some((r) => r.includes('Slow job')),
        'the flow quick pick to list the flows', 15000);
      await wb.type('Slow job');
      await wb.press('Enter');
      await picked;
    } else {
      await vscode.commands.executeCommand('flowRuns.filterByFlow', 'flow_slow');
    }
    try {
      assert.equal(tree.flowFilter, 'flow_slow');
      assert.equal(view.description, 'Flow: Slow job');
      await waitFor(() => tree.groups.totalsKnown, 'the filtered counts');
      assert.equal(tree.groups.grandTotal, expected.length, 'the counts are those of flow_slow only');
      for (const status of tree.groups.shownStatuses()) {
        await tree.getChildren(tree.groupNode(status));
        for (const r of tree.groups.runsOf(status)) assert.equal(r.flow_id, 'flow_slow');
      }
    } finally {
      await vscode.commands.executeCommand('flowRuns.clearFilter');
    }
    assert.equal(tree.flowFilter, undefined);
    assert.equal(view.description, undefined);
    await waitFor(() => tree.groups.totalsKnown && tree.groups.grandTotal === t.sandbox.listAllRuns().length, 'all runs counted again');
  });

  test('no request is made while the view is hidden and idle', async () => {
    // Control: while shown (and the window focused) the list is polled at the interval.
    await showView();
    await waitFor(() => view.visible, 'the view to be shown');
    if (vscode.window.state.focused) {
      const polls = tree.poller.polls;
      const requests = t.sandbox.stats().requests;
      await waitFor(() => tree.poller.polls > polls && t.sandbox.stats().requests > requests, 'a poll while the view is shown', 20000);
    }
    await hideView();
    await waitFor(() => !view.visible, 'the view to be hidden');
    await waitFor(() => tree.followedRunIds().length === 0 && t.services.followers.size === 0, 'every follower to be released');
    assert.equal(tree.poller.isActive, false, 'the poller stops with the view');
    // Let in-flight work (a final GET, a poll that had started) settle.
    await new Promise((r) => setTimeout(r, 1500));
    void prepareScreenshotSandbox();
    const before = t.sandbox.stats();
    await new Promise((r) => setTimeout(r, 11000)); // more than 2x flowRuns.refreshInterval (5 s): a poll would show twice
    const after = t.sandbox.stats();
    assert.equal(after.requests, before.requests,
      `requests while hidden: ${JSON.stringify(Object.fromEntries(Object.entries(after.byRoute).filter(([k, v]) => before.byRoute[k] !== v)))}`);
    assert.equal(after.openStreams, 0);
  });
});

suite('Run explorer screenshot', function () {
  this.timeout(60000);
  let t: TestSandbox;

  let running: FlowRun;

  suiteSetup(async () => {
    await config().update('pageSize', 5, vscode.ConfigurationTarget.Global);
    const prepared = await prepareScreenshotSandbox();
    running = prepared.running;
    t = await useSandbox({ started: prepared.sandbox });
  });

  suiteTeardown(async () => {
    await config().update('pageSize', undefined, vscode.ConfigurationTarget.Global);
    await t?.dispose();
  });

  test('the view with runs in every group', async function () {
    if (!wb.canDriveWorkbench()) this.skip();
    const tree = t.ext.runsTree;
    const view = t.ext.runsTreeView;
    await waitFor(() => t.sandbox.getRun(running.id)?.status === FlowRunStatus.Running, 'a run to be running', 20000);
    const pending = t.sandbox.createRunDirect('flow_image_pipeline', { prompt: 'A mountain landscape' });
    try {
      await showView();
      await vscode.commands.executeCommand('flowRuns.refresh');
      await waitFor(() => tree.groups.groupOf(pending.id) === FlowRunStatus.Pending
        && tree.groups.groupOf(running.id) === FlowRunStatus.Running, 'both active runs to be listed');
      await wb.waitForText('Cancelled', { timeoutMs: 15000 });
      for (const status of [FlowRunStatus.Failed, FlowRunStatus.Cancelled]) {
        // The tree may be re-rendering after the refresh: try again until it has the group.
        await waitFor(() => Promise.resolve(view.reveal(tree.groupNode(status), { expand: true, select: false, focus: false })).then(() => true),
          `the ${FlowRunStatus[status]} group to expand`);
      }
      for (const status of [FlowRunStatus.Pending, FlowRunStatus.Running, FlowRunStatus.Completed, FlowRunStatus.Failed, FlowRunStatus.Cancelled]) {
        await waitFor(() => tree.groups.runsOf(status).length > 0, `runs in ${FlowRunStatus[status]}`);
      }
      const groupRows = () => [FlowRunStatus.Pending, FlowRunStatus.Running, FlowRunStatus.Completed, FlowRunStatus.Failed, FlowRunStatus.Cancelled]
        .map((status) => `${FlowRunStatus[status]}${tree.groups.state(status).total ?? '?'}`);
      await waitFor(async () => {
        const rows = (await wb.texts('.monaco-list-row')).map((r) => r.replace(/\s+/g, ''));
        // The workbench draws on its own schedule: wait until every group's count is on screen.
        return rows.some((r) => r.includes(shortIdOf(pending))) && groupRows().every((label) => rows.includes(label));
      }, 'the rows to render with their counts');
      // Room for the descriptions, and the mouse away from the rows (no tooltip over them).
      await vscode.commands.executeCommand('workbench.action.focusSideBar');
      for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('workbench.action.decreaseViewWidth');
      await wb.click('.part.editor');
      await new Promise((r) => setTimeout(r, 300));
      const file = await wb.screenshot('explorer');
      assert.match(file, /explorer\.png$/);
      // What the picture shows: every group with its count, runs under their flow's title.
      const rows = await wb.texts('.monaco-list-row');
      for (const status of [FlowRunStatus.Pending, FlowRunStatus.Running, FlowRunStatus.Completed, FlowRunStatus.Failed, FlowRunStatus.Cancelled]) {
        const label = `${FlowRunStatus[status]}${tree.groups.state(status).total ?? '?'}`;
        assert.ok(rows.some((r) => r.replace(/\s+/g, '') === label), `a row reads ${label}: ${rows.join(' | ')}`);
      }
      assert.ok(!rows.some((r) => /^flow_/.test(r)), `titles, not flow ids: ${rows.join(' | ')}`);
    } finally {
      await vscode.commands.executeCommand('workbench.action.focusSideBar');
      for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('workbench.action.increaseViewWidth');
      const api = t.services.session.current();
      await api?.cancelRun(running.id).catch(() => undefined);
      await api?.cancelRun(pending.id).catch(() => undefined);
    }
  });
});

suite('Local sandbox commands', function () {
  this.timeout(60000);

  test('Start points the settings at an in-process sandbox with its key; Stop puts them back', async () => {
    const { services, sandboxController: controller } = await extensionApi();
    const before = config().inspect<string>('apiUrl')?.globalValue;
    await vscode.commands.executeCommand('flowRuns.startSandbox');
    const url = controller.running?.url;
    try {
      assert.ok(url, 'a sandbox is running');
      assert.equal(config().inspect<string>('apiUrl')?.globalValue, url, 'user settings point at it');
      assert.equal(config().inspect<string>('webUrl')?.globalValue, `${url}/app`);
      await waitFor(() => services.session.baseUrl === url && services.session.hasKey, 'the session to use it with its key');
      const page = await (await services.session.requireApi()).listRuns({ limit: 1 });
      assert.ok((page.total_items ?? 0) >= 40, 'it was seeded with 40 runs');
    } finally {
      await vscode.commands.executeCommand('flowRuns.stopSandbox');
    }
    assert.equal(controller.running, undefined);
    assert.equal(config().inspect<string>('apiUrl')?.globalValue, before, 'flowRuns.apiUrl is back');
    assert.equal(await services.context.secrets.get(`flowRuns.apiKey:${url}`), undefined, 'the sandbox key is deleted');
  });
});
