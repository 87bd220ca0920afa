// The contract of the API client: what the rest of the extension may call.
// FlowRunsClient (client.ts) implements it over HTTP; nothing above src/api
// knows about fetch, envelopes or retries.
import type {
  ApiMessage, Flow, FlowRun, ListPage, ListRequest, Task, Visibility,
} from './models';

export interface CallOptions {
  signal?: AbortSignal;
  /** Per-call timeout; the client has a default. */
  timeoutMs?: number;
}

export interface ApiResult<T> {
  data: T;
  /** The envelope's messages (warnings worth showing); empty when none. */
  messages: ApiMessage[];
}

/** Metadata a client may patch on a run (POST /flowruns/{id}). */
export interface FlowRunPatch {
  fail_on_error?: boolean;
  [key: string]: unknown;
}

/** Callbacks of one stream connection (no reconnect at this level). */
export interface StreamHandlers<T> {
  /** The connection is open (HTTP 200 and event-stream headers received). */
  onOpen?: () => void;
  /** A full object: replace what you hold. */
  onObject: (value: T, eventName: string) => void;
  /**
   * A partial update: copy only `fields` of `data` (all of it when fields is
   * undefined). `id` is the payload's own top-level id, when it has one beside
   * `data` (then it names the object if `data` does not).
   */
  onPartial: (data: Partial<T> & { id?: string }, fields: string[] | undefined, eventName: string, id?: string) => void;
  /** `event: done`, or the server closed the stream cleanly. */
  onDone?: () => void;
  /** `event: error`, a malformed event, or a transport error. `fatal` means do not reconnect. */
  onError?: (error: Error, fatal: boolean) => void;
  /** A whole event or a keep-alive comment arrived (not merely bytes): resets the silence timer. */
  onActivity?: () => void;
}

export interface StreamConnection {
  /** Resolves when the stream ends for any reason. */
  readonly closed: Promise<void>;
  /** Closes the socket now. */
  close(): void;
}

export interface FlowRunsApi {
  readonly baseUrl: string;
  createRun(flow: string, input: Record<string, unknown>, opts?: CallOptions): Promise<ApiResult<FlowRun>>;
  getRun(id: string, opts?: CallOptions): Promise<FlowRun>;
  listRuns(req: ListRequest, opts?: CallOptions): Promise<ListPage<FlowRun>>;
  /** The server may answer with nothing (204) or with the run. */
  cancelRun(id: string, opts?: CallOptions): Promise<FlowRun | undefined>;
  /** Returns a new Flow (not a run). */
  cloneRun(id: string, opts?: CallOptions): Promise<Flow>;
  updateRun(id: string, patch: FlowRunPatch, opts?: CallOptions): Promise<FlowRun>;
  setVisibility(id: string, visibility: Visibility, opts?: CallOptions): Promise<FlowRun>;
  listFlows(req: ListRequest, opts?: CallOptions): Promise<ListPage<Flow>>;
  getFlow(id: string, opts?: CallOptions): Promise<Flow>;
  getTask(id: string, opts?: CallOptions): Promise<Task>;
  /** GET /flowruns/{id}/stream: one connection, no reconnect. */
  streamRun(id: string, handlers: StreamHandlers<FlowRun>, opts?: CallOptions): StreamConnection;
  /** GET /flowruns/{id}/tasks/stream: one connection, no reconnect. */
  streamTasks(id: string, handlers: StreamHandlers<Task>, opts?: CallOptions): StreamConnection;
}
