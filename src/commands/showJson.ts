// Show Input / Show Output: a run's input or output as a read-only JSON
// document. Content comes from a TextDocumentContentProvider on the
// `flowruns-data` scheme, so the editor can neither save nor change it; it
// follows the run while the document is open.
import * as vscode from 'vscode';
import type { FlowRun } from '../api/models';
import type { Services } from '../services';
import { hasOutput, isActive, shortIdOf } from '../shared/runText';
import { statusWord } from '../views/statusWords';
import { ACTION_SCOPES, actOnRuns, inform, type ActionOutcome } from './actOnRuns';

export const DATA_SCHEME = 'flowruns-data';
export type RunPart = 'input' | 'output';

export function prettyJson(value: unknown): string {
  return `${JSON.stringify(value ?? null, null, 2)}\n`;
}

/** `flowruns-data:/<run id>/run <short id> <part>.json`: the editor's title is the last segment. */
export function dataUri(run: FlowRun, part: RunPart): vscode.Uri {
  return vscode.Uri.from({ scheme: DATA_SCHEME, path: `/${run.id}/run ${shortIdOf(run)} ${part}.json` });
}

function parse(uri: vscode.Uri): { runId: string; part: RunPart } | undefined {
  const m = /^\/([^/]+)\/run [^/]* (input|output)\.json$/.exec(uri.path);
  return m ? { runId: m[1], part: m[2] as RunPart } : undefined;
}

export class RunDataProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly listener: vscode.Disposable;

  constructor(private readonly services: Services) {
    // An open document follows the run (output arrives when it completes).
    const sub = services.store.onDidChangeRun(({ run }) => {
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme === DATA_SCHEME && parse(doc.uri)?.runId === run.id) this.changed.fire(doc.uri);
      }
    });
    this.listener = new vscode.Disposable(() => sub.dispose());
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parse(uri);
    if (!ref) return prettyJson({ error: vscode.l10n.t('Not a flow run document.') });
    let run = this.services.store.get(ref.runId);
    if (!run || (ref.part === 'output' && !hasOutput(run))) {
      // After a window reload, or when the list page carried no output.
      const api = this.services.session.current();
      if (api) run = await api.getRun(ref.runId).catch(() => run);
    }
    if (!run) return prettyJson({ error: vscode.l10n.t('Run {0} is not available.', ref.runId) });
    return prettyJson(ref.part === 'input' ? run.input : run.output);
  }

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}

async function openPart(uri: vscode.Uri): Promise<void> {
  let doc = await vscode.workspace.openTextDocument(uri);
  if (doc.languageId !== 'json') doc = await vscode.languages.setTextDocumentLanguage(doc, 'json');
  await vscode.window.showTextDocument(doc, { preview: true });
}

export function showRunData(services: Services, part: RunPart, arg?: unknown): Promise<ActionOutcome> {
  return actOnRuns(services, {
    title: part === 'input' ? vscode.l10n.t('Show Input') : vscode.l10n.t('Show Output'),
    scope: ACTION_SCOPES.read,
    pick: {
      title: part === 'input' ? vscode.l10n.t('Show the input of which run?') : vscode.l10n.t('Show the output of which run?'),
      emptyMessage: vscode.l10n.t('No flow runs to show.'),
    },
    on: (id) => (part === 'input' ? vscode.l10n.t('Show input of run {0}', id) : vscode.l10n.t('Show output of run {0}', id)),
  }, arg, undefined, async ({ ids: [id], known }) => {
    const run = await known(id, part === 'output' ? hasOutput : undefined);
    if (part === 'output' && !hasOutput(run)) {
      return inform(isActive(run)
        ? vscode.l10n.t('Run {0} has no output yet (it is {1}).', shortIdOf(run), statusWord(run))
        : vscode.l10n.t('Run {0} has no output (it {1}).', shortIdOf(run), statusWord(run)), false);
    }
    const uri = dataUri(run, part);
    await openPart(uri);
    return { ok: true, uri: uri.toString() };
  });
}
