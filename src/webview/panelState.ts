// What the webview knows: the snapshot with every diff applied on top, plus
// which parts of the page (and which rows) those messages made stale. The view
// reads it once per animation frame and touches only what changed.
import type {
  HostMessage, PanelConnection, PanelGraph, PanelGraphNode, PanelRun, PanelTask,
} from '../shared/protocol';
import { compareTimes } from '../shared/time';
import { topoOrder } from './graphLayout';
import { nodeLook, taskLook, type StatusLook } from './status';

export type Part = 'header' | 'graph' | 'statuses' | 'list' | 'details' | 'output';

/** One line of the node task list: a flow node (with its task, once it has one) or a task without a node. */
export interface Row {
  key: string;
  nodeId: string | null;
  title: string;
  app: string;
  /** The task's id, known from the run before the task itself arrives. */
  taskId: string | null;
  task: PanelTask | undefined;
  look: StatusLook;
  statusName: string;
}

/** The most log text kept for the selected task; older text is dropped first. */
export const LOG_LIMIT = 500_000;

const ALL_PARTS: Part[] = ['header', 'graph', 'statuses', 'list', 'details', 'output'];

/** The topological order of a graph, worked out once per graph object (it is O(n²)). */
const topoCache = new WeakMap<PanelGraph, string[]>();

function cachedTopoOrder(graph: PanelGraph): string[] {
  let order = topoCache.get(graph);
  if (!order) {
    order = topoOrder(graph);
    topoCache.set(graph, order);
  }
  return order;
}

export class PanelState {
  runId: string | null = null;
  run: PanelRun | null = null;
  tasks = new Map<string, PanelTask>();
  graph: PanelGraph | null = null;
  connection: PanelConnection = { state: 'connecting', wasLive: false, error: null };
  selectedKey: string | null = null;
  /** The user picked a row: never move the selection on their behalf after that. */
  userSelected = false;
  logs: { taskId: string; text: string; trimmed: boolean } | null = null;
  /** Log text that arrived since the last render, to append without redrawing. */
  logAppend = '';
  readonly dirty = new Set<Part>();

  /** Rows in display order; undefined when the set or order of rows must be worked out again. */
  private rowCache: Row[] | undefined;
  private rowIndex = new Map<string, number>();
  /** The row a graph node shows (the last row naming that node wins). */
  private nodeRowIndex = new Map<string, number>();
  /** Task id -> keys of the rows showing it. */
  private taskRowKeys = new Map<string, string[]>();
  private readonly changed = new Set<string>();
  private allChanged = true;
  /** Rows to build again from current data before the cache is next read. */
  private readonly staleRows = new Set<string>();
  private graphNodes = new Map<string, PanelGraphNode>();

  apply(msg: HostMessage): void {
    switch (msg.type) {
      case 'snapshot':
        this.runId = msg.runId;
        this.run = msg.run;
        this.tasks = new Map(msg.tasks.map((t) => [t.id, t]));
        this.setGraph(msg.graph);
        this.connection = msg.connection;
        if (msg.selectedKey) this.selectedKey = msg.selectedKey;
        this.logs = null;
        this.logAppend = '';
        this.markAll();
        break;
      case 'run':
        this.applyRun(msg.changes);
        break;
      case 'tasks':
        for (const change of msg.changes) this.applyTask(change);
        break;
      case 'graph':
        this.setGraph(msg.graph);
        this.dirty.add('graph').add('list').add('details').add('statuses');
        this.invalidateRows();
        break;
      case 'connection': {
        const wasStale = this.stale;
        this.connection = msg.connection;
        this.dirty.add('header').add('statuses');
        // Stale rows stop spinning and ticking: every row looks different.
        if (wasStale !== this.stale) {
          this.markAllRows();
          this.dirty.add('details');
        }
        break;
      }
      case 'logs':
        this.applyLogs(msg.taskId, msg.text, msg.reset);
        break;
      case 'image':
        // Images are answered straight to their <img> (see images.ts).
        break;
    }
  }

  private applyRun(changes: Partial<PanelRun>): void {
    const before = this.run;
    // The first diff after a snapshot without a run carries every field.
    this.run = before ? { ...before, ...changes } : (changes as PanelRun);
    this.dirty.add('header');
    if (!before || 'nodeTasks' in changes) {
      this.invalidateRows();
      this.dirty.add('statuses').add('list').add('details');
    } else if ('nodeStatuses' in changes) {
      const prev = before.nodeStatuses;
      const next = this.run.nodeStatuses;
      for (const id of Object.keys(next)) if (prev[id] !== next[id]) this.markRow(`node:${id}`);
      for (const id of Object.keys(prev)) if (!(id in next)) this.markRow(`node:${id}`);
    }
    if ('output' in changes) this.dirty.add('output');
    // "No output yet" becomes "This run has no output" when the run ends without one.
    if ('status' in changes && (this.run.output === null || this.run.output === undefined)) this.dirty.add('output');
  }

  private applyTask(change: Partial<PanelTask> & { id: string }): void {
    const held = this.tasks.get(change.id);
    const next = held ? { ...held, ...change } : (change as PanelTask);
    this.tasks.set(change.id, next);
    const keys = this.taskRowKeys.get(change.id);
    if (this.rowCache === undefined || keys === undefined) {
      // Rows are being worked out again anyway, or this is a new loose row.
      this.invalidateRows();
      this.dirty.add('details');
      return;
    }
    for (const key of keys) {
      // Loose rows are sorted by start time, and name the graph node they show on.
      const moved = ('startedAt' in change && change.startedAt !== held?.startedAt) || ('nodeId' in change && change.nodeId !== held?.nodeId);
      if (key.startsWith('task:') && moved) {
        this.invalidateRows();
        return;
      }
      this.markRow(key);
    }
  }

  private applyLogs(taskId: string, text: string, reset: boolean): void {
    if (reset || !this.logs || this.logs.taskId !== taskId) {
      this.logs = { taskId, text: '', trimmed: false };
      this.logAppend = '';
      this.dirty.add('details');
    }
    this.logs.text += text;
    this.logAppend += text;
    if (this.logs.text.length > LOG_LIMIT) {
      this.logs.text = this.logs.text.slice(-LOG_LIMIT);
      this.logs.trimmed = true;
      this.dirty.add('details');
    }
  }

  private setGraph(graph: PanelGraph | null): void {
    this.graph = graph;
    this.graphNodes = new Map((graph?.nodes ?? []).map((n) => [n.id, n]));
  }

  /** One row's data changed: rebuild just that row, redraw just its elements. */
  private markRow(key: string): void {
    if (this.rowCache === undefined || !this.rowIndex.has(key)) return;
    this.staleRows.add(key);
    this.changed.add(key);
    this.dirty.add('statuses').add('list');
    if (key === this.selectedKey) this.dirty.add('details');
  }

  /** The set or order of rows may have changed. */
  private invalidateRows(): void {
    this.rowCache = undefined;
    this.staleRows.clear();
    this.markAllRows();
  }

  /** Something every row shows changed: the views redraw every row (still writing only what differs). */
  markAllRows(): void {
    this.allChanged = true;
    this.dirty.add('statuses').add('list');
  }

  /**
   * Keys of the rows whose content changed since the last render, or 'all'
   * when the rows themselves (their set or order) or something every row
   * shows changed. The views touch only these rows' elements.
   */
  get changedRows(): ReadonlySet<string> | 'all' {
    return this.allChanged || !this.rowCache ? 'all' : this.changed;
  }

  markAll(): void {
    this.invalidateRows();
    for (const p of ALL_PARTS) this.dirty.add(p);
  }

  /** Called by the view once it has drawn everything the state asked for. */
  rendered(): void {
    this.dirty.clear();
    this.logAppend = '';
    this.changed.clear();
    if (this.rowCache) this.allChanged = false;
  }

  /** The data on screen is not being kept up to date right now. */
  get stale(): boolean {
    const s = this.connection.state;
    return s === 'reconnecting' || s === 'failed' || (s === 'connecting' && this.connection.wasLive);
  }

  /** Rows in topological order: flow nodes first, then tasks the graph does not know. */
  rows(): Row[] {
    if (!this.rowCache) return this.buildRows();
    if (this.staleRows.size) {
      for (const key of this.staleRows) {
        const i = this.rowIndex.get(key);
        if (i === undefined) continue;
        const row = this.rowCache[i];
        this.rowCache[i] = row.key.startsWith('node:') ? this.nodeRow(row.nodeId ?? '') : this.looseRow(this.tasks.get(row.taskId ?? '') ?? row.task);
      }
      this.staleRows.clear();
    }
    return this.rowCache;
  }

  row(key: string | null): Row | undefined {
    if (key === null) return undefined;
    const rows = this.rows();
    const i = this.rowIndex.get(key);
    return i === undefined ? undefined : rows[i];
  }

  /** Where a row is in display order. */
  indexOf(key: string): number | undefined {
    this.rows();
    return this.rowIndex.get(key);
  }

  /** The row a graph node shows. */
  rowOfNode(nodeId: string): Row | undefined {
    const rows = this.rows();
    const i = this.nodeRowIndex.get(nodeId);
    return i === undefined ? undefined : rows[i];
  }

  selectedRow(): Row | undefined {
    return this.row(this.selectedKey);
  }

  /** Rows whose duration is still counting up: the once-a-second tick redraws only these. */
  markTicking(): void {
    for (const row of this.rows()) {
      const t = row.task;
      if (t && t.startedAt && !t.finishedAt) this.changed.add(row.key);
    }
    this.dirty.add('list');
  }

  /** Until the user picks a row, point them at the first failed node. */
  autoSelect(): boolean {
    if (this.userSelected) return false;
    const failed = this.rows().find((r) => r.look.cls === 'failed');
    if (!failed || failed.key === this.selectedKey) return false;
    this.selectedKey = failed.key;
    this.dirty.add('details').add('list').add('statuses');
    return true;
  }

  private nodeRow(nodeId: string): Row {
    const run = this.run;
    const node = this.graphNodes.get(nodeId);
    const taskId = run?.nodeTasks[nodeId];
    const task = taskId ? this.tasks.get(taskId) : undefined;
    const status = run?.nodeStatuses[nodeId] ?? (task ? undefined : 'pending');
    const look = status ? nodeLook(status) : taskLook(task?.status ?? 0);
    return {
      key: `node:${nodeId}`,
      nodeId,
      title: node ? node.title : nodeId,
      app: (node ? node.app : null) || task?.app || '',
      taskId: taskId ?? null,
      task,
      look,
      statusName: status ?? look.cls,
    };
  }

  private looseRow(task: PanelTask | undefined): Row {
    const t = task as PanelTask;
    const look = taskLook(t.status);
    return {
      key: `task:${t.id}`,
      nodeId: t.nodeId,
      title: t.appTitle || t.app || t.shortId,
      app: t.app,
      taskId: t.id,
      task: t,
      look,
      statusName: look.cls,
    };
  }

  private buildRows(): Row[] {
    const nodeTasks = this.run?.nodeTasks ?? {};
    const rows: Row[] = [];
    const seenNodes = new Set<string>();
    const seenTasks = new Set<string>();
    const add = (nodeId: string): void => {
      seenNodes.add(nodeId);
      const taskId = nodeTasks[nodeId];
      if (taskId) seenTasks.add(taskId);
      rows.push(this.nodeRow(nodeId));
    };
    if (this.graph) {
      for (const id of cachedTopoOrder(this.graph)) if (this.graphNodes.has(id)) add(id);
    }
    for (const nodeId of Object.keys(nodeTasks)) if (!seenNodes.has(nodeId)) add(nodeId);
    const loose = [...this.tasks.values()].filter((t) => !seenTasks.has(t.id));
    loose.sort((a, b) => compareTimes(a.startedAt, b.startedAt));
    for (const task of loose) rows.push(this.looseRow(task));

    this.rowIndex = new Map();
    this.nodeRowIndex = new Map();
    this.taskRowKeys = new Map();
    rows.forEach((r, i) => {
      this.rowIndex.set(r.key, i);
      if (r.nodeId) this.nodeRowIndex.set(r.nodeId, i);
      if (r.taskId) {
        const keys = this.taskRowKeys.get(r.taskId);
        if (keys) keys.push(r.key);
        else this.taskRowKeys.set(r.taskId, [r.key]);
      }
    });
    this.staleRows.clear();
    this.rowCache = rows;
    return rows;
  }
}
