// The web build's twin of homeFolder.ts: a browser tab has no home folder, so
// the save dialog starts where VS Code chooses.
import type * as vscode from 'vscode';

export function homeFolder(): vscode.Uri | undefined {
  return undefined;
}
