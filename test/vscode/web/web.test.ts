// The browser build in the web worker extension host of the same offline VS Code (as in
// vscode.dev, github.dev, Codespaces in a tab): where it runs and what it does not offer, a key
// set through the real input box, Run Flow from an input file followed live in the panel, cancel
// from the tree's context menu, and the key only in SecretStorage. The sandbox runs in the
// launcher's process (the worker cannot start a server); the extension reaches it over HTTP
// from the worker's origin, so every request here also crosses CORS.
import * as vscode from 'vscode';
import { FlowRunStatus, isTerminalRunStatus } from '../../../src/api/models';
import type { RunFlowOutcome } from '../../../src/commands/runFlow';
import type { HostMessage, WebviewMessage } from '../../../src/shared/protocol';
import { shortIdOf } from '../../../src/shared/runText';
import type { FlowRunsTestApi } from '../../../src/testApi';
import { EXTENSION_ID, connectTo, disconnect, extensionApi, waitFor } from '../util/extensionApi';
import { startRemoteSandbox, type RemoteSandbox } from '../util/remoteSandbox';
import * as wb from '../util/workbench';
import * as assert from './assert';

// A key only this suite uses, so that a hit anywhere is ours.
const KEY = 'inf_websuite_full_5c2e8a91d7';

/** The rows of the quick input (the command palette), once they stop saying `stale`. */
async function paletteRows(after: string, stale?: string): Promise<string[]> {
  return waitFor(async () => {
    const rows = await wb.texts('.quick-input-widget .monaco-list-row');
    if (stale && rows.some((r) => r.includes(stale))) return undefined;
    return rows.length > 0 || (await wb.isTextVisible('No matching commands')) ? rows : undefined;
  }, `the command palette to list commands for "${after}"`, 15_000);
}

suite('Web worker extension host', function () {
  this.timeout(90_000);
  let sandbox: RemoteSandbox;
  let ext: FlowRunsTestApi;
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('flowRuns');
  /** Every message exchanged with a run panel in this suite. */
  const webviewMessages: (HostMessage | WebviewMessage)[] = [];

  suiteSetup(async () => {
    ext = await extensionApi();
    // The image pipeline takes about 7 s at 0.6: the panel is open and live long before it ends
    // (flow_slow waits in real seconds).
    sandbox = await startRemoteSandbox({ speed: 0.6, seedRuns: 12, keys: [{ key: KEY, scopes: [] }] });
    await config().update('confirmCancel', false, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await wb.press('Escape').catch(() => undefined);
    await config().update('confirmCancel', undefined, vscode.ConfigurationTarget.Global);
    if (ext) await disconnect(ext.services);
    await sandbox?.close();
  });

  test('the extension runs in the web worker extension host, and Start Local Sandbox is not offered', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension?.isActive, 'the extension is active');
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web, 'the workbench is the web one');
    // In the web worker extension host every extension is a UI extension; in the Node one (remote) it is Workspace.
    assert.equal(extension.extensionKind, vscode.ExtensionKind.UI, 'the extension runs beside the UI (the web worker host)');
    const worker = globalThis as Record<string, unknown>;
    assert.equal(typeof worker.process, 'undefined', 'no Node `process` global: this is not a Node extension host');
    assert.equal(typeof worker.importScripts, 'function', 'importScripts: a web worker');
    assert.ok(typeof (extension.packageJSON as { browser?: unknown }).browser === 'string', 'package.json has a browser entry');

    // The palette: Set API Key is there, Start Local Sandbox is not (the web build sets flowRuns.sandboxUnavailable).
    await wb.press('F1');
    await wb.type('Flow Runs: Set API Key');
    const withKey = await paletteRows('Set API Key');
    assert.ok(withKey.some((r) => r.includes('Flow Runs: Set API Key')), `the palette offers Set API Key: ${withKey.join(' | ')}`);
    await wb.press('Control+a');
    await wb.type('>Local Sandbox');
    const sandboxRows = await paletteRows('Local Sandbox', 'Set API Key');
    await wb.screenshot('web-palette-no-local-sandbox');
    await wb.press('Escape');
    assert.ok(!sandboxRows.some((r) => /Start Local Sandbox/.test(r)), `the palette offers no Start Local Sandbox: ${sandboxRows.join(' | ')}`);

    // The welcome view (no key yet) says how to reach a sandbox started elsewhere, with no button to start one here.
    await vscode.commands.executeCommand('flowRuns.runs.focus');
    const welcome = await waitFor(async () => {
      const texts = await wb.texts('.welcome-view-content');
      return texts.some((t) => t.includes('Set API Key')) ? texts.join('\n') : undefined;
    }, 'the Runs view to show its welcome content', 15_000);
    await wb.screenshot('web-welcome');
    assert.ok(!welcome.includes('Start Local Sandbox'), `no Start Local Sandbox button in the web: ${welcome}`);
    assert.match(welcome, /flowRuns\.apiUrl|API URL/i, 'the welcome view says how to point flowRuns.apiUrl at a sandbox');
  });

  test('Set API Key through the input box; the Runs view then shows the status groups', async () => {
    const services = ext.services;
    await config().update('apiUrl', sandbox.url, vscode.ConfigurationTarget.Global);
    await config().update('webUrl', `${sandbox.url}/app`, vscode.ConfigurationTarget.Global);
    await waitFor(() => services.session.baseUrl === sandbox.url, 'the session to follow flowRuns.apiUrl');
    assert.equal(services.session.hasKey, false, 'no key for the sandbox yet');

    await wb.press('F1');
    await wb.type('Flow Runs: Set API Key');
    await wb.waitForText('Flow Runs: Set API Key');
    await wb.press('Enter');
    await wb.textContent('.quick-input-widget input[type="password"]', { timeoutMs: 10_000 }); // the key's input box, masked
    await wb.type(KEY);
    await wb.press('Enter');
    await waitFor(() => services.session.hasKey, 'the key to be checked and stored', 30_000);

    await vscode.commands.executeCommand('flowRuns.runs.focus');
    const rows = await waitFor(async () => {
      const texts = await wb.texts('.pane-body .monaco-list-row');
      return texts.some((t) => t.startsWith('Completed')) ? texts : undefined;
    }, 'the Runs view to show the Completed group', 30_000);
    await wb.screenshot('web-runs-view');
    assert.equal(ext.runsTree.state, 'ok', 'the view shows runs');
    const seeded = await sandbox.listAllRuns();
    const completed = seeded.filter((r) => r.status === FlowRunStatus.Completed);
    assert.ok(completed.length > 0, 'the sandbox has completed runs');
    assert.ok(completed.some((r) => rows.some((row) => row.includes(shortIdOf(r)))), `a completed run is listed: ${rows.join(' | ')}`);
  });

  test('Run Flow from an input file in the editor: the panel follows the run live to Completed', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const file = vscode.Uri.joinPath(extension.extensionUri, 'test', 'fixtures', 'inputs', 'mountain.flow.json');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), { preview: false });
    const outcome = await vscode.commands.executeCommand<RunFlowOutcome>('flowRuns.runFlow');
    if (!outcome.ok) assert.fail(`Run Flow failed: ${outcome.message}`);
    const run = outcome.run;
    const panel = await waitFor(() => ext.runPanels.get(run.id), 'the run panel to open', 15_000);
    await waitFor(() => panel.isReady, 'the panel webview to be ready', 30_000);
    await wb.waitForText(shortIdOf(run), { timeoutMs: 15_000 });
    await waitFor(() => panel.connectionState === 'ended', 'the panel to follow the run to its end', 60_000);
    await wb.waitForText('Completed', { timeoutMs: 15_000 });
    await wb.screenshot('web-run-panel-completed');
    webviewMessages.push(...panel.posted, ...panel.received);

    // Live: the panel saw the run before it ended, then its status changed in diffs, ending Completed.
    const statuses: number[] = [];
    for (const m of panel.posted) {
      if (m.type === 'snapshot' && m.run) statuses.push(m.run.status);
      else if (m.type === 'run' && typeof m.changes.status === 'number') statuses.push(m.changes.status);
    }
    assert.ok(statuses.length >= 2, `the panel got status updates, not only a snapshot: ${JSON.stringify(statuses)}`);
    assert.ok(!isTerminalRunStatus(statuses[0]), `the first status shown was an active one: ${JSON.stringify(statuses)}`);
    assert.equal(statuses[statuses.length - 1], FlowRunStatus.Completed, 'the last status shown');
    assert.equal((await sandbox.getRun(run.id))?.status, FlowRunStatus.Completed, 'the server says Completed');
    const text = await wb.frameText('body', { timeoutMs: 10_000 });
    assert.match(text, /Completed/, 'the panel says Completed');
  });

  test('an input file is checked against the flow\'s schema while typing: ajv loads in the worker on first use', async () => {
    // An untitled file that names its flow (not *.flow.json, which VS Code's JSON service checks with our
    // schema document): ours are the squiggles. The web build reads dist/ajv.js through VS Code's file
    // service and evaluates it on first use (lazyModules.web.ts); a failed load would leave no squiggle.
    const doc = await vscode.workspace.openTextDocument({
      language: 'json',
      content: '{\n  "flow": "flow_image_pipeline",\n  "input": {\n    "style": "crayon"\n  }\n}\n',
    });
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    const ours = (): vscode.Diagnostic[] => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'Flow Runs');
    const diags = await waitFor(() => (ours().length === 2 ? ours() : undefined), 'live diagnostics for the two violations', 30_000);
    const messages = diags.map((d) => d.message);
    assert.ok(messages.includes('input.prompt is required'), `a missing property is reported: ${messages.join(' | ')}`);
    assert.ok(messages.some((m) => m.startsWith('input.style must be one of')), `a wrong value is reported: ${messages.join(' | ')}`);
    await wb.screenshot('web-schema-diagnostics');
    // Fixed in the editor: the squiggle follows the text.
    await editor.edit((e) => e.replace(new vscode.Range(3, 14, 3, 20), 'oil'));
    await waitFor(() => ours().length === 1 && ours()[0].message === 'input.prompt is required', 'the style diagnostic to clear');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('cancel a running run from the tree item\'s context menu', async () => {
    // flow_slow waits in real seconds: the run stays Running until cancelled.
    const run = await sandbox.createRunDirect('flow_slow', { seconds: 120 });
    await vscode.commands.executeCommand('flowRuns.refresh');
    await vscode.commands.executeCommand('flowRuns.runs.focus');
    await waitFor(() => ext.runsTree.groups.groupOf(run.id) === FlowRunStatus.Running, 'the run to be listed as Running', 30_000);
    await wb.waitForRowUnder('Running', shortIdOf(run));
    await wb.rightClickText(shortIdOf(run), { timeoutMs: 15_000 });
    await wb.waitForText('Cancel Run', { exact: true });
    await wb.screenshot('web-tree-context-menu');
    await wb.chooseFromMenu('Cancel Run');
    await waitFor(async () => (await sandbox.getRun(run.id))?.status === FlowRunStatus.Cancelled, 'the server to report the run Cancelled', 20_000);
    await waitFor(() => ext.runsTree.groups.groupOf(run.id) === FlowRunStatus.Cancelled, 'the run to move to the Cancelled group', 20_000);
    await wb.screenshot('web-tree-cancelled');
  });

  test('the API key is in SecretStorage and nowhere else: settings, logs, webview messages', async () => {
    const services = ext.services;
    const hits = (text: string): boolean => text.includes(KEY);
    // 1. In SecretStorage, under the base URL.
    assert.equal(await services.context.secrets.get(`flowRuns.apiKey:${services.session.baseUrl}`), KEY, 'the key is in SecretStorage');
    // 2. Not in globalState / workspaceState, nor in any flowRuns setting as VS Code reads them.
    for (const [name, memento] of [['globalState', services.context.globalState], ['workspaceState', services.context.workspaceState]] as const) {
      assert.ok(!hits(JSON.stringify(memento.keys().map((k) => [k, memento.get(k)]))), `${name} holds no key`);
    }
    assert.ok(!hits(JSON.stringify(config())), 'no flowRuns setting holds the key');
    // 3. Not in any file of this VS Code (settings, logs, storage), the workspace, or the browser's console.
    const found = await wb.control('filesContaining', { texts: [KEY, sandbox.url] }, (v): v is { scanned: number; hits: { file: string; texts: string[] }[] } =>
      !!v && typeof v === 'object' && 'hits' in v && Array.isArray(v.hits));
    const withUrl = found.hits.filter((h) => h.texts.includes(sandbox.url)).map((h) => h.file);
    assert.ok(withUrl.some((f) => f.endsWith('settings.json')), `the user settings (flowRuns.apiUrl) were among the ${found.scanned} files searched: ${withUrl.join(', ')}`);
    assert.deepEqual(found.hits.filter((h) => h.texts.includes(KEY)).map((h) => h.file), [], 'no file holds the key');
    // 3b. In the browser, SecretStorage is sealed into localStorage (AES-GCM): the key is not there in clear.
    const stored = await wb.evaluate('() => Object.entries(localStorage)');
    assert.ok(Array.isArray(stored) && stored.some((e) => Array.isArray(e) && e[0] === 'secrets.provider'), 'the sealed secrets are in localStorage');
    assert.ok(!hits(JSON.stringify(stored)), 'localStorage holds no key in clear');
    // 4. Not in the Flow Runs log (the worker's logs live in the browser: read through VS Code).
    const log = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(services.context.logUri, 'Flow Runs.log')));
    assert.match(log, /\[activate\] ready in/, 'the Flow Runs log was read');
    assert.ok(!hits(log), 'the Flow Runs log holds no key');
    // 5. Not in any webview message.
    for (const p of ext.runPanels.list()) webviewMessages.push(...p.posted, ...p.received);
    assert.ok(webviewMessages.length > 3, `webview messages were recorded: ${webviewMessages.length}`);
    assert.ok(!hits(JSON.stringify(webviewMessages)), 'no webview message holds the key');
  });

  test('an API that does not allow the page\'s origin: the Runs view says CORS and where, not "Failed to fetch"', async () => {
    // The same sandbox with its CORS answers off plays such an API; the browser refuses its answers.
    const refusing = await startRemoteSandbox({ cors: false, seedRuns: 2 });
    try {
      const config = vscode.workspace.getConfiguration('flowRuns');
      await config.update('apiUrl', refusing.url, vscode.ConfigurationTarget.Global);
      await waitFor(() => ext.services.session.baseUrl === refusing.url, 'the session to follow flowRuns.apiUrl');
      // Set API Key checks the key with one request first: the browser refuses it, and the user is told why.
      const stored = await vscode.commands.executeCommand<boolean>('flowRuns.setApiKey', refusing.defaultKey);
      assert.equal(stored, false, 'a key that could not be checked is not stored without asking');
      const toast = await wb.waitForNotification('CORS');
      assert.ok(toast.includes(new URL(refusing.url).origin), `the notification names the API's origin: ${toast}`);
      // "Save it anyway" (the modal's choice when asked in the input box), then the Runs view says the same.
      await ext.services.context.secrets.store(`flowRuns.apiKey:${refusing.url}`, refusing.defaultKey);
      await waitFor(() => ext.services.session.hasKey, 'the saved key to be seen');
      await vscode.commands.executeCommand('flowRuns.retry');
      const message = await waitFor(() => (ext.runsTreeView.message?.includes('CORS') ? ext.runsTreeView.message : undefined),
        'the Runs view to say why the API cannot be used', 60_000);
      assert.ok(message.includes(new URL(refusing.url).origin), `the sentence names the API's origin: ${message}`);
      assert.ok(message.includes('flowRuns.apiUrl'), `the sentence says what to change: ${message}`);
      assert.ok(!/failed to fetch/i.test(message), `not the browser's bare words: ${message}`);
      // A server may start allowing the origin: Retry is offered here, unlike for a URL we refuse.
      const roots = (await ext.runsTree.getChildren()).map((n) => ext.runsTree.getTreeItem(n));
      assert.deepEqual(roots.map((i) => i.label), ['Retry', 'Open Settings (flowRuns.apiUrl)', 'Show Log']);
      await wb.waitForText('does not allow this page', { timeoutMs: 15_000 });
      await wb.waitForText('Open Settings (flowRuns.apiUrl)', { timeoutMs: 15_000 }); // what to do, under the sentence
      await wb.screenshot('web-cors-refused');
    } finally {
      await connectTo(ext.services, sandbox.url, KEY);
      await refusing.close();
    }
  });
});

