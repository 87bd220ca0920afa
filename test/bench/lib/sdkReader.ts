// Reads one flow run with the official @inferencesh/sdk, the way its users
// would: GET the run once (flowRuns.get), then flowRuns.stream(id) and merge
// each event onto what is held (a partial {data, fields} copies only `fields`,
// as the official UI does; a full object replaces). Reconnects are left to the
// SDK's EventSource (the `eventsource` package: retries after 3 s unless the
// server says otherwise, no resync). It stops at `event: done`, or when the
// stream ends after a terminal status, or at the deadline.
import { inference } from '@inferencesh/sdk';
import type { FlowRun } from '../../../src/api/models';
import { isTerminalRunStatus, toFlowRunStatus } from '../../../src/api/models';
import type { ReadResult } from './streamTypes';
import { applyPayload, noteTerminal, progressOf } from './streamTypes';

export async function readWithSdk(baseUrl: string, apiKey: string, runId: string, deadlineMs: number, trackProgress = true): Promise<ReadResult> {
  const client = inference({ apiKey, baseUrl });
  const result: ReadResult = {
    client: 'official SDK (flowRuns.stream)',
    events: 0,
    firstEventAt: 0,
    lastEventAt: 0,
    connects: 0,
    gets: 0,
    seen: trackProgress ? new Set<number>() : undefined,
    endedBy: 'deadline',
  };
  const started = performance.now();
  const got = await client.flowRuns.get(runId);
  result.gets++;
  let view = got.data as unknown as FlowRun;
  note(result, view);

  const source = await client.flowRuns.stream(runId);
  if (!source) throw new Error('flowRuns.stream returned no EventSource');

  await new Promise<void>((resolve) => {
    let finished = false;
    const finish = (why: ReadResult['endedBy']): void => {
      if (finished) return;
      finished = true;
      result.endedBy = why;
      clearTimeout(timer);
      source.close();
      resolve();
    };
    const timer = setTimeout(() => finish('deadline'), Math.max(1, deadlineMs - (performance.now() - started)));
    source.onopen = () => {
      result.connects++;
    };
    source.onmessage = (ev: MessageEvent<string>) => {
      const now = performance.now();
      if (!result.events) result.firstEventAt = now;
      result.lastEventAt = now;
      result.events++;
      let parsed: unknown;
      try {
        parsed = JSON.parse(ev.data);
      } catch {
        return;
      }
      view = applyPayload(view, parsed);
      note(result, view);
      noteTerminal(result, view);
    };
    source.addEventListener('done', () => finish('done'));
    source.onerror = () => {
      // The stream ended or failed; a user would stop once the run is over,
      // otherwise the EventSource reconnects by itself.
      if (isTerminalRunStatus(toFlowRunStatus(view.status))) finish('ended after terminal status');
    };
  });
  result.view = view;
  return result;
}

function note(result: ReadResult, view: FlowRun): void {
  if (!result.seen) return;
  const p = progressOf(view);
  if (p !== undefined) result.seen.add(p);
}
