// How every failure reaches the user: one sentence that says what went wrong
// and what to do, with the button that does it. Never awaited by callers, so
// a toast never blocks the work that raised it.
import * as vscode from 'vscode';
import { isApiError, type ApiError } from '../api/errors';

export type ErrorSeverity = 'error' | 'warning' | 'info';

/** The sentence shown for any thrown value. Never contains the API key (the client guarantees its errors don't). */
export function describeError(error: unknown): string {
  if (isApiError(error)) return ownSentence(error) ?? error.userMessage;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * src/api cannot reach vscode.l10n: the errors it builds from a code alone
 * (src/api/errors.ts) are worded here, in the user's language. Errors shaped
 * by a server answer keep the client's (English) sentence.
 */
function ownSentence(error: ApiError): string | undefined {
  switch (error.code) {
    case 'no_key':
      return vscode.l10n.t('No API key is set. Run "Flow Runs: Set API Key" to add one (create keys in Settings → API Keys).');
    case 'aborted':
      return vscode.l10n.t('The request was cancelled.');
    case 'timeout':
      return vscode.l10n.t('The Flow Runs API did not answer within {0} s. Check your connection and try again.',
        Math.max(1, Math.round((error.timeoutMs ?? 0) / 1000)));
    default:
      return undefined;
  }
}

/**
 * Shows `<action> failed: <reason>` with the buttons that fit the error:
 * Set API Key (401, missing key, missing scope), Open Settings (refused URL,
 * a browser's CORS refusal), Show Log (network and server trouble).
 */
export function showError(action: string, error: unknown, log?: vscode.LogOutputChannel): void {
  const reason = describeError(error);
  log?.warn(`[error] ${action}: ${reason}`);
  const SET_KEY = vscode.l10n.t('Set API Key');
  const OPEN_SETTINGS = vscode.l10n.t('Open Settings');
  const SHOW_LOG = vscode.l10n.t('Show Log');
  const buttons: string[] = [];
  let severity: ErrorSeverity = 'error';
  if (isApiError(error)) {
    switch (error.kind) {
      case 'no_key':
      case 'unauthorized':
      case 'forbidden':
        buttons.push(SET_KEY);
        break;
      case 'insecure_url':
        buttons.push(OPEN_SETTINGS);
        break;
      case 'rate_limited':
        severity = 'warning';
        break;
      case 'network':
        // A browser's CORS refusal is fixed in the settings (or on the server), not found in the log.
        buttons.push(error.code === 'cors' ? OPEN_SETTINGS : SHOW_LOG);
        break;
      case 'timeout':
      case 'server':
      case 'bad_response':
        buttons.push(SHOW_LOG);
        break;
      case 'aborted':
        return;
      default:
        break;
    }
  }
  const text = vscode.l10n.t('{0} failed: {1}', action, reason);
  const shown =
    severity === 'warning'
      ? vscode.window.showWarningMessage(text, ...buttons)
      : vscode.window.showErrorMessage(text, ...buttons);
  void shown.then((choice) => {
    if (choice === SET_KEY) void vscode.commands.executeCommand('flowRuns.setApiKey');
    else if (choice === OPEN_SETTINGS) void vscode.commands.executeCommand('workbench.action.openSettings', 'flowRuns.apiUrl');
    else if (choice === SHOW_LOG) void vscode.commands.executeCommand('flowRuns.showLog');
  });
}
