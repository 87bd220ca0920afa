// How one run looks in the tree: its flow's name, short id, when it started
// and how long it ran, a status icon in the theme's colours, a tooltip that
// escapes everything the server sent, and the contextValue tokens the menus
// match (`run cancelable hasOutput hasTask`).
import * as vscode from 'vscode';
import { FlowRunStatus, isActiveRunStatus, toFlowRunStatus, type FlowRun } from '../api/models';
import {
  endedAt, formatDuration, hasOutput, runAccessibilityLabel, runDescription, runDuration, startedAt, statusName,
} from './runText';

const MAX_TOOLTIP_ERROR = 600;

export function statusIcon(status: FlowRunStatus): vscode.ThemeIcon {
  switch (status) {
    case FlowRunStatus.Pending:
      return new vscode.ThemeIcon('clock', new vscode.ThemeColor('testing.iconQueued'));
    case FlowRunStatus.Running:
      return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'));
    case FlowRunStatus.Completed:
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case FlowRunStatus.Failed:
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case FlowRunStatus.Cancelled:
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconSkipped'));
    default:
      return new vscode.ThemeIcon('question', new vscode.ThemeColor('testing.iconUnset'));
  }
}

/** Whole tokens, so `viewItem =~ /\bcancelable\b/` matches only active runs. */
export function runContextValue(run: FlowRun): string {
  const tokens = ['run'];
  if (isActiveRunStatus(toFlowRunStatus(run.status))) tokens.push('cancelable');
  if (hasOutput(run)) tokens.push('hasOutput');
  if (run.task_id) tokens.push('hasTask');
  return tokens.join(' ');
}

export function runTreeItem(run: FlowRun, title: string, groupStatus: FlowRunStatus, now: number): vscode.TreeItem {
  const item = new vscode.TreeItem(title, vscode.TreeItemCollapsibleState.None);
  // The group is part of the id: while a run moves, both groups may briefly list it.
  item.id = `run:${groupStatus}:${run.id}`;
  item.description = runDescription(run, now);
  item.iconPath = statusIcon(toFlowRunStatus(run.status));
  item.contextValue = runContextValue(run);
  item.tooltip = runTooltip(run, title, now);
  item.accessibilityInformation = { label: runAccessibilityLabel(run, title, now), role: 'treeitem' };
  item.command = { command: 'flowRuns.openRun', title: 'Open Run', arguments: [run.id] };
  return item;
}

/** Server strings go through appendText (escaped); no HTML, no command links. */
export function runTooltip(run: FlowRun, title: string, now: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown('**');
  md.appendText(title);
  md.appendMarkdown(`** · ${statusName(run)}\n\n`);
  const line = (label: string, value: string): void => {
    md.appendMarkdown(`${label}: `);
    md.appendText(value);
    md.appendMarkdown('  \n');
  };
  line('Run', run.id);
  line('Flow', run.flow_id);
  if (run.flow_version_id) line('Flow version', run.flow_version_id);
  if (run.task_id) line('Parent task', run.task_id);
  line('Created', localTime(run.created_at));
  const start = startedAt(run);
  if (run.flow_run_started && start !== undefined) line('Started', localTime(run.flow_run_started));
  const end = endedAt(run);
  if (end !== undefined) line(run.flow_run_finished ? 'Finished' : 'Cancelled', new Date(end).toLocaleString());
  const d = runDuration(run, now);
  if (d !== undefined && run.flow_run_started) line(end !== undefined ? 'Took' : 'Running for', formatDuration(d));
  if (run.error) {
    const error = run.error.length > MAX_TOOLTIP_ERROR ? `${run.error.slice(0, MAX_TOOLTIP_ERROR)}…` : run.error;
    md.appendMarkdown('\n**Error:** ');
    md.appendText(error);
  }
  return md;
}

function localTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toLocaleString() : iso;
}
