// Where Save Output proposes a file when no folder is open: the home folder.
// The web build swaps in homeFolder.web.ts (a browser tab has no home folder).
import * as os from 'node:os';
import * as vscode from 'vscode';

export function homeFolder(): vscode.Uri | undefined {
  return vscode.Uri.file(os.homedir());
}
