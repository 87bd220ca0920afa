// Shared set-up for tests inside VS Code: a sandbox in the extension host's
// own process, the window pointed at it, and a key stored the way a user would.
import * as vscode from 'vscode';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox';
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

export interface TestSandbox {
  sandbox: Sandbox;
  services: Services;
  /** The tree, panels, status bar and the rest, as the extension exposes them to tests. */
  ext: FlowRunsTestApi;
  dispose(): Promise<void>;
}

/**
 * Starts a sandbox (or takes one a test started earlier, `started`), points flowRuns.apiUrl
 * at it and stores `key` (default: full access).
 */
export async function useSandbox(opts: SandboxOptions & { key?: string; started?: Sandbox } = {}): Promise<TestSandbox> {
  const ext = await extensionApi();
  const services = ext.services;
  const sandbox = opts.started ?? await startSandbox({ port: 0, speed: 0.02, ...opts });
  const config = vscode.workspace.getConfiguration('flowRuns');
  await config.update('apiUrl', sandbox.url, vscode.ConfigurationTarget.Global);
  await config.update('webUrl', `${sandbox.url}/app`, vscode.ConfigurationTarget.Global);
  await waitFor(() => services.session.baseUrl === sandbox.url, 'the session to follow flowRuns.apiUrl');
  await vscode.commands.executeCommand('flowRuns.setApiKey', opts.key ?? sandbox.defaultKey);
  await waitFor(() => services.session.hasKey, 'the API key to be stored');
  return {
    sandbox,
    services,
    ext,
    async dispose() {
      // Panels left open would follow their runs into the next suite's sandbox.
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('flowRuns.clearApiKey');
      await services.followers.reset();
      await sandbox.close();
    },
  };
}

/**
 * Polls `check` until it returns a truthy value; fails with `what` after the timeout. A cheap
 * check (the store, the tree) is asked every 50 ms; one that asks the browser takes long, and is
 * then asked at most a fifth of the time, so waiting never keeps a CPU busy.
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20000): Promise<NonNullable<T>> {
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
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(500, Math.max(50, 4 * (Date.now() - asked)))));
  }
}
