// The Runs view: status groups filled page by page from the server, run items
// rendered from the store, live updates for the active runs a user can see,
// and a poll only while the view is visible and the window focused. No
// request at all while the view is hidden and nothing is followed.
import * as vscode from 'vscode';
import type { FlowRunsApi } from '../api/api';
import {
  FLOW_RUN_STATUS_NAMES, FlowRunStatus, flowDisplayName, isActiveRunStatus, isTerminalRunStatus, toFlowRunStatus,
  type Flow, type FlowRun, type ListRequest,
} from '../api/models';
import { pickFlow } from '../input/flowPicker';
import type { Disposable } from '../runs/emitter';
import { RunGroups, type GroupsChange } from '../runs/groups';
import type { FollowerHandle } from '../runs/followers';
import { isFollowing, LingeringFollowers } from '../runs/lingeringRelease';
import { Poller } from '../runs/poller';
import type { Services } from '../services';
import { isRecord } from '../shared/guards';
import { runTreeItem } from './runItem';
import { describeError, showError } from './showError';
import { statusLabel } from './statusWords';
import { actionItem, unreachableActions } from './unreachableActions';
import {
  isGroupNode, type GroupNode, type LoadMoreNode, type MessageNode, type RunNode, type RunsTreeNode,
} from './treeNodes';

export type TreeState = 'noKey' | 'unreachable' | 'empty' | 'ok';

/** Refresh events are coalesced into one per this many ms (at most ~10 a second). */
const REFRESH_BATCH_MS = 100;
/** At most this many runs are followed for the tree (each follower holds two streams). */
const MAX_TREE_FOLLOWERS = 20;
/** Groups open on first show (VS Code remembers the user's choice afterwards). */
const EXPANDED_BY_DEFAULT = new Set([FlowRunStatus.Pending, FlowRunStatus.Running, FlowRunStatus.Completed]);
const LIVE_GROUPS = [FlowRunStatus.Pending, FlowRunStatus.Running];
/** How long a reveal waits for VS Code to apply the refresh that adds the run. */
const REVEAL_DELAY_MS = 300;
/** How often the shown active runs re-render their "started … ago · duration" (no request). */
const CLOCK_TICK_MS = 15_000;

interface Lease {
  handle: FollowerHandle;
  /** Set once the run finished: the follower lingers for its final GET (see lingeringRelease.ts). */
  grace?: Disposable;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<RunsTreeNode | RunsTreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;

  readonly groups: RunGroups;
  readonly poller: Poller;
  private view: vscode.TreeView<RunsTreeNode> | undefined;
  private stateValue: TreeState | undefined;
  /** The base URL is one we refuse (session.baseUrlProblem): the root's actions leave out Retry. */
  private urlRefused = false;
  private lastError: unknown;
  private firstLoad: Promise<void> | undefined;
  private readonly expanded = new Set<FlowRunStatus>(EXPANDED_BY_DEFAULT);
  private readonly groupErrors = new Map<FlowRunStatus, string>();

  private readonly groupNodes = new Map<FlowRunStatus, GroupNode>();
  private readonly runNodes = new Map<string, RunNode>();
  private readonly loadMoreNodes = new Map<FlowRunStatus, LoadMoreNode>();
  private readonly messageNodes = new Map<FlowRunStatus, MessageNode>();

  private pendingRoot = false;
  private readonly pendingNodes = new Set<RunsTreeNode>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Root fetches in progress: VS Code drops refreshes of nodes it has not registered yet. */
  private rootFetches = 0;
  private clockTick: ReturnType<typeof setInterval> | undefined;

  private readonly leases = new Map<string, Lease>();
  private readonly lingering = new LingeringFollowers();
  private readonly titlesAsked = new Set<string>();
  private filterTitle: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services) {
    const config = vscode.workspace.getConfiguration('flowRuns');
    this.groups = new RunGroups(services.store, (req) => this.listRuns(req), {
      pageSize: config.get<number>('pageSize', 25),
    });
    this.poller = new Poller({
      intervalMs: intervalSetting(),
      poll: () => this.poll(),
      logger: services.log,
    });
    this.disposables.push(
      this.changeEmitter,
      this.groups,
      this.poller,
      this.groups.onDidChange((c) => this.onGroupsChange(c)),
      services.flows.onDidLoad((flow) => this.onFlowLoaded(flow)),
      services.session.onDidChange(() => this.onSessionChange()),
      vscode.window.onDidChangeWindowState(() => this.updateActivity()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('flowRuns.refreshInterval')) this.poller.setIntervalMs(intervalSetting());
        if (e.affectsConfiguration('flowRuns.pageSize')) {
          this.groups.pageSize = vscode.workspace.getConfiguration('flowRuns').get<number>('pageSize', 25);
        }
      }),
    );
    void services.session.whenReady().then(() => this.updateState());
  }

  /** Called once the TreeView exists. */
  attach(view: vscode.TreeView<RunsTreeNode>): void {
    this.view = view;
    this.disposables.push(
      view.onDidChangeVisibility(() => {
        this.services.log.debug(`[tree] view ${view.visible ? 'shown' : 'hidden'}`);
        this.updateActivity();
        this.reconcileFollowers();
      }),
      view.onDidExpandElement((e) => {
        if (!isGroupNode(e.element)) return;
        this.expanded.add(e.element.status);
        this.reconcileFollowers();
      }),
      view.onDidCollapseElement((e) => {
        if (!isGroupNode(e.element)) return;
        this.expanded.delete(e.element.status);
        this.reconcileFollowers();
      }),
    );
    this.updateActivity();
  }

  // --- what tests and commands read ------------------------------------------------

  get state(): TreeState | undefined {
    return this.stateValue;
  }

  /** Run ids the tree follows live right now. */
  followedRunIds(): string[] {
    return [...this.leases.keys()];
  }

  groupNode(status: FlowRunStatus): GroupNode {
    let node = this.groupNodes.get(status);
    if (!node) {
      node = { kind: 'group', status };
      this.groupNodes.set(status, node);
    }
    return node;
  }

  /** The node of a run in the group it is shown in, if the tree knows it. */
  runNodeFor(runId: string): RunNode | undefined {
    const status = this.groups.groupOf(runId);
    return status === undefined ? undefined : this.runNode(status, runId);
  }

  // --- TreeDataProvider ------------------------------------------------------------------

  async getChildren(element?: RunsTreeNode): Promise<RunsTreeNode[]> {
    if (!element) return this.rootChildren();
    if (element.kind !== 'group') return [];
    const status = element.status;
    this.expanded.add(status);
    try {
      await this.groups.ensureLoaded(status);
      this.groupErrors.delete(status);
    } catch (e) {
      const reason = describeError(e);
      this.groupErrors.set(status, reason);
      this.services.log.warn(`[tree] loading ${FLOW_RUN_STATUS_NAMES[status]} failed: ${reason}`);
    }
    const children: RunsTreeNode[] = this.groups.runsOf(status).map((run) => this.runNode(status, run.id));
    const error = this.groupErrors.get(status);
    if (error) children.push(this.messageNode(status, error));
    else if (this.groups.state(status).hasNext) children.push(this.loadMoreNode(status));
    this.reconcileFollowers();
    return children;
  }

  getTreeItem(element: RunsTreeNode): vscode.TreeItem {
    switch (element.kind) {
      case 'group':
        return this.groupItem(element);
      case 'run':
        return this.runItem(element);
      case 'loadMore': {
        const s = this.groups.state(element.status);
        const item = new vscode.TreeItem(vscode.l10n.t('Load more…'), vscode.TreeItemCollapsibleState.None);
        item.id = `more:${element.status}`;
        const shown = this.groups.runsOf(element.status).length;
        item.description = s.total !== undefined ? vscode.l10n.t('{0} of {1}', shown, s.total) : vscode.l10n.t('{0} shown', shown);
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'loadMore';
        item.command = { command: 'flowRuns.loadMore', title: vscode.l10n.t('Load More'), arguments: [element] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(vscode.l10n.t('Could not load: {0}', element.text), vscode.TreeItemCollapsibleState.None);
        item.id = `message:${element.status}`;
        item.iconPath = new vscode.ThemeIcon('warning');
        item.tooltip = vscode.l10n.t('{0}\nClick to retry.', element.text);
        item.contextValue = 'message';
        item.command = { command: 'flowRuns.retry', title: vscode.l10n.t('Retry') };
        return item;
      }
      case 'action':
        return actionItem(element);
    }
  }

  getParent(element: RunsTreeNode): RunsTreeNode | undefined {
    return element.kind === 'group' || element.kind === 'action' ? undefined : this.groupNode(element.status);
  }

  // --- actions ----------------------------------------------------------------------------

  /** Refresh: forget the pages and load again (errors are shown). */
  async refresh(): Promise<void> {
    this.services.log.debug('[tree] refresh');
    await this.services.session.whenReady();
    this.groupErrors.clear();
    this.lastError = undefined;
    this.groups.reset();
    this.firstLoad = undefined;
    this.updateState();
    if (!this.canRequest()) return;
    await this.loadFirst();
    if (this.lastError) showError(vscode.l10n.t('Refreshing flow runs'), this.lastError, this.services.log);
  }

  async loadMore(status: FlowRunStatus): Promise<void> {
    try {
      await this.groups.loadMore(status);
      this.groupErrors.delete(status);
    } catch (e) {
      this.groupErrors.set(status, describeError(e));
      this.queue(this.groupNode(status));
      showError(vscode.l10n.t('Loading more runs'), e, this.services.log);
    }
  }

  async setFlowFilter(flow: Pick<Flow, 'id' | 'name' | 'title'> | undefined): Promise<void> {
    this.filterTitle = flow ? flowDisplayName(flow) : undefined;
    this.releaseAll();
    this.groups.setFlowFilter(flow?.id);
    void vscode.commands.executeCommand('setContext', 'flowRuns.filtered', flow !== undefined);
    if (this.view) this.view.description = this.filterTitle ? `Flow: ${this.filterTitle}` : undefined;
    this.firstLoad = undefined;
    this.lastError = undefined;
    this.updateState();
    if (this.canRequest()) await this.loadFirst();
  }

  get flowFilter(): string | undefined {
    return this.groups.flowFilter;
  }

  /** Shows a run Run Flow just started, if the view is on screen (it does not steal the sidebar). */
  async revealRun(run: FlowRun): Promise<void> {
    if (!this.view?.visible || !this.runNodeFor(run.id)) return;
    this.flush();
    // VS Code applies tree refreshes after its own debounce (~200 ms): reveal once the group has the run.
    for (const waitMs of [REVEAL_DELAY_MS, 4 * REVEAL_DELAY_MS]) {
      await new Promise((r) => setTimeout(r, waitMs));
      const node = this.runNodeFor(run.id);
      if (!node || !this.view?.visible) return;
      try {
        await this.view.reveal(node, { select: true, focus: false, expand: true });
        return;
      } catch (e) {
        this.services.log.debug(`[tree] reveal ${run.id} failed: ${describeError(e)}`);
      }
    }
  }

  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.clockTick) clearInterval(this.clockTick);
    this.releaseAll();
    for (const d of this.disposables) d.dispose();
  }

  // --- loading and polling ------------------------------------------------------------------

  private async rootChildren(): Promise<RunsTreeNode[]> {
    this.rootFetches++;
    try {
      await this.services.session.whenReady();
      if (this.canRequest() && !this.groups.totalsKnown && this.lastError === undefined) {
        await this.loadFirst();
      }
      if (this.stateValue === 'unreachable') return unreachableActions(this.urlRefused);
      if (this.stateValue !== 'ok') return [];
      return this.groups.shownStatuses().map((s) => this.groupNode(s));
    } finally {
      this.rootFetches--;
      // Node refreshes held back meanwhile go out once VS Code has the new nodes.
      if (this.pendingNodes.size > 0) this.scheduleFlush();
    }
  }

  /** The first load after a reset: pages of open groups, counts of the others (shared by concurrent callers). */
  private loadFirst(): Promise<void> {
    if (!this.firstLoad) {
      this.firstLoad = this.poll().then(
        () => undefined,
        () => undefined,
      ).finally(() => this.poller.markFresh());
    }
    return this.firstLoad;
  }

  private async poll(): Promise<boolean> {
    if (!this.canRequest()) return false;
    const open = new Set([...this.expanded].filter((s) => this.groups.shownStatuses().includes(s)));
    try {
      const changed = await this.groups.refresh(open, { isLive: (id) => this.isFollowedLive(id) });
      this.lastError = undefined;
      this.updateState();
      this.services.log.debug(`[tree] poll: ${changed ? 'changed' : 'no change'}`);
      return changed;
    } catch (e) {
      this.lastError = e;
      this.services.log.debug(`[tree] poll failed: ${describeError(e)}`);
      this.updateState();
      throw e;
    }
  }

  /** A run whose changes reach the store by stream now, so a poll need not check it. */
  private isFollowedLive(runId: string): boolean {
    const state = this.leases.get(runId)?.handle.follower.view.state;
    // Connecting and reconnecting followers GET the run when (re)connected; failed or stopped ones do not.
    return state !== undefined && isFollowing(state);
  }

  private listRuns(req: ListRequest): ReturnType<FlowRunsApi['listRuns']> {
    const api = this.services.session.current();
    if (!api) return this.services.session.requireApi().then((a) => a.listRuns(req));
    return api.listRuns(req);
  }

  private canRequest(): boolean {
    return this.services.session.hasKey && !this.services.session.baseUrlProblem;
  }

  private onSessionChange(): void {
    this.services.log.debug('[tree] key or base URL changed: reloading');
    this.releaseAll();
    this.titlesAsked.clear();
    this.groupErrors.clear();
    this.lastError = undefined;
    this.firstLoad = undefined;
    this.groups.reset();
    this.updateState();
    this.updateActivity();
  }

  /** Polls run only while someone can see the list. */
  private updateActivity(): void {
    const active = !!this.view?.visible && vscode.window.state.focused && this.canRequest();
    this.poller.setActive(active);
    if (this.view?.visible && !this.clockTick) {
      this.clockTick = setInterval(() => this.rerenderActiveRuns(), CLOCK_TICK_MS);
    } else if (!this.view?.visible && this.clockTick) {
      clearInterval(this.clockTick);
      this.clockTick = undefined;
    }
  }

  /** Durations of running runs grow: re-render those on screen, from memory. */
  private rerenderActiveRuns(): void {
    for (const status of LIVE_GROUPS) {
      if (!this.expanded.has(status)) continue;
      for (const run of this.groups.runsOf(status)) this.queue(this.runNode(status, run.id));
    }
  }

  private updateState(): void {
    const session = this.services.session;
    let state: TreeState;
    let message: string | undefined;
    if (session.baseUrlProblem) {
      state = 'unreachable';
      message = session.baseUrlProblem;
    } else if (!session.hasKey) {
      state = 'noKey';
    } else if (this.lastError !== undefined && !this.groups.totalsKnown) {
      state = 'unreachable';
      message = describeError(this.lastError);
    } else if (this.groups.totalsKnown && this.groups.grandTotal === 0 && !this.groups.flowFilter) {
      state = 'empty';
    } else {
      state = 'ok';
      if (this.lastError !== undefined) message = vscode.l10n.t('Showing the last known runs: {0}', describeError(this.lastError));
      else if (this.groups.flowFilter && this.groups.totalsKnown && this.groups.grandTotal === 0) {
        message = vscode.l10n.t('No runs of {0} yet.', this.filterTitle ?? this.groups.flowFilter);
      }
    }
    if (this.view && this.view.message !== message) this.view.message = message;
    this.services.store.setStatusTotals(this.groups.totals());
    // Unreachable for another reason (a refused URL, or a server that does not answer) offers other ways out.
    const urlRefused = session.baseUrlProblem !== undefined;
    const causeChanged = urlRefused !== this.urlRefused;
    this.urlRefused = urlRefused;
    if (state === this.stateValue) {
      if (state === 'unreachable' && causeChanged) this.queueRoot();
      return;
    }
    this.stateValue = state;
    this.services.log.debug(`[tree] state ${state}`);
    void vscode.commands.executeCommand('setContext', 'flowRuns.state', state);
    // The root's items (groups, or what to do when unreachable) differ in every state.
    this.queueRoot();
  }

  // --- change propagation ---------------------------------------------------------------------

  private onGroupsChange(change: GroupsChange): void {
    this.updateState();
    if (change.root) this.queueRoot();
    for (const status of change.groups) this.queue(this.groupNode(status));
    for (const id of change.runs) {
      const node = this.runNodeFor(id);
      if (node) this.queue(node);
    }
    if (change.groups.length > 0) this.poller.resetBackoff();
    this.reconcileFollowers();
  }

  private onFlowLoaded(flow: Flow): void {
    for (const node of this.runNodes.values()) {
      if (this.services.store.get(node.runId)?.flow_id === flow.id) this.queue(node);
    }
  }

  private queue(node: RunsTreeNode): void {
    this.pendingNodes.add(node);
    this.scheduleFlush();
  }

  private queueRoot(): void {
    this.pendingRoot = true;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), REFRESH_BATCH_MS);
  }

  /** Fires one refresh for everything queued: the root alone covers all; a group covers its runs. */
  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingRoot) {
      this.pendingRoot = false;
      this.pendingNodes.clear();
      this.pruneRunNodes(undefined);
      this.changeEmitter.fire(undefined);
      return;
    }
    if (this.pendingNodes.size === 0 || this.rootFetches > 0) return;
    const groups = new Set<FlowRunStatus>();
    for (const n of this.pendingNodes) if (n.kind === 'group') groups.add(n.status);
    const nodes = [...this.pendingNodes].filter((n) => n.kind === 'group' || n.kind === 'action' || !groups.has(n.status));
    this.pendingNodes.clear();
    this.pruneRunNodes(groups);
    this.changeEmitter.fire(nodes);
  }

  /** Forgets run nodes of refreshed groups (all when undefined) whose run is no longer shown there. */
  private pruneRunNodes(groups: ReadonlySet<FlowRunStatus> | undefined): void {
    for (const [key, node] of this.runNodes) {
      if (groups && !groups.has(node.status)) continue;
      if (this.groups.groupOf(node.runId) !== node.status) this.runNodes.delete(key);
    }
  }

  // --- items ----------------------------------------------------------------------------------

  private groupItem(node: GroupNode): vscode.TreeItem {
    const s = this.groups.state(node.status);
    const name = statusLabel(node);
    const initial = EXPANDED_BY_DEFAULT.has(node.status)
      ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(name, initial);
    item.id = `group:${node.status}`;
    const count = s.total !== undefined ? String(s.total) : s.loaded ? `${this.groups.runsOf(node.status).length}+` : '…';
    item.description = count;
    item.contextValue = 'group';
    item.tooltip = s.total === undefined ? name : s.total === 1 ? vscode.l10n.t('{0}: 1 run', name) : vscode.l10n.t('{0}: {1} runs', name, s.total);
    item.accessibilityInformation = {
      label: s.total === undefined ? vscode.l10n.t('{0}, unknown number of runs', name) : vscode.l10n.t('{0}, {1} runs', name, s.total),
    };
    return item;
  }

  private runItem(node: RunNode): vscode.TreeItem {
    const run = this.services.store.get(node.runId);
    if (!run) {
      const item = new vscode.TreeItem(node.runId, vscode.TreeItemCollapsibleState.None);
      item.id = `run:${node.status}:${node.runId}`;
      return item;
    }
    const title = this.titleOf(run);
    return runTreeItem(run, title, node.status, Date.now());
  }

  /** The flow's name, fetched once per flow; the flow id until it arrives. */
  private titleOf(run: FlowRun): string {
    const title = this.services.flows.title(run.flow_id);
    if (title) return title;
    if (!this.titlesAsked.has(run.flow_id) && this.canRequest()) {
      this.titlesAsked.add(run.flow_id);
      void this.services.flows.get(run.flow_id);
    }
    return run.flow_id;
  }

  private runNode(status: FlowRunStatus, runId: string): RunNode {
    const key = `${status}:${runId}`;
    let node = this.runNodes.get(key);
    if (!node) {
      node = { kind: 'run', status, runId };
      this.runNodes.set(key, node);
    }
    return node;
  }

  private loadMoreNode(status: FlowRunStatus): LoadMoreNode {
    let node = this.loadMoreNodes.get(status);
    if (!node) {
      node = { kind: 'loadMore', status };
      this.loadMoreNodes.set(status, node);
    }
    return node;
  }

  private messageNode(status: FlowRunStatus, text: string): MessageNode {
    let node = this.messageNodes.get(status);
    if (!node) {
      node = { kind: 'message', status, text };
      this.messageNodes.set(status, node);
    }
    node.text = text;
    return node;
  }

  // --- following ------------------------------------------------------------------------------

  /**
   * Follows exactly the active runs a user can see: loaded, in an expanded
   * Pending or Running group, view visible. A run that just finished keeps its
   * follower until its final GET is done (so output arrives), bounded in time.
   */
  private reconcileFollowers(): void {
    const want = new Set<string>();
    if (this.view?.visible && this.canRequest()) {
      for (const status of LIVE_GROUPS) {
        if (!this.expanded.has(status)) continue;
        for (const run of this.groups.runsOf(status)) {
          if (want.size >= MAX_TREE_FOLLOWERS) break;
          if (isActiveRunStatus(toFlowRunStatus(run.status))) want.add(run.id);
        }
      }
    }
    for (const [id, lease] of this.leases) {
      if (want.has(id)) continue;
      const run = this.services.store.get(id);
      const finished = run !== undefined && isTerminalRunStatus(toFlowRunStatus(run.status));
      if (finished && this.view?.visible) {
        lease.grace ??= this.lingering.releaseWhenDone(lease.handle, () => this.release(id));
        continue;
      }
      this.release(id);
    }
    for (const id of want) {
      if (this.leases.has(id)) continue;
      this.services.log.debug(`[tree] follow ${id}`);
      this.leases.set(id, { handle: this.services.followers.acquire(id) });
    }
  }

  private release(id: string): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    // Out of the map first: disposing the grace calls back here.
    this.leases.delete(id);
    lease.grace?.dispose();
    lease.handle.release();
    this.services.log.debug(`[tree] unfollow ${id}`);
  }

  private releaseAll(): void {
    for (const id of [...this.leases.keys()]) this.release(id);
  }
}

function intervalSetting(): number {
  const seconds = vscode.workspace.getConfiguration('flowRuns').get<number>('refreshInterval', 15);
  return Math.max(5, Number.isFinite(seconds) ? seconds : 15) * 1000;
}

function statusFromArg(arg: unknown): FlowRunStatus | undefined {
  if (typeof arg === 'number') return toFlowRunStatus(arg);
  if (isRecord(arg) && typeof arg.status === 'number') return toFlowRunStatus(arg.status);
  return undefined;
}

export interface RunsView {
  readonly provider: RunsTreeProvider;
  readonly view: vscode.TreeView<RunsTreeNode>;
}

export function register(context: vscode.ExtensionContext, services: Services): RunsView {
  const provider = new RunsTreeProvider(services);
  const view = vscode.window.createTreeView('flowRuns.runs', {
    treeDataProvider: provider,
    showCollapseAll: true,
    canSelectMany: true,
  });
  provider.attach(view);
  void vscode.commands.executeCommand('setContext', 'flowRuns.filtered', false);

  context.subscriptions.push(
    provider,
    view,
    services.onDidStartRun((run) => void provider.revealRun(run)),
    vscode.commands.registerCommand('flowRuns.refresh', () => provider.refresh()),
    vscode.commands.registerCommand('flowRuns.retry', () => provider.refresh()),
    vscode.commands.registerCommand('flowRuns.loadMore', async (arg: unknown) => {
      const status = statusFromArg(arg);
      if (status === undefined) return;
      await provider.loadMore(status);
    }),
    vscode.commands.registerCommand('flowRuns.filterByFlow', async (arg: unknown) => {
      try {
        // A flow id as argument skips the quick pick (tests, automation).
        if (typeof arg === 'string' && arg) {
          const flow = (await services.flows.get(arg)) ?? { id: arg, name: arg };
          await provider.setFlowFilter(flow);
          return;
        }
        const flow = await pickFlow(await services.session.requireApi(), {
          title: vscode.l10n.t('Filter Runs by Flow'),
          currentId: provider.flowFilter,
          log: services.log,
        });
        if (!flow) return;
        services.flows.remember(flow);
        await provider.setFlowFilter(flow);
      } catch (e) {
        showError(vscode.l10n.t('Filtering by flow'), e, services.log);
      }
    }),
    vscode.commands.registerCommand('flowRuns.clearFilter', () => provider.setFlowFilter(undefined)),
  );
  return { provider, view };
}
