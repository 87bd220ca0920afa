// One panel per run: opening a run again reveals its panel. Also revives the
// panels VS Code restores after a reload (their state holds only the run id).
import * as vscode from 'vscode';
import type { Services } from '../../services';
import { shortIdOf } from '../../shared/runText';
import { RUN_PANEL_VIEW_TYPE, RunPanel } from './runPanelHost';

/** The state a panel's webview keeps (vscode.setState): the run id and nothing else. */
export interface RunPanelState {
  runId: string;
}

export function runIdFromState(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const runId = (state as { runId?: unknown }).runId;
  return typeof runId === 'string' && runId !== '' ? runId : undefined;
}

export class RunPanelManager implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private readonly panels = new Map<string, RunPanel>();
  private readonly opened = new vscode.EventEmitter<string>();
  /** Fires with the run id when a panel opens (or is restored after a reload). */
  readonly onDidOpen = this.opened.event;

  constructor(private readonly services: Services, private readonly extensionUri: vscode.Uri) {}

  /** Reveals the run's panel, or opens one. */
  createOrShow(runId: string): RunPanel {
    const open = this.panels.get(runId);
    if (open) {
      open.reveal();
      return open;
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      RUN_PANEL_VIEW_TYPE,
      vscode.l10n.t('Flow run · {0}', shortIdOf(runId)),
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      // No retainContextWhenHidden: a shown panel asks for a fresh snapshot instead.
      { enableScripts: true, retainContextWhenHidden: false, enableFindWidget: true },
    );
    return this.adopt(webviewPanel, runId);
  }

  /** WebviewPanelSerializer: a panel restored after a reload follows its run again. */
  deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const runId = runIdFromState(state);
    if (!runId) {
      webviewPanel.dispose();
      return Promise.resolve();
    }
    const open = this.panels.get(runId);
    if (open) {
      // Already open (restored twice): keep one panel per run.
      webviewPanel.dispose();
      open.reveal();
      return Promise.resolve();
    }
    this.adopt(webviewPanel, runId);
    return Promise.resolve();
  }

  private adopt(webviewPanel: vscode.WebviewPanel, runId: string): RunPanel {
    const panel = new RunPanel(webviewPanel, runId, this.services, this.extensionUri);
    this.panels.set(runId, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(runId) === panel) this.panels.delete(runId);
    });
    this.opened.fire(runId);
    return panel;
  }

  get(runId: string): RunPanel | undefined {
    return this.panels.get(runId);
  }

  /** Open panels (the tests look at them). */
  list(): RunPanel[] {
    return [...this.panels.values()];
  }

  /** Closes every run panel; the manager goes on (tests tidy up with this between suites). */
  closeAll(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }

  dispose(): void {
    this.closeAll();
    this.opened.dispose();
  }
}
