// The extension's front door inside a real VS Code: it activates, its commands are exactly the
// contributed ones, and its view is there and can be opened.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { canDriveWorkbench, screenshot, waitForText } from '../util/workbench';

const EXTENSION_ID = 'flow-runs.flow-runs';

interface Contributes {
  commands?: { command: string }[];
  viewsContainers?: { activitybar?: { id: string; title: string }[] };
  views?: Record<string, { id: string; name: string }[]>;
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this VS Code`);
  return ext;
}

function contributes(): Contributes {
  const pkg: unknown = extension().packageJSON;
  assert.ok(pkg && typeof pkg === 'object' && 'contributes' in pkg, 'package.json has no contributes');
  return pkg.contributes as Contributes;
}

suite('Extension activation', () => {
  test('the extension activates without errors', async () => {
    const ext = extension();
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('every contributed command is registered', async () => {
    await extension().activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = (contributes().commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, 'no commands are contributed');
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but never registered: ${missing.join(', ')}`);
  });

  test('every registered flowRuns command is contributed', async () => {
    await extension().activate();
    const contributed = new Set((contributes().commands ?? []).map((c) => c.command));
    // VS Code itself registers `<viewId>.focus`, `.open`, ... for every contributed view.
    const viewIds = Object.values(contributes().views ?? {}).flat().map((v) => `${v.id}.`);
    const ours = (await vscode.commands.getCommands(true)).filter(
      (c) => c.startsWith('flowRuns.') && !viewIds.some((prefix) => c.startsWith(prefix)),
    );
    const extra = ours.filter((c) => !contributed.has(c));
    assert.deepEqual(extra, [], `registered but not in contributes.commands: ${extra.join(', ')}`);
  });

  test('the Flow Runs container and its Runs view are contributed', () => {
    const c = contributes();
    const container = c.viewsContainers?.activitybar?.find((v) => v.id === 'flowRuns');
    assert.ok(container, 'no activity-bar container "flowRuns"');
    assert.equal(container.title, 'Flow Runs');
    const views = c.views?.flowRuns ?? [];
    assert.ok(views.some((v) => v.id === 'flowRuns.runs'), 'no view "flowRuns.runs" in the container');
  });

  test('the Runs view opens in the sidebar', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.flowRuns');
    // The view's own focus command exists only once VS Code has registered the view.
    await vscode.commands.executeCommand('flowRuns.runs.focus');
    if (canDriveWorkbench()) {
      // What the user sees: the container's title in the sidebar header.
      await waitForText('Flow Runs', { timeoutMs: 20_000 });
      await screenshot('activation-runs-view');
    }
  });
});
