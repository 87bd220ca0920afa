// Everything an input file gets while it is open: the "▶ Run Flow" CodeLens
// (with the file's last run and its status),
// our own diagnostics (syntax and structure problems found by Run Flow, schema
// violations checked with ajv, kept live while typing), the flow remembered per
// file for bare inputs, and the `flowruns-schema:` document that VS Code's JSON
// language service applies to `*.flow.json` files.
import * as vscode from 'vscode';
import { flowDisplayName, type Flow } from '../api/models';
import type { Services } from '../services';
import { showError } from '../views/showError';
import { pickFlow } from './flowPicker';
import { LastRuns, lastRunTitle } from './lastRuns';
import { checkSize, declaredFlow, parseInput, type InputProblem, type TextSpan } from './parseInput';
import { schemaDocumentText, type SchemaWords } from './schemaDocument';
import { hasInputSchema, validateInput, type SchemaViolation } from './validateInput';

export const SCHEMA_SCHEME = 'flowruns-schema';
/**
 * The schema's address. VS Code's jsonValidation contribution point wants an
 * absolute URL with `//`, so package.json should name this one; the provider
 * serves the same document at any address of the scheme.
 */
export const SCHEMA_URI = `${SCHEMA_SCHEME}://schemas/flow-input.json`;
export const DIAGNOSTIC_SOURCE = 'Flow Runs';
const REMEMBER_PREFIX = 'flowRuns.flowFor:';
const LIVE_DELAY_MS = 300;
const FLOW_LIST_PAGE = 50;
const FLOW_LIST_MAX_PAGES = 20;
/** How long a flow id that could not be loaded is not asked for again while typing. */
const MISSING_RETRY_MS = 60_000;
/** Input-file detection parses the text; beyond this size only the file name counts. */
const DETECT_MAX_CHARS = 1024 * 1024;

function isJsonDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'json' || doc.languageId === 'jsonc';
}

/** package.json's jsonValidation gives `*.flow.json` files our schema document. */
function isSchemaAssociated(doc: vscode.TextDocument): boolean {
  return doc.uri.path.toLowerCase().endsWith('.flow.json');
}

function rangeOf(doc: vscode.TextDocument, span: TextSpan): vscode.Range {
  const start = doc.positionAt(span.offset);
  return new vscode.Range(start, doc.positionAt(span.offset + Math.max(span.length, 0)));
}

/** The schema's hover words in the user's language. */
function schemaWords(): SchemaWords {
  return {
    requestTitle: vscode.l10n.t('Flow run request'),
    requestDescription: vscode.l10n.t('What "Flow Runs: Run Flow" sends to POST /flowruns: the flow to run and its input.'),
    flowTitle: vscode.l10n.t('Flow'),
    flowDescription: vscode.l10n.t('The id of the flow to run.'),
    inputTitle: vscode.l10n.t('Input'),
    inputDescription: vscode.l10n.t("The flow's inputs; their shape depends on the flow."),
    flowInputTitle: vscode.l10n.t('Input of "{0}"'),
    flowInputDescription: vscode.l10n.t('The inputs of the flow {0}.'),
  };
}

/** Serves the schema document; fires onDidChange when the set of known flows changes it. */
class FlowSchemaProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private text: string;
  private readonly words = schemaWords();

  constructor(private readonly flows: () => readonly Flow[], private readonly onRequest: () => void) {
    this.text = schemaDocumentText(flows(), this.words);
  }

  provideTextDocumentContent(): string {
    this.onRequest();
    return this.text;
  }

  /** Rebuilds the text; tells VS Code only when it really changed. */
  refresh(): boolean {
    const next = schemaDocumentText(this.flows(), this.words);
    if (next === this.text) return false;
    this.text = next;
    const open = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === SCHEMA_SCHEME).map((d) => d.uri);
    for (const uri of open.some((u) => u.toString() === SCHEMA_URI) ? open : [...open, vscode.Uri.parse(SCHEMA_URI)]) this.changed.fire(uri);
    return true;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The state of input files in one window; Run Flow (src/commands/runFlow.ts) shares it. */
export class InputFiles implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('flowRuns');
  readonly schemaProvider: FlowSchemaProvider;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  /** The last run Run Flow started from each file (the CodeLens shows it). */
  readonly lastRuns: LastRuns;
  /** Files Run Flow was used on: they keep showing syntax and structure problems live. */
  private readonly attempted = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Flows known for the schema document, by id (list pages and full flows). */
  private readonly known = new Map<string, Flow>();
  private readonly missing = new Map<string, number>();
  private listLoad: Promise<void> | undefined;
  private schemaTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly services: Services) {
    this.schemaProvider = new FlowSchemaProvider(() => [...this.known.values()], () => void this.loadFlowList());
    this.lastRuns = new LastRuns(services);
    this.disposables.push(
      this.lastRuns,
      this.lastRuns.onDidChange(() => this.lensesChanged.fire()),
      this.diagnostics,
      this.lensesChanged,
      this.schemaProvider,
      services.flows.onDidLoad((flow) => {
        this.known.set(flow.id, flow);
        this.missing.delete(flow.id);
        this.scheduleSchemaRefresh();
      }),
      services.session.onDidChange(() => {
        this.known.clear();
        this.missing.clear();
        this.listLoad = undefined;
        this.scheduleSchemaRefresh();
        if (vscode.workspace.textDocuments.some((d) => this.isInputFile(d))) void this.loadFlowList();
      }),
    );
  }

  // ---- which files are input files, and for which flow ----

  private rememberKey(uri: vscode.Uri): string {
    return `${REMEMBER_PREFIX}${uri.toString()}`;
  }

  /** The flow chosen for a bare input file, if any. */
  rememberedFlow(uri: vscode.Uri): string | undefined {
    const id = this.services.context.workspaceState.get<unknown>(this.rememberKey(uri));
    return typeof id === 'string' && id ? id : undefined;
  }

  async rememberFlow(uri: vscode.Uri, flowId: string | undefined): Promise<void> {
    await this.services.context.workspaceState.update(this.rememberKey(uri), flowId);
    this.lensesChanged.fire();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc) this.schedule(doc, 0);
  }

  /** A `*.flow.json` file, a JSON file whose root has a `flow` string, or a file with a remembered flow. */
  isInputFile(doc: vscode.TextDocument): boolean {
    if (!isJsonDocument(doc)) return false;
    if (isSchemaAssociated(doc)) return true;
    if (this.rememberedFlow(doc.uri)) return true;
    return doc.getText().length <= DETECT_MAX_CHARS && declaredFlow(doc.getText()) !== undefined;
  }

  /** The flow this file runs: the one it declares, else the remembered one. */
  flowIdFor(doc: vscode.TextDocument): { id: string; declared: boolean } | undefined {
    if (doc.getText().length <= DETECT_MAX_CHARS) {
      const declared = declaredFlow(doc.getText());
      if (declared !== undefined) return { id: declared, declared: true };
    }
    const remembered = this.rememberedFlow(doc.uri);
    return remembered ? { id: remembered, declared: false } : undefined;
  }

  // ---- diagnostics ----

  /** Run Flow was used on this file: from now on its problems are shown live too. */
  markAttempted(doc: vscode.TextDocument): void {
    this.attempted.add(doc.uri.toString());
  }

  showProblem(doc: vscode.TextDocument, problem: InputProblem): void {
    if (problem.offset === undefined) {
      this.diagnostics.delete(doc.uri);
      return;
    }
    const d = new vscode.Diagnostic(
      rangeOf(doc, { offset: problem.offset, length: problem.length ?? 0 }),
      problem.message,
      vscode.DiagnosticSeverity.Error,
    );
    d.source = DIAGNOSTIC_SOURCE;
    d.code = problem.code;
    this.diagnostics.set(doc.uri, [d]);
  }

  showViolations(doc: vscode.TextDocument, violations: readonly SchemaViolation[]): void {
    this.diagnostics.set(
      doc.uri,
      violations.map((v) => {
        const d = new vscode.Diagnostic(rangeOf(doc, v), v.message, vscode.DiagnosticSeverity.Error);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = v.keyword;
        return d;
      }),
    );
  }

  clear(doc: vscode.TextDocument): void {
    this.diagnostics.delete(doc.uri);
  }

  /** Re-checks a file after a pause in typing. */
  schedule(doc: vscode.TextDocument, delay = LIVE_DELAY_MS): void {
    const key = doc.uri.toString();
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.validate(doc).catch((e: unknown) => {
        this.services.log.warn(`[input] checking ${doc.uri.path} failed: ${e instanceof Error ? e.message : String(e)}`);
      });
    }, delay));
  }

  /** A flow with its schema, without asking again for ids that just failed. */
  async flowFor(id: string): Promise<Flow | undefined> {
    const cached = this.services.flows.peek(id);
    if (cached) return cached;
    const failedAt = this.missing.get(id);
    if (failedAt !== undefined && Date.now() - failedAt < MISSING_RETRY_MS) return undefined;
    const flow = await this.services.flows.get(id);
    if (!flow) this.missing.set(id, Date.now());
    return flow;
  }

  /** The live check: structure (after a Run Flow attempt) and the flow's input schema. */
  async validate(doc: vscode.TextDocument): Promise<void> {
    if (this.disposed || doc.isClosed) return;
    const key = doc.uri.toString();
    const attempted = this.attempted.has(key);
    if (!attempted && !this.isInputFile(doc)) {
      this.diagnostics.delete(doc.uri);
      return;
    }
    const version = doc.version;
    const text = doc.getText();
    if (checkSize(text)) {
      this.diagnostics.delete(doc.uri);
      return;
    }
    // While typing in a *.flow.json file, VS Code's JSON service applies our schema document
    // and squiggles the same violations: showing ours too would double every one. After Run
    // Flow was used on the file, ours stay and follow the text until fixed.
    if (!attempted && isSchemaAssociated(doc)) {
      this.diagnostics.delete(doc.uri);
      return;
    }
    const parsed = parseInput(text);
    if (!parsed.ok) {
      // VS Code's JSON service already flags broken JSON while typing; ours only after Run Flow said so.
      if (attempted) this.showProblem(doc, parsed.problem);
      else this.diagnostics.delete(doc.uri);
      return;
    }
    const value = parsed.value;
    const flowId = value.form === 'request' ? value.flow : this.rememberedFlow(doc.uri);
    const flow = flowId ? await this.flowFor(flowId) : undefined;
    if (doc.isClosed || doc.version !== version) return; // a newer check is on its way
    if (!flow || !hasInputSchema(flow.input_schema)) {
      this.diagnostics.delete(doc.uri);
      return;
    }
    const violations = await validateInput(flow.input_schema, value.input, value.tree, value.inputPath);
    if (doc.isClosed || doc.version !== version) return; // the validator may have been loading meanwhile
    this.showViolations(doc, violations);
  }

  // ---- the flows behind the schema document ----

  /** Loads the user's flows (bounded paging) so the schema document knows each one. */
  loadFlowList(): Promise<void> {
    if (this.listLoad) return this.listLoad;
    const api = this.services.session.current();
    if (!api) return Promise.resolve();
    const load = (async () => {
      let cursor: string | undefined;
      for (let page = 0; page < FLOW_LIST_MAX_PAGES; page++) {
        const result = await api.listFlows({ limit: FLOW_LIST_PAGE, ...(cursor ? { cursor } : {}) });
        for (const f of result.items) {
          // A full flow from the catalog beats a list item, which may be slim.
          if (!this.services.flows.peek(f.id)) this.known.set(f.id, f);
        }
        cursor = result.next_cursor ?? undefined;
        if (!result.has_next || !cursor) break;
      }
      this.scheduleSchemaRefresh();
    })().catch((e: unknown) => {
      // Never a toast from background loading: the log says why, Run Flow will say it to the user.
      this.services.log.warn(`[input] loading flows for the input schema failed: ${e instanceof Error ? e.message : String(e)}`);
      if (this.listLoad === load) this.listLoad = undefined;
    });
    this.listLoad = load;
    return load;
  }

  private scheduleSchemaRefresh(): void {
    if (this.schemaTimer) clearTimeout(this.schemaTimer);
    this.schemaTimer = setTimeout(() => {
      this.schemaTimer = undefined;
      if (this.disposed) return;
      if (this.schemaProvider.refresh()) this.services.log.debug(`[input] input schema updated (${this.known.size} flows)`);
      this.lensesChanged.fire();
      for (const doc of vscode.workspace.textDocuments) {
        if (this.attempted.has(doc.uri.toString()) || this.isInputFile(doc)) this.schedule(doc, 0);
      }
    }, 100);
  }

  /** An input file was opened: make sure its flow (and the list of flows) is known. */
  onOpened(doc: vscode.TextDocument): void {
    if (!this.isInputFile(doc)) return;
    void this.loadFlowList();
    const flow = this.flowIdFor(doc);
    if (flow) void this.flowFor(flow.id);
    this.schedule(doc, 0);
  }

  onClosed(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    this.attempted.delete(key);
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    this.diagnostics.delete(doc.uri);
  }

  knownFlows(): Flow[] {
    return [...this.known.values()];
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    if (this.schemaTimer) clearTimeout(this.schemaTimer);
    for (const d of this.disposables) d.dispose();
  }
}

/** "▶ Run Flow" and the flow the file runs, at the top of every input file. */
class RunFlowLenses implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly files: InputFiles, private readonly services: Services) {
    this.onDidChangeCodeLenses = files.onDidChangeCodeLenses;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.files.isInputFile(doc)) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [
      new vscode.CodeLens(top, {
        title: vscode.l10n.t('▶ Run Flow'), command: 'flowRuns.runFlow', arguments: [doc.uri], tooltip: vscode.l10n.t('Start a run of the flow with this input'),
      }),
    ];
    const last = this.files.lastRuns.lastRun(doc.uri);
    if (last) {
      lenses.push(new vscode.CodeLens(top, {
        title: lastRunTitle(last.run, last.runId, Date.now()),
        command: 'flowRuns.openRun',
        arguments: [last.runId],
        tooltip: `Open run ${last.runId}, the last run started from this file`,
      }));
    }
    const flow = this.files.flowIdFor(doc);
    if (!flow) {
      lenses.push(new vscode.CodeLens(top, {
        title: vscode.l10n.t('Choose flow…'), command: 'flowRuns.chooseFlow', arguments: [doc.uri], tooltip: vscode.l10n.t('Pick the flow this input is for'),
      }));
    } else {
      const known = this.services.flows.peek(flow.id);
      const title = known ? flowDisplayName(known) : flow.id;
      lenses.push(
        flow.declared
          ? new vscode.CodeLens(top, { title: vscode.l10n.t('Flow: {0}', title), command: '', tooltip: flow.id })
          : new vscode.CodeLens(top, {
            title: vscode.l10n.t('Flow: {0} (change)', title),
            command: 'flowRuns.chooseFlow',
            arguments: [doc.uri],
            tooltip: vscode.l10n.t('{0}: choose another flow for this file', flow.id),
          }),
      );
    }
    return lenses;
  }
}

const shared = new WeakMap<vscode.ExtensionContext, InputFiles>();

/**
 * The window's InputFiles, made on first use. Keyed by the extension context,
 * so inputFiles.register and runFlow.register share one instance without a
 * module-level singleton.
 */
export function inputFilesFor(context: vscode.ExtensionContext, services: Services): InputFiles {
  let files = shared.get(context);
  if (!files) {
    files = new InputFiles(services);
    shared.set(context, files);
    context.subscriptions.push(files);
  }
  return files;
}

export function register(context: vscode.ExtensionContext, services: Services): InputFiles {
  const files = inputFilesFor(context, services);
  const selector: vscode.DocumentSelector = [{ language: 'json' }, { language: 'jsonc' }];

  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SCHEMA_SCHEME, files.schemaProvider),
    vscode.languages.registerCodeLensProvider(selector, new RunFlowLenses(files, services)),
    vscode.workspace.onDidOpenTextDocument((doc) => files.onOpened(doc)),
    vscode.workspace.onDidCloseTextDocument((doc) => files.onClosed(doc)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0 || !isJsonDocument(e.document)) return;
      files.schedule(e.document);
    }),
    vscode.commands.registerCommand('flowRuns.chooseFlow', (arg?: unknown) => chooseFlow(files, services, arg)),
  );
  for (const doc of vscode.workspace.textDocuments) files.onOpened(doc);
  return files;
}

/** CodeLens "(change)": pick another flow for a bare input file. Returns the chosen flow id. */
async function chooseFlow(files: InputFiles, services: Services, arg: unknown): Promise<string | undefined> {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri) return undefined;
  try {
    const api = await services.session.requireApi();
    const name = uri.path.split('/').pop() ?? uri.path;
    const flow = await pickFlow(api, {
      title: vscode.l10n.t('Choose the flow for {0}', name),
      currentId: files.rememberedFlow(uri),
      log: services.log,
    });
    if (!flow) return undefined;
    // The list item may be slim: load the full flow (schema, graph) into the catalog.
    void services.flows.get(flow.id);
    await files.rememberFlow(uri, flow.id);
    return flow.id;
  } catch (e) {
    showError(vscode.l10n.t('Choose Flow'), e, services.log);
    return undefined;
  }
}
