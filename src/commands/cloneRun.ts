// Clone Flow from Run: POST /flowruns/{id}/clone answers with a new Flow (not
// a run). The user may run it at once with the same input, open it, or copy its id.
import * as vscode from 'vscode';
import { flowDisplayName } from '../api/models';
import type { Services } from '../services';
import { shortIdOf } from '../shared/runText';
import { ACTION_SCOPES, actOnRuns, confirmDone, type ActionOutcome } from './actOnRuns';
import { openWebPage, webUrlFor } from './openInBrowser';
import type { RerunRequest } from './runFlow';

const RUN_NOW = 'Run It Now';
const OPEN = 'Open in Browser';
const COPY = 'Copy ID';

export function cloneRun(services: Services, arg?: unknown): Promise<ActionOutcome> {
  return actOnRuns(services, {
    title: 'Clone Flow from Run',
    scope: ACTION_SCOPES.clone,
    pick: { title: 'Clone the flow of which run?', emptyMessage: 'No flow runs to clone from.' },
    on: (id) => `Clone flow from run ${id}`,
  }, arg, undefined, async ({ api, ids: [id] }) => {
    const flow = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Cloning the flow of run ${shortIdOf(id)}…` },
      () => api.cloneRun(id),
    );
    services.flows.remember(flow);
    const text = `Cloned flow '${flowDisplayName(flow)}' (${flow.id}).`;
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
        confirmDone(`Copied flow ID ${flow.id}`);
      }
    });
    return { ok: true, message: text, flowId: flow.id };
  });
}
