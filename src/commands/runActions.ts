// The actions on a run that the tree's context menu, the panel's buttons and
// the palette share. Each command resolves to an ActionOutcome (the text the
// user saw) so that other commands and tests can tell what happened.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { describeError, showError } from '../views/showError';
import { cancelRun } from './cancelRun';
import { cloneRun } from './cloneRun';
import { compareRuns } from './runLink';
import { copyRunId, copyRunLink, copyTaskId } from './copyIds';
import { openInBrowser } from './openInBrowser';
import type { ActionOutcome } from './actOnRuns';
import type { RunActionDone } from '../views/walkthroughProgress';
import { saveOutput } from './saveOutput';
import { setVisibility } from './setVisibility';
import { DATA_SCHEME, RunDataProvider, showRunData } from './showJson';
import { updateRun } from './updateRun';

export type { ActionOutcome } from './actOnRuns';

type Handler = (a?: unknown, b?: unknown) => Promise<ActionOutcome>;

const COMMANDS: Record<string, { title: () => string; run: (s: Services) => Handler }> = {
  'flowRuns.cancelRun': { title: () => vscode.l10n.t('Cancel Run'), run: (s) => (a, b) => cancelRun(s, a, b) },
  'flowRuns.cloneRun': { title: () => vscode.l10n.t('Clone Flow from Run'), run: (s) => (a) => cloneRun(s, a) },
  'flowRuns.setVisibility': { title: () => vscode.l10n.t('Set Visibility'), run: (s) => (a, b) => setVisibility(s, a, b) },
  'flowRuns.updateRun': { title: () => vscode.l10n.t('Update Run'), run: (s) => (a, b) => updateRun(s, a, b) },
  'flowRuns.copyRunId': { title: () => vscode.l10n.t('Copy Run ID'), run: (s) => (a, b) => copyRunId(s, a, b) },
  'flowRuns.copyRunLink': { title: () => vscode.l10n.t('Copy Link to Run'), run: (s) => (a, b) => copyRunLink(s, a, b) },
  'flowRuns.compareOutput': { title: () => vscode.l10n.t('Compare Output With…'), run: (s) => (a, b) => compareRuns(s, 'output', a, b) },
  'flowRuns.compareInput': { title: () => vscode.l10n.t('Compare Input With…'), run: (s) => (a, b) => compareRuns(s, 'input', a, b) },
  'flowRuns.copyTaskId': { title: () => vscode.l10n.t('Copy Task ID'), run: (s) => (a) => copyTaskId(s, a) },
  'flowRuns.openInBrowser': { title: () => vscode.l10n.t('Open in Browser'), run: (s) => (a) => openInBrowser(s, a) },
  'flowRuns.showInput': { title: () => vscode.l10n.t('Show Input'), run: (s) => (a) => showRunData(s, 'input', a) },
  'flowRuns.showOutput': { title: () => vscode.l10n.t('Show Output'), run: (s) => (a) => showRunData(s, 'output', a) },
  'flowRuns.saveOutput': { title: () => vscode.l10n.t('Save Output'), run: (s) => (a, b) => saveOutput(s, a, b) },
};

/** Registers the commands; the event tells what each finished with (the walkthrough ticks on a cancel or clone). */
export function register(context: vscode.ExtensionContext, services: Services): vscode.Event<RunActionDone> {
  const provider = new RunDataProvider(services);
  const finished = new vscode.EventEmitter<RunActionDone>();
  context.subscriptions.push(
    provider,
    finished,
    vscode.workspace.registerTextDocumentContentProvider(DATA_SCHEME, provider),
  );
  for (const [id, { title, run }] of Object.entries(COMMANDS)) {
    const handler = run(services);
    context.subscriptions.push(vscode.commands.registerCommand(id, async (a?: unknown, b?: unknown): Promise<ActionOutcome> => {
      try {
        const outcome = await handler(a, b);
        finished.fire({ command: id, outcome });
        return outcome;
      } catch (e) {
        // Anything the actions did not foresee still reaches the user once.
        showError(title(), e, services.log);
        return { ok: false, message: vscode.l10n.t('{0} failed: {1}', title(), describeError(e)) };
      }
    }));
  }
  return finished.event;
}
