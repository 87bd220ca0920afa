// Runs flows: validates input, creates the run, walks the DAG (a node's task
// starts when all its parents completed), moves each task through the task
// statuses with events and logs, and finishes the run Completed, Failed (per
// fail_on_error) or Cancelled. All timing is scaled by `speed`, except the
// delay app, which waits real seconds.
import type { Logger } from '../api/logger';
import type { ApiMessage, FlowRun, FlowVersion, NodeData, Task } from '../api/models';
import { FlowRunStatus, isTerminalRunStatus, LogType, TaskStatus, TASK_STATUS_NAMES } from '../api/models';
import { ApiError, invalid, notFound } from './apiError';
import { findApp } from './apps';
import type { Clock } from './clock';
import { parentsOf, resolveTemplates, sinksOf, topoOrder } from './graph';
import { newId, shortIdOf } from './ids';
import type { Rng } from './rng';
import type { RunStore } from './runStore';
import { applyDefaults, unknownFields, validateSchema } from './schema';
import { FLOW_APP, newTask, nodeTaskRef, OWNER, taskEvent, taskLog } from './taskFactory';
import { perNodeInput, type StateShaper } from './variedState';

export interface ExecutorDeps {
  store: RunStore;
  clock: Clock;
  speed: number;
  baseUrl: () => string;
  random: Rng;
  logger: Logger;
  /** The varied profile's state choices (optional fields left out, per-node input). */
  shape?: StateShaper;
}

export interface CreateRunRequest {
  flow: unknown;
  input: unknown;
  fail_on_error?: unknown;
}

/** For tests: which form the run keeps its `input` in, whatever the profile would pick. */
export interface CreateRunOptions {
  storedInput?: 'as-sent' | 'per-node';
  /** Stays Pending until `release(id)`: a test can watch a run from its very first status. */
  held?: boolean;
  /** This run's step-duration multiplier instead of the sandbox's (a long flow need not take long). */
  speed?: number;
}

/** Simulated durations at speed 1, in ms. */
const PENDING_MS = 300;
const STAGES: [TaskStatus, number][] = [
  [TaskStatus.Queued, 250],
  [TaskStatus.Dispatched, 300],
  [TaskStatus.Preparing, 400],
  [TaskStatus.Running, 500],
];
const UPLOAD_MS = 300;

const RUN_FIELDS_ON_FINISH = [
  'status', 'error', 'flow_run_started', 'flow_run_finished', 'flow_run_cancelled', 'output', 'node_statuses', 'node_tasks', 'node_outputs',
];

const abortError = (): Error => Object.assign(new Error('aborted'), { name: 'AbortError' });

export class Executor {
  private readonly executions = new Map<string, RunExecution>();
  private readonly held = new Set<string>();

  constructor(private readonly deps: ExecutorDeps) {}

  /** Validates and starts a run. Throws ApiError (404 unknown flow, 400 bad input). */
  createRun(req: CreateRunRequest, opts: CreateRunOptions = {}): { run: FlowRun; messages: ApiMessage[] } {
    const { store, clock } = this.deps;
    if (typeof req.flow !== 'string' || !req.flow) {
      throw invalid('flow is required (the id of a saved flow)', [{ path: 'flow', pointer: '/flow', keyword: 'required', message: 'flow is required' }]);
    }
    if (typeof req.input !== 'object' || req.input === null || Array.isArray(req.input)) {
      throw invalid('input is required and must be an object', [{ path: 'input', pointer: '/input', keyword: 'type', message: 'input must be an object' }]);
    }
    if (req.fail_on_error !== undefined && typeof req.fail_on_error !== 'boolean') throw invalid('fail_on_error must be a boolean');
    const flow = store.flows.get(req.flow);
    if (!flow || flow.deleted_at) throw notFound('Flow', req.flow);
    const versionId = flow.published_version_id || flow.draft_version_id || '';
    const version = store.versions.get(versionId);
    if (!version) throw new ApiError(500, 'internal_error', `Flow ${flow.id} has no version to run`);
    const input = req.input as Record<string, unknown>;
    const issues = validateSchema(version.input_schema, input);
    if (issues.length) {
      throw invalid(`Input does not match the flow's input_schema: ${issues.map((i) => i.message).join('; ')}`, issues);
    }
    const messages: ApiMessage[] = unknownFields(version.input_schema, input).map((field) => ({
      level: 'warning',
      code: 'unknown_input_field',
      message: `Input field "${field}" is not in the flow's input_schema; the flow ignores it.`,
      meta: { field },
    }));
    const now = clock.nowIso();
    const id = newId('flowrun');
    const parent = newTask({ app: FLOW_APP, fn: 'run', runId: id, input, now });
    this.deps.shape?.task(parent);
    parent.logs = [taskLog(parent.id, `Flow run ${id} of ${flow.id} received\n`, now)];
    const failOnError = typeof req.fail_on_error === 'boolean' ? req.fail_on_error : true;
    const run: FlowRun = {
      id,
      short_id: shortIdOf(id),
      created_at: now,
      updated_at: now,
      ...OWNER,
      visibility: 'private',
      flow_id: flow.id,
      flow_version_id: version.id,
      flow_version: structuredClone(version),
      task_id: parent.id,
      status: FlowRunStatus.Pending,
      error: null,
      flow_run_started: null,
      flow_run_finished: null,
      flow_run_cancelled: null,
      input: structuredClone(input),
      fail_on_error: failOnError,
      output: null,
      node_tasks: {},
      node_statuses: Object.fromEntries(version.nodes.map((n) => [n.id, 'pending'])),
      node_outputs: {},
    };
    const effective = applyDefaults(version.input_schema, input);
    this.deps.shape?.run(run, version, effective);
    if (opts.storedInput === 'per-node') run.input = perNodeInput(version, effective);
    else if (opts.storedInput === 'as-sent') run.input = structuredClone(input);
    store.addTask(parent, false);
    store.addRun(run);
    const deps = opts.speed === undefined ? this.deps : { ...this.deps, speed: Math.max(0, opts.speed) };
    const exec = new RunExecution(deps, run, version, effective, parent, () => this.executions.delete(id));
    this.executions.set(id, exec);
    if (opts.held) this.held.add(id);
    else exec.start();
    return { run, messages };
  }

  /** Starts a run created `held`; false when there is no such held run. */
  release(runId: string): boolean {
    const exec = this.executions.get(runId);
    if (!exec || !this.held.delete(runId)) return false;
    exec.start();
    return true;
  }

  /** Cancels a pending or running run; 400 when it is already terminal. */
  cancel(runId: string): FlowRun {
    const run = this.deps.store.runs.get(runId);
    if (!run) throw notFound('Flow run', runId);
    if (isTerminalRunStatus(run.status)) {
      throw invalid(`Flow run is already ${(FlowRunStatus[run.status] ?? 'finished').toLowerCase()}`);
    }
    const exec = this.executions.get(runId);
    if (exec) exec.finish(FlowRunStatus.Cancelled);
    else {
      // A run with no live execution (should not happen): settle it directly.
      const now = this.deps.clock.nowIso();
      run.status = FlowRunStatus.Cancelled;
      run.flow_run_cancelled = now;
      run.flow_run_finished = now;
      this.deps.store.touchRun(run, ['status', 'flow_run_cancelled', 'flow_run_finished']);
    }
    return run;
  }

  /** Stops every timer without changing state (the server is closing). */
  haltAll(): void {
    for (const e of this.executions.values()) e.halt();
    this.executions.clear();
    this.held.clear();
  }

  get active(): number {
    return this.executions.size;
  }
}

class RunExecution {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly tasks = new Map<string, Task>();
  private readonly parents: Map<string, string[]>;
  private readonly order: string[] | undefined;
  private done = false;

  constructor(
    private readonly deps: ExecutorDeps,
    private readonly run: FlowRun,
    private readonly version: FlowVersion,
    private readonly input: Record<string, unknown>,
    private readonly parent: Task,
    private readonly onDone: () => void,
  ) {
    this.parents = parentsOf(version);
    this.order = topoOrder(version);
  }

  start(): void {
    const ac = new AbortController();
    this.controllers.set('\u0000run', ac);
    this.sleep(PENDING_MS * this.deps.speed, ac.signal).then(() => {
      this.controllers.delete('\u0000run');
      if (this.done) return;
      const now = this.deps.clock.nowIso();
      this.run.status = FlowRunStatus.Running;
      this.run.flow_run_started = now;
      this.deps.store.touchRun(this.run, ['status', 'flow_run_started']);
      this.setParentStatus(TaskStatus.Running);
      if (!this.order) {
        this.finish(FlowRunStatus.Failed, 'The flow graph has a cycle or an edge to an unknown node');
        return;
      }
      this.advance();
    }, () => undefined);
  }

  /** Starts every node whose parents all completed; blocks descendants of failures; finishes when nothing is left. */
  private advance(): void {
    if (this.done || !this.order) return;
    const st = this.statuses();
    for (const id of this.order) {
      if (st[id] !== 'pending') continue;
      const ps = this.parents.get(id) ?? [];
      if (ps.every((p) => st[p] === 'completed')) this.startNode(id);
      else if (ps.some((p) => ['failed', 'blocked', 'cancelled', 'skipped'].includes(String(st[p])))) {
        st[id] = 'blocked';
        this.deps.store.touchRun(this.run, ['node_statuses']);
      }
    }
    const active = Object.values(st).some((s) => s === 'pending' || s === 'ready' || s === 'running');
    if (active) return;
    const failed = this.order.filter((id) => st[id] === 'failed');
    if (failed.length === 0) this.finish(FlowRunStatus.Completed);
    else {
      const errs = failed.map((id) => this.nodeError(id, String(this.tasks.get(id)?.error ?? 'failed')));
      this.finish(FlowRunStatus.Failed, errs.length === 1 ? errs[0] : `${errs.length} nodes failed: ${errs.join('; ')}`);
    }
  }

  private statuses(): Record<string, string> {
    return (this.run.node_statuses ??= {});
  }

  private nodeData(id: string): NodeData {
    return this.version.node_data[id] ?? {};
  }

  private nodeError(id: string, message: string): string {
    return message.includes(`"${id}"`) ? message : `Node "${id}" (${this.nodeData(id).title ?? id}) failed: ${message}`;
  }

  private startNode(id: string): void {
    const { store, clock } = this.deps;
    const nd = this.nodeData(id);
    const app = findApp(nd.app_id);
    const fn = nd.function ?? 'run';
    const input = resolveTemplates(nd.input ?? {}, { input: this.input, nodes: this.run.node_outputs ?? {} }) as Record<string, unknown>;
    const task = newTask({ app: app.ref, fn, runId: this.run.id, input, now: clock.nowIso() });
    this.deps.shape?.task(task);
    this.tasks.set(id, task);
    store.addTask(task, true);
    (this.run.node_tasks ??= {})[id] = nodeTaskRef(task);
    this.statuses()[id] = 'ready';
    store.touchRun(this.run, ['node_tasks', 'node_statuses']);
    void this.runNode(id, task, fn, input);
  }

  private async runNode(id: string, task: Task, fn: string, input: Record<string, unknown>): Promise<void> {
    const ac = new AbortController();
    this.controllers.set(id, ac);
    const { speed, clock, store } = this.deps;
    const title = this.nodeData(id).title ?? id;
    const app = findApp(task.app_id);
    try {
      for (const [status, ms] of STAGES) {
        await this.sleep(ms * speed, ac.signal);
        if (status === TaskStatus.Preparing) this.addLog(task, `Preparing ${task.app_id}@1 (${fn}) for node "${id}"\n`, LogType.Setup, false);
        if (status === TaskStatus.Running) {
          task.run_at = clock.nowIso();
          this.addLog(task, `Running "${title}" with input ${JSON.stringify(input).slice(0, 500)}\n`, LogType.Run, true);
        }
        this.setTaskStatus(id, task, status);
      }
      const output = await app.run(fn, input, {
        nodeId: id,
        nodeTitle: title,
        baseUrl: this.deps.baseUrl(),
        sleep: (ms) => this.sleep(ms * speed, ac.signal),
        sleepReal: (ms) => this.sleep(ms, ac.signal),
        random: this.deps.random,
        log: (text, opts) => this.addLog(task, text, opts?.type ?? LogType.Run, opts?.base64 ?? false),
        progress: (value) => {
          if (ac.signal.aborted) return Promise.reject(abortError());
          (this.run.node_outputs ??= {})[id] = value;
          this.run.output = value;
          store.touchRun(this.run, ['node_outputs', 'output']);
          return new Promise((resolve) => setImmediate(resolve));
        },
      });
      if (ac.signal.aborted) return;
      this.setTaskStatus(id, task, TaskStatus.Uploading);
      await this.sleep(UPLOAD_MS * speed, ac.signal);
      task.output = output;
      this.addLog(task, `Task completed; output fields: ${Object.keys(output).join(', ') || '(none)'}\n`, LogType.Task, false);
      this.setTaskStatus(id, task, TaskStatus.Completed, ['output']);
      this.controllers.delete(id);
      (this.run.node_outputs ??= {})[id] = output;
      this.statuses()[id] = 'completed';
      store.touchRun(this.run, ['node_outputs', 'node_statuses']);
      this.advance();
    } catch (err) {
      this.controllers.delete(id);
      if (ac.signal.aborted || this.done) return; // whoever aborted has settled the state
      const message = err instanceof Error ? err.message : String(err);
      this.failNode(id, task, message);
    }
  }

  private failNode(id: string, task: Task, message: string): void {
    task.error = message;
    this.addLog(task, `Error: ${message}\n`, LogType.Run, true);
    this.setTaskStatus(id, task, TaskStatus.Failed, ['error']);
    this.statuses()[id] = 'failed';
    this.deps.store.touchRun(this.run, ['node_statuses']);
    if (this.run.fail_on_error !== false) this.finish(FlowRunStatus.Failed, this.nodeError(id, message));
    else this.advance();
  }

  private setTaskStatus(nodeId: string, task: Task, status: TaskStatus, extra: string[] = []): void {
    const now = this.deps.clock.nowIso();
    task.status = status;
    (task.events ??= []).push(taskEvent(task.id, status, now));
    this.deps.store.touchTask(task, ['status', 'events', 'run_at', ...extra]);
    (this.run.node_tasks ??= {})[nodeId] = nodeTaskRef(task);
    if (status === TaskStatus.Running) this.statuses()[nodeId] = 'running';
    this.deps.store.touchRun(this.run, ['node_tasks', 'node_statuses']);
  }

  private addLog(task: Task, text: string, type: LogType, base64: boolean): void {
    (task.logs ??= []).push(taskLog(task.id, text, this.deps.clock.nowIso(), type, base64));
    this.deps.store.touchTask(task, ['logs']);
  }

  private setParentStatus(status: TaskStatus, extra: string[] = []): void {
    const p = this.parent;
    const now = this.deps.clock.nowIso();
    p.status = status;
    (p.events ??= []).push(taskEvent(p.id, status, now));
    if (status === TaskStatus.Running) p.run_at = now;
    (p.logs ??= []).push(taskLog(p.id, `Flow run ${this.run.id}: ${TASK_STATUS_NAMES[status]}\n`, now));
    this.deps.store.touchTask(p, ['status', 'events', 'logs', ...extra]);
  }

  /**
   * Ends the run. Tasks still in flight become cancelled (their nodes
   * `cancelled`); nodes that never got a task become `skipped`. Synchronous,
   * so a cancel answer already shows no node running.
   */
  finish(status: FlowRunStatus, error?: string): void {
    if (this.done) return;
    this.done = true;
    const { clock, store } = this.deps;
    for (const ac of this.controllers.values()) ac.abort();
    this.controllers.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const st = this.statuses();
    for (const node of this.version.nodes) {
      const s = st[node.id];
      if (s === 'ready' || s === 'running') {
        const task = this.tasks.get(node.id);
        if (task) {
          this.setTaskStatus(node.id, task, TaskStatus.Cancelling);
          task.error = status === FlowRunStatus.Cancelled ? 'Cancelled with the flow run' : 'Cancelled: another node failed';
          this.setTaskStatus(node.id, task, TaskStatus.Cancelled, ['error']);
        }
        st[node.id] = 'cancelled';
      } else if (s === 'pending' || s === undefined) st[node.id] = 'skipped';
    }
    const now = clock.nowIso();
    this.run.status = status;
    this.run.error = error ?? null;
    this.run.flow_run_finished = now;
    if (status === FlowRunStatus.Cancelled) this.run.flow_run_cancelled = now;
    if (status === FlowRunStatus.Completed || status === FlowRunStatus.Failed) this.run.output = this.sinkOutput();
    store.touchRun(this.run, RUN_FIELDS_ON_FINISH);
    this.parent.output = this.run.output;
    this.parent.error = error ?? null;
    const parentStatus = status === FlowRunStatus.Completed ? TaskStatus.Completed
      : status === FlowRunStatus.Failed ? TaskStatus.Failed : TaskStatus.Cancelled;
    this.setParentStatus(parentStatus, ['output', 'error']);
    this.deps.logger.debug(`[sandbox] run ${this.run.id} ${FlowRunStatus[status]}`);
    this.onDone();
  }

  /** Output of the sink nodes: the one sink's output, or {nodeId: output} when there are several. */
  private sinkOutput(): unknown {
    const outputs = this.run.node_outputs ?? {};
    const sinks = sinksOf(this.version).filter((id) => outputs[id] !== undefined);
    if (sinks.length === 0) return null;
    if (sinks.length === 1 && sinksOf(this.version).length === 1) return structuredClone(outputs[sinks[0]]);
    return Object.fromEntries(sinks.map((id) => [id, structuredClone(outputs[id])]));
  }

  halt(): void {
    this.done = true;
    for (const ac of this.controllers.values()) ac.abort();
    this.controllers.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(abortError());
        return;
      }
      const onAbort = (): void => {
        clearTimeout(t);
        this.timers.delete(t);
        reject(abortError());
      };
      const t = setTimeout(() => {
        this.timers.delete(t);
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      this.timers.add(t);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
