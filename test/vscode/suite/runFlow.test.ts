// Run Flow inside a real VS Code against the sandbox: both input forms (the
// bare form through the real quick pick), every kind of bad input with the
// exact words the user reads and nothing sent to POST /flowruns, schema
// violations as diagnostics at the right ranges (ours, and the JSON language
// service's squiggles from the flowruns-schema document), and Run Again.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlowRun } from '../../../src/api/models';
import type { RunFlowOutcome } from '../../../src/commands/runFlow';
import type { InputFiles } from '../../../src/input/inputFiles';
import { SANDBOX_KEYS } from '../../../src/sandbox';
import { EXTENSION_ID, useSandbox, waitFor, type TestSandbox } from '../util/sandbox';
import * as wb from '../util/workbench';

const CREATE = 'POST /flowruns';

function fixture(name: string): vscode.Uri {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, 'the extension is installed');
  return vscode.Uri.file(path.join(ext.extensionPath, 'test', 'fixtures', 'inputs', name));
}

async function show(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

async function showUntitled(content: string, language = 'json'): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ language, content });
  return vscode.window.showTextDocument(doc, { preview: false });
}

function runFlow(...args: unknown[]): Thenable<RunFlowOutcome> {
  return vscode.commands.executeCommand<RunFlowOutcome>('flowRuns.runFlow', ...args);
}

function failure(outcome: RunFlowOutcome): Extract<RunFlowOutcome, { ok: false }> {
  if (outcome.ok) assert.fail(`expected a refusal, got run ${outcome.run.id}`);
  return outcome;
}

function started(outcome: RunFlowOutcome): FlowRun {
  if (!outcome.ok) assert.fail(`Run Flow failed: ${outcome.message}`);
  return outcome.run;
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Flow Runs');
}

function span(d: vscode.Diagnostic): string {
  const r = d.range;
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/**
 * The notifications the user has, as the notification center lists them
 * (source, buttons and message of each), once one of them says `expected`.
 * The center rather than the toasts: in this web workbench toasts are not
 * shown while the tests drive it, the center always is.
 */
async function notifications(expected: string): Promise<string[]> {
  await vscode.commands.executeCommand('notifications.showList');
  try {
    return await waitFor(async () => {
      const items = await wb.texts('.notifications-center .notification-list-item');
      return items.some((i) => i.includes(expected)) ? items : undefined;
    }, `a notification saying "${expected}"`, 10_000);
  } finally {
    await vscode.commands.executeCommand('notifications.hideList');
  }
}

/** The one notification that says `expected`. */
async function notification(expected: string): Promise<string> {
  const items = await notifications(expected);
  return items.find((i) => i.includes(expected)) ?? '';
}

suite('Run Flow', function () {
  this.timeout(60_000);
  let t: TestSandbox;
  let files: InputFiles;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-runs-input-'));

  const creates = (): number => t.sandbox.stats().byRoute[CREATE] ?? 0;

  async function useKey(key: string): Promise<void> {
    await vscode.commands.executeCommand('flowRuns.setApiKey', key);
    await waitFor(() => t.services.session.hasKey, 'the key to be stored');
  }

  /** Asserts the refusal: the exact message, nothing sent, the file untouched. */
  async function refuses(uriOrEditor: vscode.Uri | vscode.TextEditor, message: string | RegExp): Promise<string> {
    const editor = uriOrEditor instanceof vscode.Uri ? await show(uriOrEditor) : uriOrEditor;
    const before = editor.document.getText();
    const outcome = failure(await runFlow());
    if (typeof message === 'string') assert.equal(outcome.message, message);
    else assert.match(outcome.message, message);
    assert.equal(creates(), 0, 'nothing was sent to POST /flowruns');
    assert.equal(editor.document.getText(), before, 'the text is untouched');
    assert.equal(editor.document.isDirty, editor.document.isUntitled, 'the file was not modified or saved');
    return outcome.message;
  }

  suiteSetup(async () => {
    t = await useSandbox({ speed: 0.02 });
    files = t.ext.inputFiles;
  });

  suiteTeardown(async () => {
    await t?.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  setup(() => {
    t.sandbox.resetStats();
  });

  teardown(async () => {
    await wb.press('Escape').catch(() => undefined);
    await vscode.commands.executeCommand('notifications.clearAll');
    // Untitled buffers are reverted so closing never asks to save.
    for (let i = 0; i < 20 && vscode.window.activeTextEditor; i++) {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  // ------------------------------------------------------------ both forms
  test('the request form starts a run: it is in the store at once and sent exactly once', async () => {
    const editor = await show(fixture('mountain.flow.json'));
    const run = started(await runFlow());
    assert.equal(run.flow_id, 'flow_image_pipeline');
    assert.deepEqual(t.sandbox.getRun(run.id)?.input, { prompt: 'A mountain lake at dawn', style: 'watercolor' });
    assert.ok(t.services.store.get(run.id), 'the run is in the store right after');
    assert.ok(t.services.startedHere.has(run.id), 'the run counts as started in this window');
    assert.equal(creates(), 1);
    assert.equal(editor.document.isDirty, false, 'the file was not touched');
  });

  test('unsaved text is what runs; comments and trailing commas are accepted', async () => {
    const editor = await showUntitled('{\n  // a note\n  "flow": "flow_image_pipeline",\n  "input": { "prompt": "Unsaved dunes", },\n}\n', 'jsonc');
    const run = started(await runFlow());
    assert.equal(t.sandbox.getRun(run.id)?.input.prompt, 'Unsaved dunes');
    assert.equal(editor.document.isDirty, true, 'still unsaved: we never save the user\'s file');
  });

  test('the CodeLens "▶ Run Flow" runs its own file even when another editor is active', async () => {
    const uri = fixture('mountain.flow.json');
    await show(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const lens = lenses.find((l) => l.command?.title === '▶ Run Flow');
    assert.ok(lens?.command, `a "▶ Run Flow" lens at the top; got ${lenses.map((l) => l.command?.title).join(', ')}`);
    assert.equal(lens.range.start.line, 0);
    assert.ok(lenses.some((l) => l.command?.title === 'Flow: Image pipeline'), 'the lens names the flow');
    await showUntitled('{"not": "an input file"}');
    const args: unknown[] = lens.command.arguments ?? [];
    const run = started(await runFlow(...args));
    assert.equal(t.sandbox.getRun(run.id)?.input.prompt, 'A mountain lake at dawn');
  });

  test('a bare input: the real quick pick chooses the flow, and the choice is remembered for the file', async function () {
    if (!wb.canDriveWorkbench()) this.skip();
    const uri = fixture('bare-lighthouse.json');
    await files.rememberFlow(uri, undefined);
    await show(uri);
    const pending = runFlow();
    await wb.waitForText('Choose the flow to run with bare-lighthouse.json', { timeoutMs: 15_000 });
    await waitFor(async () => (await wb.texts('.quick-input-widget .monaco-list-row')).some((r) => r.includes('flow_image_pipeline')), 'the flows to be listed');
    await wb.type('Image pipeline');
    await wb.screenshot('run-flow-picker');
    await wb.press('Enter');
    const run = started(await pending);
    assert.equal(run.flow_id, 'flow_image_pipeline');
    assert.deepEqual(t.sandbox.getRun(run.id)?.input, { prompt: 'A lighthouse in a storm', style: 'oil' });
    assert.equal(files.rememberedFlow(uri), 'flow_image_pipeline', 'remembered in workspace state');

    // The second time there is no picker: the remembered flow runs at once.
    const listsBefore = t.sandbox.stats().byRoute['POST /flows/list'] ?? 0;
    const again = started(await runFlow());
    assert.equal(again.flow_id, 'flow_image_pipeline');
    assert.equal(t.sandbox.stats().byRoute['POST /flows/list'] ?? 0, listsBefore, 'no flow list was needed');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.ok(lenses.some((l) => l.command?.title === 'Flow: Image pipeline (change)'), 'the CodeLens offers to change the flow');
    await files.rememberFlow(uri, undefined);
  });

  test('a bare input with a remembered flow runs it; the envelope\'s warnings are shown', async () => {
    const editor = await showUntitled('{ "seconds": 0, "colour": "blue" }');
    await files.rememberFlow(editor.document.uri, 'flow_slow');
    const run = started(await runFlow());
    assert.equal(run.flow_id, 'flow_slow');
    if (wb.canDriveWorkbench()) {
      const text = await notification('Input field "colour" is not in the flow\'s input_schema');
      assert.match(text, /Slow job: Input field "colour" is not in the flow's input_schema; the flow ignores it\./);
    }
  });

  test('the CodeLens "(change)" picks another flow for a bare file through the real quick pick', async function () {
    if (!wb.canDriveWorkbench()) this.skip();
    const editor = await showUntitled('{ "text": "switch me" }');
    const uri = editor.document.uri;
    await files.rememberFlow(uri, 'flow_slow');
    // The lens names the flow once its title is loaded.
    const change = await waitFor(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return lenses.find((l) => l.command?.title === 'Flow: Slow job (change)');
    }, 'a "Flow: Slow job (change)" lens');
    assert.ok(change.command);
    const chosen = vscode.commands.executeCommand<string | undefined>(change.command.command, ...(change.command.arguments ?? []) as unknown[]);
    await wb.waitForText('Choose the flow for', { timeoutMs: 15_000 });
    await waitFor(async () => (await wb.texts('.quick-input-widget .monaco-list-row')).some((r) => r.includes('flow_unpositioned')), 'the flows to be listed');
    await wb.type('Unpositioned');
    await wb.press('Enter');
    assert.equal(await chosen, 'flow_unpositioned');
    assert.equal(files.rememberedFlow(uri), 'flow_unpositioned');
    assert.equal(creates(), 0, 'changing the flow runs nothing');
    const run = started(await runFlow());
    assert.equal(run.flow_id, 'flow_unpositioned');
  });

  test('{flow, input} as the argument starts directly (Run It Now, Run Again)', async () => {
    const run = started(await runFlow({ flow: 'flow_unpositioned', input: { text: 'direct' } }));
    assert.equal(t.sandbox.getRun(run.id)?.input.text, 'direct');
    assert.ok(t.services.store.get(run.id));
  });

  test('cancelling the "Starting…" progress aborts the request before the server answers', async function () {
    if (!wb.canDriveWorkbench()) this.skip();
    t.sandbox.setFaults({ routes: ['POST /flowruns'], latencyMs: [4000, 4000] });
    try {
      const storeBefore = t.services.store.size;
      const pending = runFlow({ flow: 'flow_unpositioned', input: { text: 'never mind' } });
      const text = await notification('Starting Unpositioned graph…');
      assert.ok(text.includes('Cancel'), `the progress can be cancelled: ${text}`);
      await vscode.commands.executeCommand('notifications.showList');
      await wb.clickText('Cancel', { exact: true });
      const outcome = failure(await pending);
      assert.equal(outcome.code, 'cancelled');
      assert.equal(outcome.message, 'Run Flow was cancelled; the request was stopped before the server answered.');
      assert.equal(t.services.store.size, storeBefore, 'no run was added');
    } finally {
      t.sandbox.setFaults(undefined);
      await vscode.commands.executeCommand('notifications.hideList');
    }
  });

  // ------------------------------------------------------------ bad input
  test('an empty file is refused', async () => {
    const message = await refuses(fixture('empty.json'),
      'Run Flow failed: The file is empty. Write the run request, {"flow": "<flow id>", "input": {…}}, or just the input object.');
    if (wb.canDriveWorkbench()) assert.ok((await notification('The file is empty')).includes(message));
  });

  test('text that is not JSON is refused with its line and column, and a diagnostic on the spot', async () => {
    const uri = fixture('not-json.json');
    const message = await refuses(uri, "Run Flow failed: The file is not valid JSON: line 5, column 5: a comma (',') is expected.");
    const [d] = ours(uri);
    assert.ok(d, 'a Flow Runs diagnostic');
    assert.equal(span(d), '4:4-4:11', 'on "style", where the comma is missing');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    // The user reads the same words in the notification.
    if (wb.canDriveWorkbench()) {
      const text = await notification('line 5, column 5');
      assert.ok(text.includes(message), `the toast says: ${text}`);
    }
  });

  test('a root that is not an object is refused', async () => {
    await refuses(fixture('array-root.json'),
      'Run Flow failed: The file must hold a JSON object, either {"flow": "<flow id>", "input": {…}} or the input object itself; it holds an array.');
  });

  test('"flow" that is not a string is refused', async () => {
    const uri = fixture('flow-not-string.flow.json');
    await refuses(uri, 'Run Flow failed: "flow" must be a string, the id of the flow to run (such as "flow_abc123"); it is a number.');
    assert.equal(span(ours(uri)[0]), '1:10-1:12');
  });

  test('"input" that is not an object is refused', async () => {
    await refuses(fixture('input-not-object.flow.json'),
      'Run Flow failed: "input" must be an object with the flow\'s inputs, such as {"prompt": "…"}; it is a string.');
  });

  test('an unknown flow is refused (404) and the flow picker is offered instead', async () => {
    const uri = fixture('unknown-flow.flow.json');
    const outcome = failure(await (async () => {
      await show(uri);
      return runFlow();
    })());
    assert.equal(outcome.code, 'unknown_flow');
    assert.equal(outcome.message, 'Run Flow failed: No flow "flow_does_not_exist" was found for this API key. Choose one of your flows instead.');
    assert.equal(creates(), 0);
    assert.equal(span(ours(uri)[0]), '1:10-1:31', 'the flow id is marked');
    if (wb.canDriveWorkbench()) {
      const text = await notification('No flow "flow_does_not_exist" was found');
      assert.ok(text.includes('Choose a Flow…'), `the notification offers the picker: ${text}`);
      await vscode.commands.executeCommand('notifications.showList');
      await wb.clickText('Choose a Flow…', { exact: true });
      await wb.waitForText('Choose the flow to run with this input', { timeoutMs: 15_000 });
      await waitFor(async () => (await wb.texts('.quick-input-widget .monaco-list-row')).some((r) => r.includes('flow_unpositioned')), 'the flows to be listed');
      await wb.type('flow_unpositioned');
      await wb.press('Enter');
      const run = await waitFor(() => t.sandbox.listAllRuns().find((r) => r.flow_id === 'flow_unpositioned' && r.input.prompt === 'A mountain lake at dawn'),
        'the picked flow to run with the file\'s input');
      assert.equal(creates(), 1);
      // The server holds the run as soon as it answers; the extension has it once the answer is read.
      await waitFor(() => t.services.store.get(run.id), 'the started run in the store');
    }
  });

  test('a file over 5 MB is refused with its size', async () => {
    const big = path.join(tmp, 'big.flow.json');
    const blob = 'a'.repeat(6 * 1024 * 1024);
    fs.writeFileSync(big, `{"flow": "flow_image_pipeline", "input": {"prompt": "x", "blob": "${blob}"}}`);
    await refuses(vscode.Uri.file(big),
      'Run Flow failed: The file is 6.0 MB; Run Flow sends at most 5 MB of input. Put large data behind a URL instead.');
  });

  test('without an API key, nothing is sent and Set API Key is offered', async () => {
    await vscode.commands.executeCommand('flowRuns.clearApiKey');
    await waitFor(() => !t.services.session.hasKey, 'the key to be cleared');
    try {
      await refuses(fixture('mountain.flow.json'),
        `Run Flow failed: No API key is set for ${t.sandbox.url}. Run "Flow Runs: Set API Key" first.`);
      if (wb.canDriveWorkbench()) {
        const text = await notification('No API key is set');
        assert.ok(text.includes('Set API Key'), `the notification offers Set API Key: ${text}`);
      }
    } finally {
      await useKey(t.sandbox.defaultKey);
    }
  });

  test('a key without flows:execute is refused by the server and the message names the scope', async () => {
    await useKey(SANDBOX_KEYS.noExecute);
    try {
      await show(fixture('mountain.flow.json'));
      const runsBefore = t.sandbox.listAllRuns().length;
      const outcome = failure(await runFlow());
      assert.equal(outcome.code, 'api');
      assert.match(outcome.message, /^Run Flow failed: This API key lacks the flows:execute scope needed to start a flow run\./);
      assert.equal(t.sandbox.listAllRuns().length, runsBefore, 'the server created nothing');
      if (wb.canDriveWorkbench()) {
        const text = await notification('lacks the flows:execute scope');
        assert.ok(text.includes('Set API Key'), `the notification offers Set API Key: ${text}`);
      }
    } finally {
      await useKey(t.sandbox.defaultKey);
    }
  });

  // ------------------------------------------------------------ schema
  test('schema violations become diagnostics at the right ranges, and nothing is sent', async () => {
    const uri = fixture('schema-violations.flow.json');
    const message = await refuses(uri, /^Run Flow failed: The input does not match the input schema of "Image pipeline": /);
    assert.ok(message.includes('input.prompt is required'), message);
    assert.ok(message.includes('input.style must be one of "photo", "watercolor", "oil", "pixel-art"'), message);
    const diags = ours(uri);
    const required = diags.find((d) => d.message === 'input.prompt is required');
    const style = diags.find((d) => d.message.startsWith('input.style must be one of'));
    assert.ok(required && style, `two diagnostics; got ${diags.map((d) => d.message).join(' | ')}`);
    assert.equal(span(required), '2:2-2:9', 'a missing property is marked on its parent\'s key ("input")');
    assert.equal(span(style), '3:13-3:21', 'a wrong value is marked on the value ("crayon")');
  });

  test('diagnostics follow the text while typing and clear when the input is fixed', async () => {
    const editor = await showUntitled('{\n  "flow": "flow_image_pipeline",\n  "input": {\n    "style": "crayon"\n  }\n}\n');
    const uri = editor.document.uri;
    await waitFor(() => ours(uri).length === 2, 'live diagnostics for the two violations');
    await editor.edit((e) => e.replace(new vscode.Range(3, 14, 3, 20), 'oil'));
    await waitFor(() => ours(uri).length === 1 && ours(uri)[0].message === 'input.prompt is required', 'the style diagnostic to clear');
    await editor.edit((e) => e.insert(new vscode.Position(3, 4), '"prompt": "A fox", '));
    await waitFor(() => ours(uri).length === 0, 'every diagnostic to clear');
    const run = started(await runFlow());
    assert.equal(t.sandbox.getRun(run.id)?.input.prompt, 'A fox');
  });

  test('an invalid {flow, input} argument is refused with the violations, nothing sent', async () => {
    const outcome = failure(await runFlow({ flow: 'flow_image_pipeline', input: { style: 'crayon' } }));
    assert.equal(outcome.code, 'schema');
    assert.match(outcome.message, /input\.prompt is required; input\.style must be one of/);
    assert.equal(creates(), 0);
  });

  test('the JSON language service squiggles a *.flow.json file from the flowruns-schema document', async () => {
    const file = path.join(tmp, 'lighthouse.flow.json');
    fs.writeFileSync(file, '{\n  "flow": "flow_image_pipeline",\n  "input": {\n    "style": "crayon"\n  }\n}\n');
    const uri = vscode.Uri.file(file);
    const editor = await show(uri);
    // Opening an input file loads the user's flows; the schema document then changes to know each one.
    const schema = await vscode.workspace.openTextDocument(vscode.Uri.parse('flowruns-schema://schemas/flow-input.json'));
    await waitFor(() => schema.getText().includes('"const": "flow_image_pipeline"'), 'the schema document to know the flows');
    assert.match(schema.getText(), /"Seconds to wait"/, "each flow's input schema is in it");
    // The JSON language service's diagnostics carry no source here; ours say "Flow Runs".
    const json = await waitFor(() => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source !== 'Flow Runs');
      return d.length >= 2 ? d : undefined;
    }, 'squiggles from the JSON language service', 30_000);
    const messages = json.map((d) => `${span(d)} ${d.message}`).join(' | ');
    assert.ok(json.some((d) => d.message === 'Missing property "prompt".' && d.range.start.line === 2), `the missing prompt, on "input": ${messages}`);
    assert.ok(json.some((d) => d.range.start.line === 3 && d.range.start.character === 13 && /Valid values: "photo"/.test(d.message)), `"crayon": ${messages}`);
    assert.equal(ours(uri).length, 0, 'while typing, a *.flow.json file is not squiggled twice');
    if (wb.canDriveWorkbench()) {
      // For the README: the Problems view, and the hover below the line so the CodeLens stays in view.
      const editorConfig = vscode.workspace.getConfiguration('editor');
      await editorConfig.update('hover.above', false, vscode.ConfigurationTarget.Global);
      try {
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        await vscode.window.showTextDocument(editor.document, { preview: false });
        await wb.waitForText('▶ Run Flow', { timeoutMs: 10_000 });
        editor.selection = new vscode.Selection(3, 16, 3, 16);
        await vscode.commands.executeCommand('editor.action.showHover');
        await wb.waitForText('Value is not accepted', { timeoutMs: 10_000 });
        await wb.screenshot('schema-squiggle');
      } finally {
        await editorConfig.update('hover.above', undefined, vscode.ConfigurationTarget.Global);
        await vscode.commands.executeCommand('workbench.action.closePanel');
      }
    }
  });

  // ------------------------------------------------------------ Run Again
  test('Run Again starts a new run with the same flow and input, from a tree item or a run id', async () => {
    const first = started(await runFlow({ flow: 'flow_unpositioned', input: { text: 'again' } }));
    const fromTree = started(await vscode.commands.executeCommand<RunFlowOutcome>('flowRuns.runAgain', { runId: first.id }));
    assert.notEqual(fromTree.id, first.id);
    assert.equal(fromTree.flow_id, 'flow_unpositioned');
    assert.deepEqual(t.sandbox.getRun(fromTree.id)?.input, t.sandbox.getRun(first.id)?.input);
    assert.ok(t.services.store.get(fromTree.id), 'the new run is in the store');

    // A run this window never saw: fetched from the server first.
    const elsewhere = t.sandbox.createRunDirect('flow_unpositioned', { text: 'from elsewhere' });
    const fromId = started(await vscode.commands.executeCommand<RunFlowOutcome>('flowRuns.runAgain', elsewhere.id));
    assert.equal(t.sandbox.getRun(fromId.id)?.input.text, 'from elsewhere');
    assert.equal(creates(), 3);
  });

  test('Run Again resends what this window sent, even when the run keeps its input per node', async () => {
    const first = started(await runFlow({ flow: 'flow_image_pipeline', input: { prompt: 'a lighthouse', style: 'oil' } }));
    // The server answers with the SDK's per-node form for this run from now on.
    const perNode = { enhance: { text: { Value: 'a lighthouse' }, style: { Value: 'oil' } } };
    const later = new Date(Date.parse(first.updated_at ?? first.created_at ?? '') + 60_000).toISOString();
    t.services.store.upsert({ ...first, input: perNode, updated_at: later });
    assert.deepEqual(t.services.store.get(first.id)?.input, perNode, 'the store holds the per-node form');
    const again = started(await vscode.commands.executeCommand<RunFlowOutcome>('flowRuns.runAgain', { runId: first.id }));
    assert.deepEqual(t.sandbox.getRun(again.id)?.input, { prompt: 'a lighthouse', style: 'oil' });
    assert.equal(creates(), 2);
  });

  test('Run Again on a run this window did not start, kept per node: nothing is sent, a draft opens for review', async () => {
    const elsewhere = t.sandbox.createRunDirect('flow_image_pipeline', { prompt: 'a lighthouse', style: 'watercolor' }, { storedInput: 'per-node' });
    const outcome = failure(await vscode.commands.executeCommand<RunFlowOutcome>('flowRuns.runAgain', elsewhere.id));
    assert.equal(outcome.code, 'review');
    assert.match(outcome.message, /^Run Again: nothing was sent, because the API keeps that run's input per node/);
    assert.equal(creates(), 0, 'nothing was sent to POST /flowruns');
    const draft = await waitFor(() => vscode.window.activeTextEditor?.document.isUntitled ? vscode.window.activeTextEditor.document : undefined,
      'the draft input file to open');
    const text = draft.getText();
    assert.match(text, /^\/\/ Run Again: run \S+ of "Image pipeline"\. Nothing was sent/);
    const json = JSON.parse(text.split('\n').filter((l) => !l.startsWith('//')).join('\n')) as { flow: string; input: Record<string, unknown> };
    // The style reached a node as a plain value; the prompt only through a template, so it is left for the user.
    assert.deepEqual(json, { flow: 'flow_image_pipeline', input: { style: 'watercolor' } });
    await notification('nothing was sent');
    await wb.screenshot('run-again-review');

    // The user fills in the prompt and runs the draft: the run starts from it.
    const editor = await vscode.window.showTextDocument(draft);
    const edited = text.replace('"style": "watercolor"', '"prompt": "a lighthouse",\n    "style": "watercolor"');
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, draft.lineCount, 0), edited));
    const fromDraft = started(await runFlow());
    assert.deepEqual(t.sandbox.getRun(fromDraft.id)?.input, { prompt: 'a lighthouse', style: 'watercolor' });
  });

  test('Run Again sends a stored input that fits the schema, and opens one that does not', async () => {
    const fits = t.sandbox.createRunDirect('flow_unpositioned', { text: 'kept as sent' }, { storedInput: 'as-sent' });
    const again = started(await vscode.commands.executeCommand<RunFlowOutcome>('flowRuns.runAgain', fits.id));
    assert.deepEqual(t.sandbox.getRun(again.id)?.input, { text: 'kept as sent' });
    // flow_unpositioned requires nothing, so per-node values would pass its schema: the shape is what stops them.
    const perNode = t.sandbox.createRunDirect('flow_unpositioned', { text: 'per node' }, { storedInput: 'per-node' });
    const outcome = failure(await vscode.commands.executeCommand<RunFlowOutcome>('flowRuns.runAgain', perNode.id));
    assert.equal(outcome.code, 'review');
    assert.equal(creates(), 1);
  });
});
