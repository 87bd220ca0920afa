// Open in Browser: the web app's page of a run, `<flowRuns.webUrl>/flowruns/<id>`
// (a flow: `<flowRuns.webUrl>/flows/<id>`). Only http(s) addresses are opened.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { apiFor, inform, isOutcome, shortRunId, targetRunIds, type ActionOutcome } from './pickRun';
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

export async function openInBrowser(services: Services, arg?: unknown): Promise<ActionOutcome> {
  const action = 'Open in Browser';
  // A run we were handed needs no request: the address is built from its id.
  let ids: string[] | ActionOutcome = runIdsFrom(arg).slice(0, 1);
  if (ids.length === 0) {
    const api = await apiFor(services, action);
    if (isOutcome(api)) return api;
    ids = await targetRunIds(services, api, undefined, undefined, false, {
      title: 'Open which run in the browser?',
      emptyMessage: 'No flow runs to open.',
      action,
    });
  }
  if (isOutcome(ids)) return ids;
  const url = webUrlFor('flowruns', ids[0]);
  if (typeof url !== 'string') {
    void vscode.window.showErrorMessage(url.message, 'Open Settings').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'flowRuns.webUrl');
    });
    return { ok: false, message: url.message };
  }
  const opened = await openWebPage(url);
  if (!opened) return inform(`Run ${shortRunId(ids[0])} was not opened; its address is ${url}`, false);
  return { ok: true, message: `Opened run ${shortRunId(ids[0])} in the browser.`, uri: url };
}
