// The Get Started walkthrough inside a real VS Code, done the way a new user
// does it: opened from the Runs view's welcome, nothing ticked; the local
// sandbox started from its button, the sample opened, Run Flow, the panel,
// a cancel from the Runs tree; after each, that step's tick is read from the
// walkthrough page itself. A click that achieves nothing ticks nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FlowRunStatus, type FlowRun } from '../../../src/api/models';
import type { ActionOutcome } from '../../../src/commands/runActions';
import type { Sandbox } from '../../../src/sandbox';
import { shortIdOf } from '../../../src/shared/runText';
import type { FlowRunsTestApi } from '../../../src/testApi';
import { auditWebviewCopies, blocking, describeFindings, webviewDocument } from '../util/axe';
import { EXTENSION_ID, extensionApi, waitFor } from '../util/sandbox';
import * as wb from '../util/workbench';

const WALKTHROUGH = `${EXTENSION_ID}#gettingStarted`;
const STEPS = ['connect', 'openInput', 'runFlow', 'watchRun', 'cancelOrClone'] as const;
type Step = (typeof STEPS)[number];

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('flowRuns');

/** Each step of our walkthrough on the page, ticked or not, as VS Code marks it (class `complete`, aria-checked). */
async function ticks(): Promise<Record<Step, boolean>> {
  await wb.waitForText('Get Started with Flow Runs', { timeoutMs: 15000 });
  const raw = await wb.evaluate(`() => Object.fromEntries([...document.querySelectorAll('[data-done-step-id^="${WALKTHROUGH}#"]')]
    .map((e) => [e.getAttribute('data-done-step-id').split('#').pop(), e.classList.contains('complete') && e.getAttribute('aria-checked') === 'true']))`);
  assert.ok(raw && typeof raw === 'object', 'the walkthrough page lists its steps');
  const seen = raw as Record<string, unknown>;
  assert.deepEqual(Object.keys(seen).sort(), [...STEPS].sort(), 'the page shows the five steps');
  return Object.fromEntries(STEPS.map((s) => [s, seen[s] === true])) as Record<Step, boolean>;
}

/** Waits until exactly `done` are ticked on the page (others unticked). */
async function expectTicked(...done: Step[]): Promise<void> {
  let last: Record<Step, boolean> | undefined;
  await waitFor(async () => {
    last = await ticks();
    return STEPS.every((s) => last?.[s] === done.includes(s));
  }, `exactly ${done.join(', ') || 'no step'} to be ticked`, 15000, () => `the page shows ${JSON.stringify(last)}`);
}

/** The walkthrough's sample: an untitled JSON editor holding samples/slow.flow.json. */
function isSample(doc: vscode.TextDocument): boolean {
  if (!doc.isUntitled) return false;
  try {
    return JSON.stringify(JSON.parse(doc.getText())) === JSON.stringify({ flow: 'flow_slow', input: { seconds: 30 } });
  } catch {
    return false;
  }
}

async function openWalkthrough(): Promise<void> {
  await vscode.commands.executeCommand('flowRuns.openWalkthrough');
}

/** Expands a step on the walkthrough page by clicking it, as a user does (an expanded step stays as it is). */
async function selectStep(step: Step): Promise<void> {
  const selector = `[data-step-id="${WALKTHROUGH}#${step}"]`;
  if (await wb.evaluate(`() => !!document.querySelector('${selector}.expanded')`) === true) return;
  await wb.click(selector, { timeoutMs: 15000 });
}

suite('Get Started walkthrough', function () {
  this.timeout(90000);
  let ext: FlowRunsTestApi;
  let sandbox: Sandbox | undefined;
  let run: FlowRun | undefined;

  suiteSetup(async function () {
    if (!wb.canDriveWorkbench()) this.skip();
    ext = await extensionApi();
    // A first-time user: no sandbox, no key for the URL in force, nothing open.
    if (ext.sandboxController.running) await vscode.commands.executeCommand('flowRuns.stopSandbox');
    await config().update('apiUrl', undefined, vscode.ConfigurationTarget.Global);
    await config().update('webUrl', undefined, vscode.ConfigurationTarget.Global);
    // Modal questions are refused under test (DialogService.skipDialogs): cancel without asking.
    await config().update('confirmCancel', false, vscode.ConfigurationTarget.Global);
    // The screenshots are checked in the default dark theme.
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('flowRuns.clearApiKey');
    await waitFor(() => !ext.services.session.hasKey, 'no key to be stored');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    ext.walkthrough.track();
  });

  suiteTeardown(async () => {
    if (!ext) return;
    const sample = vscode.workspace.textDocuments.find(isSample);
    if (sample) {
      await vscode.window.showTextDocument(sample);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (ext.sandboxController.running) await ext.sandboxController.stop(true);
    await config().update('confirmCancel', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  teardown(async () => {
    await wb.press('Escape').catch(() => undefined);
  });

  test('the Runs view welcome links to the walkthrough, which opens with no step ticked', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.flowRuns');
    await waitFor(() => ext.runsTree.state === 'noKey', 'the Runs view to show its welcome');
    await wb.clickText('Get Started walkthrough', { timeoutMs: 15000 });
    await expectTicked();
    await wb.screenshot('walkthrough-start');
  });

  test('the palette lists the walkthrough under Welcome: Open Walkthrough', async () => {
    await wb.press('F1');
    await wb.type('Welcome: Open Walkthrough');
    await wb.waitForText('Welcome: Open Walkthrough...', { timeoutMs: 10000 });
    await wb.press('Enter');
    const rows = await waitFor(async () => {
      const r = await wb.texts('.quick-input-widget .monaco-list-row');
      return r.some((x) => x.includes('Get Started with Flow Runs')) ? r : undefined;
    }, 'the walkthrough in the quick pick');
    assert.ok(rows.some((x) => x.includes('Flow Runs')), rows.join(' | '));
    await wb.press('Escape');
  });

  test('dismissing Set API Key ticks nothing; Start Local Sandbox ticks the first step', async () => {
    await openWalkthrough();
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await selectStep('connect');
    await wb.clickText('Set API Key', { exact: true });
    await wb.waitForText('create one in Settings', { timeoutMs: 15000 });
    await wb.press('Escape');
    await expectTicked();

    await wb.clickText('Start Local Sandbox', { exact: true });
    sandbox = await waitFor(() => ext.sandboxController.running, 'the local sandbox to start');
    await waitFor(() => ext.services.session.baseUrl === sandbox?.url && ext.services.session.hasKey, 'its key to be stored');
    await openWalkthrough();
    await expectTicked('connect');
  });

  test('Open Sample Input opens the sample input file and ticks the second step', async () => {
    await openWalkthrough();
    await selectStep('openInput');
    await wb.waitForText('▶ Run Flow · Slow job', { timeoutMs: 15000 });
    await wb.screenshot('walkthrough-media-input');
    await wb.clickText('Open Sample Input', { exact: true });
    const editor = await waitFor(() => {
      const e = vscode.window.activeTextEditor;
      return e && isSample(e.document) ? e : undefined;
    }, 'the sample to open in an untitled editor');
    assert.equal(editor.document.languageId, 'json');
    assert.ok(ext.inputFiles.isInputFile(editor.document), 'the sample is a flow input file');
    await openWalkthrough();
    await expectTicked('connect', 'openInput');
    await selectStep('runFlow');
    // The step's picture, drawn in the theme's colours (text inside the SVG).
    await wb.waitForText('Starting Slow job…', { timeoutMs: 15000 });
    await wb.screenshot('walkthrough-half-done');
  });

  test('Run Flow on the sample starts a run, its panel opens, and both steps tick', async () => {
    const sample = vscode.workspace.textDocuments.find(isSample);
    assert.ok(sample, 'the sample is still open');
    await vscode.window.showTextDocument(sample);
    // The editor title's ▷ Run Flow, as the step says. The title bar redraws as the editor
    // becomes active, and a click landing then is lost (seen once: no run, no error): click again
    // only while no create request has reached the server, so that one run is started.
    const creates = (): number => sandbox?.stats().byRoute['POST /flowruns'] ?? 0;
    const before = creates();
    await wb.actUntil(() => wb.click('.editor-actions [aria-label^="Run Flow"]', { timeoutMs: 15000 }), () => creates() > before,
      'Run Flow to send the run', { waitMs: 8000 });
    run = await waitFor(() => sandbox?.listAllRuns().find((r) => r.flow_id === 'flow_slow' && ext.services.startedHere.has(r.id)),
      'the run on the server');
    await waitFor(() => ext.runPanels.get(run?.id ?? ''), 'the run panel to open');
    await openWalkthrough();
    await expectTicked('connect', 'openInput', 'runFlow', 'watchRun');
    await selectStep('watchRun');
    await wb.waitForText('[wait] waiting 30 s…', { timeoutMs: 15000 });
    await wb.screenshot('walkthrough-media-panel');
  });

  test('a cancel with nothing to cancel ticks nothing; Cancel Run from the Runs tree ticks the last step', async () => {
    assert.ok(sandbox && run, 'a run was started');
    const done = sandbox.listAllRuns().find((r) => r.status === FlowRunStatus.Completed);
    assert.ok(done, 'the sandbox holds a completed run');
    const nothing = await vscode.commands.executeCommand<ActionOutcome>('flowRuns.cancelRun', { runId: done.id });
    assert.match(nothing.message ?? '', /nothing to cancel/);
    await openWalkthrough();
    await expectTicked('connect', 'openInput', 'runFlow', 'watchRun');

    // Watched enough: the user closes the run's panel (its tab names the run too) and turns to the tree.
    ext.runPanels.get(run.id)?.reveal();
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await waitFor(() => !ext.runPanels.get(run?.id ?? ''), 'the panel to close');
    await vscode.commands.executeCommand('workbench.view.extension.flowRuns');
    const running = run;
    await waitFor(() => ext.runsTree.groups.groupOf(running.id) === FlowRunStatus.Running, 'the run to be listed as Running');
    await wb.waitForRowUnder('Running', shortIdOf(run));
    await wb.rightClickText(shortIdOf(run), { timeoutMs: 15000 });
    // The menu's entry (the walkthrough beside it names Cancel Run too).
    await wb.chooseFromMenu('Cancel Run');
    const id = run.id;
    await waitFor(() => sandbox?.getRun(id)?.status === FlowRunStatus.Cancelled, 'the server to cancel the run');
    await openWalkthrough();
    await expectTicked(...STEPS);
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('notifications.clearAll');
    await selectStep('cancelOrClone');
    await wb.waitForText('Fan-out / fan-in', { timeoutMs: 15000 });
    await wb.screenshot('walkthrough-done');
  });

  test('each step\'s picture has no serious or critical accessibility problem, in a light and a dark theme', async function () {
    this.timeout(180000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await openWalkthrough();
    const bad: string[] = [];
    for (const theme of ['Default Light Modern', 'Default Dark Modern']) {
      await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      const shown: string[] = [];
      for (const step of STEPS) {
        await selectStep(step);
        // VS Code inlines the step's SVG in a webview of the walkthrough page; its <title> names it.
        const title = pictureTitle(MEDIA[step]);
        let seen: unknown;
        await waitFor(async () => (seen = await wb.frameEvaluate(`() => document.querySelector('svg[role="img"] > title')?.textContent
          ?? document.body.innerHTML.slice(0, 200)`, { timeoutMs: 3000 }).catch((e: unknown) => String(e))) === title,
        `the ${step} picture`, 15000, () => `the webview shows ${JSON.stringify(seen)}`);
        shown.push(await webviewDocument());
      }
      await wb.screenshot(`walkthrough-audited-${theme.includes('Light') ? 'light' : 'dark'}`);
      // Scripts are off in that webview (axe cannot run there): the five pictures are audited in a copy.
      const report = await auditWebviewCopies(shown, 'svg');
      await wb.log(`    axe WCAG 2 A/AA, ${theme}, the five pictures:\n${describeFindings(report.violations)}`);
      bad.push(...blocking(report.violations).map((f) => `${theme}: ${f.id} at ${f.target}: ${f.summary}`));
    }
    assert.deepEqual(bad, [], 'no serious or critical WCAG 2 A/AA violations in the walkthrough\'s pictures');
  });
});

/** The accessible name a picture gives itself (its <title>), read from the file the .vsix ships. */
function pictureTitle(file: string): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, 'the extension is installed');
  const svg = fs.readFileSync(path.join(ext.extensionPath, 'media', 'walkthrough', file), 'utf8');
  const title = /<title[^>]*>([^<]+)<\/title>/.exec(svg)?.[1];
  assert.ok(title, `${file} has a <title>`);
  return title.replace(/&apos;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

/** Each step's picture in media/walkthrough/. */
const MEDIA: Record<Step, string> = {
  connect: 'connect.svg',
  openInput: 'input.svg',
  runFlow: 'run.svg',
  watchRun: 'panel.svg',
  cancelOrClone: 'actions.svg',
};
