// "Run finished" for runs this window started. Each such run is followed
// until it reaches a terminal status (whether or not a view shows it), then
// a notification per flowRuns.notifications (always | failures | never),
// with Open.
import * as vscode from 'vscode';
import { FlowRunStatus, isTerminalRunStatus, toFlowRunStatus, type FlowRun } from '../api/models';
import type { FollowerHandle } from '../runs/followers';
import { RecentSet } from '../runs/recentSet';
import type { Services } from '../services';
import { formatDuration, runDuration } from './runText';

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
  const took = d !== undefined && run.flow_run_started ? ` in ${formatDuration(d)}` : '';
  switch (toFlowRunStatus(run.status)) {
    case FlowRunStatus.Failed: {
      const error = run.error ? `: ${run.error.length > 300 ? `${run.error.slice(0, 300)}…` : run.error}` : '.';
      return { text: `Flow run "${title}" failed${took}${error}`, level: 'error' };
    }
    case FlowRunStatus.Cancelled:
      return { text: `Flow run "${title}" was cancelled.`, level: 'warning' };
    default:
      return { text: `Flow run "${title}" completed${took}.`, level: 'info' };
  }
}

const SHOWN_KEPT = 200;

export function register(context: vscode.ExtensionContext, services: Services): void {
  const watching = new Map<string, FollowerHandle>();
  const announced = new RecentSet<string>(1000);
  /** The last texts shown (tests read them; no DOM scraping needed for the wording). */
  const shown: string[] = [];
  services.testing.set('notificationsShown', shown);

  const graceTimers = new Set<ReturnType<typeof setTimeout>>();
  const unwatch = (id: string): void => {
    watching.get(id)?.release();
    watching.delete(id);
  };
  /** Lets the follower finish its final GET (the output) before letting go, at most 10 s. */
  const unwatchWhenDone = (id: string): void => {
    const handle = watching.get(id);
    if (!handle) return;
    watching.delete(id);
    const timer = setTimeout(() => {
      graceTimers.delete(timer);
      handle.release();
    }, 10_000);
    graceTimers.add(timer);
    void handle.follower.done.finally(() => {
      clearTimeout(timer);
      graceTimers.delete(timer);
      handle.release();
    });
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
    shown.push(text);
    if (shown.length > SHOWN_KEPT) shown.splice(0, shown.length - SHOWN_KEPT);
    const show = level === 'error' ? vscode.window.showErrorMessage
      : level === 'warning' ? vscode.window.showWarningMessage
        : vscode.window.showInformationMessage;
    void show(text, 'Open').then((choice) => {
      if (choice === 'Open') void vscode.commands.executeCommand('flowRuns.openRun', run.id);
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
        for (const t of graceTimers) clearTimeout(t);
      },
    },
  );
}
