// Links into VS Code: `<uriScheme>://flow-runs.flow-runs/run/<id>` opens the
// run's panel in this window; `/flow/<id>?input=<workspace path>` opens that
// input file ready for Run Flow (without `input`, a draft for the flow). A
// link never starts a run: the user still clicks Run Flow. A link that asks
// for something we cannot or will not open says why and opens nothing.
// Loaded on first use, with Compare With… (dist/links.js, see runLink.ts):
// the UriHandler and the commands that call in here live in runLink.ts.
import * as vscode from 'vscode';
import { isApiError } from '../api/errors';
import { cleanServerText } from '../api/serverText';
import { flowDisplayName, type Flow } from '../api/models';
import type { InputFiles } from '../input/inputFiles';
import { reviewFileText } from '../input/rerunInput';
import type { Services } from '../services';
import { isRecord } from '../shared/guards';
import { linkText, parseLink } from '../shared/links';
import { shortIdOf } from '../shared/runText';
import { ACTION_SCOPES, failure, type ActionOutcome } from './actOnRuns';

export { compareRuns } from './compareRuns';

const action = (): string => vscode.l10n.t('Open Link');

/** Says why a link opens nothing, as an error the user can act on. */
function refuse(services: Services, reason: string): ActionOutcome {
  const text = vscode.l10n.t('Flow Runs cannot open this link: {0}', reason);
  services.log.warn(`[links] ${text}`);
  void vscode.window.showErrorMessage(text);
  return { ok: false, message: text };
}

/** The input a draft starts from: each field's schema default, where it has one. */
function defaultsOf(schema: unknown): Record<string, unknown> {
  const draft: Record<string, unknown> = {};
  if (isRecord(schema) && isRecord(schema.properties)) {
    for (const [key, prop] of Object.entries(schema.properties)) {
      if (isRecord(prop) && prop.default !== undefined) draft[key] = prop.default;
    }
  }
  return draft;
}

/** Opens what a link asks for; resolves with what the user was told. */
export function openLink(services: Services, files: InputFiles, uri: vscode.Uri): Promise<ActionOutcome> {
  return new LinkOpener(services, files).open(uri).catch((e: unknown) => failure(services, action(), e, ACTION_SCOPES.read));
}

class LinkOpener {
  constructor(private readonly services: Services, private readonly files: InputFiles) {}

  async open(uri: vscode.Uri): Promise<ActionOutcome> {
    const target = parseLink(uri.path, uri.query);
    if (target.kind === 'bad') return refuse(this.services, target.reason);
    try {
      await this.services.session.requireApi();
    } catch (e) {
      return failure(this.services, action(), e, ACTION_SCOPES.read);
    }
    return target.kind === 'run' ? this.openRun(target.runId) : this.openFlow(target.flowId, target.input);
  }

  private elsewhere(what: string): string {
    return vscode.l10n.t('{0} was not found with the API key for {1}. The link may be for another account or server, or it was deleted.', what, this.services.session.baseUrl);
  }

  private async openRun(runId: string): Promise<ActionOutcome> {
    if (!this.services.store.get(runId)) {
      try {
        const api = await this.services.session.requireApi();
        this.services.store.upsert(await api.getRun(runId));
      } catch (e) {
        if (isApiError(e) && e.kind === 'not_found') return refuse(this.services, this.elsewhere(vscode.l10n.t('Run {0}', runId)));
        return failure(this.services, vscode.l10n.t('Open run {0}', shortIdOf(runId)), e, ACTION_SCOPES.read);
      }
    }
    await vscode.commands.executeCommand('flowRuns.openRun', runId);
    return { ok: true, message: vscode.l10n.t('Opened run {0}', shortIdOf(runId)) };
  }

  private async loadFlow(flowId: string): Promise<Flow | ActionOutcome> {
    const held = this.services.flows.peek(flowId);
    if (held) return held;
    try {
      const flow = await (await this.services.session.requireApi()).getFlow(flowId);
      this.services.flows.remember(flow);
      return flow;
    } catch (e) {
      if (isApiError(e) && e.kind === 'not_found') return refuse(this.services, this.elsewhere(vscode.l10n.t('Flow "{0}"', flowId)));
      return failure(this.services, vscode.l10n.t('Open flow {0}', flowId), e, ACTION_SCOPES.read);
    }
  }

  private async openFlow(flowId: string, input: string | undefined): Promise<ActionOutcome> {
    const flow = await this.loadFlow(flowId);
    if (!('id' in flow)) return flow;
    const title = cleanServerText(flowDisplayName(flow), { maxChars: 80 });
    if (input === undefined) {
      const content = reviewFileText(flowId, defaultsOf(flow.input_schema), [
        vscode.l10n.t('A link opened "{0}". Fill in "input", then run this file with "Run Flow": the ▶ in the editor title or above. Nothing runs until you do.', title),
      ]);
      const doc = await vscode.workspace.openTextDocument({ language: 'jsonc', content });
      await vscode.window.showTextDocument(doc, { preview: false });
      return { ok: true, message: vscode.l10n.t('Opened a draft input for {0}', title), uri: doc.uri.toString() };
    }
    if (!/\.jsonc?$/i.test(input)) return refuse(this.services, vscode.l10n.t('{0} is not a JSON input file.', linkText(input)));
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) return refuse(this.services, vscode.l10n.t('open the folder that holds {0} first; the link names a file inside a workspace.', linkText(input)));
    let file: vscode.Uri | undefined;
    for (const folder of folders) {
      const candidate = vscode.Uri.joinPath(folder.uri, ...input.split('/'));
      const stat = await Promise.resolve(vscode.workspace.fs.stat(candidate)).catch(() => undefined);
      if (stat && stat.type & vscode.FileType.File) {
        file = candidate;
        break;
      }
    }
    if (!file) return refuse(this.services, vscode.l10n.t('there is no file {0} in this workspace.', linkText(input)));
    const editor = await vscode.window.showTextDocument(file, { preview: false });
    return { ok: true, message: this.matchFlow(editor.document, flowId, title), uri: file.toString() };
  }

  /** The file runs the link's flow; a file set up for another flow keeps it, and the user is told. */
  private matchFlow(doc: vscode.TextDocument, flowId: string, title: string): string {
    const name = doc.uri.path.split('/').pop() ?? doc.uri.path;
    const own = this.files.flowIdFor(doc);
    if (!own) {
      void this.files.rememberFlow(doc.uri, flowId);
      return vscode.l10n.t('Opened {0} for {1}', name, title);
    }
    if (own.id === flowId) return vscode.l10n.t('Opened {0} for {1}', name, title);
    const text = own.declared
      ? vscode.l10n.t('{0} names flow "{1}", not the link\'s "{2}": Run Flow runs the flow the file names.', name, own.id, flowId)
      : vscode.l10n.t('{0} is set to run flow "{1}", not the link\'s "{2}": use "Flow: … (change)" above the input to switch.', name, own.id, flowId);
    void vscode.window.showWarningMessage(text);
    return text;
  }
}
