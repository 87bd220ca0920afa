// "Run Flow" and "Run Again". Run Flow reads the active editor's text (saved
// or not, never modified), checks it (size, JSON, shape, the flow's input
// schema) and only then sends POST /flowruns. A programmatic caller may pass
// `{flow, input}` to start directly (Run Again, Clone -> Run It Now).
// Both commands resolve with an outcome so callers and tests know what the
// user was told.
import * as vscode from 'vscode';
import type { ApiResult, FlowRunsApi } from '../api/api';
import { isApiError } from '../api/errors';
import { flowDisplayName, type Flow, type FlowRun } from '../api/models';
import { pickFlow } from '../input/flowPicker';
import { inputFilesFor, type InputFiles } from '../input/inputFiles';
import { checkSize, parseInput, type ParsedInput } from '../input/parseInput';
import { judgeStoredInput, reviewFileText, type StoredInputVerdict } from '../input/rerunInput';
import { hasInputSchema, summarizeViolations, validateInput } from '../input/validateInput';
import { cleanServerText } from '../api/serverText';
import type { Services } from '../services';
import { isRecord } from '../shared/guards';
import { shortIdOf } from '../shared/runText';
import { describeError, showError } from '../views/showError';
import { runIdsFrom } from './runRef';

export type RunFlowOutcome =
  | { ok: true; run: FlowRun }
  | { ok: false; message: string; code: RunFlowFailure };

export type RunFlowFailure =
  | 'no_document'
  | 'input'
  | 'schema'
  | 'unknown_flow'
  | 'no_flow_chosen'
  | 'cancelled'
  | 'api'
  | 'no_run'
  /** Nothing was sent: the input was opened in an editor for the user to check. */
  | 'review';

/** The argument that starts a run directly, without an editor. */
export interface RunRequest {
  flow: string;
  input: Record<string, unknown>;
}

export function isRunRequest(arg: unknown): arg is RunRequest {
  return isRecord(arg) && typeof arg.flow === 'string' && arg.flow !== '' && isRecord(arg.input);
}

/** Run Again's argument for another flow with a past run's input (Clone -> Run It Now). */
export interface RerunRequest {
  runId: string;
  flow: string;
}

function isRerunRequest(arg: unknown): arg is RerunRequest {
  return isRecord(arg) && typeof arg.runId === 'string' && typeof arg.flow === 'string' && arg.flow !== '';
}

function fileName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || uri.toString();
}

/** The sentence for input that breaks the flow's input schema. */
function schemaMismatch(flow: Flow, violations: Parameters<typeof summarizeViolations>[0]): string {
  return vscode.l10n.t('The input does not match the input schema of "{0}": {1}.', flowDisplayName(flow), summarizeViolations(violations));
}

function flowGone(flowId: string): string {
  return vscode.l10n.t('No flow "{0}" was found for this API key; it may have been deleted.', flowId);
}

class RunFlowCommand {
  constructor(private readonly services: Services, private readonly files: InputFiles) {}

  private get log(): vscode.LogOutputChannel {
    return this.services.log;
  }

  /** Shows `<action> failed: <reason>` (with the fitting button) and returns the same text. */
  private fail(action: string, error: unknown, code: RunFlowFailure): RunFlowOutcome {
    showError(action, error, this.log);
    return { ok: false, message: vscode.l10n.t('{0} failed: {1}', action, describeError(error)), code };
  }

  /** Entry point of flowRuns.runFlow. */
  async run(arg: unknown): Promise<RunFlowOutcome> {
    if (isRunRequest(arg)) return this.start(vscode.l10n.t('Run Flow'), arg.flow, arg.input);
    const doc = await this.documentFor(arg);
    if (!doc) {
      return this.fail(vscode.l10n.t('Run Flow'), new Error(vscode.l10n.t('Open a flow input file (JSON) in the editor first, then run it.')), 'no_document');
    }
    return this.runDocument(doc);
  }

  private async documentFor(arg: unknown): Promise<vscode.TextDocument | undefined> {
    if (arg instanceof vscode.Uri) {
      // The open document holds unsaved edits: prefer it to the file on disk.
      return vscode.workspace.textDocuments.find((d) => d.uri.toString() === arg.toString())
        ?? vscode.workspace.openTextDocument(arg);
    }
    return vscode.window.activeTextEditor?.document;
  }

  private async runDocument(doc: vscode.TextDocument): Promise<RunFlowOutcome> {
    this.files.markAttempted(doc);
    const text = doc.getText();
    const tooLarge = checkSize(text);
    if (tooLarge) {
      this.files.clear(doc);
      return this.fail(vscode.l10n.t('Run Flow'), new Error(tooLarge.message), 'input');
    }
    const parsed = parseInput(text);
    if (!parsed.ok) {
      this.files.showProblem(doc, parsed.problem);
      return this.fail(vscode.l10n.t('Run Flow'), new Error(parsed.problem.message), 'input');
    }
    let api: FlowRunsApi;
    try {
      api = await this.services.session.requireApi();
    } catch (e) {
      return this.fail(vscode.l10n.t('Run Flow'), e, 'api');
    }
    const value = parsed.value;
    let flowId = value.form === 'request' ? value.flow : this.files.rememberedFlow(doc.uri);
    if (!flowId) {
      let chosen: Flow | undefined;
      try {
        chosen = await pickFlow(api, { title: vscode.l10n.t('Choose the flow to run with {0}', fileName(doc.uri)), log: this.log });
      } catch (e) {
        return this.fail(vscode.l10n.t('Run Flow'), e, 'api');
      }
      if (!chosen) return { ok: false, message: vscode.l10n.t('No flow was chosen; nothing was sent.'), code: 'no_flow_chosen' };
      flowId = chosen.id;
      await this.files.rememberFlow(doc.uri, flowId);
    }

    const flow = await this.loadFlow(api, flowId);
    if (flow === 'not_found') return this.unknownFlow(api, flowId, value, doc);
    if (flow && hasInputSchema(flow.input_schema)) {
      const violations = await validateInput(flow.input_schema, value.input, value.tree, value.inputPath);
      if (violations.length > 0) {
        this.files.showViolations(doc, violations);
        const error = new Error(schemaMismatch(flow, violations));
        return this.fail(vscode.l10n.t('Run Flow'), error, 'schema');
      }
    }
    this.files.clear(doc);
    const outcome = await this.create('Run Flow', api, flowId, value.input, flow, () => this.unknownFlow(api, flowId, value, doc));
    if (outcome.ok) this.files.lastRuns.record(doc.uri, outcome.run.id);
    return outcome;
  }

  /**
   * The flow for its title and schema. 'not_found' for a 404; undefined when
   * it cannot be read for another reason (a key without flows:read, a network
   * hiccup): the server then judges the input, and create reports any error.
   */
  private async loadFlow(api: FlowRunsApi, flowId: string): Promise<Flow | 'not_found' | undefined> {
    const cached = this.services.flows.peek(flowId);
    if (cached) return cached;
    try {
      const flow = await api.getFlow(flowId);
      this.services.flows.remember(flow);
      return flow;
    } catch (e) {
      if (isApiError(e) && e.kind === 'not_found') return 'not_found';
      this.log.warn(`[runFlow] could not read flow ${flowId} before starting it: ${describeError(e)}`);
      return undefined;
    }
  }

  /** 404: say so, forget a remembered choice, and offer the picker instead. */
  private async unknownFlow(api: FlowRunsApi, flowId: string, value: ParsedInput, doc: vscode.TextDocument | undefined): Promise<RunFlowOutcome> {
    if (doc && value.form === 'bare') await this.files.rememberFlow(doc.uri, undefined);
    if (doc && value.form === 'request') {
      this.files.showProblem(doc, {
        code: 'unknown_flow',
        message: vscode.l10n.t('No flow "{0}" was found for this API key.', flowId),
        offset: value.flowSpan.offset,
        length: value.flowSpan.length,
      });
    }
    const reason = vscode.l10n.t('No flow "{0}" was found for this API key. Choose one of your flows instead.', flowId);
    const text = vscode.l10n.t('{0} failed: {1}', vscode.l10n.t('Run Flow'), reason);
    this.log.warn(`[error] Run Flow: ${reason}`);
    const choose = vscode.l10n.t('Choose a Flow…');
    void vscode.window.showErrorMessage(text, choose).then(async (choice) => {
      if (choice !== choose) return;
      const flow = await pickFlow(api, { title: vscode.l10n.t('Choose the flow to run with this input'), log: this.log }).catch((e: unknown) => {
        showError(vscode.l10n.t('Run Flow'), e, this.log);
        return undefined;
      });
      if (!flow) return;
      if (doc && value.form === 'bare') await this.files.rememberFlow(doc.uri, flow.id);
      if (doc) this.files.clear(doc);
      await this.start(vscode.l10n.t('Run Flow'), flow.id, value.input);
    });
    return { ok: false, message: text, code: 'unknown_flow' };
  }

  /** Starts a run from `{flow, input}`: the flow is checked the same way, without a file to mark. */
  async start(action: string, flowId: string, input: Record<string, unknown>): Promise<RunFlowOutcome> {
    let api: FlowRunsApi;
    try {
      api = await this.services.session.requireApi();
    } catch (e) {
      return this.fail(action, e, 'api');
    }
    const tooLarge = checkSize(JSON.stringify(input));
    if (tooLarge) return this.fail(action, new Error(tooLarge.message.replace('The file is', 'The input is')), 'input');
    const flow = await this.loadFlow(api, flowId);
    if (flow === 'not_found') {
      return this.fail(action, new Error(flowGone(flowId)), 'unknown_flow');
    }
    if (flow && hasInputSchema(flow.input_schema)) {
      const violations = await validateInput(flow.input_schema, input);
      if (violations.length > 0) {
        const error = new Error(schemaMismatch(flow, violations));
        return this.fail(action, error, 'schema');
      }
    }
    return this.create(action, api, flowId, input, flow, () =>
      this.fail(action, new Error(flowGone(flowId)), 'unknown_flow'));
  }

  /** POST /flowruns under a cancellable progress notification. */
  private async create(
    action: string,
    api: FlowRunsApi,
    flowId: string,
    input: Record<string, unknown>,
    flow: Flow | undefined,
    onNotFound: () => RunFlowOutcome | Promise<RunFlowOutcome>,
  ): Promise<RunFlowOutcome> {
    const title = flow ? flowDisplayName(flow) : (this.services.flows.title(flowId) ?? flowId);
    let result: ApiResult<FlowRun>;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting {0}…', title), cancellable: true },
        (_progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          return api.createRun(flowId, input, { signal: abort.signal }).finally(() => {
            sub.dispose();
          });
        },
      );
    } catch (e) {
      if (isApiError(e) && e.kind === 'aborted') {
        this.log.info(`[runFlow] starting ${flowId} was cancelled by the user`);
        return { ok: false, message: vscode.l10n.t('{0} was cancelled; the request was stopped before the server answered.', action), code: 'cancelled' };
      }
      if (isApiError(e) && e.kind === 'not_found') return onNotFound();
      return this.fail(action, e, 'api');
    }
    const run = result.data;
    this.log.info(`[runFlow] started ${run.id} of ${flowId}`);
    this.services.runStarted(run, input);
    void vscode.commands.executeCommand('flowRuns.openRun', run.id).then(undefined, (e: unknown) => {
      this.log.warn(`[runFlow] opening the panel of ${run.id} failed: ${describeError(e)}`);
    });
    for (const m of result.messages) {
      const text = `${title}: ${m.message}`;
      if (m.level === 'info') void vscode.window.showInformationMessage(text);
      else void vscode.window.showWarningMessage(text);
    }
    return { ok: true, run };
  }

  /**
   * Entry point of flowRuns.runAgain: the same flow and input as a past run,
   * or with `{runId, flow}` another flow (Run It Now after a clone). The input
   * is the one this window sent when it still holds it; else the run's stored
   * input if it fits the flow's schema; else a draft opened for review.
   */
  async runAgain(arg: unknown, selection?: unknown): Promise<RunFlowOutcome> {
    const otherFlow = isRerunRequest(arg) ? arg.flow : undefined;
    const action = otherFlow ? vscode.l10n.t('Run It Now') : vscode.l10n.t('Run Again');
    const [id] = runIdsFrom(arg, selection);
    if (!id) {
      const error = new Error(vscode.l10n.t('Choose a run first: use Run Again on a run in the Runs view or in its panel.'));
      return this.fail(action, error, 'no_run');
    }
    const sent = this.services.sentInputs.get(id);
    if (sent && otherFlow) return this.start(action, otherFlow, sent);
    let run = this.services.store.get(id);
    if (sent && run?.flow_id) return this.start(action, run.flow_id, sent);

    let api: FlowRunsApi;
    try {
      api = await this.services.session.requireApi();
      if (!run || !run.flow_id || (!sent && run.input === undefined)) run = await api.getRun(id);
    } catch (e) {
      return this.fail(action, e, 'api');
    }
    const flowId = otherFlow ?? run.flow_id;
    if (sent) return this.start(action, flowId, sent);
    const flow = await this.loadFlow(api, flowId);
    if (flow === 'not_found') {
      return this.fail(action, new Error(flowGone(flowId)), 'unknown_flow');
    }
    // A verdict of "fits" is checked against the schema once more by start(): cheap, and start stays the one way in.
    const verdict = await judgeStoredInput(run.input, flow?.input_schema);
    if (verdict.fits) return this.start(action, flowId, verdict.input);
    this.log.info(`[runFlow] ${action} of ${run.id}: stored input not sent (${verdict.reason}); opened a draft for review`);
    return this.openForReview(action, run, flowId, flow, verdict);
  }

  /** Opens the draft `{flow, input}` in an untitled editor: nothing the run held is lost, nothing wrong is sent. */
  private async openForReview(
    action: string,
    run: FlowRun,
    flowId: string,
    flow: Flow | undefined,
    verdict: Extract<StoredInputVerdict, { fits: false }>,
  ): Promise<RunFlowOutcome> {
    const title = cleanServerText(flow ? flowDisplayName(flow) : (this.services.flows.title(flowId) ?? flowId), { maxChars: 80 });
    const reason = cleanServerText(verdict.reason, { maxChars: 300 });
    const content = reviewFileText(flowId, verdict.draft, [
      vscode.l10n.t('{0}: run {1} of "{2}". Nothing was sent, because {3}.', action, shortIdOf(run), title, reason),
      vscode.l10n.t('Check "input" below, then run this file with "Run Flow": the ▶ in the editor title, or "Flow Runs: Run Flow" from the Command Palette.'),
    ]);
    try {
      const doc = await vscode.workspace.openTextDocument({ language: 'jsonc', content });
      await vscode.window.showTextDocument(doc, { preview: false });
    } catch (e) {
      return this.fail(action, e, 'review');
    }
    const message = vscode.l10n.t('{0}: nothing was sent, because {1}. The input is open in a new editor: check it, then run it with "Run Flow".', action, reason);
    void vscode.window.showWarningMessage(message);
    return { ok: false, message, code: 'review' };
  }
}

export function register(context: vscode.ExtensionContext, services: Services): void {
  const command = new RunFlowCommand(services, inputFilesFor(context, services));
  context.subscriptions.push(
    vscode.commands.registerCommand('flowRuns.runFlow', (arg?: unknown) => command.run(arg)),
    vscode.commands.registerCommand('flowRuns.runAgain', (arg?: unknown, selection?: unknown) => command.runAgain(arg, selection)),
  );
}
