// Set API Key / Clear API Key. A key is checked with one list call before it
// is stored (SecretStorage, per base URL, through the session); a rejected key
// is never stored. The key itself is never logged or shown.
import * as vscode from 'vscode';
import { isApiError } from '../api/errors';
import type { Services } from '../services';
import { describeError, showError } from '../views/showError';

type CheckResult = 'ok' | 'unauthorized' | 'forbidden' | 'unreachable';

interface Checked {
  result: CheckResult;
  error?: unknown;
}

async function checkKey(services: Services, key: string): Promise<Checked> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Checking the API key with ${services.session.baseUrl}…` },
    async () => {
      try {
        await services.session.clientFor(key).listRuns({ limit: 1 });
        return { result: 'ok' };
      } catch (e) {
        if (isApiError(e) && (e.kind === 'unauthorized' || e.status === 401)) return { result: 'unauthorized', error: e };
        if (isApiError(e) && (e.kind === 'forbidden' || e.status === 403)) return { result: 'forbidden', error: e };
        return { result: 'unreachable', error: e };
      }
    },
  );
}

async function askForKey(services: Services): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: 'Flow Runs: Set API Key',
    prompt: `API key for ${services.session.baseUrl} (create one in Settings → API Keys; it needs flows:read, and flows:execute to start runs)`,
    placeHolder: 'inf_...',
    password: true,
    ignoreFocusOut: true,
    validateInput: (text) => {
      const v = text.trim();
      if (!v) return undefined;
      if (/\s/.test(v)) return 'An API key has no spaces.';
      if (!v.startsWith('inf_')) {
        return { message: 'inference.sh keys start with "inf_"; check that you copied the whole key.', severity: vscode.InputBoxValidationSeverity.Warning };
      }
      return undefined;
    },
  });
  const key = value?.trim();
  return key ? key : undefined;
}

/**
 * Returns true when a key was stored. With a key argument (tests, automation)
 * the input box is skipped but the key is still checked; then a network error
 * does not prompt: the key is not stored and the error is shown.
 */
async function setApiKey(services: Services, arg: unknown): Promise<boolean> {
  await services.session.whenReady();
  const problem = services.session.baseUrlProblem;
  if (problem) {
    void vscode.window.showErrorMessage(`Set API Key failed: ${problem}`, 'Open Settings').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'flowRuns.apiUrl');
    });
    return false;
  }
  const interactive = typeof arg !== 'string';
  const key = interactive ? await askForKey(services) : arg.trim();
  if (!key) return false;
  const url = services.session.baseUrl;

  for (;;) {
    const { result, error } = await checkKey(services, key);
    services.log.info(`[apiKey] check against ${url}: ${result}`);
    switch (result) {
      case 'ok':
        await services.session.setKey(key);
        void vscode.window.showInformationMessage(`API key saved for ${url}.`);
        return true;
      case 'unauthorized':
        void vscode.window
          .showErrorMessage(`The API key was rejected by ${url} (401 Unauthorized), so it was not saved. Check that you copied the whole key, or create a new one in Settings → API Keys.`, 'Try Again')
          .then((choice) => {
            if (choice) void vscode.commands.executeCommand('flowRuns.setApiKey');
          });
        return false;
      case 'forbidden': {
        void vscode.window
          .showErrorMessage(`The API key lacks the flows:read scope (403 Forbidden), so it was not saved. Create a key with flows:read (and flows:execute to start runs) in Settings → API Keys.`, 'Try Again')
          .then((choice) => {
            if (choice) void vscode.commands.executeCommand('flowRuns.setApiKey');
          });
        return false;
      }
      case 'unreachable': {
        if (!interactive) {
          showError('Checking the API key', error, services.log);
          return false;
        }
        // The key may well be right: let the user decide instead of losing what they pasted.
        const choice = await vscode.window.showWarningMessage(
          `Could not check the API key: ${describeError(error)}`,
          { modal: true, detail: 'Save it anyway and use it once the API can be reached, or try the check again.' },
          'Save Anyway',
          'Retry',
        );
        if (choice === 'Retry') continue;
        if (choice === 'Save Anyway') {
          await services.session.setKey(key);
          void vscode.window.showInformationMessage(`API key saved for ${url} (not checked).`);
          return true;
        }
        return false;
      }
    }
  }
}

async function clearApiKey(services: Services): Promise<void> {
  await services.session.whenReady();
  const url = services.session.baseUrl;
  const had = services.session.hasKey;
  await services.session.clearKey();
  services.log.info(`[apiKey] cleared the key for ${url}`);
  void vscode.window.showInformationMessage(
    had ? `Cleared the API key for ${url}. Keys for other base URLs are kept.` : `No API key was stored for ${url}.`,
  );
}

export function register(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('flowRuns.setApiKey', (arg?: unknown) => setApiKey(services, arg)),
    vscode.commands.registerCommand('flowRuns.clearApiKey', () => clearApiKey(services)),
  );
}
