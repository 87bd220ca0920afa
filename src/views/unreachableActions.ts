// The Runs view's items when the API cannot be reached: the reason is the
// view's message, and VS Code hides welcome content while a view has a
// message, so the ways out are root items under it.
import * as vscode from 'vscode';
import type { ActionNode } from './treeNodes';

// Created once: VS Code tells tree items apart by object identity.
const RETRY: ActionNode = { kind: 'action', action: 'retry' };
const SETTINGS: ActionNode = { kind: 'action', action: 'settings' };
const LOG: ActionNode = { kind: 'action', action: 'log' };

/**
 * The ways out. A base URL we refuse (plain http to another host) stays refused however often
 * it is retried: only another URL helps, so Retry is not offered for it.
 */
export function unreachableActions(urlRefused: boolean): ActionNode[] {
  return urlRefused ? [SETTINGS, LOG] : [RETRY, SETTINGS, LOG];
}

export function actionItem(node: ActionNode): vscode.TreeItem {
  const make = (label: string, icon: string, command: vscode.Command): vscode.TreeItem => {
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `action:${node.action}`;
    item.iconPath = new vscode.ThemeIcon(icon);
    item.contextValue = 'action';
    item.command = command;
    return item;
  };
  switch (node.action) {
    case 'retry':
      return make(vscode.l10n.t('Retry'), 'refresh', { command: 'flowRuns.retry', title: vscode.l10n.t('Retry') });
    case 'settings':
      return make(vscode.l10n.t('Open Settings (flowRuns.apiUrl)'), 'settings-gear', {
        command: 'workbench.action.openSettings',
        title: vscode.l10n.t('Open Settings'),
        arguments: ['flowRuns.apiUrl'],
      });
    case 'log':
      return make(vscode.l10n.t('Show Log'), 'output', { command: 'flowRuns.showLog', title: vscode.l10n.t('Show Log') });
  }
}
