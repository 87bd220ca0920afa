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

const ACTION = 'Open Link';

/** Says why a link opens nothing, as an error the user can act on. */
function refuse(services: Services, reason: string): ActionOutcome {
  const text = `Flow Runs cannot open this link: ${reason}`;
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
  return new LinkOpener(services, files).open(uri).catch((e: unknown) => failure(services, ACTION, e, ACTION_SCOPES.read));
}

class LinkOpener {
  constructor(private readonly services: Services, private readonly files: InputFiles) {}

  async open(uri: vscode.Uri): Promise<ActionOutcome> {
    const target = parseLink(uri.path, uri.query);
    if (target.kind === 'bad') return refuse(this.services, target.reason);
    try {
      await this.services.session.requireApi();
    } catch (e) {
      return failure(this.services, ACTION, e, ACTION_SCOPES.read);
    }
    return target.kind === 'run' ? this.openRun(target.runId) : this.openFlow(target.flowId, target.input);
  }

  private elsewhere(what: string): string {
    return `${what} was not found with the API key for ${this.services.session.baseUrl}. The link may be for another account or server, or it was deleted.`;
  }

  private async openRun(runId: string): Promise<ActionOutcome> {
    if (!this.services.store.get(runId)) {
      try {
        const api = await this.services.session.requireApi();
        this.services.store.upsert(await api.getRun(runId));
      } catch (e) {
        if (isApiError(e) && e.kind === 'not_found') return refuse(this.services, this.elsewhere(`Run ${runId}`));
        return failure(this.services, `Open run ${shortIdOf(runId)}`, e, ACTION_SCOPES.read);
      }
    }
    await vscode.commands.executeCommand('flowRuns.openRun', runId);
    return { ok: true, message: `Opened run ${shortIdOf(runId)}` };
  }

  private async loadFlow(flowId: string): Promise<Flow | ActionOutcome> {
    const held = this.services.flows.peek(flowId);
    if (held) return held;
    try {
      const flow = await (await this.services.session.requireApi()).getFlow(flowId);
      this.services.flows.remember(flow);
      return flow;
    } catch (e) {
      if (isApiError(e) && e.kind === 'not_found') return refuse(this.services, this.elsewhere(`Flow "${flowId}"`));
      return failure(this.services, `Open flow ${flowId}`, e, ACTION_SCOPES.read);
    }
  }

  private async openFlow(flowId: string, input: string | undefined): Promise<ActionOutcome> {
    const flow = await this.loadFlow(flowId);
    if (!('id' in flow)) return flow;
    const title = cleanServerText(flowDisplayName(flow), { maxChars: 80 });
    if (input === undefined) {
      const content = reviewFileText(flowId, defaultsOf(flow.input_schema), [
        `A link opened "${title}". Fill in "input", then run this file with "Run Flow": the ▶ in the editor title or above. Nothing runs until you do.`,
      ]);
      const doc = await vscode.workspace.openTextDocument({ language: 'jsonc', content });
      await vscode.window.showTextDocument(doc, { preview: false });
      return { ok: true, message: `Opened a draft input for ${title}`, uri: doc.uri.toString() };
    }
    if (!/\.jsonc?$/i.test(input)) return refuse(this.services, `${linkText(input)} is not a JSON input file.`);
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) return refuse(this.services, `open the folder that holds ${linkText(input)} first; the link names a file inside a workspace.`);
    let file: vscode.Uri | undefined;
    for (const folder of folders) {
      const candidate = vscode.Uri.joinPath(folder.uri, ...input.split('/'));
      const stat = await Promise.resolve(vscode.workspace.fs.stat(candidate)).catch(() => undefined);
      if (stat && stat.type & vscode.FileType.File) {
        file = candidate;
        break;
      }
    }
    if (!file) return refuse(this.services, `there is no file ${linkText(input)} in this workspace.`);
    const editor = await vscode.window.showTextDocument(file, { preview: false });
    return { ok: true, message: this.matchFlow(editor.document, flowId, title), uri: file.toString() };
  }

  /** The file runs the link's flow; a file set up for another flow keeps it, and the user is told. */
  private matchFlow(doc: vscode.TextDocument, flowId: string, title: string): string {
    const name = doc.uri.path.split('/').pop() ?? doc.uri.path;
    const own = this.files.flowIdFor(doc);
    if (!own) {
      void this.files.rememberFlow(doc.uri, flowId);
      return `Opened ${name} for ${title}`;
    }
    if (own.id === flowId) return `Opened ${name} for ${title}`;
    const text = own.declared
      ? `${name} names flow "${own.id}", not the link's "${flowId}": Run Flow runs the flow the file names.`
      : `${name} is set to run flow "${own.id}", not the link's "${flowId}": use "Flow: … (change)" above the input to switch.`;
    void vscode.window.showWarningMessage(text);
    return text;
  }
}
