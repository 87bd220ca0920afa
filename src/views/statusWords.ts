// Status names in the user's language. src/shared/runText.ts names a status in
// English for logs, data and tests (`statusName`); what the user reads is worded
// here through vscode.l10n, and the panel's webview gets the same words from
// its host (panelStrings.ts).
import * as vscode from 'vscode';
import { FlowRunStatus, toFlowRunStatus } from '../api/models';

/** "Pending", "Running", "Completed", "Failed", "Cancelled" or "Unknown", translated. */
export function statusLabel(run: { status: unknown }): string {
  switch (toFlowRunStatus(run.status)) {
    case FlowRunStatus.Pending: return vscode.l10n.t('Pending');
    case FlowRunStatus.Running: return vscode.l10n.t('Running');
    case FlowRunStatus.Completed: return vscode.l10n.t('Completed');
    case FlowRunStatus.Failed: return vscode.l10n.t('Failed');
    case FlowRunStatus.Cancelled: return vscode.l10n.t('Cancelled');
    default: return vscode.l10n.t('Unknown');
  }
}

/** The same, lower-cased for the middle of a sentence ("it is running"). */
export function statusWord(run: { status: unknown }): string {
  return statusLabel(run).toLocaleLowerCase();
}
