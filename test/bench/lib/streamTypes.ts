// What one client's read of a firehose run yields, whichever client it was.
import { isTerminalRunStatus, toFlowRunStatus, type FlowRun } from '../../../src/api/models';

export interface ReadResult {
  client: string;
  /** Run-stream data events handed to the client's code (the follower's tasks stream is not counted). */
  events: number;
  /** performance.now() of the first and last data event. */
  firstEventAt: number;
  lastEventAt: number;
  /** Stream connections opened (1 without drops). */
  connects: number;
  /** GETs of the run the client made. */
  gets: number;
  /** GETs of node tasks (the follower fetches tasks it holds only in part). */
  taskGets?: number;
  /** Distinct firehose counter values the client's view ever showed (undefined: not tracked). */
  seen?: Set<number>;
  /** performance.now() when the client's view first showed a terminal run status (the stream's last update merged). */
  terminalAt?: number;
  /** The follower's run when its view first showed the terminal status: merged from the stream, before its final GET. */
  streamView?: FlowRun;
  /** Run-stream events that had arrived when the reader's first GET was answered (the follower buffers these). */
  eventsBeforeGet?: number;
  /** The client's view at the end. */
  view?: FlowRun;
  endedBy: 'done' | 'ended after terminal status' | 'deadline' | 'follower ended' | 'follower failed';
  note?: string;
}

/** Notes the moment a reader's view first shows a terminal run status. */
export function noteTerminal(result: ReadResult, view: FlowRun): void {
  if (result.terminalAt === undefined && isTerminalRunStatus(toFlowRunStatus(view.status))) result.terminalAt = performance.now();
}

/** The firehose counter: the run's output.progress, else any node output's progress. */
export function progressOf(run: FlowRun | undefined): number | undefined {
  if (!run) return undefined;
  const out = run.output;
  if (isRecord(out) && typeof out.progress === 'number') return out.progress;
  for (const v of Object.values(run.node_outputs ?? {})) {
    if (isRecord(v) && typeof v.progress === 'number') return v.progress;
  }
  return undefined;
}

/**
 * The merge every reader except the follower uses (the official UI's): a
 * partial {data, fields} copies the listed fields of data (all of data without
 * a list) onto a copy of the view; an object with an id replaces it.
 */
export function applyPayload(view: FlowRun, payload: unknown): FlowRun {
  if (!isRecord(payload)) return view;
  if (isRecord(payload.data) && !('id' in payload)) {
    const fields = Array.isArray(payload.fields) ? payload.fields.filter((f): f is string => typeof f === 'string') : undefined;
    return applyFields(view, payload.data, fields);
  }
  if (typeof payload.id === 'string') return payload as unknown as FlowRun;
  return view;
}

/** A partial's fields copied onto a copy of the view (the second half of applyPayload). */
export function applyFields(view: FlowRun, data: Record<string, unknown>, fields: readonly string[] | undefined): FlowRun {
  const next: Record<string, unknown> = { ...(view as unknown as Record<string, unknown>) };
  for (const f of fields ?? Object.keys(data)) if (f in data) next[f] = data[f];
  return next as unknown as FlowRun;
}

/**
 * Compares what a client ended with to the server's run, field by field
 * (JSON equality). Returns the fields that differ; empty means exact.
 */
export function diffRun(client: FlowRun | undefined, server: FlowRun | undefined): string[] {
  if (!client || !server) return ['(missing)'];
  const a = client as unknown as Record<string, unknown>;
  const b = server as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const differ: string[] = [];
  for (const k of keys) {
    if (stable(a[k]) !== stable(b[k])) differ.push(k);
  }
  return differ.sort();
}

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (isRecord(val)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(val).sort()) sorted[key] = val[key];
      return sorted;
    }
    return val;
  }) ?? 'undefined';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
