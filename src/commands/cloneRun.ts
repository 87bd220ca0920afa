// Clone Flow from Run: POST /flowruns/{id}/clone answers with a new Flow (not
// a run). The user may run it at once with the same input, open it, or copy its id.
import * as vscode from 'vscode';
import { flowDisplayName } from '../api/models';
import type { Services } from '../services';
import { shortIdOf } from '../shared/runText';
import { ACTION_SCOPES, actOnRuns, confirmDone, type ActionOutcome } from './actOnRuns';
import { openWebPage, webUrlFor } from './openInBrowser';
import type { RerunRequest } from './runFlow';

export function cloneRun(services: Services, arg?: unknown): Promise<ActionOutcome> {
  return actOnRuns(services, {
    title: vscode.l10n.t('Clone Flow from Run'),
    scope: ACTION_SCOPES.clone,
    pick: { title: vscode.l10n.t('Clone the flow of which run?'), emptyMessage: vscode.l10n.t('No flow runs to clone from.') },
    on: (id) => vscode.l10n.t('Clone flow from run {0}', id),
  }, arg, undefined, async ({ api, ids: [id] }) => {
    const flow = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Cloning the flow of run {0}…', shortIdOf(id)) },
      () => api.cloneRun(id),
    );
    services.flows.remember(flow);
    const text = vscode.l10n.t("Cloned flow '{0}' ({1}).", flowDisplayName(flow), flow.id);
    const RUN_NOW = vscode.l10n.t('Run It Now');
    const OPEN = vscode.l10n.t('Open in Browser');
    const COPY = vscode.l10n.t('Copy ID');
    // Not awaited: the command is done; the buttons act whenever the user clicks.
    void vscode.window.showInformationMessage(text, RUN_NOW, OPEN, COPY).then(async (choice) => {
      if (choice === RUN_NOW) {
        // The input of the run it came from, judged the way Run Again judges it (see runFlow.ts).
        const request: RerunRequest = { runId: id, flow: flow.id };
        await vscode.commands.executeCommand('flowRuns.runAgain', request);
      } else if (choice === OPEN) {
        const url = webUrlFor('flows', flow.id);
        if (typeof url === 'string') await openWebPage(url);
        else void vscode.window.showErrorMessage(url.message);
      } else if (choice === COPY) {
        await vscode.env.clipboard.writeText(flow.id);
        confirmDone(vscode.l10n.t('Copied flow ID {0}', flow.id));
      }
    });
    return { ok: true, message: text, flowId: flow.id };
  });
}
