// FlowRunsClient: every endpoint of the Flow Runs API (wire protocol section 4)
// over HttpTransport, plus the two event streams.
import type {
  ApiResult, CallOptions, FlowRunPatch, FlowRunsApi, StreamConnection, StreamHandlers,
} from './api';
import * as l10n from '@vscode/l10n';
import { ApiError } from './errors';
import { isRecord as isObject } from '../shared/guards';
import { HttpTransport, type HttpMethod, type TransportOptions } from './http';
import type { BodyKind } from './limits';
import { silentLogger, type Logger } from './logger';
import type { Flow, FlowRun, ListPage, ListRequest, Task, Visibility } from './models';
import { openEventStream } from './sse';

/** The client's options are the transport's (base URL, key, logger, timeouts, retries, hooks). */
export type ClientOptions = TransportOptions;

const seg = (id: string): string => encodeURIComponent(id);

export class FlowRunsClient implements FlowRunsApi {
  readonly baseUrl: string;
  private readonly http: HttpTransport;
  private readonly logger: Logger;

  constructor(opts: ClientOptions) {
    this.http = new HttpTransport(opts);
    this.baseUrl = this.http.baseUrl;
    this.logger = opts.logger ?? silentLogger;
  }

  async createRun(flow: string, input: Record<string, unknown>, opts?: CallOptions): Promise<ApiResult<FlowRun>> {
    const res = await this.call('POST', '/flowruns', { flow, input }, false, opts);
    return { data: this.object<FlowRun>(res.data, 'POST', '/flowruns'), messages: res.messages };
  }

  async getRun(id: string, opts?: CallOptions): Promise<FlowRun> {
    const path = `/flowruns/${seg(id)}`;
    return this.object<FlowRun>((await this.call('GET', path, undefined, true, opts)).data, 'GET', path, id);
  }

  async listRuns(req: ListRequest, opts?: CallOptions): Promise<ListPage<FlowRun>> {
    return this.page<FlowRun>((await this.call('POST', '/flowruns/list', req, true, opts, 'list')).data, '/flowruns/list');
  }

  async cancelRun(id: string, opts?: CallOptions): Promise<FlowRun | undefined> {
    const path = `/flowruns/${seg(id)}/cancel`;
    const { data } = await this.call('POST', path, undefined, false, opts);
    // Cancel may answer 204, an empty object, or the run.
    return isObject(data) && data.id === id ? (data as unknown as FlowRun) : undefined;
  }

  async cloneRun(id: string, opts?: CallOptions): Promise<Flow> {
    const path = `/flowruns/${seg(id)}/clone`;
    return this.object<Flow>((await this.call('POST', path, undefined, false, opts)).data, 'POST', path);
  }

  async updateRun(id: string, patch: FlowRunPatch, opts?: CallOptions): Promise<FlowRun> {
    const path = `/flowruns/${seg(id)}`;
    return this.object<FlowRun>((await this.call('POST', path, patch, false, opts)).data, 'POST', path, id);
  }

  async setVisibility(id: string, visibility: Visibility, opts?: CallOptions): Promise<FlowRun> {
    const path = `/flowruns/${seg(id)}/visibility`;
    return this.object<FlowRun>((await this.call('POST', path, { visibility }, false, opts)).data, 'POST', path, id);
  }

  async listFlows(req: ListRequest, opts?: CallOptions): Promise<ListPage<Flow>> {
    return this.page<Flow>((await this.call('POST', '/flows/list', req, true, opts, 'list')).data, '/flows/list');
  }

  async getFlow(id: string, opts?: CallOptions): Promise<Flow> {
    const path = `/flows/${seg(id)}`;
    return this.object<Flow>((await this.call('GET', path, undefined, true, opts)).data, 'GET', path, id);
  }

  async getTask(id: string, opts?: CallOptions): Promise<Task> {
    const path = `/tasks/${seg(id)}`;
    return this.object<Task>((await this.call('GET', path, undefined, true, opts, 'task')).data, 'GET', path, id);
  }

  streamRun(id: string, handlers: StreamHandlers<FlowRun>, opts?: CallOptions): StreamConnection {
    return openEventStream(this.http, `/flowruns/${seg(id)}/stream`, handlers, opts, this.logger);
  }

  streamTasks(id: string, handlers: StreamHandlers<Task>, opts?: CallOptions): StreamConnection {
    return openEventStream(this.http, `/flowruns/${seg(id)}/tasks/stream`, handlers, opts, this.logger);
  }

  private call(method: HttpMethod, path: string, body: unknown, idempotent: boolean, opts: CallOptions | undefined, bodyKind: BodyKind = 'object') {
    return this.http.request({ method, path, body, idempotent, signal: opts?.signal, timeoutMs: opts?.timeoutMs, bodyKind });
  }

  /**
   * A DTO must be an object with an id (the id asked for, when the call named
   * one: a body whose `id` is another object's, say after a duplicate key, is
   * refused); anything else is a broken answer, not a crash later.
   */
  private object<T>(data: unknown, method: string, path: string, expectedId?: string): T {
    // Asked by short id, a server may answer with the full one.
    if (isObject(data) && typeof data.id === 'string' && (expectedId === undefined || data.id === expectedId || data.short_id === expectedId)) {
      return data as unknown as T;
    }
    if (isObject(data) && typeof data.id === 'string') {
      throw new ApiError({
        kind: 'bad_response',
        code: 'wrong_object',
        userMessage: l10n.t(
          'The answer to {0} {1} described another object than the one asked for, so it was not used. Try again; if it keeps happening, check that "flowRuns.apiUrl" points to the Flow Runs API.',
          method, path),
        method,
        path,
      });
    }
    throw new ApiError({
      kind: 'bad_response',
      code: 'unexpected_shape',
      userMessage: l10n.t('The answer to {0} {1} did not contain the expected object. Check that "flowRuns.apiUrl" points to the Flow Runs API.', method, path),
      method,
      path,
    });
  }

  /** A list page; a bare array is accepted as a single page. Items that are not objects with an id are dropped. */
  private page<T>(data: unknown, path: string): ListPage<T> {
    const items = (list: unknown[]): T[] => list.filter((i) => isObject(i) && typeof i.id === 'string' && i.id !== '') as T[];
    if (Array.isArray(data)) return { items: items(data), has_next: false, next_cursor: null };
    if (isObject(data) && Array.isArray(data.items)) {
      const page = data as unknown as ListPage<T>;
      const next = typeof data.next_cursor === 'string' && data.next_cursor !== '' ? data.next_cursor : null;
      return { ...page, items: items(data.items), next_cursor: next, has_next: data.has_next === true || (data.has_next === undefined && next !== null) };
    }
    throw new ApiError({
      kind: 'bad_response',
      code: 'unexpected_shape',
      userMessage: l10n.t('The answer to POST {0} was not a list page. Check that "flowRuns.apiUrl" points to the Flow Runs API.', path),
      method: 'POST',
      path,
    });
  }
}
