// The sandbox's state: flows, flow versions, runs and tasks, plus change
// tracking. Changes made in one tick are coalesced and published once per
// object at the next setImmediate, as partial updates {data, fields} that
// always carry `id` and `updated_at`.
import type { Flow, FlowRun, FlowVersion, Task } from '../api/models';
import { isTerminalRunStatus } from '../api/models';
import type { Clock } from './clock';

export type StoreEvent =
  | { kind: 'run'; runId: string; data: Record<string, unknown>; fields: string[]; terminal: boolean }
  | { kind: 'task-new'; runId: string; task: Task }
  | { kind: 'task'; runId: string; data: Record<string, unknown>; fields: string[] };

type Listener = (e: StoreEvent) => void;

export class RunStore {
  readonly flows = new Map<string, Flow>();
  readonly versions = new Map<string, FlowVersion>();
  readonly runs = new Map<string, FlowRun>();
  readonly tasks = new Map<string, Task>();
  /** Tasks that belong on a run's tasks stream (node tasks; not the parent task). */
  private readonly nodeTaskIds = new Set<string>();
  private readonly dirtyRuns = new Map<string, Set<string>>();
  private readonly dirtyTasks = new Map<string, Set<string>>();
  private readonly newTasks = new Set<string>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly changeListeners = new Set<() => void>();
  private flushHandle: NodeJS.Immediate | undefined;

  constructor(private readonly clock: Clock) {}

  addRun(run: FlowRun): void {
    this.runs.set(run.id, run);
    this.changed();
  }

  addTask(task: Task, nodeTask: boolean): void {
    this.tasks.set(task.id, task);
    if (nodeTask) {
      this.nodeTaskIds.add(task.id);
      this.newTasks.add(task.id);
    }
    this.schedule();
  }

  isNodeTask(id: string): boolean {
    return this.nodeTaskIds.has(id);
  }

  /** Records that `fields` of the run changed, stamps updated_at, schedules a publish. */
  touchRun(run: FlowRun, fields: string[]): void {
    run.updated_at = this.clock.nowIso();
    let set = this.dirtyRuns.get(run.id);
    if (!set) this.dirtyRuns.set(run.id, (set = new Set()));
    for (const f of fields) set.add(f);
    this.schedule();
  }

  touchTask(task: Task, fields: string[]): void {
    task.updated_at = this.clock.nowIso();
    if (this.nodeTaskIds.has(task.id)) {
      let set = this.dirtyTasks.get(task.id);
      if (!set) this.dirtyTasks.set(task.id, (set = new Set()));
      for (const f of fields) set.add(f);
    }
    this.schedule();
  }

  /** Listens to one run's changes (its own and its node tasks'). */
  subscribe(runId: string, fn: Listener): () => void {
    let set = this.listeners.get(runId);
    if (!set) this.listeners.set(runId, (set = new Set()));
    set.add(fn);
    return () => {
      const s = this.listeners.get(runId);
      s?.delete(fn);
      if (s && s.size === 0) this.listeners.delete(runId);
    };
  }

  /** Called after any change is published (persistence listens). */
  onChange(fn: () => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  /** Tells change listeners without publishing to streams (e.g. a new flow). */
  changed(): void {
    this.schedule();
  }

  /** Publishes pending changes now (tasks first, then runs, so `done` follows the last task update). */
  flush(): void {
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    const newTasks = [...this.newTasks];
    const dirtyTasks = [...this.dirtyTasks];
    const dirtyRuns = [...this.dirtyRuns];
    this.newTasks.clear();
    this.dirtyTasks.clear();
    this.dirtyRuns.clear();
    for (const id of newTasks) {
      const task = this.tasks.get(id);
      const runId = task?.flow_run_id;
      if (!task || !runId || !this.listeners.has(runId)) continue;
      this.emit(runId, { kind: 'task-new', runId, task: structuredClone(task) });
    }
    const fresh = new Set(newTasks);
    for (const [id, fields] of dirtyTasks) {
      const task = this.tasks.get(id);
      const runId = task?.flow_run_id;
      if (!task || !runId || fresh.has(id) || !this.listeners.has(runId)) continue;
      const { data, list } = pick(task as unknown as Record<string, unknown>, fields);
      this.emit(runId, { kind: 'task', runId, data, fields: list });
    }
    for (const [id, fields] of dirtyRuns) {
      const run = this.runs.get(id);
      if (!run || !this.listeners.has(id)) continue;
      const { data, list } = pick(run as unknown as Record<string, unknown>, fields);
      this.emit(id, { kind: 'run', runId: id, data, fields: list, terminal: isTerminalRunStatus(run.status) });
    }
    for (const fn of this.changeListeners) fn();
  }

  /** Stops the pending publish (server closing). */
  dispose(): void {
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    this.listeners.clear();
    this.changeListeners.clear();
  }

  private emit(runId: string, e: StoreEvent): void {
    for (const fn of [...(this.listeners.get(runId) ?? [])]) fn(e);
  }

  private schedule(): void {
    if (!this.flushHandle) this.flushHandle = setImmediate(() => this.flush());
  }
}

function pick(obj: Record<string, unknown>, fields: Set<string>): { data: Record<string, unknown>; list: string[] } {
  const list = ['id', 'updated_at', ...[...fields].filter((f) => f !== 'id' && f !== 'updated_at')];
  const data: Record<string, unknown> = {};
  for (const f of list) data[f] = obj[f] === undefined ? null : structuredClone(obj[f]);
  return { data, list };
}
