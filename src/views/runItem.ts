// How one run looks in the tree: its flow's name, short id, when it started
// and how long it ran, a status icon in the theme's colours, a tooltip that
// escapes everything the server sent, and the contextValue tokens the menus
// match (`run cancelable hasOutput hasTask`).
import * as vscode from 'vscode';
import type { FlowRun, FlowRunStatus } from '../api/models';
import {
  STATUS_ICONS, endedAt, hasOutput, isActive, runDescription, runDuration, runStatusKind, shortIdOf, startedAt,
  type StatusKind,
} from '../shared/runText';
import { statusLabel, statusWord } from './statusWords';
import { formatDuration, relativeTime, timeMs } from '../shared/time';
import { timeWords } from './timeWords';
import { cleanServerText } from '../api/serverText';

const MAX_TOOLTIP_ERROR = 600;

/** The theme colour of each status look, as VS Code's Testing view colours its states. */
const STATUS_COLOURS: Record<StatusKind, string> = {
  pending: 'testing.iconQueued',
  ready: 'testing.iconQueued',
  running: 'charts.blue',
  completed: 'testing.iconPassed',
  failed: 'testing.iconFailed',
  cancelled: 'testing.iconSkipped',
  skipped: 'testing.iconSkipped',
  blocked: 'testing.iconQueued',
  unknown: 'testing.iconUnset',
};

/** The run status's icon (spinning while it runs) in the theme's colour. */
export function statusIcon(status: unknown): vscode.ThemeIcon {
  const kind = runStatusKind(status);
  const { icon, spin } = STATUS_ICONS[kind];
  return new vscode.ThemeIcon(spin ? `${icon}~spin` : icon, new vscode.ThemeColor(STATUS_COLOURS[kind]));
}

/** Whole tokens, so `viewItem =~ /\bcancelable\b/` matches only active runs. */
export function runContextValue(run: FlowRun): string {
  const tokens = ['run'];
  if (isActive(run)) tokens.push('cancelable');
  if (hasOutput(run)) tokens.push('hasOutput');
  if (run.task_id) tokens.push('hasTask');
  return tokens.join(' ');
}

export function runTreeItem(run: FlowRun, title: string, groupStatus: FlowRunStatus, now: number): vscode.TreeItem {
  const item = new vscode.TreeItem(title, vscode.TreeItemCollapsibleState.None);
  // The group is part of the id: while a run moves, both groups may briefly list it.
  item.id = `run:${groupStatus}:${run.id}`;
  item.description = runDescription(run, now, timeWords());
  item.iconPath = statusIcon(run.status);
  item.contextValue = runContextValue(run);
  item.tooltip = runTooltip(run, title, now);
  item.accessibilityInformation = { label: runAccessibilityLabel(run, title, now), role: 'treeitem' };
  item.command = { command: 'flowRuns.openRun', title: vscode.l10n.t('Open Run'), arguments: [run.id] };
  return item;
}

/** What a screen reader says for a run item. */
export function runAccessibilityLabel(run: FlowRun, title: string, now: number): string {
  const parts = [vscode.l10n.t('{0}, {1}', title, statusWord(run)), vscode.l10n.t('run {0}', shortIdOf(run))];
  const start = startedAt(run);
  if (start !== undefined) parts.push(vscode.l10n.t('started {0}', relativeTime(start, now, timeWords())));
  const d = runDuration(run, now);
  if (d !== undefined && run.flow_run_started) {
    parts.push(endedAt(run) ? vscode.l10n.t('took {0}', formatDuration(d)) : vscode.l10n.t('running for {0}', formatDuration(d)));
  }
  if (run.error) parts.push(vscode.l10n.t('has an error'));
  return parts.join(', ');
}

/** Server strings go through appendText (escaped); no HTML, no command links. */
export function runTooltip(run: FlowRun, title: string, now: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown('**');
  md.appendText(title);
  md.appendMarkdown(`** · ${statusLabel(run)}\n\n`);
  const line = (label: string, value: string): void => {
    md.appendMarkdown(`${label}: `);
    md.appendText(value);
    md.appendMarkdown('  \n');
  };
  line(vscode.l10n.t('Run'), run.id);
  line(vscode.l10n.t('Flow'), run.flow_id);
  if (run.flow_version_id) line(vscode.l10n.t('Flow version'), run.flow_version_id);
  if (run.task_id) line(vscode.l10n.t('Parent task'), run.task_id);
  line(vscode.l10n.t('Created'), localTime(run.created_at));
  const start = startedAt(run);
  if (run.flow_run_started && start !== undefined) line(vscode.l10n.t('Started'), localTime(run.flow_run_started));
  const end = endedAt(run);
  if (end !== undefined) line(run.flow_run_finished ? vscode.l10n.t('Finished') : vscode.l10n.t('Cancelled'), new Date(end).toLocaleString());
  const d = runDuration(run, now);
  if (d !== undefined && run.flow_run_started) line(end !== undefined ? vscode.l10n.t('Took') : vscode.l10n.t('Running for'), formatDuration(d));
  if (run.error) {
    // Server text: redacted, without control characters, cut (see serverText.ts).
    const error = cleanServerText(run.error, { maxChars: MAX_TOOLTIP_ERROR });
    md.appendMarkdown(`\n**${vscode.l10n.t('Error:')}** `);
    md.appendText(error);
  }
  return md;
}

function localTime(iso: string): string {
  const t = timeMs(iso);
  return t !== undefined ? new Date(t).toLocaleString() : iso;
}
