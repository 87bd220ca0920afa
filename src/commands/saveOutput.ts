// Save Output: the run's output as a JSON file the user picks (the save
// dialog asks before replacing a file), then opened.
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { Services } from '../services';
import { hasOutput, shortIdOf, statusName } from '../shared/runText';
import { ACTION_SCOPES, actOnRuns, askModal, confirmDone, inform, type ActionOutcome } from './actOnRuns';
import { prettyJson } from './showJson';

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
export function saveOutput(services: Services, arg?: unknown, target?: unknown): Promise<ActionOutcome> {
  return actOnRuns(services, {
    title: 'Save Output',
    scope: ACTION_SCOPES.read,
    pick: { title: 'Save the output of which run?', emptyMessage: 'No flow runs to save.' },
    on: (id) => `Save output of run ${id}`,
  }, arg, undefined, async ({ ids: [id], known }) => {
    const run = await known(id, hasOutput);
    if (!hasOutput(run)) return inform(`Run ${shortIdOf(run)} has no output to save (it is ${statusName(run).toLowerCase()}).`, false);

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
        defaultUri: defaultTarget(`${shortIdOf(run)}-output.json`),
        filters: { JSON: ['json'] },
        saveLabel: 'Save Output',
        title: `Save the output of run ${shortIdOf(run)}`,
      });
      if (!uri) return { ok: false };
    }
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(prettyJson(run.output)));
    await vscode.window.showTextDocument(uri, { preview: true });
    return confirmDone(`Saved the output of run ${shortIdOf(run)} to ${vscode.workspace.asRelativePath(uri)}.`, { uri: uri.toString() });
  });
}
