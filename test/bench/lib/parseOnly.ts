// The client-bound bench's limit: the same SSE bytes, already in memory, split
// into events and lines, each data line JSON.parse'd and merged with the
// readers' merge (applyPayload). No network, no SSE library, no bookkeeping:
// what any reader of this stream must at least spend.
import type { FlowRun } from '../../../src/api/models';
import { applyPayload } from './streamTypes';

export interface ParseOnlyResult {
  events: number;
  elapsedMs: number;
  cpuUs: number;
  view?: FlowRun;
}

export function parseOnly(sse: string): ParseOnlyResult {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let view: FlowRun | undefined;
  let events = 0;
  let from = 0;
  while (from < sse.length) {
    let end = sse.indexOf('\n\n', from);
    if (end < 0) end = sse.length;
    let name = 'message';
    let data = '';
    for (const line of sse.slice(from, end).split('\n')) {
      if (line.startsWith('data: ')) data = data ? `${data}\n${line.slice(6)}` : line.slice(6);
      else if (line.startsWith('event: ')) name = line.slice(7);
    }
    from = end + 2;
    if (name === 'done') break;
    if (!data) continue;
    const parsed: unknown = JSON.parse(data);
    view = view ? applyPayload(view, parsed) : (parsed as FlowRun);
    events++;
  }
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { events, elapsedMs, cpuUs: cpu.user + cpu.system, view };
}
