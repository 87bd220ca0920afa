// The host side of one run's panel. It holds a follower lease for as long as
// the panel is open (closing the panel releases it, so the streams close at
// once), answers the webview's `ready` with a snapshot and afterwards posts
// only what changed. The network stays here; the webview only renders.
import * as vscode from 'vscode';
import type { ApiError } from '../../api/errors';
import type { Flow, FlowRun, Task } from '../../api/models';
import { decodeLogContent } from '../../runs/logContent';
import type { FollowerHandle } from '../../runs/followers';
import type { RunChange } from '../../runs/follower';
import type { Services } from '../../services';
import {
  parseWebviewMessage,
  type HostMessage,
  type PanelConnection,
  type PanelGraph,
  type PanelRun,
  type PanelTask,
  type RunAction,
  type WebviewMessage,
} from '../../shared/protocol';
import { runStatusIcon, shortIdOf } from '../../shared/runText';
import { describeError, showError } from '../showError';
import { panelHtml, webviewOptions } from './html';
import { loopbackImage, type ImageAnswer } from './loopbackImages';
import { LogTracker, PanelDiffer } from './panelDiff';
import { panelStrings } from './panelStrings';
import {
  collectTasks, graphSourceOf, logsInOrder, nodeOfTask, toPanelGraph, toPanelRun, toPanelTask,
} from './panelModel';

export const RUN_PANEL_VIEW_TYPE = 'flowRuns.run';

/** The panel's standing note when task details cannot be read with this key (said once, not per task). */
function taskAccessNotice(error: ApiError | undefined): string | null {
  if (!error) return null;
  if (error.scope === 'apps:read') {
    return vscode.l10n.t('Task logs need a key with apps:read. Node statuses still come from the run; to see logs, set a key with apps:read ("Flow Runs: Set API Key").');
  }
  return vscode.l10n.t('Task details could not be read: {0}', describeError(error));
}

/** Commands the header buttons run (written by the run actions); each takes the run id. */
const ACTION_COMMANDS: Record<Exclude<RunAction, 'retry'>, { command: string; label: () => string }> = {
  cancel: { command: 'flowRuns.cancelRun', label: () => vscode.l10n.t('Cancel run') },
  clone: { command: 'flowRuns.cloneRun', label: () => vscode.l10n.t('Clone flow') },
  runAgain: { command: 'flowRuns.runAgain', label: () => vscode.l10n.t('Run again') },
  copyId: { command: 'flowRuns.copyRunId', label: () => vscode.l10n.t('Copy run id') },
  copyLink: { command: 'flowRuns.copyRunLink', label: () => vscode.l10n.t('Copy link to run') },
  openInBrowser: { command: 'flowRuns.openInBrowser', label: () => vscode.l10n.t('Open in browser') },
  showInput: { command: 'flowRuns.showInput', label: () => vscode.l10n.t('Show input') },
  showOutput: { command: 'flowRuns.showOutput', label: () => vscode.l10n.t('Show output') },
  saveOutput: { command: 'flowRuns.saveOutput', label: () => vscode.l10n.t('Save output') },
  compareOutput: { command: 'flowRuns.compareOutput', label: () => vscode.l10n.t('Compare output') },
};

/** Host-side coalescing: follower bursts become one round of diffs. */
const FLUSH_MS = 30;
/** The message record kept while extension tests run. */
const RECORD_LIMIT = 5000;

export class RunPanel implements vscode.Disposable {
  /** While extension tests run (ExtensionMode.Test): the messages posted to the webview (the last RECORD_LIMIT). Empty otherwise. */
  readonly posted: HostMessage[] = [];
  /** While extension tests run: the valid messages received from the webview. Empty otherwise. */
  readonly received: WebviewMessage[] = [];
  /** Only the extension tests read the messages: a user's panels keep no copies of them (log text included). */
  private readonly recording: boolean;

  private lease: FollowerHandle | undefined;
  private subscription: vscode.Disposable | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly differ = new PanelDiffer();
  private readonly logTracker = new LogTracker();
  private readonly decoded = new Map<string, { content: string; text: string }>();
  private readonly images = new Map<string, Promise<ImageAnswer>>();
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.closed.event;

  private ready = false;
  private wasLive = false;
  private sentConnection = '';
  private sentGraph = '';
  private selectedKey: string | null = null;
  private selectedTaskId: string | null = null;
  private flowRequested = new Set<string>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    readonly runId: string,
    private readonly services: Services,
    extensionUri: vscode.Uri,
  ) {
    this.recording = services.context.extensionMode === vscode.ExtensionMode.Test;
    const webview = webviewPanel.webview;
    webview.options = webviewOptions(extensionUri);
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      webviewPanel.onDidDispose(() => this.dispose()),
      // Hidden webviews are torn down (no retainContextWhenHidden); a shown one says `ready` again.
      webviewPanel.onDidChangeViewState((e) => {
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      services.session.onDidChange(() => this.onSessionChange()),
      services.flows.onDidLoad((flow: Flow) => {
        if (flow.id === this.currentRun()?.flow_id) this.schedule();
      }),
      this.closed,
    );
    this.follow();
    this.updateTitle();
    webview.html = panelHtml(webview, extensionUri);
  }

  /** The follower state as the panel last saw it. */
  get connectionState(): string {
    return this.lease?.follower.view.state ?? 'stopped';
  }

  /** The webview has said `ready` and holds a snapshot. */
  get isReady(): boolean {
    return this.ready;
  }

  reveal(): void {
    this.webviewPanel.reveal();
  }

  /** Takes a fresh follower lease (after a failure, or a new key) and re-subscribes. */
  follow(): void {
    if (this.disposed) return;
    this.unfollow();
    const lease = this.services.followers.acquire(this.runId);
    this.lease = lease;
    this.subscription = lease.follower.onDidChange((change: RunChange) => this.onChange(change));
    lease.follower.start();
    this.schedule();
  }

  /**
   * Another key or API URL stops every follower: follow again with the new client. A run that
   * had ended keeps its final state: it is over, whichever server is chosen now.
   */
  private onSessionChange(): void {
    if (this.lease?.follower.view.state === 'ended') return;
    this.follow();
  }

  private unfollow(): void {
    this.subscription?.dispose();
    this.subscription = undefined;
    this.lease?.release();
    this.lease = undefined;
  }

  private onChange(change: RunChange): void {
    if (change.view.state === 'live') this.wasLive = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.disposed || this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, FLUSH_MS);
  }

  private currentRun(): FlowRun | undefined {
    return this.lease?.follower.view.run ?? this.services.store.get(this.runId);
  }

  private connection(): PanelConnection {
    const view = this.lease?.follower.view;
    const state = view?.state ?? 'stopped';
    if (state === 'live') this.wasLive = true;
    return { state, wasLive: this.wasLive, error: view?.error ? describeError(view.error) : null, notice: taskAccessNotice(view?.taskAccess) };
  }

  /** Everything the webview shows, computed from the follower (or the store before the first fetch). */
  private model(): { run: PanelRun | null; tasks: PanelTask[]; graph: PanelGraph | null; raw: Map<string, Task> } {
    const run = this.currentRun();
    const raw = collectTasks(run, this.lease?.follower.view.tasks ?? {});
    if (!run) return { run: null, tasks: [...raw.values()].map((t) => toPanelTask(t, null)), graph: null, raw };
    const flow = this.services.flows.peek(run.flow_id);
    if (!flow && !this.flowRequested.has(run.flow_id)) {
      // The title (and, without a flow version in the run, the graph) come from the flow.
      this.flowRequested.add(run.flow_id);
      void this.services.flows.get(run.flow_id).then(() => this.schedule());
    }
    const panelRun = toPanelRun(run, raw, this.services.flows.title(run.flow_id));
    const nodes = nodeOfTask(panelRun.nodeTasks);
    const tasks = [...raw.values()].map((t) => toPanelTask(t, nodes.get(t.id) ?? null));
    const source = graphSourceOf(run, flow);
    return { run: panelRun, tasks, graph: source ? toPanelGraph(source) : null, raw };
  }

  private post(msg: HostMessage): void {
    if (this.recording) record(this.posted, msg);
    void this.webviewPanel.webview.postMessage(msg).then(undefined, () => undefined);
  }

  private sendSnapshot(): void {
    const m = this.model();
    const connection = this.connection();
    this.differ.reset(m.run ?? undefined, m.tasks);
    this.sentConnection = JSON.stringify(connection);
    this.sentGraph = JSON.stringify(m.graph);
    this.logTracker.clear();
    this.post({
      type: 'snapshot',
      runId: this.runId,
      strings: panelStrings(),
      run: m.run,
      tasks: m.tasks,
      graph: m.graph,
      connection,
      selectedKey: this.selectedKey,
    });
    this.sendLogs(m.raw);
    this.updateTitle(m.run);
  }

  /** Posts what changed since the last message: graph, run fields, tasks, connection, new log text. */
  private flush(): void {
    if (this.disposed) return;
    this.updateTitle();
    if (!this.ready) return;
    const m = this.model();
    const graph = JSON.stringify(m.graph);
    if (m.graph && graph !== this.sentGraph) {
      this.sentGraph = graph;
      this.post({ type: 'graph', graph: m.graph });
    }
    if (m.run) {
      const changes = this.differ.runChanges(m.run);
      if (changes) this.post({ type: 'run', changes });
    }
    const taskChanges = this.differ.taskChanges(m.tasks);
    if (taskChanges.length) this.post({ type: 'tasks', changes: taskChanges });
    const connection = this.connection();
    const c = JSON.stringify(connection);
    if (c !== this.sentConnection) {
      this.sentConnection = c;
      this.post({ type: 'connection', connection });
    }
    this.sendLogs(m.raw);
  }

  /** New decoded log text of the selected task (the host decodes; the webview appends). */
  private sendLogs(tasks: Map<string, Task>): void {
    const id = this.selectedTaskId;
    if (!id) return;
    const task = tasks.get(id);
    const text = this.logText(task);
    const next = this.logTracker.next(id, text);
    if (next && (next.text || next.reset)) this.post({ type: 'logs', taskId: id, text: next.text, reset: next.reset });
  }

  private logText(task: Task | undefined): string {
    let out = '';
    for (const log of logsInOrder(task?.logs)) {
      if (typeof log.content !== 'string') continue;
      const key = log.id;
      let cached = this.decoded.get(key);
      if (!cached || cached.content !== log.content) {
        cached = { content: log.content, text: decodeLogContent(log.content) };
        this.decoded.set(key, cached);
      }
      out += cached.text.endsWith('\n') || cached.text === '' ? cached.text : `${cached.text}\n`;
    }
    return out;
  }

  private updateTitle(run: PanelRun | null = null): void {
    const raw = this.currentRun();
    if (!raw && !run) {
      this.webviewPanel.title = vscode.l10n.t('Flow run · {0}', shortIdOf(this.runId));
      return;
    }
    const title = run?.flowTitle ?? (raw ? this.services.flows.title(raw.flow_id) ?? raw.flow_id : this.runId);
    const shortId = run?.shortId ?? shortIdOf(raw ?? this.runId);
    const status = run?.status ?? raw?.status ?? 0;
    this.webviewPanel.title = `${title} · ${shortId}`;
    // No spin: a spinning icon does not render in a tab.
    this.webviewPanel.iconPath = new vscode.ThemeIcon(runStatusIcon(status).icon);
  }

  private onMessage(raw: unknown): void {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.services.log.warn(`[panel] ignored a malformed message from the webview of ${this.runId}`);
      return;
    }
    if (this.recording) record(this.received, msg);
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.sendSnapshot();
        break;
      case 'select':
        this.selectedKey = msg.key;
        if (msg.taskId !== this.selectedTaskId) {
          this.selectedTaskId = msg.taskId;
          this.logTracker.clear();
          if (this.ready) this.sendLogs(this.model().raw);
        }
        break;
      case 'action':
        this.runAction(msg.action);
        break;
      case 'copyTaskId':
        this.execute('flowRuns.copyTaskId', vscode.l10n.t('Copy task id'), { taskId: msg.taskId });
        break;
      case 'copyText':
        void vscode.env.clipboard.writeText(msg.text).then(() => vscode.window.setStatusBarMessage(vscode.l10n.t('Copied to the clipboard'), 2000));
        break;
      case 'openLink':
        this.openLink(msg.url);
        break;
      case 'resolveImage':
        this.resolveImage(msg.url);
        break;
    }
  }

  private runAction(action: RunAction): void {
    if (action === 'retry') {
      // The user asks: task details the server refused are asked for again too.
      this.services.followers.retryTaskAccess();
      this.follow();
      return;
    }
    const { command, label } = ACTION_COMMANDS[action];
    this.execute(command, label(), this.runId);
  }

  private execute(command: string, label: string, arg: unknown): void {
    this.services.log.debug(`[panel] ${command} for ${this.runId}`);
    vscode.commands.executeCommand(command, arg).then(
      (outcome: unknown) => this.services.log.debug(`[panel] ${command} answered ${JSON.stringify(outcome) ?? 'nothing'}`),
      (e: unknown) => showError(label, e, this.services.log),
    );
  }

  /** Only http(s) links leave the webview, and only through openExternal. */
  private openLink(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return;
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      this.services.log.warn(`[panel] refused to open a ${parsed.protocol} link from run ${this.runId}`);
      return;
    }
    void vscode.env.openExternal(vscode.Uri.parse(parsed.toString(), true));
  }

  private resolveImage(url: string): void {
    let answer = this.images.get(url);
    if (!answer) {
      answer = loopbackImage(url, this.services.session.baseUrl);
      this.images.set(url, answer);
    }
    void answer.then((a) => {
      if (!this.disposed) this.post({ type: 'image', url, src: a.src, reason: a.reason });
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.unfollow();
    this.closed.fire();
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.images.clear();
    this.webviewPanel.dispose();
  }
}

function record<T>(list: T[], msg: T): void {
  list.push(msg);
  if (list.length > RECORD_LIMIT) list.splice(0, list.length - RECORD_LIMIT);
}
