// What the webview knows: the snapshot with every diff applied on top, plus
// which parts of the page those messages made stale. The view reads it once
// per animation frame.
import type {
  HostMessage, PanelConnection, PanelGraph, PanelRun, PanelTask,
} from '../shared/protocol';
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
  private rowCache: Row[] | undefined;

  apply(msg: HostMessage): void {
    switch (msg.type) {
      case 'snapshot':
        this.runId = msg.runId;
        this.run = msg.run;
        this.tasks = new Map(msg.tasks.map((t) => [t.id, t]));
        this.graph = msg.graph;
        this.connection = msg.connection;
        if (msg.selectedKey) this.selectedKey = msg.selectedKey;
        this.logs = null;
        this.logAppend = '';
        this.markAll();
        break;
      case 'run': {
        if (!this.run) {
          // The first diff after a snapshot without a run carries every field.
          this.run = msg.changes as PanelRun;
        } else {
          this.run = { ...this.run, ...msg.changes };
        }
        this.dirty.add('header');
        if ('nodeStatuses' in msg.changes || 'nodeTasks' in msg.changes) {
          this.dirty.add('statuses').add('list').add('details');
        }
        if ('output' in msg.changes) this.dirty.add('output');
        if ('error' in msg.changes) this.dirty.add('details');
        this.rowCache = undefined;
        break;
      }
      case 'tasks':
        for (const change of msg.changes) {
          const held = this.tasks.get(change.id);
          this.tasks.set(change.id, held ? { ...held, ...change } : (change as PanelTask));
          if (this.selectedRow()?.taskId === change.id) this.dirty.add('details');
        }
        this.dirty.add('list').add('statuses');
        this.rowCache = undefined;
        break;
      case 'graph':
        this.graph = msg.graph;
        this.dirty.add('graph').add('list').add('details');
        this.rowCache = undefined;
        break;
      case 'connection':
        this.connection = msg.connection;
        this.dirty.add('header').add('statuses');
        break;
      case 'logs':
        this.applyLogs(msg.taskId, msg.text, msg.reset);
        break;
      case 'image':
        // Images are answered straight to their <img> (see images.ts).
        break;
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

  markAll(): void {
    this.rowCache = undefined;
    for (const p of ['header', 'graph', 'statuses', 'list', 'details', 'output'] as Part[]) this.dirty.add(p);
  }

  /** The data on screen is not being kept up to date right now. */
  get stale(): boolean {
    const s = this.connection.state;
    return s === 'reconnecting' || s === 'failed' || (s === 'connecting' && this.connection.wasLive);
  }

  /** Rows in topological order: flow nodes first, then tasks the graph does not know. */
  rows(): Row[] {
    if (this.rowCache) return this.rowCache;
    const run = this.run;
    const nodeTasks = run?.nodeTasks ?? {};
    const rows: Row[] = [];
    const seenNodes = new Set<string>();
    const seenTasks = new Set<string>();
    const nodeRow = (nodeId: string, title: string, app: string | null): void => {
      seenNodes.add(nodeId);
      const taskId = nodeTasks[nodeId];
      const task = taskId ? this.tasks.get(taskId) : undefined;
      if (taskId) seenTasks.add(taskId);
      const status = run?.nodeStatuses[nodeId] ?? (task ? undefined : 'pending');
      const look = status ? nodeLook(status) : taskLook(task?.status ?? 0);
      rows.push({
        key: `node:${nodeId}`,
        nodeId,
        title,
        app: app || task?.app || '',
        taskId: taskId ?? null,
        task,
        look,
        statusName: status ?? look.cls,
      });
    };
    if (this.graph) {
      const byId = new Map(this.graph.nodes.map((n) => [n.id, n]));
      for (const id of topoOrder(this.graph)) {
        const n = byId.get(id);
        if (n) nodeRow(n.id, n.title, n.app);
      }
    }
    for (const nodeId of Object.keys(nodeTasks)) if (!seenNodes.has(nodeId)) nodeRow(nodeId, nodeId, null);
    const loose = [...this.tasks.values()].filter((t) => !seenTasks.has(t.id));
    loose.sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
    for (const task of loose) {
      rows.push({
        key: `task:${task.id}`,
        nodeId: task.nodeId,
        title: task.appTitle || task.app || task.shortId,
        app: task.app,
        taskId: task.id,
        task,
        look: taskLook(task.status),
        statusName: taskLook(task.status).cls,
      });
    }
    this.rowCache = rows;
    return rows;
  }

  selectedRow(): Row | undefined {
    return this.selectedKey ? this.rows().find((r) => r.key === this.selectedKey) : undefined;
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
}
