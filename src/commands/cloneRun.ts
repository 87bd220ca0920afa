// Clone Flow from Run: POST /flowruns/{id}/clone answers with a new Flow (not
// a run). The user may run it at once with the same input, open it, or copy its id.
import * as vscode from 'vscode';
import { flowDisplayName } from '../api/models';
import type { Services } from '../services';
import { openWebPage, webUrlFor } from './openInBrowser';
import {
  ACTION_SCOPES, apiFor, failure, isOutcome, knownRun, shortRunId, targetRunIds, type ActionOutcome,
} from './pickRun';

const RUN_NOW = 'Run It Now';
const OPEN = 'Open in Browser';
const COPY = 'Copy ID';

export async function cloneRun(services: Services, arg?: unknown): Promise<ActionOutcome> {
  const action = 'Clone Flow from Run';
  const api = await apiFor(services, action);
  if (isOutcome(api)) return api;
  const ids = await targetRunIds(services, api, arg, undefined, false, {
    title: 'Clone the flow of which run?',
    emptyMessage: 'No flow runs to clone from.',
    action,
  });
  if (isOutcome(ids)) return ids;
  const id = ids[0];
  const where = `Clone flow from run ${shortRunId(id)}`;
  try {
    const flow = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Cloning the flow of run ${shortRunId(id)}…` },
      () => api.cloneRun(id),
    );
    services.flows.remember(flow);
    const text = `Cloned flow '${flowDisplayName(flow)}' (${flow.id}).`;
    // Not awaited: the command is done; the buttons act whenever the user clicks.
    void vscode.window.showInformationMessage(text, RUN_NOW, OPEN, COPY).then(async (choice) => {
      if (choice === RUN_NOW) {
        // The same input as the run it came from (read then, so the toast never waits on it).
        const input = await knownRun(services, api, id).then((r) => r.input, () => undefined);
        await vscode.commands.executeCommand('flowRuns.runFlow', { flow: flow.id, input: input ?? {} });
      } else if (choice === OPEN) {
        const url = webUrlFor('flows', flow.id);
        if (typeof url === 'string') await openWebPage(url);
        else void vscode.window.showErrorMessage(url.message);
      } else if (choice === COPY) {
        await vscode.env.clipboard.writeText(flow.id);
        vscode.window.setStatusBarMessage(`$(check) Copied flow ID ${flow.id}`, 5000);
      }
    });
    return { ok: true, message: text, flowId: flow.id };
  } catch (e) {
    return failure(services, where, e, ACTION_SCOPES.clone, id);
  }
}
