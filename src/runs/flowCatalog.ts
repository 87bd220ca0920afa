// Flows looked up once and cached: run items need a title, the panel needs
// the graph, Run Flow needs the input schema.
import type { FlowRunsApi } from '../api/api';
import { flowDisplayName, type Flow } from '../api/models';
import { Emitter } from './emitter';

export class FlowCatalog {
  private readonly flows = new Map<string, Flow>();
  private readonly pending = new Map<string, Promise<Flow | undefined>>();
  private readonly loaded = new Emitter<Flow>();
  readonly onDidLoad = this.loaded.event;

  constructor(private readonly api: () => FlowRunsApi | undefined) {}

  /** The cached flow, if any, without a request. */
  peek(id: string): Flow | undefined {
    return this.flows.get(id);
  }

  /** The flow's display name if known; undefined means "not loaded yet". */
  title(id: string): string | undefined {
    const flow = this.flows.get(id);
    return flow ? flowDisplayName(flow) : undefined;
  }

  /** Loads a flow once; concurrent callers share one request. Errors resolve to undefined. */
  get(id: string): Promise<Flow | undefined> {
    const cached = this.flows.get(id);
    if (cached) return Promise.resolve(cached);
    const inFlight = this.pending.get(id);
    if (inFlight) return inFlight;
    const api = this.api();
    if (!api) return Promise.resolve(undefined);
    const request = api.getFlow(id).then(
      (flow) => {
        this.remember(flow);
        return flow;
      },
      () => undefined,
    ).finally(() => this.pending.delete(id));
    this.pending.set(id, request);
    return request;
  }

  remember(flow: Flow): void {
    this.flows.set(flow.id, flow);
    this.loaded.fire(flow);
  }

  clear(): void {
    this.flows.clear();
  }

  dispose(): void {
    this.loaded.dispose();
    this.flows.clear();
  }
}
