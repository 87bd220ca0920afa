// --data DIR: the state as one JSON file, written atomically (tmp + rename)
// shortly after each change and on close, and reloaded at start.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Flow, FlowRun, FlowVersion, Task } from '../api/models';
import { FlowRunStatus, isTerminalRunStatus, isTerminalTaskStatus, TaskStatus, toTaskStatus } from '../api/models';
import type { Clock } from './clock';
import type { RunStore } from './runStore';
import { nodeTaskRef, taskEvent } from './taskFactory';

const FILE = 'sandbox-state.json';
const DEBOUNCE_MS = 300;

interface PersistedState {
  version: 1;
  baseUrl: string;
  flows: Flow[];
  versions: FlowVersion[];
  runs: FlowRun[];
  tasks: Task[];
  nodeTaskIds: string[];
}

export class StateWriter {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dir: string, private readonly store: RunStore, private readonly baseUrl: () => string) {
    mkdirSync(dir, { recursive: true });
  }

  schedule(): void {
    if (!this.timer) this.timer = setTimeout(() => this.writeNow(), DEBOUNCE_MS);
  }

  writeNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const s = this.store;
    const tasks = [...s.tasks.values()];
    const state: PersistedState = {
      version: 1,
      baseUrl: this.baseUrl(),
      flows: [...s.flows.values()],
      versions: [...s.versions.values()],
      runs: [...s.runs.values()],
      tasks,
      nodeTaskIds: tasks.filter((t) => s.isNodeTask(t.id)).map((t) => t.id),
    };
    const path = join(this.dir, FILE);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, path);
  }
}

/**
 * Loads a saved state into the store. Image URLs saved under another base URL
 * are rewritten to `baseUrl`. Runs that were in progress when the sandbox
 * stopped become Failed ("interrupted"), their unfinished tasks cancelled.
 * Returns the number of runs loaded.
 */
export function loadState(dir: string, store: RunStore, baseUrl: string, clock: Clock): number {
  const path = join(dir, FILE);
  if (!existsSync(path)) return 0;
  let text = readFileSync(path, 'utf8');
  const head = /"baseUrl":"([^"]*)"/.exec(text.slice(0, 200));
  if (head && head[1] && head[1] !== baseUrl) text = text.split(`${head[1]}/_sandbox/images/`).join(`${baseUrl}/_sandbox/images/`);
  const state = JSON.parse(text) as PersistedState;
  if (state.version !== 1) throw new Error(`${path}: unknown state version ${String(state.version)}`);
  for (const v of state.versions) store.versions.set(v.id, v);
  for (const f of state.flows) store.flows.set(f.id, f);
  const nodeIds = new Set(state.nodeTaskIds);
  for (const t of state.tasks) store.addTask(t, nodeIds.has(t.id));
  for (const r of state.runs) {
    store.runs.set(r.id, r);
    if (!isTerminalRunStatus(r.status)) interrupt(r, store, clock);
  }
  return state.runs.length;
}

function interrupt(run: FlowRun, store: RunStore, clock: Clock): void {
  const now = clock.nowIso();
  const settle = (task: Task | undefined): void => {
    if (!task || isTerminalTaskStatus(toTaskStatus(task.status))) return;
    task.status = TaskStatus.Cancelled;
    task.error = 'Interrupted: the sandbox stopped';
    (task.events ??= []).push(taskEvent(task.id, TaskStatus.Cancelled, now));
    task.updated_at = now;
  };
  for (const [nodeId, ref] of Object.entries(run.node_tasks ?? {})) {
    const task = store.tasks.get(ref.task_id);
    settle(task);
    if (task) run.node_tasks![nodeId] = nodeTaskRef(task);
  }
  for (const [nodeId, s] of Object.entries(run.node_statuses ?? {})) {
    if (s === 'ready' || s === 'running') run.node_statuses![nodeId] = 'cancelled';
    else if (s === 'pending') run.node_statuses![nodeId] = 'skipped';
  }
  settle(run.task_id ? store.tasks.get(run.task_id) : undefined);
  run.status = FlowRunStatus.Failed;
  run.error = 'Interrupted: the sandbox stopped while this run was in progress';
  run.flow_run_finished = now;
  run.updated_at = now;
}
