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
    return { message: `The "flowRuns.webUrl" setting ("${base}") is not a valid address. Set it to the web app's address, such as ${DEFAULT_WEB_URL}.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { message: `The "flowRuns.webUrl" setting must be an http(s) address, not "${url.protocol}". Set it to the web app's address, such as ${DEFAULT_WEB_URL}.` };
  }
  return `${url.toString().replace(/\/+$/, '')}/${kind}/${encodeURIComponent(id)}`;
}

export async function openWebPage(url: string): Promise<boolean> {
  return vscode.env.openExternal(vscode.Uri.parse(url, true));
}

async function openRunPage(id: string): Promise<ActionOutcome> {
  const url = webUrlFor('flowruns', id);
  if (typeof url !== 'string') {
    void vscode.window.showErrorMessage(url.message, 'Open Settings').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'flowRuns.webUrl');
    });
    return { ok: false, message: url.message };
  }
  const opened = await openWebPage(url);
  if (!opened) return inform(`Run ${shortIdOf(id)} was not opened; its address is ${url}`, false);
  return { ok: true, message: `Opened run ${shortIdOf(id)} in the browser.`, uri: url };
}

export async function openInBrowser(services: Services, arg?: unknown): Promise<ActionOutcome> {
  // A run we were handed needs no request: the address is built from its id.
  const [given] = runIdsFrom(arg);
  if (given) return openRunPage(given);
  return actOnRuns(services, {
    title: 'Open in Browser',
    scope: ACTION_SCOPES.read,
    pick: { title: 'Open which run in the browser?', emptyMessage: 'No flow runs to open.' },
    on: (id) => `Open run ${id} in the browser`,
  }, undefined, undefined, ({ ids: [id] }) => openRunPage(id));
}
