// Save Output: the run's output as a JSON file the user picks (the save
// dialog asks before replacing a file), then opened.
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { Services } from '../services';
import {
  ACTION_SCOPES, apiFor, askModal, failure, inform, isOutcome, knownRun, shortRunId, statusName, targetRunIds, type ActionOutcome,
} from './pickRun';
import { hasOutput, prettyJson } from './showJson';

function defaultTarget(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, name) : vscode.Uri.file(`${os.homedir()}/${name}`);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** A target handed over by a caller: a Uri or a file path. */
function targetArg(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string' && value) return vscode.Uri.file(value);
  return undefined;
}

/** `target` (optional) skips the dialog; an existing file is still never replaced without asking. */
export async function saveOutput(services: Services, arg?: unknown, target?: unknown): Promise<ActionOutcome> {
  const action = 'Save Output';
  const api = await apiFor(services, action);
  if (isOutcome(api)) return api;
  const ids = await targetRunIds(services, api, arg, undefined, false, {
    title: 'Save the output of which run?',
    emptyMessage: 'No flow runs to save.',
    action,
  });
  if (isOutcome(ids)) return ids;
  const id = ids[0];
  const where = `Save output of run ${shortRunId(id)}`;
  let run;
  try {
    run = await knownRun(services, api, id, hasOutput);
  } catch (e) {
    return failure(services, where, e, ACTION_SCOPES.read, id);
  }
  if (!hasOutput(run)) return inform(`Run ${shortRunId(run)} has no output to save (it is ${statusName(run).toLowerCase()}).`, false);

  let uri = targetArg(target);
  if (uri) {
    if (await exists(uri)) {
      const question = `${uri.path.split('/').pop() ?? 'The file'} already exists. Replace it?`;
      const replace = await askModal(services, question, uri.fsPath, { title: 'Replace' });
      if (replace?.title !== 'Replace') return { ok: false, message: `Nothing was saved: "${question}" was not confirmed.` };
    }
  } else {
    // The dialog itself asks before replacing an existing file.
    uri = await vscode.window.showSaveDialog({
      defaultUri: defaultTarget(`${shortRunId(run)}-output.json`),
      filters: { JSON: ['json'] },
      saveLabel: 'Save Output',
      title: `Save the output of run ${shortRunId(run)}`,
    });
    if (!uri) return { ok: false };
  }
  try {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(prettyJson(run.output)));
    await vscode.window.showTextDocument(uri, { preview: true });
  } catch (e) {
    return failure(services, where, e, ACTION_SCOPES.read, id);
  }
  const text = `Saved the output of run ${shortRunId(run)} to ${vscode.workspace.asRelativePath(uri)}.`;
  vscode.window.setStatusBarMessage(`$(check) ${text}`, 5000);
  return { ok: true, message: text, uri: uri.toString() };
}
