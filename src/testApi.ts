// What activate() hands to the extension's own tests (ExtensionMode.Test) and
// to nobody else: the objects those tests look at to check what the user
// sees. Typed, so a test that reaches for something that is not there fails
// to compile instead of failing at run time.
import type * as vscode from 'vscode';
import type { SandboxController } from './commands/sandbox';
import type { InputFiles } from './input/inputFiles';
import type { Services } from './services';
import type { RunPanelManager } from './views/panel/panelManager';
import type { RunsTreeProvider } from './views/runsTree';
import type { RunsTreeNode } from './views/treeNodes';
import type { WalkthroughProgress } from './views/walkthroughProgress';

export interface FlowRunsTestApi {
  readonly services: Services;
  readonly runsTree: RunsTreeProvider;
  readonly runsTreeView: vscode.TreeView<RunsTreeNode>;
  /** The open run panels; each records its webview messages while tests run. */
  readonly runPanels: RunPanelManager;
  readonly statusBar: vscode.StatusBarItem;
  /** The "run finished" texts shown so far (the last 200). */
  readonly notificationsShown: readonly string[];
  readonly inputFiles: InputFiles;
  readonly sandboxController: SandboxController;
  /**
   * The Get Started walkthrough's ticks. Under test it reports nothing until
   * track(): VS Code ticks a step at most once per window, and other suites
   * in the same window start runs and open panels long before the
   * walkthrough suite opens the walkthrough.
   */
  readonly walkthrough: WalkthroughProgress;
}
