// The always-loaded side of links into VS Code: the link to a run, the
// UriHandler, and Compare With…. What they do is loaded on first use from
// dist/links.js (src/commands/links.ts), which keeps the extension bundle in
// its budget, like the sandbox and ajv (src/commands/lazyLinks.ts). links.js has its
// own copies of the modules it imports: it is handed the window's objects
// (services, input files) and keeps no state of its own.
import * as vscode from 'vscode';
import { inputFilesFor } from '../input/inputFiles';
import type { Services } from '../services';
import { showError } from '../views/showError';
import type { ActionOutcome } from './actOnRuns';
import { loadLinks } from './lazyLinks';
import type { RunPart } from './showJson';

/** The link to a run, for this editor (vscode, vscode-insiders, …) and this extension. */
export function runLink(services: Services, runId: string): string {
  return `${vscode.env.uriScheme}://${services.context.extension.id}/run/${encodeURIComponent(runId)}`;
}

export function compareRuns(services: Services, part: RunPart, arg?: unknown, other?: unknown): Promise<ActionOutcome> {
  return loadLinks().then((links) => links.compareRuns(services, part, arg, other));
}

export function register(context: vscode.ExtensionContext, services: Services): void {
  const files = inputFilesFor(context, services);
  context.subscriptions.push(vscode.window.registerUriHandler({
    handleUri(uri: vscode.Uri): void {
      services.log.info(`[links] ${uri.path}`);
      void loadLinks().then((links) => links.openLink(services, files, uri))
        .catch((e: unknown) => showError(vscode.l10n.t('Opening {0}', uri.toString(true)), e, services.log));
    },
  }));
}
