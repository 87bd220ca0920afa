// activate() is a table of contents: make the shared services, then let each
// feature register itself. Everything registered goes to context.subscriptions.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import * as restrictedSettings from './auth/restrictedSettings';
import * as apiKeyCommands from './commands/apiKey';
import * as links from './commands/runLink';
import * as openSample from './commands/openSample';
import * as runActions from './commands/runActions';
import * as runFlow from './commands/runFlow';
import * as sandboxCommands from './commands/sandbox';
import * as inputFiles from './input/inputFiles';
import { createServices } from './services';
import type { FlowRunsTestApi } from './testApi';
import * as notifications from './views/notifications';
import * as runPanel from './views/runPanel';
import * as runsTree from './views/runsTree';
import * as statusBar from './views/statusBar';
import * as walkthrough from './views/walkthroughProgress';

/** Returns what the extension's own tests look at, and only to them (ExtensionMode.Test). */
export function activate(context: vscode.ExtensionContext): FlowRunsTestApi | undefined {
  const started = Date.now();
  // The plain layers (src/api, src/input) cannot import vscode and say their sentences through
  // @vscode/l10n: hand it the bundle VS Code picked for this locale (none in English).
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const log = vscode.window.createOutputChannel('Flow Runs', { log: true });
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('flowRuns.showLog', () => log.show(true)),
  );
  const services = createServices(context, log);

  apiKeyCommands.register(context, services); // Set / Clear API Key
  restrictedSettings.register(services); // says which folder settings Restricted Mode ignores
  const sandboxController = sandboxCommands.register(context, services); // Start / Stop Local Sandbox
  const runs = runsTree.register(context, services); // the Runs view, refresh, filter, load more
  const activeRuns = statusBar.register(context, services); // active runs in the status bar
  const finished = notifications.register(context, services); // "run finished" for runs started here
  const inputs = inputFiles.register(context, services); // CodeLens, schema and diagnostics in input files
  runFlow.register(context, services); // Run Flow, Run Again
  const panels = runPanel.register(context, services); // Open Run: the webview panel, restored on reload
  const onDidRunAction = runActions.register(context, services); // cancel, clone, visibility, update, copy, open, show, save, compare
  links.register(context, services); // vscode://flow-runs.flow-runs/run/<id> and /flow/<id> links
  openSample.register(context, services); // Open Sample Input (the walkthrough's step 2)
  const steps = walkthrough.register(context, services, { inputs, panels, onDidRunAction }); // Get Started ticks

  log.info(`[activate] ready in ${Date.now() - started} ms`);
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  return {
    services,
    runsTree: runs.provider,
    runsTreeView: runs.view,
    runPanels: panels,
    statusBar: activeRuns,
    notificationsShown: finished,
    inputFiles: inputs,
    sandboxController,
    walkthrough: steps,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
