// Open Run: the run panel (one webview per run), restored after a window reload.
import * as vscode from 'vscode';
import { runIdsFrom } from '../commands/runRef';
import type { Services } from '../services';
import { RunPanelManager } from './panel/panelManager';
import { RUN_PANEL_VIEW_TYPE } from './panel/runPanelHost';

export function register(context: vscode.ExtensionContext, services: Services): RunPanelManager {
  const manager = new RunPanelManager(services, context.extensionUri);
  context.subscriptions.push(
    manager,
    vscode.commands.registerCommand('flowRuns.openRun', (arg?: unknown, selection?: unknown) => {
      const [runId] = runIdsFrom(arg, selection);
      if (!runId) return undefined;
      manager.createOrShow(runId);
      return undefined;
    }),
    vscode.window.registerWebviewPanelSerializer(RUN_PANEL_VIEW_TYPE, manager),
  );
  return manager;
}
