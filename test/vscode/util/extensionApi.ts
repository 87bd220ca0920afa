// The extension under test as the suites reach it, in either extension host (Node or web
// worker): its test API, pointing it at a sandbox and storing a key as a user would, and
// polling. No Node modules here: the web suites bundle this file for the browser.
import * as vscode from 'vscode';
import type { Services } from '../../../src/services';
import type { FlowRunsTestApi } from '../../../src/testApi';

export const EXTENSION_ID = 'flow-runs.flow-runs';

/** What activate() returns to the tests (ExtensionMode.Test): the objects to look at. */
export async function extensionApi(): Promise<FlowRunsTestApi> {
  const ext = vscode.extensions.getExtension<FlowRunsTestApi | undefined>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this VS Code`);
  const api = await ext.activate();
  if (!api) throw new Error('activate() returned no test API: the extension runs outside ExtensionMode.Test');
  return api;
}

export async function extensionServices(): Promise<Services> {
  return (await extensionApi()).services;
}

/** Points flowRuns.apiUrl (and webUrl) at a sandbox and stores `key` through Set API Key. */
export async function connectTo(services: Services, url: string, key: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('flowRuns');
  await config.update('apiUrl', url, vscode.ConfigurationTarget.Global);
  await config.update('webUrl', `${url}/app`, vscode.ConfigurationTarget.Global);
  await waitFor(() => services.session.baseUrl === url, 'the session to follow flowRuns.apiUrl');
  await vscode.commands.executeCommand('flowRuns.setApiKey', key);
  await waitFor(() => services.session.hasKey, 'the API key to be stored');
}

/** Undoes connectTo and what a suite left open, so the next suite starts clean. */
export async function disconnect(services: Services): Promise<void> {
  // Panels left open would follow their runs into the next suite's sandbox.
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('flowRuns.clearApiKey');
  await services.followers.reset();
}

/**
 * Polls `check` until it returns a truthy value; fails with `what` after the timeout. A cheap
 * check (the store, the tree) is asked every 50 ms; one that asks the browser takes long, and is
 * then asked at most a fifth of the time, so waiting never keeps a CPU busy. `seen`, when given,
 * says what the check last found; a timeout's message ends with it.
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20000, seen?: () => string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const asked = Date.now();
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const found = seen?.();
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}${found ? `; ${found}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(500, Math.max(50, 4 * (Date.now() - asked)))));
  }
}
