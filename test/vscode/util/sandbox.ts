// Shared set-up for tests inside VS Code: a sandbox in the extension host's
// own process, the window pointed at it, and a key stored the way a user would.
import * as vscode from 'vscode';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox';
import type { Services } from '../../../src/services';

export const EXTENSION_ID = 'flow-runs.flow-runs';

export async function extensionServices(): Promise<Services> {
  const ext = vscode.extensions.getExtension<Services>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this VS Code`);
  return ext.activate();
}

export interface TestSandbox {
  sandbox: Sandbox;
  services: Services;
  dispose(): Promise<void>;
}

/** Starts a sandbox, points flowRuns.apiUrl at it and stores `key` (default: full access). */
export async function useSandbox(opts: SandboxOptions & { key?: string } = {}): Promise<TestSandbox> {
  const services = await extensionServices();
  const sandbox = await startSandbox({ port: 0, speed: 0.02, ...opts });
  const config = vscode.workspace.getConfiguration('flowRuns');
  await config.update('apiUrl', sandbox.url, vscode.ConfigurationTarget.Global);
  await config.update('webUrl', `${sandbox.url}/app`, vscode.ConfigurationTarget.Global);
  await waitFor(() => services.session.baseUrl === sandbox.url, 'the session to follow flowRuns.apiUrl');
  await vscode.commands.executeCommand('flowRuns.setApiKey', opts.key ?? sandbox.defaultKey);
  await waitFor(() => services.session.hasKey, 'the API key to be stored');
  return {
    sandbox,
    services,
    async dispose() {
      // Panels left open would follow their runs into the next suite's sandbox.
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('flowRuns.clearApiKey');
      await services.followers.reset();
      await sandbox.close();
    },
  };
}

/** Polls `check` until it returns a truthy value; fails with `what` after the timeout. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
