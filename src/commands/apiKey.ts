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
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking the API key with {0}…', services.session.baseUrl) },
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
    title: vscode.l10n.t('Flow Runs: Set API Key'),
    prompt: vscode.l10n.t('API key for {0} (create one in Settings → API Keys; it needs flows:read, and flows:execute to start runs)', services.session.baseUrl),
    placeHolder: 'inf_...',
    password: true,
    ignoreFocusOut: true,
    validateInput: (text) => {
      const v = text.trim();
      if (!v) return undefined;
      if (/\s/.test(v)) return vscode.l10n.t('An API key has no spaces.');
      if (!v.startsWith('inf_')) {
        return { message: vscode.l10n.t('inference.sh keys start with "inf_"; check that you copied the whole key.'), severity: vscode.InputBoxValidationSeverity.Warning };
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
    void vscode.window.showErrorMessage(vscode.l10n.t('Set API Key failed: {0}', problem), vscode.l10n.t('Open Settings')).then((choice) => {
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
        void vscode.window.showInformationMessage(vscode.l10n.t('API key saved for {0}.', url));
        return true;
      case 'unauthorized':
        void vscode.window
          .showErrorMessage(vscode.l10n.t('The API key was rejected by {0} (401 Unauthorized), so it was not saved. Check that you copied the whole key, or create a new one in Settings → API Keys.', url), vscode.l10n.t('Try Again'))
          .then((choice) => {
            if (choice) void vscode.commands.executeCommand('flowRuns.setApiKey');
          });
        return false;
      case 'forbidden': {
        void vscode.window
          .showErrorMessage(vscode.l10n.t('The API key lacks the flows:read scope (403 Forbidden), so it was not saved. Create a key with flows:read (and flows:execute to start runs) in Settings → API Keys.'), vscode.l10n.t('Try Again'))
          .then((choice) => {
            if (choice) void vscode.commands.executeCommand('flowRuns.setApiKey');
          });
        return false;
      }
      case 'unreachable': {
        if (!interactive) {
          showError(vscode.l10n.t('Checking the API key'), error, services.log);
          return false;
        }
        // The key may well be right: let the user decide instead of losing what they pasted.
        const saveAnyway = vscode.l10n.t('Save Anyway');
        const retry = vscode.l10n.t('Retry');
        const choice = await vscode.window.showWarningMessage(
          vscode.l10n.t('Could not check the API key: {0}', describeError(error)),
          { modal: true, detail: vscode.l10n.t('Save it anyway and use it once the API can be reached, or try the check again.') },
          saveAnyway,
          retry,
        );
        if (choice === retry) continue;
        if (choice === saveAnyway) {
          await services.session.setKey(key);
          void vscode.window.showInformationMessage(vscode.l10n.t('API key saved for {0} (not checked).', url));
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
    had ? vscode.l10n.t('Cleared the API key for {0}. Keys for other base URLs are kept.', url) : vscode.l10n.t('No API key was stored for {0}.', url),
  );
}

export function register(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('flowRuns.setApiKey', (arg?: unknown) => setApiKey(services, arg)),
    vscode.commands.registerCommand('flowRuns.clearApiKey', () => clearApiKey(services)),
  );
}
