// Restricted Mode in words. Until a folder is trusted, VS Code ignores the folder's own
// flowRuns.apiUrl and flowRuns.webUrl (restrictedConfigurations in package.json) and does not
// even tell the extension their values. So the folder's settings files are read here, and the
// user is told once per window what is ignored and what applies instead.
import { getNodeValue, parseTree } from 'jsonc-parser/lib/esm/main';
import * as vscode from 'vscode';
import { cleanServerText } from '../api/serverText';
import { isRecord } from '../shared/guards';
import type { Services } from '../services';

const RESTRICTED = ['flowRuns.apiUrl', 'flowRuns.webUrl'];

/** The string values this window's folder settings (each folder's, a workspace file's) give our restricted settings. */
async function folderValues(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const files = (vscode.workspace.workspaceFolders ?? []).map((f) => vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'));
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile) files.push(workspaceFile);
  for (const uri of files) {
    let value: unknown;
    try {
      const tree = parseTree(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
      value = tree && getNodeValue(tree);
    } catch {
      continue; // no such file
    }
    const settings = uri === workspaceFile && isRecord(value) ? value.settings : value;
    for (const name of RESTRICTED) {
      const v = isRecord(settings) ? settings[name] : undefined;
      if (typeof v === 'string' && !found.has(name)) found.set(name, v);
    }
  }
  return found;
}

/** A value from an untrusted file, shown as text: one short line, quoted (cleanServerText breaks `[label](command:…)` links). */
const shown = (value: string): string => `"${cleanServerText(value, { maxChars: 100 })}"`;

async function tellIgnored(services: Services): Promise<void> {
  if (vscode.workspace.isTrusted) return;
  const ignored = await folderValues();
  if (ignored.size === 0 || vscode.workspace.isTrusted) return;
  await services.session.whenReady();
  const sets = [...ignored].map(([name, value]) => vscode.l10n.t('{0} to {1}', name, shown(value)));
  const said = sets.length > 1
    ? vscode.l10n.t('This folder sets {0} and {1}; they are ignored until you trust the folder (Restricted Mode).', sets[0], sets[1])
    : vscode.l10n.t('This folder sets {0}; it is ignored until you trust the folder (Restricted Mode).', sets[0]);
  const message = ignored.has(RESTRICTED[0]) ? `${said} ${vscode.l10n.t('Flow Runs uses {0}.', services.session.baseUrl)}` : said;
  services.log.warn(`[trust] ${message}`);
  const manage = vscode.l10n.t('Manage Workspace Trust');
  const choice = await vscode.window.showWarningMessage(message, manage);
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
}

export function register(services: Services): void {
  void tellIgnored(services);
}
