// The run panel checked for accessibility, not assumed: an axe-core audit
// (WCAG 2 A and AA) of a failed run with every part on screen, in a light and
// a dark theme, and a keyboard-only walk through it with real key presses.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { FlowRunStatus } from '../../../src/api/models';
import type { RunPanelManager } from '../../../src/views/panel/panelManager';
import type { RunPanel } from '../../../src/views/panel/runPanelHost';
import { auditWebview, blocking, describeFindings, type AxeFinding } from '../util/axe';
import { useSandbox, waitFor, type TestSandbox } from '../util/sandbox';
import * as wb from '../util/workbench';

const THEMES = [
  { name: 'Default Light Modern', kind: 'vscode-light', slug: 'light' },
  { name: 'Default Dark Modern', kind: 'vscode-dark', slug: 'dark' },
] as const;

/** What has focus in the panel, in words, and whether a focus ring in the theme's focus colour shows on it. */
const FOCUS_HELPERS = `() => {
  window.__focusName = (el) => {
    if (!el || el === document.body) return 'body';
    if (el.dataset.nodeId) return 'node:' + el.dataset.nodeId;
    if (el.dataset.key) return 'row:' + el.dataset.key;
    if (el.dataset.action) return 'action:' + el.dataset.action;
    const words = (el.getAttribute('aria-label') || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return el.tagName.toLowerCase() + ':' + words;
  };
  window.__focusRing = (el) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--vscode-focusBorder)';
    document.body.appendChild(probe);
    const focus = getComputedStyle(probe).color;
    probe.remove();
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && s.outlineColor === focus;
    const inset = s.boxShadow.includes(focus) && s.borderColor === focus;
    return outline || inset;
  };
  return true;
}`;

/** Every element Tab should stop at, in page order: visible, enabled, tabindex 0 or native. */
const TAB_STOPS = `() => [...document.querySelectorAll('button, a[href], summary, [tabindex]')]
  .filter((el) => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
  .map((el) => window.__focusName(el))`;

interface Focused {
  name: string;
  ring: boolean;
  /** In the window and not hidden under the sticky header. */
  shown: boolean;
  label: string | null;
}

const FOCUSED = `() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { name: 'body', ring: false, shown: false, label: null };
  const header = document.querySelector('.run-header');
  const r = el.getBoundingClientRect();
  const under = !header.contains(el) && r.top < header.getBoundingClientRect().bottom - 1;
  return { name: window.__focusName(el), ring: window.__focusRing(el), shown: !under && r.top >= 0 && r.bottom <= innerHeight, label: el.getAttribute('aria-label') };
}`;

async function focused(): Promise<Focused> {
  return (await wb.frameEvaluate(FOCUSED)) as Focused;
}

suite('Accessibility of the run panel', function () {
  this.timeout(120_000);
  let t: TestSandbox;
  let manager: RunPanelManager;
  let failedRun = '';
  let completedRun = '';
  let previousTheme: string | undefined;
  const workbench = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('workbench');

  async function setTheme(theme: (typeof THEMES)[number]): Promise<void> {
    await workbench().update('colorTheme', theme.name, vscode.ConfigurationTarget.Global);
    await waitFor(async () => (await wb.frameEvaluate(`document.body.classList.contains('${theme.kind}')`)) === true,
      `the ${theme.name} theme in the webview`);
  }

  /** Opens a finished run's panel and waits for its badge to say `status` (and, when failed, for the failed task's error). */
  async function open(runId: string, status: 'Failed' | 'Completed' = 'Failed'): Promise<RunPanel> {
    await vscode.commands.executeCommand('flowRuns.openRun', runId);
    const panel = await waitFor(() => manager.get(runId), 'the panel to open');
    await waitFor(() => panel.isReady, 'the webview to say ready');
    await waitFor(async () => (await wb.frameEvaluate(`() => document.querySelector('.badge-text')?.textContent === '${status}'
      && document.querySelectorAll('.node').length > 0
      && ('${status}' !== 'Failed' || !!document.querySelector('.task-error:not([hidden])'))`)) === true,
    `the ${status} run in the panel`);
    return panel;
  }

  async function selectNode(nodeId: string, title: string): Promise<void> {
    await wb.click(`.node[data-node-id="${nodeId}"]`);
    await waitFor(async () => (await wb.frameText('.details-section h2')).includes(title), `the ${title} task in the details`);
  }

  suiteSetup(async function () {
    if (!wb.canDriveWorkbench()) this.skip();
    t = await useSandbox();
    manager = t.ext.runPanels;
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    previousTheme = workbench().inspect<string>('colorTheme')?.globalValue;
    // A failed run: the run's and a task's error, task input and output (numbers, links), logs, the graph.
    failedRun = t.sandbox.createRunDirect('flow_flaky', {}).id;
    // And a completed one: the green badge and a final output with an image and numbers.
    completedRun = t.sandbox.createRunDirect('flow_image_pipeline', { prompt: 'A lighthouse in the fog' }).id;
    await waitFor(() => {
      const r = t.sandbox.getRun(failedRun);
      return r && r.status === FlowRunStatus.Failed && Object.keys(r.node_tasks ?? {}).length >= 3;
    }, 'the flaky run to fail', 30_000);
    await waitFor(() => t.sandbox.getRun(completedRun)?.status === FlowRunStatus.Completed, 'the image pipeline run to complete', 30_000);
  });

  teardown(async () => {
    manager?.closeAll();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suiteTeardown(async () => {
    if (!t) return;
    await workbench().update('colorTheme', previousTheme, vscode.ConfigurationTarget.Global);
    await t.dispose();
  });

  test('a failed and a completed run in the panel have no serious or critical accessibility problems, in a light and a dark theme', async () => {
    const all: { where: string; findings: AxeFinding[] }[] = [];
    await open(completedRun, 'Completed');
    for (const theme of THEMES) {
      await setTheme(theme);
      await selectNode('upscale', 'Upscale');
      await waitFor(async () => (await wb.frameEvaluate(`document.querySelectorAll('.final-output img.output-image').length > 0`)) === true, 'the final image');
      all.push({ where: `${theme.slug}, completed run`, findings: (await auditWebview()).violations });
      await wb.screenshot(`a11y-audited-completed-${theme.slug}`);
    }
    manager.closeAll();
    await open(failedRun);
    for (const theme of THEMES) {
      await setTheme(theme);
      // The failing node's task (error, input), then a finished one (output with numbers and a link, logs).
      await selectNode('validate', 'Validate metadata');
      all.push({ where: `${theme.slug}, failed task`, findings: (await auditWebview()).violations });
      await selectNode('fetch', 'Fetch document');
      await waitFor(async () => (await wb.frameEvaluate(`!!document.querySelector('.task-output .json-number')`)) === true, 'the fetch output');
      const report = await auditWebview();
      all.push({ where: `${theme.slug}, finished task`, findings: report.violations });
      assert.ok(report.passes > 10, `axe ran its rules (${report.passes} passed)`);
      await wb.screenshot(`a11y-audited-failed-${theme.slug}`);
    }
    for (const { where, findings } of all) await wb.log(`    axe WCAG 2 A/AA, ${where}:\n${describeFindings(findings)}`);
    const bad = all.flatMap(({ where, findings }) => blocking(findings).map((f) => `${where}: ${f.id} [${f.impact}] ×${f.count} at ${f.target}: ${f.summary}`));
    assert.deepEqual(bad, [], 'no serious or critical WCAG 2 A/AA violations');
  });

  test('with the keyboard alone the user tabs through every action, the graph and each task, and Enter on a node opens its task', async () => {
    const panel = await open(failedRun);
    await setTheme(THEMES[1]);
    await wb.frameEvaluate(FOCUS_HELPERS);
    // Put the keyboard in the panel: a click on the title, which is not a tab stop, as a user would.
    await wb.click('.flow-title');
    const stops = (await wb.frameEvaluate(TAB_STOPS)) as string[];
    const actions = (await wb.frameEvaluate(`[...document.querySelectorAll('.actions button:not([hidden])')].map((b) => 'action:' + b.dataset.action)`)) as string[];
    assert.deepEqual(actions, ['action:runAgain', 'action:clone', 'action:copyId', 'action:copyLink', 'action:openInBrowser', 'action:showInput'],
      'a failed run offers these actions');
    for (const a of actions) assert.ok(stops.includes(a), `${a} is a tab stop`);
    for (const r of ['row:node:fetch', 'row:node:validate', 'row:node:thumbnail', 'row:node:publish']) assert.ok(stops.includes(r), `${r} is a tab stop`);
    assert.equal(stops.filter((s) => s.startsWith('node:')).length, 1, 'the graph is one tab stop');
    assert.ok(stops.some((s) => s.startsWith('button:Copy Task ID')), 'the task details\' Copy Task ID is a tab stop');

    const walked: string[] = [];
    for (const stop of stops) {
      await wb.press('Tab');
      const f = await focused();
      walked.push(f.name);
      assert.equal(f.name, stop, `Tab ${walked.length} lands on ${stop} (walked: ${walked.join(', ')})`);
      assert.ok(f.ring, `${f.name} shows a focus ring in the focus border colour`);
      assert.ok(f.shown, `${f.name} is scrolled into view, not under the sticky header`);
      if (stop === 'action:copyId') {
        await wb.press('Enter');
        await waitFor(() => panel.received.some((m) => m.type === 'action' && m.action === 'copyId'), 'Enter on Copy ID to copy the id');
        await wb.screenshot('a11y-focus-button-dark');
      }
      if (stop === 'row:node:validate') await wb.screenshot('a11y-focus-row-dark');
    }

    // Back to the graph with Shift+Tab, then the arrow keys walk its nodes in layout order.
    const graphStop = stops.find((s) => s.startsWith('node:')) ?? '';
    let back = 0;
    while ((await focused()).name !== graphStop) {
      assert.ok(++back <= stops.length, 'Shift+Tab comes back to the graph');
      await wb.press('Shift+Tab');
      const f = await focused();
      assert.ok(f.shown, `going back up, ${f.name} is scrolled into view, not under the sticky header`);
    }
    const order = (await wb.frameEvaluate(`[...document.querySelectorAll('.node')]
      .sort((a, b) => parseFloat(a.style.left) - parseFloat(b.style.left) || parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((n) => 'node:' + n.dataset.nodeId)`)) as string[];
    await wb.press('Home');
    const labels: Record<string, string> = {};
    for (const [i, id] of order.entries()) {
      if (i > 0) await wb.press('ArrowRight');
      const f = await focused();
      assert.equal(f.name, id, `arrow ${i} lands on ${id}`);
      assert.ok(f.ring, `${id} shows a focus ring`);
      assert.ok(f.shown, `${id} is scrolled into view, not under the sticky header`);
      labels[id] = f.label ?? '';
    }
    const server = t.sandbox.getRun(failedRun)?.node_statuses ?? {};
    const titles: Record<string, string> = { fetch: 'Fetch document', validate: 'Validate metadata', thumbnail: 'Thumbnail', publish: 'Publish' };
    for (const [id, title] of Object.entries(titles)) {
      assert.ok(server[id], `the server has a status for ${id}`);
      assert.ok(labels[`node:${id}`]?.startsWith(`${title}: ${server[id].replace(/_/g, ' ')}`),
        `node ${id} is named by its title and status: "${labels[`node:${id}`]}"`);
    }
    assert.equal(labels['node:validate'], 'Validate metadata: failed');
    assert.equal(await wb.frameEvaluate(`[...document.querySelectorAll('.node')].every((n) => n.getAttribute('role') === 'button')`), true,
      'every node is a button');

    // Enter on a node opens its task; Space does the same.
    await wb.press('ArrowLeft');
    assert.equal((await focused()).name, 'node:thumbnail');
    await wb.screenshot('a11y-focus-node-dark');
    await wb.press('Enter');
    await waitFor(async () => (await wb.frameText('.details-section h2')).includes('Thumbnail'), 'Enter to open the Thumbnail task');
    assert.equal(await wb.frameEvaluate(`document.querySelector('tr[data-key="node:thumbnail"]').getAttribute('aria-selected')`), 'true');
    assert.equal(await wb.frameEvaluate(`document.querySelector('.node[data-node-id="thumbnail"]').getAttribute('aria-pressed')`), 'true');
    assert.equal((await focused()).name, 'node:thumbnail', 'focus stays on the node');
    await setTheme(THEMES[0]);
    assert.equal((await focused()).name, 'node:thumbnail', 'focus stays on the node when the theme changes');
    await wb.screenshot('a11y-focus-node-light');
    await wb.press('Home Space');
    await waitFor(async () => (await wb.frameText('.details-section h2')).includes('Fetch document'), 'Space to open the Fetch document task');
  });
});
