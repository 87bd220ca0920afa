// "Run finished" for runs this window started. Each such run is followed
// until it reaches a terminal status (whether or not a view shows it), then
// a notification per flowRuns.notifications (always | failures | never),
// with Open.
import * as vscode from 'vscode';
import { FlowRunStatus, isTerminalRunStatus, toFlowRunStatus, type FlowRun } from '../api/models';
import type { FollowerHandle } from '../runs/followers';
import { LingeringFollowers } from '../runs/lingeringRelease';
import { RecentSet } from '../runs/recentSet';
import type { Services } from '../services';
import { runDuration } from '../shared/runText';
import { formatDuration } from '../shared/time';
import { cleanServerText } from '../api/serverText';

export type NotificationMode = 'always' | 'failures' | 'never';

export function notificationMode(): NotificationMode {
  const v = vscode.workspace.getConfiguration('flowRuns').get<string>('notifications', 'always');
  return v === 'failures' || v === 'never' ? v : 'always';
}

/** Whether a finished run is announced in this mode. */
export function shouldNotify(mode: NotificationMode, status: FlowRunStatus): boolean {
  if (mode === 'never') return false;
  if (mode === 'failures') return status === FlowRunStatus.Failed || status === FlowRunStatus.Cancelled;
  return isTerminalRunStatus(status);
}

function message(run: FlowRun, title: string): { text: string; level: 'info' | 'warning' | 'error' } {
  const d = runDuration(run, Date.now());
  const took = d !== undefined && run.flow_run_started ? formatDuration(d) : undefined;
  switch (toFlowRunStatus(run.status)) {
    case FlowRunStatus.Failed: {
      const error = run.error ? cleanServerText(run.error, { maxChars: 300 }) : undefined;
      const text = took === undefined
        ? (error === undefined ? vscode.l10n.t('Flow run "{0}" failed.', title) : vscode.l10n.t('Flow run "{0}" failed: {1}', title, error))
        : (error === undefined ? vscode.l10n.t('Flow run "{0}" failed in {1}.', title, took) : vscode.l10n.t('Flow run "{0}" failed in {1}: {2}', title, took, error));
      return { text, level: 'error' };
    }
    case FlowRunStatus.Cancelled:
      return { text: vscode.l10n.t('Flow run "{0}" was cancelled.', title), level: 'warning' };
    default:
      return {
        text: took === undefined ? vscode.l10n.t('Flow run "{0}" completed.', title) : vscode.l10n.t('Flow run "{0}" completed in {1}.', title, took),
        level: 'info',
      };
  }
}

const SHOWN_KEPT = 200;

/**
 * Registers the notifier. Returns the texts it showed (the last 200) while
 * extension tests run, so they can check the wording; always empty otherwise.
 */
export function register(context: vscode.ExtensionContext, services: Services): readonly string[] {
  const watching = new Map<string, FollowerHandle>();
  const announced = new RecentSet<string>(1000);
  const recordShown = context.extensionMode === vscode.ExtensionMode.Test;
  const shown: string[] = [];

  const lingering = new LingeringFollowers();
  const unwatch = (id: string): void => {
    watching.get(id)?.release();
    watching.delete(id);
  };
  /** The run finished: its follower makes the final GET (the output), then lets go. */
  const unwatchWhenDone = (id: string): void => {
    const handle = watching.get(id);
    if (!handle) return;
    watching.delete(id);
    lingering.releaseWhenDone(handle);
  };

  const watch = (run: FlowRun): void => {
    if (watching.has(run.id) || isTerminalRunStatus(toFlowRunStatus(run.status))) return;
    services.log.debug(`[notify] following ${run.id} until it finishes`);
    watching.set(run.id, services.followers.acquire(run.id));
  };

  const onChange = (run: FlowRun): void => {
    if (!services.startedHere.has(run.id)) return;
    const status = toFlowRunStatus(run.status);
    if (!isTerminalRunStatus(status)) return;
    unwatchWhenDone(run.id);
    if (announced.has(run.id)) return;
    announced.add(run.id);
    if (!shouldNotify(notificationMode(), status)) return;
    void announce(run);
  };

  const announce = async (run: FlowRun): Promise<void> => {
    // Usually cached by Run Flow; otherwise one request, and the id if it fails.
    await services.flows.get(run.flow_id);
    const title = services.flows.title(run.flow_id) ?? run.flow_id;
    const { text, level } = message(run, title);
    if (recordShown) {
      shown.push(text);
      if (shown.length > SHOWN_KEPT) shown.splice(0, shown.length - SHOWN_KEPT);
    }
    const show = level === 'error' ? vscode.window.showErrorMessage
      : level === 'warning' ? vscode.window.showWarningMessage
        : vscode.window.showInformationMessage;
    const open = vscode.l10n.t('Open');
    void show(text, open).then((choice) => {
      if (choice === open) void vscode.commands.executeCommand('flowRuns.openRun', run.id);
    });
  };

  context.subscriptions.push(
    services.onDidStartRun((run) => {
      watch(run);
      // A run may finish before we get here (a very fast flow).
      onChange(services.store.get(run.id) ?? run);
    }),
    services.store.onDidChangeRun(({ run }) => onChange(run)),
    // Another key or URL: the followers were reset; these runs are not ours to watch any more.
    services.session.onDidChange(() => {
      for (const id of [...watching.keys()]) unwatch(id);
    }),
    {
      dispose: () => {
        for (const id of [...watching.keys()]) unwatch(id);
        lingering.dispose();
      },
    },
  );
  return shown;
}
