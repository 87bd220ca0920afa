// The Get Started walkthrough's ticks. Each step of package.json's
// `contributes.walkthroughs` completes on `onContext:flowRuns.walkthrough.<step>`,
// and this is the one place those keys are set: when the real thing happens
// (a key stored, an input file in the editor, a run started, a panel opened,
// a run cancelled or a flow cloned), never when a button is merely clicked.
// VS Code keeps a ticked step ticked across reloads (its own walkthrough
// storage), so nothing is stored here.
import * as vscode from 'vscode';
import type { ActionOutcome } from '../commands/actOnRuns';
import type { InputFiles } from '../input/inputFiles';
import type { Services } from '../services';
import type { RunPanelManager } from './panel/panelManager';

export const WALKTHROUGH_ID = 'gettingStarted';

type WalkthroughStep = 'connected' | 'inputOpened' | 'runStarted' | 'panelOpened' | 'runActedOn';

/** A run command that finished, as runActions reports it. */
export interface RunActionDone {
  command: string;
  outcome: ActionOutcome;
}

export interface WalkthroughSources {
  inputs: InputFiles;
  panels: RunPanelManager;
  onDidRunAction: vscode.Event<RunActionDone>;
}

export interface WalkthroughProgress {
  /** Starts reporting; under test it waits for this (see testApi.ts). */
  track(): void;
}

export function register(context: vscode.ExtensionContext, services: Services, sources: WalkthroughSources): WalkthroughProgress {
  const { session } = services;
  const done = new Set<WalkthroughStep>();
  let tracking = context.extensionMode !== vscode.ExtensionMode.Test;
  // Sets the step's context key once; VS Code ticks the step and remembers it.
  const mark = (step: WalkthroughStep): void => {
    if (!tracking || done.has(step)) return;
    done.add(step);
    void vscode.commands.executeCommand('setContext', `flowRuns.walkthrough.${step}`, true);
  };
  const connected = (): void => {
    if (session.hasKey) mark('connected');
  };
  const inputOpen = (): void => {
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && sources.inputs.isInputFile(doc)) mark('inputOpened');
  };
  const checkNow = (): void => {
    void session.whenReady().then(connected);
    inputOpen();
  };
  context.subscriptions.push(
    session.onDidChange(connected),
    vscode.window.onDidChangeActiveTextEditor(inputOpen),
    services.onDidStartRun(() => mark('runStarted')),
    sources.panels.onDidOpen(() => mark('panelOpened')),
    sources.onDidRunAction(({ command, outcome }) => {
      // A cancel counts when the server reported a run cancelled; "nothing to cancel" does not.
      if ((outcome.cancelled ?? 0) > 0 || (command === 'flowRuns.cloneRun' && outcome.flowId)) mark('runActedOn');
    }),
    vscode.commands.registerCommand('flowRuns.openWalkthrough', () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false)),
  );
  if (tracking) checkNow();
  return {
    track(): void {
      tracking = true;
      checkNow();
    },
  };
}
