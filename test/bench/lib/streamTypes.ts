// What one client's read of a firehose run yields, whichever client it was.
import type { FlowRun } from '../../../src/api/models';

export interface ReadResult {
  client: string;
  /** Stream data events handed to the client's code. */
  events: number;
  /** performance.now() of the first and last data event. */
  firstEventAt: number;
  lastEventAt: number;
  /** Stream connections opened (1 without drops). */
  connects: number;
  /** GETs of the run the client made. */
  gets: number;
  /** Distinct firehose counter values the client's view ever showed. */
  seen: Set<number>;
  /** The client's view at the end. */
  view?: FlowRun;
  endedBy: 'done' | 'ended after terminal status' | 'deadline' | 'follower ended' | 'follower failed';
  note?: string;
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
