// Reads one flow run with our own code: the RunFollower the extension uses
// (both streams, a GET on every connect, reconnects with backoff), or the raw
// run-stream reader beneath it (FlowRunsClient.streamRun, no GETs, no
// reconnect). A thin counting wrapper around the client records every event
// and GET the follower saw, without changing what it does.
import type { FlowRunsApi, StreamHandlers } from '../../../src/api/api';
import { FlowRunsClient } from '../../../src/api/client';
import type { FlowRun } from '../../../src/api/models';
import { isTerminalRunStatus, toFlowRunStatus } from '../../../src/api/models';
import { RunFollower } from '../../../src/runs/follower';
import { applyFields, noteTerminal, progressOf, type ReadResult } from './streamTypes';

export function makeClient(baseUrl: string, apiKey: string): FlowRunsClient {
  return new FlowRunsClient({ baseUrl, apiKey, clientVersion: 'bench' });
}

/** Wraps `api` so that stream events and GETs are counted (the follower's own code is untouched). */
function counting(api: FlowRunsApi, result: ReadResult): FlowRunsApi {
  const tick = (): void => {
    const now = performance.now();
    if (!result.events) result.firstEventAt = now;
    result.lastEventAt = now;
    result.events++;
  };
  const wrap = <T>(h: StreamHandlers<T>, runStream: boolean): StreamHandlers<T> => ({
    ...h,
    onOpen: () => {
      result.connects++;
      h.onOpen?.();
    },
    // Only the run stream's events count: the other readers read that stream alone.
    onObject: (value, name) => {
      if (runStream) {
        tick();
        see(result, value);
      }
      h.onObject(value, name);
    },
    onPartial: (data, fields, name) => {
      if (runStream) {
        tick();
        see(result, data);
      }
      h.onPartial(data, fields, name);
    },
  });
  return {
    baseUrl: api.baseUrl,
    createRun: (...a) => api.createRun(...a),
    getRun: async (...a) => {
      result.gets++;
      const run = await api.getRun(...a);
      // The follower holds back every event that arrives before its resync GET is answered.
      result.eventsBeforeGet ??= result.events;
      see(result, run);
      return run;
    },
    listRuns: (...a) => api.listRuns(...a),
    cancelRun: (...a) => api.cancelRun(...a),
    cloneRun: (...a) => api.cloneRun(...a),
    updateRun: (...a) => api.updateRun(...a),
    setVisibility: (...a) => api.setVisibility(...a),
    listFlows: (...a) => api.listFlows(...a),
    getFlow: (...a) => api.getFlow(...a),
    getTask: (...a) => {
      result.taskGets = (result.taskGets ?? 0) + 1;
      return api.getTask(...a);
    },
    streamRun: (id, h, o) => api.streamRun(id, wrap(h, true), o),
    streamTasks: (id, h, o) => api.streamTasks(id, wrap(h, false), o),
  };
}

export async function readWithFollower(api: FlowRunsApi, runId: string, deadlineMs: number, trackProgress = true): Promise<ReadResult> {
  const result: ReadResult = {
    client: 'ours (RunFollower)',
    events: 0,
    firstEventAt: 0,
    lastEventAt: 0,
    connects: 0,
    gets: 0,
    seen: trackProgress ? new Set<number>() : undefined,
    endedBy: 'deadline',
  };
  const follower = new RunFollower(counting(api, result), runId);
  // Where the stream's updates left the view, before the final GET replaces it (and when).
  const watch = follower.onDidChange((c) => {
    const run = c.view.run;
    if (result.terminalAt !== undefined || !run || !isTerminalRunStatus(toFlowRunStatus(run.status))) return;
    result.terminalAt = performance.now();
    result.streamView = structuredClone(run);
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), deadlineMs);
  });
  follower.start();
  const outcome = await Promise.race([follower.done, deadline]);
  clearTimeout(timer);
  if (outcome === 'deadline') {
    result.endedBy = 'deadline';
  } else {
    result.endedBy = outcome.state === 'ended' ? 'follower ended' : 'follower failed';
    if (outcome.error) result.note = outcome.error.userMessage;
  }
  result.view = follower.view.run ? structuredClone(follower.view.run) : undefined;
  watch.dispose();
  await follower.stop();
  return result;
}

/** Our SSE reader alone: one connection, partials merged by fields, no GET after the first. */
export async function readWithRawStream(api: FlowRunsApi, runId: string, deadlineMs: number, trackProgress = true): Promise<ReadResult> {
  const result: ReadResult = {
    client: 'ours (raw streamRun)',
    events: 0,
    firstEventAt: 0,
    lastEventAt: 0,
    connects: 0,
    gets: 0,
    seen: trackProgress ? new Set<number>() : undefined,
    endedBy: 'deadline',
  };
  let view: FlowRun = await api.getRun(runId);
  result.gets++;
  const note = (): void => {
    const p = result.seen && progressOf(view);
    if (p !== undefined) result.seen?.add(p);
  };
  note();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const conn = api.streamRun(runId, {
    onOpen: () => {
      result.connects++;
    },
    onObject: (value) => {
      tick(result);
      view = value;
      note();
      noteTerminal(result, view);
    },
    onPartial: (data, fields) => {
      tick(result);
      view = applyFields(view, data, fields);
      note();
      noteTerminal(result, view);
    },
    onDone: () => {
      result.endedBy = 'done';
    },
    onError: () => {
      if (isTerminalRunStatus(toFlowRunStatus(view.status))) result.endedBy = 'ended after terminal status';
    },
  });
  timer = setTimeout(() => conn.close(), deadlineMs);
  await conn.closed;
  clearTimeout(timer);
  timer = undefined;
  result.view = view;
  return result;
}

/** Records the firehose counter carried by a run, a partial of it, or a task (none). */
function see(result: ReadResult, value: unknown): void {
  if (!result.seen) return;
  const p = progressOf(value as FlowRun);
  if (p !== undefined) result.seen.add(p);
}

function tick(result: ReadResult): void {
  const now = performance.now();
  if (!result.events) result.firstEventAt = now;
  result.lastEventAt = now;
  result.events++;
}
