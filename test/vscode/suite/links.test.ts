// Links into VS Code, comparisons and the input file that remembers its runs,
// inside a real VS Code against the sandbox. Links reach the extension the way
// VS Code routes any link: through its URL service ("Developer: Open URL"),
// with the extension allowed to open links without asking (the setting a user
// ticks with "Do not ask me again").
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { FlowRunStatus, type FlowRun } from '../../../src/api/models';
import type { ActionOutcome } from '../../../src/commands/runActions';
import type { RunPanelManager } from '../../../src/views/panel/panelManager';
import { EXTENSION_ID, useSandbox, waitFor, type TestSandbox } from '../util/sandbox';
import * as wb from '../util/workbench';

const short = (id: string): string => id.slice(id.indexOf('_') + 1, id.indexOf('_') + 9);
const link = (path: string): string => `${vscode.env.uriScheme}://${EXTENSION_ID}${path}`;
const CREATE = 'POST /flowruns';

function run(command: string, ...args: unknown[]): Thenable<ActionOutcome> {
  return vscode.commands.executeCommand<ActionOutcome>(command, ...args);
}

/** What the user does with a link in this window: Developer: Open URL, paste, Enter. */
async function openLink(url: string): Promise<void> {
  void vscode.commands.executeCommand('workbench.action.url.openUrl');
  await waitFor(async () => (await wb.evaluate(`() => document.activeElement?.closest('.quick-input-widget') != null`)) === true, 'the Open URL box to take the focus');
  // Typed keys can be lost on a busy machine: the box must hold the whole address before Enter.
  const value = async (): Promise<unknown> => wb.evaluate(`() => document.querySelector('.quick-input-widget input')?.value`);
  await wb.actUntil(async () => {
    await wb.press('Control+A');
    await wb.type(url);
  }, async () => (await value()) === url, 'the Open URL box to hold the link');
  await wb.press('Enter');
}

/** The notifications in the center, once one says `expected`. */
async function notification(expected: string): Promise<string> {
  await vscode.commands.executeCommand('notifications.showList');
  try {
    let seen: string[] = [];
    const items = await waitFor(async () => {
      seen = await wb.texts('.notifications-center .notification-list-item-message');
      return seen.some((x) => x.includes(expected)) ? seen : undefined;
    }, `a notification saying "${expected}"`, 15_000, () => `the notifications: ${JSON.stringify(seen)}`);
    return items.find((x) => x.includes(expected)) ?? '';
  } finally {
    await vscode.commands.executeCommand('notifications.hideList');
  }
}

function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((tab) => tab.label));
}

suite('Links and comparisons', function () {
  this.timeout(60_000);
  let t: TestSandbox;
  let manager: RunPanelManager;
  const trusted = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('extensions');

  async function finishedRun(flowId = 'flow_image_pipeline', input: Record<string, unknown> = { prompt: 'A mountain landscape' }): Promise<FlowRun> {
    const created = t.sandbox.createRunDirect(flowId, input);
    return waitFor(() => {
      const r = t.sandbox.getRun(created.id);
      return r && r.status === FlowRunStatus.Completed ? r : undefined;
    }, `the ${flowId} run to complete`);
  }

  suiteSetup(async function () {
    if (!wb.canDriveWorkbench()) this.skip();
    t = await useSandbox({ speed: 0.02 });
    manager = t.ext.runPanels;
    await trusted().update('confirmedUriHandlerExtensionIds', [EXTENSION_ID], vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await trusted().update('confirmedUriHandlerExtensionIds', undefined, vscode.ConfigurationTarget.Global);
    await t?.dispose();
  });

  teardown(async () => {
    await wb.press('Escape').catch(() => undefined);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a link to a run opens its panel in this window', async () => {
    const r = await finishedRun();
    await openLink(link(`/run/${r.id}`));
    const panel = await waitFor(() => manager.get(r.id), 'the run\'s panel to open');
    await waitFor(() => panel.isReady, 'the panel to show the run');
    assert.ok(tabLabels().some((l) => l.endsWith(` · ${short(r.id)}`)), tabLabels().join(' | '));
  });

  test('a bad or foreign link opens nothing and says why', async () => {
    const before = tabLabels();
    const panels = manager.list().length;
    const cases: [string, string][] = [
      ['/run/flowrun_notonthisserver00', 'Run flowrun_notonthisserver00 was not found with the API key for'],
      ['/run/not*an*id', '"not*an*id" is not a run id'],
      ['/somewhere/else', '"/somewhere/else" is not a Flow Runs link'],
      ['/flow/flow_image_pipeline?input=../outside.flow.json', 'must be a path inside this workspace'],
      ['/flow/flow_image_pipeline?input=nothing/here.flow.json', 'there is no file "nothing/here.flow.json" in this workspace'],
      ['/flow/flow_nobody_has', 'Flow "flow_nobody_has" was not found with the API key for'],
    ];
    for (const [path, says] of cases) {
      await openLink(link(path));
      const text = await notification(says);
      assert.match(text, /^Flow Runs cannot open this link: /, text);
      await vscode.commands.executeCommand('notifications.clearAll');
    }
    assert.deepEqual(tabLabels(), before, 'no editor or panel opened');
    assert.equal(manager.list().length, panels);
  });

  test('Copy Link to Run puts the link on the clipboard, and that link opens the run', async () => {
    const a = await finishedRun();
    const b = await finishedRun();
    const one = await run('flowRuns.copyRunLink', { runId: a.id });
    assert.equal(one.ok, true, one.message);
    const copied = await vscode.env.clipboard.readText();
    assert.equal(copied, link(`/run/${a.id}`));
    // A multi-selection in the tree: one link a line, as Copy Run ID does.
    const many = await run('flowRuns.copyRunLink', { runId: a.id }, [{ runId: a.id }, { runId: b.id }]);
    assert.equal(many.message, 'Copied 2 run links');
    assert.equal(await vscode.env.clipboard.readText(), `${link(`/run/${a.id}`)}\n${link(`/run/${b.id}`)}`);

    await openLink(copied);
    const panel = await waitFor(() => manager.get(a.id), 'the linked run\'s panel');
    await waitFor(() => panel.isReady, 'the panel to show the run');
    // The panel's own Copy Link button copies the same link.
    await vscode.env.clipboard.writeText('');
    await wb.click('button[data-action="copyLink"]');
    await waitFor(async () => (await vscode.env.clipboard.readText()) === copied, 'the panel\'s Copy Link to fill the clipboard');
  });

  test('the run\'s context menu offers Copy Link to Run and Compare With…, and Copy Link works', async () => {
    const r = await finishedRun();
    await vscode.commands.executeCommand('workbench.view.extension.flowRuns');
    await vscode.commands.executeCommand('flowRuns.refresh');
    await vscode.env.clipboard.writeText('');
    await wb.rightClickText(short(r.id), { timeoutMs: 15_000 });
    const entries = await waitFor(async () => {
      const labels = await wb.texts('.context-view .action-label');
      return labels.includes('Copy Link to Run') ? labels : undefined;
    }, 'the context menu');
    assert.ok(entries.includes('Compare Output With…') && entries.includes('Compare Input With…'), entries.join(' | '));
    await wb.screenshot('links-context-menu');
    await wb.clickText('Copy Link to Run', { exact: true });
    await waitFor(async () => (await vscode.env.clipboard.readText()) === link(`/run/${r.id}`), 'the link on the clipboard');
  });

  test('Compare Output With… opens a diff editor on both runs\' outputs', async () => {
    const older = await finishedRun('flow_image_pipeline', { prompt: 'A red barn', style: 'photo' });
    const newer = await finishedRun('flow_image_pipeline', { prompt: 'A blue lake', style: 'watercolor' });
    const other = await finishedRun('flow_unpositioned', { text: 'another flow' });
    const pending = run('flowRuns.compareOutput', { runId: newer.id });
    const rows = await waitFor(async () => {
      const r = await wb.texts('.quick-input-widget .monaco-list-row');
      return r.length > 0 ? r : undefined;
    }, 'the quick pick of the flow\'s runs');
    assert.ok(rows.some((row) => row.includes(short(older.id))), `the older run is offered: ${rows.join(' | ')}`);
    assert.ok(!rows.some((row) => row.includes(short(newer.id))), 'the run itself is not offered');
    assert.ok(!rows.some((row) => row.includes(short(other.id))), 'a run of another flow is not offered');
    await wb.type(short(older.id));
    await wb.press('Enter');
    const outcome = await pending;
    assert.equal(outcome.ok, true, outcome.message);
    const title = `run ${short(older.id)} ↔ run ${short(newer.id)} (output)`;
    const tab = await waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab, 'the diff tab');
    assert.equal(tab.label, title);
    assert.ok(tab.input instanceof vscode.TabInputTextDiff, 'a diff editor');
    const [left, right] = await Promise.all([tab.input.original, tab.input.modified].map((u) => vscode.workspace.openTextDocument(u)));
    await waitFor(() => left.getText().length > 5 && right.getText().length > 5, 'both sides to have text');
    assert.deepEqual(JSON.parse(left.getText()), t.sandbox.getRun(older.id)?.output);
    assert.deepEqual(JSON.parse(right.getText()), t.sandbox.getRun(newer.id)?.output);
    assert.notEqual(left.getText(), right.getText());
    await wb.waitForText(title, { timeoutMs: 10_000 });
    await wb.screenshot('links-compare-output');

    // Two runs selected in the tree compare at once, input this time.
    const both = await run('flowRuns.compareInput', { runId: older.id }, [{ runId: older.id }, { runId: newer.id }]);
    assert.equal(both.message, `run ${short(older.id)} ↔ run ${short(newer.id)} (input)`);
    // A flow with no other run: said in words, nothing opens.
    const alone = await run('flowRuns.compareInput', { runId: other.id });
    assert.equal(alone.ok, false);
    assert.match(alone.message ?? '', new RegExp(`Run ${short(other.id)} is the only run of ".+" there is`));
  });

  test('a link to a flow opens its input file or a draft, and runs nothing', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests run in a workspace');
    const file = vscode.Uri.joinPath(folder.uri, 'links', 'bare-barn.json');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode('{ "prompt": "A barn at noon" }\n'));
    const creates = t.sandbox.stats().byRoute[CREATE] ?? 0;
    await openLink(link('/flow/flow_image_pipeline?input=links/bare-barn.json'));
    const editor = await waitFor(() => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.toString() === file.toString() ? e : undefined;
    }, 'the input file to open');
    assert.equal(t.ext.inputFiles.rememberedFlow(editor.document.uri), 'flow_image_pipeline', 'the file runs the link\'s flow');
    await waitFor(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file);
      return lenses.some((l) => l.command?.title === 'Flow: Image pipeline (change)');
    }, 'the lens to name the flow');

    await openLink(link('/flow/flow_slow'));
    const draft = await waitFor(() => {
      const d = vscode.window.activeTextEditor?.document;
      return d?.isUntitled ? d : undefined;
    }, 'a draft input to open');
    assert.match(draft.getText(), /"flow": "flow_slow"/);
    assert.match(draft.getText(), /"seconds": 30/, 'the schema\'s default');
    assert.equal(t.sandbox.stats().byRoute[CREATE] ?? 0, creates, 'no run was started');
    await t.ext.inputFiles.rememberFlow(file, undefined);
  });

  test('the CodeLens shows the file\'s last run; its status turns Completed and clicking it opens the run', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests run in a workspace');
    const file = vscode.Uri.joinPath(folder.uri, 'links', 'wait.flow.json');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode('{\n  "flow": "flow_slow",\n  "input": { "seconds": 3 }\n}\n'));
    await vscode.window.showTextDocument(file, { preview: false });
    const lensTitles = async (): Promise<string[]> =>
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file)).map((l) => l.command?.title ?? '');
    assert.ok(!(await lensTitles()).some((x) => x.startsWith('last run')), 'no last run before the first one');

    const runLens = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file)).find((l) => l.command?.title === '▶ Run Flow');
    assert.ok(runLens?.command);
    const outcome = await vscode.commands.executeCommand<{ ok: boolean; run?: FlowRun }>(runLens.command.command, ...(runLens.command.arguments ?? []) as unknown[]);
    assert.ok(outcome.ok && outcome.run);
    const started = outcome.run;
    const live = await waitFor(async () => (await lensTitles()).find((x) => /^last run\s\$\((clock|sync~spin)\)\s(Pending|Running)/.test(x)), 'the lens to show the run going');
    assert.ok(live, 'a live status first');
    const done = await waitFor(async () => (await lensTitles()).find((x) => /^last run\s\$\(pass\)\sCompleted/.test(x)), 'the lens to say Completed', 30_000);
    assert.match(done, /^last run\s\$\(pass\)\sCompleted (just now|\d+ s ago)$/);
    const lens = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file)).find((l) => l.command?.title === done);
    assert.deepEqual(lens?.command?.arguments, [started.id]);

    // Close the panel Run Flow opened, then click the lens as the user would.
    manager.get(started.id)?.dispose();
    await vscode.window.showTextDocument(file, { preview: false });
    // The editor shows the lens once it asked for lenses again (VS Code debounces that).
    await wb.waitForText('last run', { timeoutMs: 10_000 });
    await wb.screenshot('links-codelens');
    await wb.clickText('last run', { timeoutMs: 10_000 });
    const panel = await waitFor(() => manager.get(started.id), 'the lens to open the run\'s panel');
    await waitFor(() => panel.isReady, 'the panel to show the run');
  });
});
