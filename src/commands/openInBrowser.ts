// Open in Browser: the web app's page of a run, `<flowRuns.webUrl>/flowruns/<id>`
// (a flow: `<flowRuns.webUrl>/flows/<id>`). Only http(s) addresses are opened.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { shortIdOf } from '../shared/runText';
import { ACTION_SCOPES, actOnRuns, inform, type ActionOutcome } from './actOnRuns';
import { runIdsFrom } from './runRef';

const DEFAULT_WEB_URL = 'https://app.inference.sh';

/** The page's address, or why the flowRuns.webUrl setting cannot be used. */
export function webUrlFor(kind: 'flowruns' | 'flows', id: string): string | { message: string } {
  const base = vscode.workspace.getConfiguration('flowRuns').get<string>('webUrl', DEFAULT_WEB_URL).trim();
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return { message: vscode.l10n.t('The "flowRuns.webUrl" setting ("{0}") is not a valid address. Set it to the web app\'s address, such as {1}.', base, DEFAULT_WEB_URL) };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { message: vscode.l10n.t('The "flowRuns.webUrl" setting must be an http(s) address, not "{0}". Set it to the web app\'s address, such as {1}.', url.protocol, DEFAULT_WEB_URL) };
  }
  return `${url.toString().replace(/\/+$/, '')}/${kind}/${encodeURIComponent(id)}`;
}

export async function openWebPage(url: string): Promise<boolean> {
  return vscode.env.openExternal(vscode.Uri.parse(url, true));
}

async function openRunPage(id: string): Promise<ActionOutcome> {
  const url = webUrlFor('flowruns', id);
  if (typeof url !== 'string') {
    void vscode.window.showErrorMessage(url.message, vscode.l10n.t('Open Settings')).then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'flowRuns.webUrl');
    });
    return { ok: false, message: url.message };
  }
  const opened = await openWebPage(url);
  if (!opened) return inform(vscode.l10n.t('Run {0} was not opened; its address is {1}', shortIdOf(id), url), false);
  return { ok: true, message: vscode.l10n.t('Opened run {0} in the browser.', shortIdOf(id)), uri: url };
}

export async function openInBrowser(services: Services, arg?: unknown): Promise<ActionOutcome> {
  // A run we were handed needs no request: the address is built from its id.
  const [given] = runIdsFrom(arg);
  if (given) return openRunPage(given);
  return actOnRuns(services, {
    title: vscode.l10n.t('Open in Browser'),
    scope: ACTION_SCOPES.read,
    pick: { title: vscode.l10n.t('Open which run in the browser?'), emptyMessage: vscode.l10n.t('No flow runs to open.') },
    on: (id) => vscode.l10n.t('Open run {0} in the browser', id),
  }, undefined, undefined, ({ ids: [id] }) => openRunPage(id));
}
