// RunFollower: the merged, always-consistent view of one run and its node
// tasks, kept live from the two event streams.
//
// The two streams live separately, as a real server's do: either may end or
// drop while the other goes on, and only the one that ended is reopened.
// Whenever a stream (re)opens, the follower GETs the run (and the tasks it
// lacks) and applies the events that arrived meanwhile on top: the server has
// no replay, so this resync is what makes dropped events harmless. A stream
// silent (no event, not even a keep-alive) for silenceMs counts as dead. A
// stream that was live is reopened quickly once (see reconnectDelay); further
// reconnects back off exponentially with full jitter and never give up while
// started, except on 401/403/404 (state 'failed'). The tasks stream may end
// by itself once no task is active: that is not an error; it is reopened
// after a backoff, or at once when the run shows a new task. A terminal status
// closes the streams and does one final GET of the run and its tasks
// (state 'ended').
//
// Costs stay linear in the work: tasks are updated in place (no copy of the
// task map per event), listeners hear one change per macrotask with every
// field and task that changed, and tasks the run does not name are held only
// up to MAX_EXTRA_TASKS.
import type { FlowRunsApi, StreamConnection, StreamHandlers } from '../api/api';
import { backoffDelay, sleep } from '../api/backoff';
import { isApiError, type ApiError } from '../api/errors';
import { MAX_EXTRA_TASKS } from '../api/limits';
import { silentLogger, type Logger } from '../api/logger';
import {
  isTerminalRunStatus, isTerminalTaskStatus, toFlowRunStatus, toTaskStatus, type FlowRun, type Task,
} from '../api/models';
import { clampDelay } from '../shared/delay';
import { Emitter, type Event } from './emitter';
import { applyPartial, changedKeys, replaceObject, stampOf, type MergeGuards, type Merged } from './merge';
import { nextTick, type Cancel } from './nextTick';
import { TaskAccess } from './taskAccess';
import { allowManyListeners } from './unboundedListeners';
import type { ConnectionState } from '../shared/runText';

export type { ConnectionState };

export interface RunView {
  runId: string;
  run?: FlowRun;
  /** Node tasks by task id (updated in place). */
  tasks: Record<string, Task>;
  state: ConnectionState;
  /** Why it failed ('failed'), or the last transient error while 'reconnecting'. */
  error?: ApiError;
  /** Why task details (logs) cannot be read with this key, if they cannot; statuses still come from the run. */
  taskAccess?: ApiError;
}

/**
 * What changed since the last change event, so a panel can post diffs. A pure
 * state change has empty lists and full=false; `full` means a resync replaced
 * the whole view.
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
  /** What the server refused about tasks, shared by the followers of one client. */
  taskAccess?: TaskAccess;
}

type StreamKind = 'run' | 'tasks';

type Incoming =
  | { kind: 'object'; value: Record<string, unknown>; target: StreamKind }
  | { kind: 'partial'; data: Record<string, unknown>; fields: string[] | undefined; id: string | undefined; target: StreamKind };

/** One of the two streams, across its connections. */
interface Slot {
  kind: StreamKind;
  /** Bumped per connection: callbacks of an older one are ignored. */
  generation: number;
  conn?: StreamConnection;
  /** A connection was asked for and has neither opened nor closed. */
  connecting: boolean;
  opened: boolean;
  /** Opened at least once: later opens are reconnects (we were deaf meanwhile). */
  everOpened: boolean;
  /** Ended cleanly (done, or a clean close) while the run goes on: a tasks stream with nothing to say. */
  idle: boolean;
  endedCleanly: boolean;
  attempt: number;
  retryTimer?: ReturnType<typeof setTimeout>;
  silenceTimer?: ReturnType<typeof setTimeout>;
  lastActivity: number;
  openedAt: number;
  liveSince?: number;
  retryAfterMs?: number;
  lastError?: ApiError;
  /** Closed while a resync was out: its events may hold the end. Decided once the GET is applied. */
  deferred?: { wasOpen: boolean };
}

const isTerminalRun = (s: unknown): boolean => isTerminalRunStatus(toFlowRunStatus(s));
const isTerminalTask = (s: unknown): boolean => isTerminalTaskStatus(toTaskStatus(s));
const runGuards = (stamp: number | undefined): MergeGuards => ({ stamp, isTerminal: isTerminalRun });
const taskGuards = (stamp: number | undefined): MergeGuards => ({ stamp, isTerminal: isTerminalTask });

/** The first reopen of a stream that was live waits this share of the backoff base (with jitter). */
const QUICK_MIN = 0.1;
const QUICK_MAX = 0.25;
/** Events held while a resync's GET is out; past this they are dropped and the GET is made again after them. */
const MAX_BUFFERED = 5000;
/** Task GETs at once (a resync of a 1,000-node run must not open 1,000 sockets). */
const TASK_FETCH_CONCURRENCY = 6;
/** A partial that names no object asks for a resync, at most this often. */
const UNPLACED_RESYNC_MS = 2000;
/** Connections to a finished run's tasks stream for the tasks no GET gave (a flaky network cuts some short). */
const MAX_FINAL_TASK_READS = 10;
/** An idle tasks stream is reopened early for a new task, at most this often. */
const EARLY_REOPEN_MS = 1000;

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
  return clampDelay(Math.max(wait, retryAfterMs ?? 0));
}

function isFatal(e: unknown): e is ApiError {
  return isApiError(e) && (e.status === 401 || e.status === 403 || e.status === 404 || e.isFatal) && e.kind !== 'aborted';
}

function newSlot(kind: StreamKind): Slot {
  return {
    kind, generation: 0, connecting: false, opened: false, everOpened: false, idle: false, endedCleanly: false,
    attempt: 0, lastActivity: 0, openedAt: 0,
  };
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
  private readonly access: TaskAccess;
  private readonly ownsAccess: boolean;
  private readonly slots: Slot[];

  private started = false;
  private finished = false;
  private ending = false;
  private everLive = false;
  /** Aborts every request and stream when the follower stops or fails. */
  private readonly lifetime = new AbortController();
  private readonly stamps = new Map<string, number>();
  private readonly runKey: string;
  private readonly pending = new Set<Promise<unknown>>();

  // ---- resync ----
  private resyncWanted = false;
  private resyncRunning = false;
  /**
   * Defined while a resync is due or running: events wait here until the GETs they go on top of
   * are applied (run events until the run's, task events until the tasks').
   */
  private buffer?: Incoming[];
  /** Whether run events wait too (until the resync's run GET is applied). */
  private holdRun = false;
  /** The tasks stream was away: the next resync also refreshes unfinished tasks. */
  private tasksDeaf = false;
  private resyncAttempt = 0;
  private resyncTimer?: ReturnType<typeof setTimeout>;
  private resyncError?: ApiError;
  private lastUnplacedResync = 0;

  // ---- tasks ----
  /** Task ids the run's node_tasks names. */
  private referenced = new Set<string>();
  private extraTasks = 0;
  private extraWarned = false;
  /** Tasks we hold only as a summary or from partials: never seen with their logs. */
  private readonly partialTasks = new Set<string>();
  /** Tasks whose logs the tasks stream carries itself (no GET needed for them). */
  private readonly streamedLogs = new Set<string>();
  /** Tasks fetched once more after they finished (their final logs). */
  private readonly finalFetched = new Set<string>();
  /** Tasks a GET answered: not fetched again for lacking logs (a server may never send them). */
  private readonly fetchedWhole = new Set<string>();
  private readonly toFetch = new Set<string>();
  private readonly fetching = new Set<string>();

  // ---- change batching ----
  private readonly dirtyFields = new Set<string>();
  private readonly dirtyTasks = new Set<string>();
  private dirtyFull = false;
  private dirtyState = false;
  private cancelEmit?: Cancel;
  private readonly accessSubscription: { dispose(): void };

  constructor(private readonly api: FlowRunsApi, readonly runId: string, opts: FollowerOptions = {}) {
    this.view = { runId, tasks: {}, state: 'connecting' };
    this.runKey = `run:${runId}`;
    this.logger = opts.logger ?? silentLogger;
    this.silenceMs = opts.silenceMs ?? 45_000;
    this.baseMs = opts.backoff?.baseMs ?? 1_000;
    this.maxMs = opts.backoff?.maxMs ?? 30_000;
    this.slots = (opts.streamTasks ?? true) ? [newSlot('run'), newSlot('tasks')] : [newSlot('run')];
    this.ownsAccess = opts.taskAccess === undefined;
    this.access = opts.taskAccess ?? new TaskAccess(this.logger);
    this.accessSubscription = this.access.onDidChange(() => this.onAccessChange());
    if (this.access.denied) this.view.taskAccess = this.access.denied;
    // Every concurrent request listens to this signal; a fan-out has many.
    allowManyListeners(this.lifetime.signal);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  start(): void {
    if (this.started || this.finished) return;
    this.started = true;
    for (const slot of this.slots) this.open(slot);
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

  // ---- streams ----

  private slot(kind: StreamKind): Slot | undefined {
    return this.slots.find((s) => s.kind === kind);
  }

  private open(slot: Slot): void {
    if (this.finished || this.ending) return;
    this.clearSlotTimers(slot);
    const generation = ++slot.generation;
    slot.connecting = true;
    slot.opened = false;
    slot.idle = false;
    slot.deferred = undefined;
    slot.endedCleanly = false;
    slot.lastActivity = Date.now();
    slot.openedAt = slot.lastActivity;
    slot.liveSince = undefined;
    const opts = { signal: this.lifetime.signal };
    const conn = slot.kind === 'run'
      ? this.api.streamRun(this.runId, this.handlers<FlowRun>(slot, generation), opts)
      : this.api.streamTasks(this.runId, this.handlers<Task>(slot, generation), opts);
    if (this.finished) {
      // It failed at once (no key): nothing to keep.
      conn.close();
      return;
    }
    slot.conn = conn;
    this.track(conn.closed.then(() => this.onClosed(slot, generation)));
    if (slot.generation === generation && !this.finished) this.armSilence(slot, generation, this.silenceMs);
    this.updateState();
  }

  private handlers<T>(slot: Slot, generation: number): StreamHandlers<T> {
    const current = (): boolean => slot.generation === generation && !this.finished;
    return {
      onOpen: () => {
        if (!current()) return;
        slot.connecting = false;
        slot.opened = true;
        slot.liveSince = Date.now();
        slot.lastActivity = slot.liveSince;
        if (slot.kind === 'tasks' && slot.everOpened) this.tasksDeaf = true;
        slot.everOpened = true;
        this.requestResync();
      },
      onActivity: () => {
        if (slot.generation === generation) slot.lastActivity = Date.now();
      },
      onObject: (value, eventName) => {
        if (current()) this.receive({ kind: 'object', value: value as unknown as Record<string, unknown>, target: this.targetOf(eventName, slot.kind) });
      },
      onPartial: (data, fields, eventName, id) => {
        if (current()) this.receive({ kind: 'partial', data, fields, id, target: this.targetOf(eventName, slot.kind) });
      },
      onDone: () => {
        if (slot.generation === generation) slot.endedCleanly = true;
      },
      onError: (error, fatal) => {
        if (!current()) return;
        if (fatal && isFatal(error)) {
          this.fail(error);
          return;
        }
        if (isApiError(error)) {
          if (error.code !== 'malformed_event' && error.code !== 'unknown_event') slot.lastError = error;
          if (error.retryAfterMs !== undefined) slot.retryAfterMs = error.retryAfterMs;
        }
        this.logger.debug(`[follow ${this.runId}] ${slot.kind} stream: ${error.message}`);
      },
    };
  }

  /** Named events say which table they are about; otherwise the stream does. */
  private targetOf(eventName: string, kind: StreamKind): StreamKind {
    if (eventName === 'tasks' || eventName === 'task') return 'tasks';
    if (eventName === 'flow_runs' || eventName === 'flow_run') return 'run';
    return kind;
  }

  /** Checks for silence at `afterMs`; only whole events and keep-alives count (see sse.ts). */
  private armSilence(slot: Slot, generation: number, afterMs: number): void {
    if (slot.silenceTimer !== undefined) clearTimeout(slot.silenceTimer);
    slot.silenceTimer = setTimeout(() => {
      slot.silenceTimer = undefined;
      if (slot.generation !== generation || this.finished || this.ending) return;
      const quiet = Date.now() - slot.lastActivity;
      if (quiet < this.silenceMs) {
        this.armSilence(slot, generation, this.silenceMs - quiet);
        return;
      }
      this.logger.info(`[follow ${this.runId}] ${slot.kind} stream silent for ${this.silenceMs}ms; reconnecting`);
      this.restart(slot);
    }, clampDelay(afterMs));
  }

  private onClosed(slot: Slot, generation: number): void {
    if (slot.generation !== generation || this.finished || this.ending) return;
    const wasOpen = slot.opened;
    slot.connecting = false;
    slot.opened = false;
    slot.conn = undefined;
    this.clearSlotTimers(slot);
    if (this.runIsTerminal()) {
      this.finish();
      return;
    }
    if (this.buffer !== undefined && wasOpen) {
      // Events waiting for the resync may hold the terminal status (the usual reason a stream ends):
      // let the GET and those events apply first, then decide.
      slot.deferred = { wasOpen };
      this.maybeStartResync();
      this.updateState();
      return;
    }
    this.afterClose(slot, wasOpen);
  }

  /** A stream closed and the run goes on: an idle tasks stream waits, anything else reconnects. */
  private afterClose(slot: Slot, wasOpen: boolean): void {
    if (slot.kind === 'tasks' && wasOpen && slot.endedCleanly) {
      // The server ended the tasks stream while the run goes on (no task active, say):
      // not an error. Reopen after a backoff, or sooner when the run shows a new task.
      slot.idle = true;
      this.schedule(slot, false);
      this.maybeStartResync();
      this.updateState();
      return;
    }
    this.schedule(slot, wasOpen);
    // A resync waiting for this stream to open goes ahead with what is open.
    this.maybeStartResync();
    this.updateState();
  }

  /** Closes the slot's connection now (silence) and reconnects it. */
  private restart(slot: Slot): void {
    const wasOpen = slot.opened;
    slot.generation++;
    slot.conn?.close();
    slot.conn = undefined;
    slot.connecting = false;
    slot.opened = false;
    this.clearSlotTimers(slot);
    this.schedule(slot, wasOpen);
    this.maybeStartResync();
    this.updateState();
  }

  private schedule(slot: Slot, wasLive: boolean): void {
    // A connection that stayed live for a while starts the backoff afresh.
    if (slot.liveSince !== undefined && Date.now() - slot.liveSince >= this.maxMs) slot.attempt = 0;
    const delay = reconnectDelay(slot.attempt, wasLive && !slot.idle, this.baseMs, this.maxMs, slot.retryAfterMs);
    slot.attempt++;
    slot.retryAfterMs = undefined;
    this.logger.debug(`[follow ${this.runId}] ${slot.kind} stream ${slot.idle ? 'idle; reopening' : 'reconnecting'} in ${delay}ms`);
    slot.retryTimer = setTimeout(() => {
      slot.retryTimer = undefined;
      this.open(slot);
    }, delay);
  }

  private clearSlotTimers(slot: Slot): void {
    if (slot.retryTimer !== undefined) clearTimeout(slot.retryTimer);
    if (slot.silenceTimer !== undefined) clearTimeout(slot.silenceTimer);
    slot.retryTimer = undefined;
    slot.silenceTimer = undefined;
  }

  /** An idle tasks stream is reopened at once when the run names a task it has not seen. */
  private wakeTasksStream(): void {
    const slot = this.slot('tasks');
    if (!slot?.idle || slot.retryTimer === undefined || Date.now() - slot.openedAt < EARLY_REOPEN_MS) return;
    this.open(slot);
  }

  /** Closes every connection and timer. */
  private teardown(): void {
    for (const slot of this.slots) {
      slot.generation++;
      this.clearSlotTimers(slot);
      slot.conn?.close();
      slot.conn = undefined;
      slot.connecting = false;
      slot.opened = false;
    }
    if (this.resyncTimer !== undefined) clearTimeout(this.resyncTimer);
    this.resyncTimer = undefined;
  }

  // ---- resync ----

  private requestResync(): void {
    this.resyncWanted = true;
    this.buffer ??= [];
    this.holdRun = true;
    this.maybeStartResync();
  }

  private maybeStartResync(): void {
    if (!this.resyncWanted || this.resyncRunning || this.resyncTimer !== undefined || this.finished || this.ending) return;
    // Streams still connecting will open in a moment: one GET for all of them.
    if (this.slots.some((s) => s.connecting)) return;
    this.resyncRunning = true;
    this.track(this.resync());
  }

  private async resync(): Promise<void> {
    try {
      while (this.resyncWanted && !this.finished && !this.ending) {
        this.resyncWanted = false;
        const refresh = this.tasksDeaf;
        this.tasksDeaf = false;
        const run = await this.api.getRun(this.runId, { signal: this.lifetime.signal });
        if (this.finished || this.ending) return;
        this.applyRun(run, undefined, undefined);
        this.dirtyFull = true;
        if (!this.resyncWanted) {
          // Events held while the run's GET was out go on top of it now. From here only task
          // events wait, for the tasks' GETs (asked after them): a busy run stream would
          // otherwise pile up for as long as those take.
          this.holdRun = false;
          const held = this.buffer ?? [];
          this.buffer = [];
          for (const item of held) this.apply(item);
          // A terminal status among them: the final sync reads the tasks.
          if (this.runIsTerminal()) break;
        }
        await this.fetchTasks(this.tasksToFetch(refresh ? 'resync' : 'lacking'), false);
        if (this.finished || this.ending) return;
        // Events that came while the GET was out go on top of it.
        const buffered = this.buffer ?? [];
        this.buffer = this.resyncWanted ? [] : undefined;
        this.holdRun = this.resyncWanted;
        for (const item of buffered) this.apply(item);
      }
      this.resyncAttempt = 0;
      this.resyncError = undefined;
      this.afterApply();
      // Streams that closed meanwhile: reopen them now that the run is known not to be over.
      for (const slot of this.slots) {
        const deferred = slot.deferred;
        slot.deferred = undefined;
        if (deferred && !this.finished && !this.ending) this.afterClose(slot, deferred.wasOpen);
      }
    } catch (e) {
      if (this.finished || this.ending) return;
      if (isFatal(e)) {
        this.fail(e);
        return;
      }
      // The streams may well be fine: keep them, hold their events, and GET again after a backoff.
      this.resyncWanted = true;
      this.buffer ??= [];
      this.holdRun = true;
      if (isApiError(e)) this.resyncError = e;
      const delay = Math.max(backoffDelay(this.resyncAttempt++, this.baseMs, this.maxMs), isApiError(e) ? (e.retryAfterMs ?? 0) : 0);
      this.logger.debug(`[follow ${this.runId}] resync failed (${e instanceof Error ? e.message : String(e)}); again in ${delay}ms`);
      this.resyncTimer = setTimeout(() => {
        this.resyncTimer = undefined;
        this.maybeStartResync();
      }, clampDelay(delay));
    } finally {
      this.resyncRunning = false;
      this.updateState();
      // A stream that opened while the last GET was out asked for one more.
      if (this.resyncWanted && this.resyncTimer === undefined) this.maybeStartResync();
    }
  }

  // ---- ending ----

  private finish(): void {
    if (this.ending || this.finished) return;
    this.ending = true;
    this.teardown();
    this.buffer = undefined;
    this.track(this.finalSync());
  }

  /** One final GET of the run and its tasks, retried until it works or we are stopped. */
  private async finalSync(): Promise<void> {
    for (let attempt = 0; !this.finished; attempt++) {
      try {
        const run = await this.api.getRun(this.runId, { signal: this.lifetime.signal });
        if (this.finished) return;
        this.applyRun(run, undefined, undefined);
        // The run is over: these answers are the server's last word, so they replace what we hold
        // even where a summary carried a later stamp.
        const got = await this.fetchTasks(this.tasksToFetch('all'), true);
        if (this.finished) return;
        // Tasks no GET gave us (a key without apps:read, a read that kept failing): the tasks
        // stream of the finished run is the last word instead.
        const wanted = new Set([...this.referenced].filter((id) => !got.has(id)));
        if (wanted.size && this.slot('tasks')) await this.readTasksOnce(wanted);
        if (this.finished) return;
        this.dirtyFull = true;
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

  /**
   * Reads the tasks stream of the finished run, for the tasks a GET did not
   * give us (a key without apps:read, or a read that kept failing): the server
   * sends the tasks as they are, then `done`. Until every such task has come
   * (what each connection brings counts), it connects again, up to
   * MAX_FINAL_TASK_READS times, each for at most silenceMs (10 s at most).
   */
  private async readTasksOnce(wanted: Set<string>): Promise<void> {
    let progressed = false;
    const apply = (item: Incoming): void => {
      if (this.finished) return;
      const id = item.kind === 'object' ? item.value.id : (item.data.id ?? item.id);
      if (typeof id === 'string' && wanted.delete(id)) progressed = true;
      this.apply(item);
    };
    this.logger.debug(`[follow ${this.runId}] reading the finished run's tasks stream for ${wanted.size} task(s) no GET gave`);
    // A stream cut short can look like a clean end: only the tasks that came count.
    for (let attempt = 0; attempt < MAX_FINAL_TASK_READS && wanted.size && !this.finished; attempt++) {
      if (attempt > 0) {
        this.logger.debug(`[follow ${this.runId}] ${wanted.size} task(s) still to come; connecting again`);
        await sleep(backoffDelay(attempt, this.baseMs, this.maxMs), this.lifetime.signal, () => new Error('stopped')).catch(() => undefined);
      }
      const conn = this.api.streamTasks(this.runId, {
        onObject: (value, eventName) => apply({ kind: 'object', value: value as unknown as Record<string, unknown>, target: this.targetOf(eventName, 'tasks') }),
        onPartial: (data, fields, eventName, id) => apply({ kind: 'partial', data, fields, id, target: this.targetOf(eventName, 'tasks') }),
      }, { signal: this.lifetime.signal });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, clampDelay(Math.min(this.silenceMs, 10_000)));
      });
      progressed = false;
      const quiet = await Promise.race([conn.closed.then(() => false), limit.then(() => true)]);
      if (timer !== undefined) clearTimeout(timer);
      conn.close();
      // A connection that stayed open the whole window and brought no wanted task is the server
      // saying it has none (an idle stream): asking again would only keep the run from ending.
      // Only a connection that closed early may have been cut short.
      if (quiet && !progressed) break;
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
    this.teardown();
    this.buffer = undefined;
    this.accessSubscription.dispose();
    if (this.ownsAccess) this.access.dispose();
    this.setState(state);
    // Listeners hear the last change before `done` resolves.
    this.emitNow();
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

  private receive(item: Incoming): void {
    if (this.finished || this.ending) return;
    if (this.buffer !== undefined && (this.holdRun || item.target === 'tasks')) {
      if (this.buffer.length >= MAX_BUFFERED) {
        // Everything dropped here happened before the GET that follows, which therefore covers it.
        this.buffer.length = 0;
        this.resyncWanted = true;
        this.holdRun = true;
      }
      this.buffer.push(item);
      return;
    }
    this.apply(item);
    this.afterApply();
  }

  /** After events were applied: finish on a terminal status, fetch new tasks, tell listeners. */
  private afterApply(): void {
    if (this.finished || this.ending) return;
    if (this.runIsTerminal()) {
      this.finish();
      return;
    }
    if (this.toFetch.size) this.pumpFetches();
    this.scheduleEmit();
  }

  private apply(item: Incoming): void {
    if (item.target === 'run') {
      if (item.kind === 'object') {
        if (item.value.id !== this.runId) return;
        this.applyRun(item.value as unknown as FlowRun, undefined, undefined);
        return;
      }
      const named = item.data.id ?? item.id;
      if (named !== undefined && named !== this.runId) return;
      if (!this.view.run) {
        this.unplaced('a run update arrived before the run');
        return;
      }
      this.applyRun(undefined, item.data, item.fields);
      return;
    }
    if (item.kind === 'object') {
      this.applyTask(item.value as unknown as Task, false, true);
      return;
    }
    const dataId = item.data.id;
    const id = typeof dataId === 'string' && dataId !== '' ? dataId : item.id;
    if (id === undefined || (dataId !== undefined && item.id !== undefined && dataId !== item.id)) {
      this.unplaced('a task update named no task');
      return;
    }
    this.applyTaskPartial(id, item.data, item.fields, true);
  }

  /** A partial we cannot place: a GET puts the view right (at most every UNPLACED_RESYNC_MS). */
  private unplaced(what: string): void {
    const now = Date.now();
    if (now - this.lastUnplacedResync < UNPLACED_RESYNC_MS) return;
    this.lastUnplacedResync = now;
    this.logger.debug(`[follow ${this.runId}] ${what}; resyncing`);
    this.requestResync();
  }

  /** A full run (full) or a partial (data, fields). Nested node tasks are merged too. */
  private applyRun(full: FlowRun | undefined, data: Record<string, unknown> | undefined, fields: string[] | undefined): void {
    const key = this.runKey;
    const guards = runGuards(this.stamps.get(key));
    let merged: Merged<FlowRun> | undefined;
    if (full) merged = replaceObject(this.view.run, full, guards);
    else if (data && this.view.run) merged = applyPartial(this.view.run, data, fields, guards);
    if (!merged) return;
    this.bumpStamp(key, full ?? data);
    if (!merged.changed.length) return;
    this.view.run = merged.value;
    for (const f of merged.changed) this.dirtyFields.add(f);
    // Nested tasks are merged when the run brings them: whole, or a partial that changed node_tasks.
    // Merging the same nested copies again on every other partial would cost a merge per node per
    // event and could undo newer task events that carry no updated_at.
    if (merged.changed.includes('node_tasks')) this.onNodeTasks();
  }

  /** The run's node_tasks changed: note the tasks it names and merge the copies it carries. */
  private onNodeTasks(): void {
    const refs = this.view.run?.node_tasks;
    const referenced = new Set<string>();
    let fresh = false;
    for (const ref of Object.values(refs && typeof refs === 'object' ? refs : {})) {
      const id = ref && typeof ref === 'object' ? ref.task_id : undefined;
      if (typeof id === 'string' && id !== '') {
        referenced.add(id);
        if (!this.referenced.has(id)) fresh = true;
      }
      const task = ref && typeof ref === 'object' ? ref.task : undefined;
      if (task && typeof task === 'object' && typeof task.id === 'string') this.applyNestedTask(task);
    }
    for (const id of referenced) {
      if (!this.referenced.has(id) && !(id in this.view.tasks)) this.wantWhole(id);
    }
    // A task first held as an extra is one no longer.
    for (const id of referenced) if (!this.referenced.has(id) && id in this.view.tasks && this.extraTasks > 0) this.extraTasks--;
    this.referenced = referenced;
    if (fresh) this.wakeTasksStream();
  }

  /** Whether a task from the tasks stream is for this run (and, beyond the cap, one the run names). */
  private admits(id: string, runIdField: unknown): boolean {
    if (typeof runIdField === 'string' && runIdField !== '' && runIdField !== this.runId) return false;
    if (id in this.view.tasks || this.referenced.has(id)) return true;
    if (this.extraTasks >= MAX_EXTRA_TASKS) {
      if (!this.extraWarned) {
        this.extraWarned = true;
        this.logger.warn(`[follow ${this.runId}] more than ${MAX_EXTRA_TASKS} tasks the run does not name arrived; the rest are ignored`);
      }
      return false;
    }
    this.extraTasks++;
    return true;
  }

  /**
   * A whole task (a GET, a full object on the tasks stream, or a nested copy
   * with logs). A copy without `logs` (or `events`) keeps the ones held: the
   * tasks stream of a real server may omit them.
   */
  private applyTask(task: Task, authoritative: boolean, streamed: boolean): boolean {
    const id = task.id;
    if (typeof id !== 'string' || id === '') return false;
    if (streamed && !this.admits(id, task.flow_run_id)) return false;
    const held = this.view.tasks[id];
    const hasLogs = Array.isArray(task.logs);
    let incoming = task;
    if (held && (!hasLogs || !Array.isArray(task.events))) {
      incoming = { ...task };
      if (!hasLogs && Array.isArray(held.logs)) incoming.logs = held.logs;
      if (!Array.isArray(task.events) && Array.isArray(held.events)) incoming.events = held.events;
    }
    const key = `task:${id}`;
    const merged = authoritative
      ? { value: incoming, changed: changedKeys(held, incoming) }
      : replaceObject(held, incoming, taskGuards(this.stamps.get(key)));
    if (!merged) {
      // Older than what we hold (a GET or a full copy that crossed a newer summary): it still
      // brings what the summary lacks (logs, events, the app), and nothing the summary has.
      if (!held) return false;
      const missing = Object.keys(task).filter((k) => !(k in held));
      if (!missing.length) return false;
      const filled: Record<string, unknown> = { ...held };
      for (const k of missing) filled[k] = (task as unknown as Record<string, unknown>)[k];
      this.view.tasks[id] = filled as unknown as Task;
      if (hasLogs) this.partialTasks.delete(id);
      this.dirtyTasks.add(id);
      return true;
    }
    if (authoritative) this.stamps.delete(key);
    this.bumpStamp(key, task);
    if (hasLogs) {
      this.partialTasks.delete(id);
      if (streamed) this.streamedLogs.add(id);
    } else if (!held || this.partialTasks.has(id)) {
      this.wantWhole(id);
    }
    this.noteFinished(id, held, merged.value);
    if (!merged.changed.length) return false;
    this.view.tasks[id] = merged.value;
    this.dirtyTasks.add(id);
    return true;
  }

  /**
   * A run may nest each node task whole (with its logs) or as a summary
   * (without): a whole one replaces; a summary is merged and never replaces a
   * fuller copy, and a task known only from a summary is fetched whole.
   */
  private applyNestedTask(task: Task): void {
    if (Array.isArray(task.logs)) this.applyTask(task, false, false);
    else this.applyTaskPartial(task.id, task as unknown as Record<string, unknown>, undefined, false);
  }

  private applyTaskPartial(id: string, data: Record<string, unknown>, fields: string[] | undefined, streamed: boolean): void {
    if (streamed && !this.admits(id, data.flow_run_id)) return;
    const held = this.view.tasks[id];
    const merged = applyPartial(held ?? ({ id } as Task), data, fields, taskGuards(this.stamps.get(`task:${id}`)));
    if (!merged) return;
    this.bumpStamp(`task:${id}`, data);
    const bringsLogs = (fields ?? Object.keys(data)).includes('logs') && Array.isArray(data.logs);
    if (bringsLogs && streamed) this.streamedLogs.add(id);
    // A task we lack: keep what we got for now, and fetch it whole.
    if (!held && !bringsLogs) this.wantWhole(id);
    this.noteFinished(id, held, merged.value);
    if (!merged.changed.length) return;
    this.view.tasks[id] = merged.value;
    this.dirtyTasks.add(id);
  }

  /** A task known without its logs: fetch it whole once (if the key may). */
  private wantWhole(id: string): void {
    this.partialTasks.add(id);
    if (!this.fetchedWhole.has(id) && !this.fetching.has(id) && this.access.verdict(id) === 'allowed') this.toFetch.add(id);
  }

  /** A task that just finished, whose logs the stream does not carry: fetch its final logs once. */
  private noteFinished(id: string, before: Task | undefined, after: Task): void {
    if (!isTerminalTask(after.status) || (before && isTerminalTask(before.status))) return;
    if (this.streamedLogs.has(id) || this.finalFetched.has(id)) return;
    this.finalFetched.add(id);
    if (this.access.verdict(id) === 'allowed') this.toFetch.add(id);
  }

  private bumpStamp(key: string, value: unknown): void {
    const at = stampOf(value);
    if (at === undefined) return;
    const held = this.stamps.get(key);
    if (held === undefined || at > held) this.stamps.set(key, at);
  }

  /**
   * Node task ids to GET. 'lacking': tasks we do not hold whole. 'resync':
   * also unfinished ones (the tasks stream was away). 'all': every node task,
   * for the final picture. Never tasks the server refused us.
   */
  private tasksToFetch(which: 'lacking' | 'resync' | 'all'): string[] {
    const ids = new Set<string>(which === 'all' ? [] : this.toFetch);
    this.toFetch.clear();
    for (const id of this.referenced) {
      const held = this.view.tasks[id];
      const lacking = (held === undefined || this.partialTasks.has(id)) && !this.fetchedWhole.has(id);
      const unfinished = held !== undefined && !isTerminalTask(held.status);
      if (lacking || which === 'all' || (which === 'resync' && unfinished)) ids.add(id);
    }
    return [...ids].filter((id) => (which === 'all' || !this.fetching.has(id)) && this.access.verdict(id) === 'allowed');
  }

  /** Starts background fetches of what toFetch holds (live events named new tasks). */
  private pumpFetches(): void {
    if (this.finished || this.ending || this.buffer !== undefined) return;
    const ids = this.tasksToFetch('lacking');
    if (ids.length) this.track(this.fetchTasks(ids, false).then(() => this.scheduleEmit()));
  }

  /** GETs tasks, a few at a time; a refusal is remembered (see TaskAccess) and stops the rest. */
  private async fetchTasks(ids: string[], authoritative: boolean): Promise<Set<string>> {
    const signal = this.lifetime.signal;
    const queue = [...ids];
    const got = new Set<string>();
    // Counted as in flight from now, so events meanwhile do not ask for the same tasks again.
    for (const id of ids) this.fetching.add(id);
    const worker = async (): Promise<void> => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        if (signal.aborted || this.finished || this.access.verdict(id) !== 'allowed') continue;
        try {
          const task = await this.api.getTask(id, { signal });
          this.access.allowed();
          this.fetchedWhole.add(id);
          got.add(id);
          if (!signal.aborted && !this.finished) this.applyTask(task, authoritative, false);
        } catch (e) {
          // A key without apps:read, a deleted task or a flaky read: the run view still stands.
          if (!signal.aborted && !this.access.record(id, e)) {
            this.logger.debug(`[follow ${this.runId}] task ${id}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      }
    };
    try {
      // Until a task GET has worked with this key, one goes first (across every follower):
      // a key without apps:read then costs one refusal, not one per follower or per task.
      while (!this.access.proven && !this.access.denied && queue.length) {
        const release = await this.access.turn();
        if (!release) break;
        const rest = queue.splice(1);
        try {
          await worker();
        } finally {
          release();
          queue.push(...rest);
        }
      }
      await Promise.all(Array.from({ length: Math.min(TASK_FETCH_CONCURRENCY, queue.length) }, () => worker()));
    } catch (e) {
      this.logger.debug(`[follow ${this.runId}] task fetches: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      for (const id of ids) this.fetching.delete(id);
    }
    return got;
  }

  private onAccessChange(): void {
    if (this.finished) return;
    const denied = this.access.denied;
    if (denied === this.view.taskAccess) return;
    if (denied) this.view.taskAccess = denied;
    else {
      delete this.view.taskAccess;
      // Allowed again (Retry, a new key): fetch what we could not.
      for (const id of this.partialTasks) this.toFetch.add(id);
      this.pumpFetches();
    }
    this.dirtyState = true;
    this.scheduleEmit();
  }

  private runIsTerminal(): boolean {
    return this.view.run !== undefined && isTerminalRunStatus(toFlowRunStatus(this.view.run.status));
  }

  // ---- state and change events ----

  private updateState(): void {
    if (this.finished || this.ending) return;
    const run = this.slot('run');
    const tasks = this.slot('tasks');
    const live = run?.opened === true && this.buffer === undefined && !this.resyncRunning && !this.resyncWanted
      && (!tasks || tasks.opened || tasks.idle);
    if (live) {
      this.everLive = true;
      delete this.view.error;
      this.setState('live');
      return;
    }
    const waiting = this.view.run === undefined && !this.everLive && this.slots.every((s) => s.attempt === 0);
    // While reconnecting, `error` says why (cleared once live again).
    const error = this.slots.find((s) => !s.opened && !s.idle && s.lastError)?.lastError ?? this.resyncError;
    if (error && !waiting) this.view.error = error;
    this.setState(waiting ? 'connecting' : 'reconnecting');
  }

  private setState(state: ConnectionState): void {
    if (this.view.state === state) return;
    this.view.state = state;
    this.dirtyState = true;
    if (!this.finished) this.scheduleEmit();
  }

  /** One change event per macrotask, with everything that changed since the last. */
  private scheduleEmit(): void {
    if (this.cancelEmit || this.finished) return;
    if (!this.dirtyState && !this.dirtyFull && !this.dirtyFields.size && !this.dirtyTasks.size) return;
    this.cancelEmit = nextTick(() => {
      this.cancelEmit = undefined;
      this.emitNow();
    });
  }

  private emitNow(): void {
    this.cancelEmit?.();
    this.cancelEmit = undefined;
    if (!this.dirtyState && !this.dirtyFull && !this.dirtyFields.size && !this.dirtyTasks.size) return;
    const change: RunChange = {
      view: this.view,
      runFields: [...this.dirtyFields],
      taskIds: [...this.dirtyTasks],
      full: this.dirtyFull,
    };
    this.dirtyFields.clear();
    this.dirtyTasks.clear();
    this.dirtyFull = false;
    this.dirtyState = false;
    this.changes.fire(change);
  }
}
