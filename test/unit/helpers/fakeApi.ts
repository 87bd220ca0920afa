// An in-memory FlowRunsApi whose streams the test drives by hand, for
// deterministic follower tests.
import type {
  ApiResult, CallOptions, FlowRunsApi, StreamConnection, StreamHandlers,
} from '../../../src/api/api';
import { ApiError, abortedError } from '../../../src/api/errors';
import type { Flow, FlowRun, ListPage, Task } from '../../../src/api/models';

export class FakeStream<T> {
  closedByClient = false;
  ended = false;
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(readonly kind: 'run' | 'tasks', readonly handlers: StreamHandlers<T>) {
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
  }

  get open(): boolean {
    return !this.closedByClient && !this.ended;
  }

  /** Loosely typed on purpose: tests send odd and old shapes too. */
  object(value: object, name = 'message'): void {
    if (this.open) this.handlers.onObject(value as T, name);
  }

  /** `id` is a top-level id beside data and fields (`{id, data, fields}`). */
  partial(data: Record<string, unknown>, fields?: string[], name = 'message', id?: string): void {
    if (this.open) this.handlers.onPartial(data as Partial<T> & { id?: string }, fields, name, id);
  }

  keepAlive(): void {
    if (this.open) this.handlers.onActivity?.();
  }

  /** The server ends the stream (done event or a clean close). */
  end(): void {
    if (!this.open) return;
    this.ended = true;
    this.handlers.onDone?.();
    this.resolveClosed();
  }

  /** The connection drops. */
  drop(): void {
    if (!this.open) return;
    this.ended = true;
    this.handlers.onError?.(new ApiError({ kind: 'network', userMessage: 'dropped' }), false);
    this.resolveClosed();
  }

  close(): void {
    if (!this.open) return;
    this.closedByClient = true;
    this.resolveClosed();
  }
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export class FakeApi implements FlowRunsApi {
  readonly baseUrl = 'http://fake';
  run: FlowRun;
  tasks = new Map<string, Task>();
  streams: FakeStream<unknown>[] = [];
  getRunCalls = 0;
  getTaskCalls: string[] = [];
  /** When set, stream connects fail with this error. */
  connectError?: ApiError;
  /** When set, getRun waits for this before answering (the test resolves it). */
  gate?: Promise<void>;
  /** When set, getTask waits for this before answering (the test resolves it). */
  taskGate?: Promise<void>;
  /** When set, getTask fails with this error (a key without apps:read, say). */
  taskError?: ApiError;

  constructor(run: FlowRun) {
    this.run = run;
  }

  get openStreams(): number {
    return this.streams.filter((s) => s.open).length;
  }

  latest(kind: 'run' | 'tasks'): FakeStream<unknown> {
    const s = [...this.streams].reverse().find((x) => x.kind === kind);
    if (!s) throw new Error(`no ${kind} stream`);
    return s;
  }

  private stream<T>(kind: 'run' | 'tasks', handlers: StreamHandlers<T>, opts?: CallOptions): StreamConnection {
    const s = new FakeStream<T>(kind, handlers);
    this.streams.push(s as unknown as FakeStream<unknown>);
    opts?.signal?.addEventListener('abort', () => s.close(), { once: true });
    queueMicrotask(() => {
      if (!s.open) return;
      if (this.connectError) {
        s.ended = true;
        handlers.onError?.(this.connectError, [401, 403, 404].includes(this.connectError.status ?? 0));
        (s as unknown as { resolveClosed: () => void }).resolveClosed();
      } else handlers.onOpen?.();
    });
    return s;
  }

  streamRun(_id: string, handlers: StreamHandlers<FlowRun>, opts?: CallOptions): StreamConnection {
    return this.stream('run', handlers, opts);
  }

  streamTasks(_id: string, handlers: StreamHandlers<Task>, opts?: CallOptions): StreamConnection {
    return this.stream('tasks', handlers, opts);
  }

  async getRun(_id: string, opts?: CallOptions): Promise<FlowRun> {
    this.getRunCalls++;
    const snapshot = clone(this.run);
    if (this.gate) await this.gate;
    if (opts?.signal?.aborted) throw abortedError();
    return snapshot;
  }

  async getTask(id: string, opts?: CallOptions): Promise<Task> {
    this.getTaskCalls.push(id);
    await Promise.resolve();
    if (this.taskGate) await this.taskGate;
    if (this.taskError) throw this.taskError;
    if (opts?.signal?.aborted) throw abortedError();
    const t = this.tasks.get(id);
    if (!t) throw new ApiError({ kind: 'not_found', status: 404, userMessage: 'gone' });
    return clone(t);
  }

  createRun(): Promise<ApiResult<FlowRun>> {
    return Promise.reject(new Error('not used'));
  }
  listRuns(): Promise<ListPage<FlowRun>> {
    return Promise.reject(new Error('not used'));
  }
  cancelRun(): Promise<FlowRun | undefined> {
    return Promise.reject(new Error('not used'));
  }
  cloneRun(): Promise<Flow> {
    return Promise.reject(new Error('not used'));
  }
  updateRun(): Promise<FlowRun> {
    return Promise.reject(new Error('not used'));
  }
  setVisibility(): Promise<FlowRun> {
    return Promise.reject(new Error('not used'));
  }
  listFlows(): Promise<ListPage<Flow>> {
    return Promise.reject(new Error('not used'));
  }
  getFlow(): Promise<Flow> {
    return Promise.reject(new Error('not used'));
  }
}

export function at(seconds: number): string {
  return new Date(Date.UTC(2025, 0, 1, 0, 0, seconds)).toISOString();
}

export function makeRun(overrides: Partial<FlowRun> = {}): FlowRun {
  return {
    id: 'fr_1', flow_id: 'flow_a', flow_version_id: 'v1', status: 2, input: {},
    created_at: at(0), updated_at: at(1), node_statuses: { a: 'running', b: 'pending' }, node_outputs: {},
    node_tasks: {}, ...overrides,
  };
}

export function makeTask(id: string, status: number | string, seconds: number, overrides: Partial<Task> = {}): Task {
  return { id, status, app_id: 'app', created_at: at(0), updated_at: at(seconds), logs: [], ...overrides };
}
