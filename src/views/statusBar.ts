// "$(sync~spin) 3" in the status bar while runs are active. The number is the
// server's Pending + Running totals when the run explorer knows them (kept
// current as runs move), else the active runs the store knows. Hidden when
// nothing is active or no key is set: an idle "0" would only take room.
import * as vscode from 'vscode';
import { FlowRunStatus, isActiveRunStatus, toFlowRunStatus } from '../api/models';
import type { RunStore } from '../runs/store';
import type { Services } from '../services';

export interface ActiveCounts {
  pending: number;
  running: number;
}

/** Pending and running runs: the published server totals, or at least what the store holds. */
export function activeCounts(store: RunStore): ActiveCounts {
  let pending = 0;
  let running = 0;
  for (const run of store.all()) {
    const s = toFlowRunStatus(run.status);
    if (!isActiveRunStatus(s)) continue;
    if (s === FlowRunStatus.Pending) pending++;
    else running++;
  }
  const totals = store.statusTotals();
  return {
    pending: Math.max(totals[FlowRunStatus.Pending] ?? 0, pending),
    running: Math.max(totals[FlowRunStatus.Running] ?? 0, running),
  };
}

export function register(context: vscode.ExtensionContext, services: Services): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('flowRuns.activeRuns', vscode.StatusBarAlignment.Left, 10);
  item.name = vscode.l10n.t('Flow Runs: Active Runs');
  item.command = { command: 'workbench.view.extension.flowRuns', title: vscode.l10n.t('Show Flow Runs') };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const update = (): void => {
    timer = undefined;
    const { pending, running } = activeCounts(services.store);
    const active = pending + running;
    if (!services.session.hasKey || active === 0) {
      item.hide();
      return;
    }
    item.text = `$(sync~spin) ${active}`;
    item.tooltip = vscode.l10n.t('Flow Runs: {0} running, {1} pending. Click to show the Runs view.', running, pending);
    item.accessibilityInformation = { label: vscode.l10n.t('{0} flow runs active: {1} running, {2} pending', active, running, pending), role: 'button' };
    item.show();
  };
  // Store events come in bursts (a page of runs): count once per burst.
  const schedule = (): void => {
    if (!timer) timer = setTimeout(update, 100);
  };

  context.subscriptions.push(
    item,
    services.store.onDidChangeRun(schedule),
    services.store.onDidRemoveRun(schedule),
    services.store.onDidChangeTotals(schedule),
    services.session.onDidChange(schedule),
    { dispose: () => timer && clearTimeout(timer) },
  );
  void services.session.whenReady().then(update);
  return item;
}
