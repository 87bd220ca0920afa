// relativeTime's words (src/shared/time.ts) in the user's language.
import * as vscode from 'vscode';
import type { RelativeTimeWords } from '../shared/time';

let words: RelativeTimeWords | undefined;

/** Built once: the display language is fixed for the life of the window. */
export function timeWords(): RelativeTimeWords {
  return words ??= {
    notStarted: vscode.l10n.t('not started'),
    justNow: vscode.l10n.t('just now'),
    secondsAgo: vscode.l10n.t('{0} s ago'),
    minutesAgo: vscode.l10n.t('{0} min ago'),
    hoursAgo: vscode.l10n.t('{0} h ago'),
    daysAgo: vscode.l10n.t('{0} d ago'),
  };
}
