// RunFollower: the merged, always-consistent view of one run and its node
// tasks, kept live from the two event streams.
//
// Each connection cycle: open both streams, wait until they are open, GET the
// run (and the tasks we lack), then apply the events buffered meanwhile and
// every later event on top. The server has no replay, so this resync happens
// on every connect and reconnect. A silent stream (no byte, not even a
// keep-alive, for silenceMs) counts as dead. A stream that was live is
// reopened quickly once (see reconnectDelay); further reconnects use
// exponential backoff with full jitter and never give up while started, except on
// 401/403/404 (state 'failed'). A terminal status closes the streams and does
// one final GET of the run and its unfinished tasks (state 'ended').
import { setMaxListeners } from 'node:events';
import type { FlowRunsApi, StreamConnection, StreamHandlers } from '../api/api';
import { backoffDelay, sleep } from '../api/backoff';
import { isApiError, type ApiError } from '../api/errors';
import { silentLogger, type Logger } from '../api/logger';
import {
  isTerminalRunStatus, isTerminalTaskStatus, toFlowRunStatus, toTaskStatus, type FlowRun, type Task,
} from '../api/models';
import { Emitter, type Event } from './emitter';
import { applyPartial, changedKeys, replaceObject, stampOf, type MergeGuards, type Merged } from './merge';
import type { ConnectionState } from '../shared/runText';

export interface RunView {
  runId: string;
  run?: FlowRun;
  /** Node tasks by task id. */
  tasks: Record<string, Task>;
  state: ConnectionState;
  /** Why it failed ('failed'), or the last transient error while 'reconnecting'. */
  error?: ApiError;
}

/**
 * What changed, so a panel can post diffs. A pure state change has empty
 * lists and full=false; `full` means a resync replaced the whole view.
 */
export interface RunChange {
  view: RunView;
  runFields: string[];
  taskIds: string[];
  full: boolean;
}

export interface FollowerOptions {
  logger?: Logger;
  /** A stream silent this long is dead. Default 45000. */
  silenceMs?: number;
  /** Reconnect backoff. Defaults 1000 / 30000. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Also follow /tasks/stream. Default true. */
  streamTasks?: boolean;
}

type StreamKind = 'run' | 'tasks';

type Incoming =
  | { kind: 'object'; value: Record<string, unknown>; target: StreamKind }
  | { kind: 'partial'; data: Record<string, unknown>; fields: string[] | undefined; target: StreamKind };

/** One connect attempt: its streams, timers and buffered events. */
interface Cycle {
  controller: AbortController;
  streams: StreamConnection[];
  opened: Set<StreamKind>;
  closed: Set<StreamKind>;
  needed: StreamKind[];
  /** Defined while resyncing: events wait here until the GET is applied. */
  buffer?: Incoming[];
  /** A stream ended (after opening) during the resync. */
  lost: boolean;
  ready: (ok: boolean) => void;
  readyPromise: Promise<boolean>;
  silence: Map<StreamKind, ReturnType<typeof setTimeout>>;
  liveSince?: number;
  retryAfterMs?: number;
  /** The last transient error, shown while reconnecting. */
  lastError?: ApiError;
}

const isTerminalRun = (s: unknown): boolean => isTerminalRunStatus(toFlowRunStatus(s));
const isTerminalTask = (s: unknown): boolean => isTerminalTaskStatus(toTaskStatus(s));
const runGuards = (stamp: number | undefined): MergeGuards => ({ stamp, isTerminal: isTerminalRun });
const taskGuards = (stamp: number | undefined): MergeGuards => ({ stamp, isTerminal: isTerminalTask });

/** The first reopen of a stream that was live waits this share of the backoff base (with jitter). */
const QUICK_MIN = 0.1;
const QUICK_MAX = 0.25;

/**
 * How long to wait before connect attempt `attempt + 1`. A stream that was
 * live and dropped (a proxy timeout, a deploy, a blip) is reopened after
 * 10-25 % of the base (100-250 ms by default): the server has no replay, so
 * every moment away loses updates, and a server that just served us is
 * likely up. Only the first reopen is quick: the attempt count goes on, so
 * a drop soon after, or a connect that fails, backs off exponentially with
 * full jitter as before (a failing server is not hammered). Never sooner
 * than a Retry-After.
 */
export function reconnectDelay(
  attempt: number,
  wasLive: boolean,
  baseMs: number,
  maxMs: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const wait = wasLive && attempt === 0
    ? Math.floor(baseMs * (QUICK_MIN + random() * (QUICK_MAX - QUICK_MIN)))
    : backoffDelay(attempt, baseMs, maxMs, random);
  return Math.max(wait, retryAfterMs ?? 0);
}

function isFatal(e: unknown): e is ApiError {
  return isApiError(e) && (e.status === 401 || e.status === 403 || e.status === 404 || e.isFatal) && e.kind !== 'aborted';
}

export class RunFollower {
  readonly view: RunView;
  private readonly changes = new Emitter<RunChange>();
  readonly onDidChange: Event<RunChange> = this.changes.event;
  readonly done: Promise<RunView>;

  private resolveDone!: (view: RunView) => void;
  private readonly logger: Logger;
  private readonly silenceMs: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly streamTaskUpdates: boolean;

  private started = false;
  private finished = false;
  private ending = false;
  private cycle?: Cycle;
  private attempt = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  /** Aborts the final GETs and the background task fetches. */
  private readonly lifetime = new AbortController();
  private readonly stamps = new Map<string, number>();
  private readonly runKey: string;
  private readonly fetching = new Set<string>();
  /** Tasks we hold only as a summary (nested in the run) or from partials: not yet fetched whole. */
  private readonly incomplete = new Set<string>();
  /** True after the first resync: later ones also refresh unfinished tasks (their events were missed). */
  private resynced = false;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly api: FlowRunsApi, readonly runId: string, opts: FollowerOptions = {}) {
    this.view = { runId, tasks: {}, state: 'connecting' };
    this.runKey = `run:${runId}`;
    this.logger = opts.logger ?? silentLogger;
    this.silenceMs = opts.silenceMs ?? 45_000;
    this.baseMs = opts.backoff?.baseMs ?? 1_000;
    this.maxMs = opts.backoff?.maxMs ?? 30_000;
    this.streamTaskUpdates = opts.streamTasks ?? true;
    // Every concurrent request listens to these signals; a fan-out has many.
    setMaxListeners(0, this.lifetime.signal);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  start(): void {
    if (this.started || this.finished) return;
    this.started = true;
    this.connect();
  }

  /** Frees sockets and timers at once; resolves when every socket is closed. */
  async stop(): Promise<void> {
    if (!this.finished) {
      this.teardown();
      this.lifetime.abort();
      this.settle('stopped');
    }
    await this.drain();
  }

  // ---- connection cycles ----

  private connect(): void {
    if (this.finished || this.ending) return;
    const needed: StreamKind[] = this.streamTaskUpdates ? ['run', 'tasks'] : ['run'];
    let ready!: (ok: boolean) => void;
    const readyPromise = new Promise<boolean>((resolve) => {
      ready = resolve;
    });
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const cycle: Cycle = {
      controller,
      streams: [],
      opened: new Set(),
      closed: new Set(),
      needed,
      buffer: [],
      lost: false,
      ready,
      readyPromise,
      silence: new Map(),
    };
    this.cycle = cycle;
    this.setState(this.view.run === undefined && this.attempt === 0 ? 'connecting' : 'reconnecting');
    const opts = { signal: cycle.controller.signal };
    for (const kind of needed) {
      const conn = kind === 'run'
        ? this.api.streamRun(this.runId, this.handlers<FlowRun>(cycle, kind), opts)
        : this.api.streamTasks(this.runId, this.handlers<Task>(cycle, kind), opts);
      cycle.streams.push(conn);
      this.track(conn.closed.then(() => this.onStreamClosed(cycle, kind)));
      // A stream may fail synchronously (no key): the cycle is over then.
      if (cycle !== this.cycle) {
        conn.close();
        return;
      }
      this.armSilence(cycle, kind);
    }
    this.track(this.sync(cycle));
  }

  private handlers<T>(cycle: Cycle, kind: StreamKind): StreamHandlers<T> {
    return {
      onOpen: () => {
        if (cycle !== this.cycle) return;
        cycle.opened.add(kind);
        this.checkReady(cycle);
      },
      onActivity: () => {
        if (cycle === this.cycle) this.armSilence(cycle, kind);
      },
      onObject: (value, eventName) => {
        this.receive(cycle, { kind: 'object', value: value as Record<string, unknown>, target: this.targetOf(eventName, kind) });
      },
      onPartial: (data, fields, eventName) => {
        this.receive(cycle, { kind: 'partial', data, fields, target: this.targetOf(eventName, kind) });
      },
      onError: (error, fatal) => {
        if (cycle !== this.cycle) return;
        if (fatal && isFatal(error)) {
          this.fail(error);
          return;
        }
        if (isApiError(error)) {
          if (error.code !== 'malformed_event' && error.code !== 'unknown_event') cycle.lastError = error;
          if (error.retryAfterMs !== undefined) cycle.retryAfterMs = error.retryAfterMs;
        }
        this.logger.debug(`[follow ${this.runId}] ${kind} stream: ${error.message}`);
      },
    };
  }

  /** Named events say which table they are about; otherwise the stream does. */
  private targetOf(eventName: string, kind: StreamKind): StreamKind {
    if (eventName === 'tasks' || eventName === 'task') return 'tasks';
    if (eventName === 'flow_runs' || eventName === 'flow_run') return 'run';
    return kind;
  }

  private checkReady(cycle: Cycle): void {
    const settled = cycle.needed.every((k) => cycle.opened.has(k) || cycle.closed.has(k));
    if (!settled) return;
    // A stream that closed without ever opening gives nothing to resync on top of.
    cycle.ready(cycle.needed.every((k) => cycle.opened.has(k)));
  }

  private armSilence(cycle: Cycle, kind: StreamKind): void {
    if (cycle !== this.cycle) return;
    const old = cycle.silence.get(kind);
    if (old !== undefined) clearTimeout(old);
    cycle.silence.set(kind, setTimeout(() => {
      if (cycle !== this.cycle) return;
      this.logger.info(`[follow ${this.runId}] ${kind} stream silent for ${this.silenceMs}ms; reconnecting`);
      this.reconnect(cycle);
    }, this.silenceMs));
  }

  private onStreamClosed(cycle: Cycle, kind: StreamKind): void {
    if (cycle !== this.cycle || this.finished || this.ending) return;
    cycle.closed.add(kind);
    const t = cycle.silence.get(kind);
    if (t !== undefined) clearTimeout(t);
    cycle.silence.delete(kind);
    if (cycle.buffer !== undefined) {
      // Resyncing: let the GET finish (the run may already be over), then decide.
      if (cycle.opened.has(kind)) cycle.lost = true;
      this.checkReady(cycle);
      return;
    }
    if (this.runIsTerminal()) this.finish();
    else this.reconnect(cycle);
  }

  private async sync(cycle: Cycle): Promise<void> {
    const ok = await cycle.readyPromise;
    if (cycle !== this.cycle) return;
    if (!ok) {
      this.reconnect(cycle);
      return;
    }
    try {
      const run = await this.api.getRun(this.runId, { signal: cycle.controller.signal });
      if (cycle !== this.cycle) return;
      const changed = this.applyRun(run, undefined, undefined);
      await this.fetchTasks(this.tasksToFetch(this.resynced ? 'resync' : 'lacking'), cycle.controller.signal);
      this.resynced = true;
      if (cycle !== this.cycle) return;
      const buffered = cycle.buffer ?? [];
      cycle.buffer = undefined;
      const taskIds = new Set(changed.taskIds);
      const runFields = new Set(changed.runFields);
      for (const item of buffered) {
        const c = this.apply(item);
        c.runFields.forEach((f) => runFields.add(f));
        c.taskIds.forEach((id) => taskIds.add(id));
      }
      this.emit([...runFields], [...taskIds], true);
      if (this.runIsTerminal()) {
        this.finish();
        return;
      }
      if (cycle.lost) {
        this.reconnect(cycle);
        return;
      }
      cycle.liveSince = Date.now();
      delete this.view.error;
      this.setState('live');
    } catch (e) {
      if (cycle !== this.cycle) return;
      if (isFatal(e)) this.fail(e);
      else {
        if (isApiError(e)) {
          cycle.lastError = e;
          if (e.retryAfterMs !== undefined) cycle.retryAfterMs = e.retryAfterMs;
        }
        this.logger.debug(`[follow ${this.runId}] resync failed: ${e instanceof Error ? e.message : String(e)}`);
        this.reconnect(cycle);
      }
    }
  }

  private reconnect(cycle: Cycle): void {
    if (cycle !== this.cycle || this.finished || this.ending) return;
    // A connection that stayed live for a while starts the backoff afresh.
    if (cycle.liveSince !== undefined && Date.now() - cycle.liveSince >= this.maxMs) this.attempt = 0;
    const delay = reconnectDelay(this.attempt, cycle.liveSince !== undefined, this.baseMs, this.maxMs, cycle.retryAfterMs);
    this.attempt++;
    this.teardown();
    // While reconnecting, `error` says why (cleared once live again).
    if (cycle.lastError) this.view.error = cycle.lastError;
    this.setState('reconnecting');
    this.logger.debug(`[follow ${this.runId}] reconnect ${this.attempt} in ${delay}ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  /** Closes the current cycle's sockets and timers. */
  private teardown(): void {
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    const cycle = this.cycle;
    if (!cycle) return;
    this.cycle = undefined;
    for (const t of cycle.silence.values()) clearTimeout(t);
    cycle.silence.clear();
    cycle.controller.abort();
    for (const s of cycle.streams) s.close();
    cycle.ready(false);
  }

  // ---- ending ----

  private finish(): void {
    if (this.ending || this.finished) return;
    this.ending = true;
    this.teardown();
    this.track(this.finalSync());
  }

  /** One final GET of the run and its unfinished tasks, retried until it works or we are stopped. */
  private async finalSync(): Promise<void> {
    for (let attempt = 0; !this.finished; attempt++) {
      try {
        const run = await this.api.getRun(this.runId, { signal: this.lifetime.signal });
        if (this.finished) return;
        const c = this.applyRun(run, undefined, undefined);
        const ids = this.tasksToFetch('all');
        // The run is over: these answers are the server's last word, so they replace what we hold
        // even where a summary carried a later stamp.
        await this.fetchTasks(ids, this.lifetime.signal, true);
        if (this.finished) return;
        this.emit(c.runFields, [...new Set([...c.taskIds, ...ids])], true);
        this.settle('ended');
        return;
      } catch (e) {
        if (this.finished) return;
        if (isFatal(e)) {
          this.fail(e);
          return;
        }
        const delay = Math.max(backoffDelay(attempt, this.baseMs, this.maxMs), isApiError(e) ? (e.retryAfterMs ?? 0) : 0);
        // sleep() clears its timer when stop() aborts the lifetime signal.
        await sleep(delay, this.lifetime.signal, () => new Error('stopped')).catch(() => undefined);
      }
    }
  }

  private fail(error: ApiError): void {
    if (this.finished) return;
    this.logger.warn(`[follow ${this.runId}] ${error.userMessage}`);
    this.teardown();
    this.lifetime.abort();
    this.view.error = error;
    this.settle('failed');
  }

  private settle(state: 'ended' | 'failed' | 'stopped'): void {
    if (this.finished) return;
    this.finished = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setState(state);
    this.resolveDone(this.view);
  }

  private async drain(): Promise<void> {
    // New work may be tracked while we wait (a closing stream's callback); loop until quiet.
    for (let i = 0; i < 10 && this.pending.size; i++) await Promise.allSettled([...this.pending]);
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((e: unknown) => {
      this.logger.error(`[follow ${this.runId}] ${e instanceof Error ? e.message : String(e)}`);
    });
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  // ---- merging ----

  private receive(cycle: Cycle, item: Incoming): void {
    if (cycle !== this.cycle || this.finished || this.ending) return;
    if (cycle.buffer !== undefined) {
      cycle.buffer.push(item);
      return;
    }
    const c = this.apply(item);
    if (c.runFields.length || c.taskIds.length) this.emit(c.runFields, c.taskIds, false);
    if (this.runIsTerminal()) {
      this.finish();
      return;
    }
    // A node got a task we have never seen: fetch it in the background.
    const lacking = this.tasksToFetch('lacking');
    if (lacking.length) this.track(this.fetchTasks(lacking, cycle.controller.signal).then(() => undefined));
  }

  private apply(item: Incoming): { runFields: string[]; taskIds: string[] } {
    if (item.target === 'run') {
      if (item.kind === 'object') {
        if (item.value.id !== this.runId) return { runFields: [], taskIds: [] };
        return this.applyRun(item.value as unknown as FlowRun, undefined, undefined);
      }
      if (item.data.id !== undefined && item.data.id !== this.runId) return { runFields: [], taskIds: [] };
      return this.applyRun(undefined, item.data, item.fields);
    }
    const id = (item.kind === 'object' ? item.value.id : item.data.id);
    if (typeof id !== 'string') return { runFields: [], taskIds: [] };
    const changed = item.kind === 'object'
      ? this.applyTask(item.value as unknown as Task)
      : this.applyTaskPartial(id, item.data, item.fields);
    return { runFields: [], taskIds: changed ? [id] : [] };
  }

  /** A full run (full) or a partial (data, fields). Nested node tasks are merged too. */
  private applyRun(full: FlowRun | undefined, data: Record<string, unknown> | undefined, fields: string[] | undefined): { runFields: string[]; taskIds: string[] } {
    const key = this.runKey;
    const guards = runGuards(this.stamps.get(key));
    let merged: Merged<FlowRun> | undefined;
    if (full) merged = replaceObject(this.view.run, full, guards);
    else if (data && this.view.run) merged = applyPartial(this.view.run, data, fields, guards);
    if (!merged) return { runFields: [], taskIds: [] };
    this.bumpStamp(key, full ?? data);
    if (merged.changed.length) this.view.run = merged.value;
    const taskIds: string[] = [];
    // Nested tasks are merged when the run brings them: whole, or a partial that changed node_tasks.
    // Merging the same nested copies again on every other partial would cost a merge per node per
    // event and could undo newer task events that carry no updated_at.
    if (!full && !merged.changed.includes('node_tasks')) return { runFields: merged.changed, taskIds };
    for (const ref of Object.values(this.view.run?.node_tasks ?? {})) {
      if (ref?.task && typeof ref.task.id === 'string' && this.applyNestedTask(ref.task)) taskIds.push(ref.task.id);
    }
    return { runFields: merged.changed, taskIds };
  }

  private applyTask(task: Task, authoritative = false): boolean {
    const key = `task:${task.id}`;
    const merged = authoritative
      ? { value: task, changed: changedKeys(this.view.tasks[task.id], task) }
      : replaceObject(this.view.tasks[task.id], task, taskGuards(this.stamps.get(key)));
    if (!merged) return false;
    this.incomplete.delete(task.id);
    if (authoritative) this.stamps.delete(key);
    this.bumpStamp(key, task);
    if (!merged.changed.length) return false;
    this.view.tasks = { ...this.view.tasks, [task.id]: merged.value };
    return true;
  }

  /**
   * A run may nest each node task whole (with its logs) or as a summary
   * (without): a whole one replaces; a summary is merged and never replaces a
   * fuller copy, and a task known only from a summary is fetched whole.
   */
  private applyNestedTask(task: Task): boolean {
    if (Array.isArray(task.logs)) return this.applyTask(task);
    return this.applyTaskPartial(task.id, task as unknown as Record<string, unknown>, undefined);
  }

  private applyTaskPartial(id: string, data: Record<string, unknown>, fields: string[] | undefined): boolean {
    const held = this.view.tasks[id];
    // A task we lack: keep what we got for now, and fetch it whole.
    if (!held) this.incomplete.add(id);
    const merged = applyPartial(held ?? ({ id } as Task), data, fields, taskGuards(this.stamps.get(`task:${id}`)));
    if (!merged) return false;
    this.bumpStamp(`task:${id}`, data);
    if (!merged.changed.length) return false;
    this.view.tasks = { ...this.view.tasks, [id]: merged.value };
    return true;
  }

  private bumpStamp(key: string, value: unknown): void {
    const at = stampOf(value);
    if (at === undefined) return;
    const held = this.stamps.get(key);
    if (held === undefined || at > held) this.stamps.set(key, at);
  }

  /**
   * Node task ids to GET. 'lacking': tasks we do not hold whole. 'resync':
   * also unfinished ones (we were deaf while disconnected). 'all': every node
   * task, for the final picture.
   */
  private tasksToFetch(which: 'lacking' | 'resync' | 'all'): string[] {
    const ids: string[] = [];
    for (const ref of Object.values(this.view.run?.node_tasks ?? {})) {
      const id = ref?.task_id;
      // The final picture fetches every task again, even one a background fetch started earlier.
      if (typeof id !== 'string' || id === '' || (which !== 'all' && this.fetching.has(id)) || ids.includes(id)) continue;
      const held = this.view.tasks[id];
      const lacking = held === undefined || this.incomplete.has(id);
      const unfinished = held !== undefined && !isTerminalTaskStatus(toTaskStatus(held.status));
      if (lacking || which === 'all' || (which === 'resync' && unfinished)) ids.push(id);
    }
    return ids;
  }

  private async fetchTasks(ids: string[], signal: AbortSignal, authoritative = false): Promise<string[]> {
    const got: string[] = [];
    await Promise.all(ids.map(async (id) => {
      this.fetching.add(id);
      try {
        const task = await this.api.getTask(id, { signal });
        if (!signal.aborted && this.applyTask(task, authoritative)) got.push(id);
      } catch (e) {
        // A key without apps:read, a deleted task or a flaky read: the run view still stands.
        if (!signal.aborted) this.logger.debug(`[follow ${this.runId}] task ${id}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.fetching.delete(id);
      }
    }));
    if (got.length && !signal.aborted) this.emit([], got, false);
    return got;
  }

  private runIsTerminal(): boolean {
    return this.view.run !== undefined && isTerminalRunStatus(toFlowRunStatus(this.view.run.status));
  }

  private setState(state: ConnectionState): void {
    if (this.view.state === state) return;
    this.view.state = state;
    this.changes.fire({ view: this.view, runFields: [], taskIds: [], full: false });
  }

  private emit(runFields: string[], taskIds: string[], full: boolean): void {
    if (!full && !runFields.length && !taskIds.length) return;
    this.changes.fire({ view: this.view, runFields, taskIds, full });
  }
}
