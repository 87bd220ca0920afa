// How every failure reaches the user: one sentence that says what went wrong
// and what to do, with the button that does it. Never awaited by callers, so
// a toast never blocks the work that raised it.
import * as vscode from 'vscode';
import { isApiError } from '../api/errors';

export type ErrorSeverity = 'error' | 'warning' | 'info';

/** The sentence shown for any thrown value. Never contains the API key (the client guarantees its errors don't). */
export function describeError(error: unknown): string {
  if (isApiError(error)) return error.userMessage;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Shows `<action> failed: <reason>` with the buttons that fit the error:
 * Set API Key (401, missing key, missing scope), Open Settings (refused URL),
 * Show Log (network and server trouble).
 */
export function showError(action: string, error: unknown, log?: vscode.LogOutputChannel): void {
  const reason = describeError(error);
  log?.warn(`[error] ${action}: ${reason}`);
  const buttons: string[] = [];
  let severity: ErrorSeverity = 'error';
  if (isApiError(error)) {
    switch (error.kind) {
      case 'no_key':
      case 'unauthorized':
      case 'forbidden':
        buttons.push('Set API Key');
        break;
      case 'insecure_url':
        buttons.push('Open Settings');
        break;
      case 'rate_limited':
        severity = 'warning';
        break;
      case 'network':
      case 'timeout':
      case 'server':
      case 'bad_response':
        buttons.push('Show Log');
        break;
      case 'aborted':
        return;
      default:
        break;
    }
  }
  const text = `${action} failed: ${reason}`;
  const shown =
    severity === 'warning'
      ? vscode.window.showWarningMessage(text, ...buttons)
      : vscode.window.showErrorMessage(text, ...buttons);
  void shown.then((choice) => {
    if (choice === 'Set API Key') void vscode.commands.executeCommand('flowRuns.setApiKey');
    else if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'flowRuns.apiUrl');
    else if (choice === 'Show Log') void vscode.commands.executeCommand('flowRuns.showLog');
  });
}
