// Save Output: the run's output as a JSON file the user picks (the save
// dialog asks before replacing a file), then opened.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { hasOutput, shortIdOf } from '../shared/runText';
import { statusWord } from '../views/statusWords';
import { ACTION_SCOPES, actOnRuns, askModal, confirmDone, inform, type ActionOutcome } from './actOnRuns';
import { homeFolder } from './homeFolder';
import { prettyJson } from './showJson';

function defaultTarget(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? homeFolder();
  return folder ? vscode.Uri.joinPath(folder, name) : undefined;
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
    title: vscode.l10n.t('Save Output'),
    scope: ACTION_SCOPES.read,
    pick: { title: vscode.l10n.t('Save the output of which run?'), emptyMessage: vscode.l10n.t('No flow runs to save.') },
    on: (id) => vscode.l10n.t('Save output of run {0}', id),
  }, arg, undefined, async ({ ids: [id], known }) => {
    const run = await known(id, hasOutput);
    if (!hasOutput(run)) return inform(vscode.l10n.t('Run {0} has no output to save (it is {1}).', shortIdOf(run), statusWord(run)), false);

    let uri = targetArg(target);
    if (uri) {
      if (await exists(uri)) {
        const question = vscode.l10n.t('{0} already exists. Replace it?', uri.path.split('/').pop() ?? uri.fsPath);
        const REPLACE = vscode.l10n.t('Replace');
        const replace = await askModal(services, question, uri.fsPath, { title: REPLACE });
        if (replace?.title !== REPLACE) return { ok: false, message: vscode.l10n.t('Nothing was saved: "{0}" was not confirmed.', question) };
      }
    } else {
      // The dialog itself asks before replacing an existing file.
      uri = await vscode.window.showSaveDialog({
        defaultUri: defaultTarget(`${shortIdOf(run)}-output.json`),
        filters: { JSON: ['json'] },
        saveLabel: vscode.l10n.t('Save Output'),
        title: vscode.l10n.t('Save the output of run {0}', shortIdOf(run)),
      });
      if (!uri) return { ok: false };
    }
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(prettyJson(run.output)));
    await vscode.window.showTextDocument(uri, { preview: true });
    return confirmDone(vscode.l10n.t('Saved the output of run {0} to {1}.', shortIdOf(run), vscode.workspace.asRelativePath(uri)), { uri: uri.toString() });
  });
}
