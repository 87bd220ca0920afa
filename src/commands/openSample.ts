// Open Sample Input: the walkthrough's sample flow input (samples/slow.flow.json,
// shipped in the .vsix) in a new untitled JSON editor, so nothing is written
// until the user saves it where they like.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { showError } from '../views/showError';

async function openSample(services: Services): Promise<void> {
  try {
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(services.context.extensionUri, 'samples', 'slow.flow.json'));
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: new TextDecoder().decode(bytes) });
    await vscode.window.showTextDocument(doc, { preview: false });
  } catch (e) {
    showError(vscode.l10n.t('Open Sample Input'), e, services.log);
  }
}

export function register(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(vscode.commands.registerCommand('flowRuns.openSampleInput', () => openSample(services)));
}
