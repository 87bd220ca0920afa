// The follower's own per-event work, without HTTP or SSE parsing: a RunFollower
// on an in-memory FlowRunsApi whose streams hand it the fixture's events,
// already parsed and classified (src/api/sse's classifyPayload), in chunks of
// CHUNK events per macrotask with an onActivity per chunk, as the SSE reader
// does. The run stream's events wait until the follower's resync GET is
// answered (steady state: nothing to buffer). Compared with the readers' merge
// (applyFields) over the same events: the smallest work any client does per event.
import type { FlowRunsApi, StreamConnection, StreamHandlers } from '../../../src/api/api';
import type { FlowRun, Task } from '../../../src/api/models';
import { classifyPayload } from '../../../src/api/sse';
import { RunFollower } from '../../../src/runs/follower';
import type { StreamFixture } from './streamFixture';
import { applyPayload, diffRun } from './streamTypes';

const CHUNK = 100;

export interface InMemoryResult {
  events: number;
  /** CPU µs per run-stream event: the follower, and the readers' merge on the same events. */
  followerUs: number;
  mergeUs: number;
  exact: boolean;
}

/** The fixture's run-stream events, parsed (neither the follower nor the merge changes them: reusable). */
export function inMemoryEvents(fixture: StreamFixture): unknown[] {
  const out: unknown[] = [];
  for (const block of fixture.sse.split('\n\n')) {
    if (!block.startsWith('data: ')) continue;
    out.push(JSON.parse(block.slice(6)));
  }
  return out;
}

function fakeApi(fixture: StreamFixture, payloads: unknown[]): FlowRunsApi {
  let gets = 0;
  let answered!: () => void;
  const firstGet = new Promise<void>((resolve) => (answered = resolve));
  const unused = (): never => {
    throw new Error('not used by the follower');
  };
  const connection = <T>(h: StreamHandlers<T>, feed: (h: StreamHandlers<T>, isClosed: () => boolean) => Promise<void>, signal?: AbortSignal): StreamConnection => {
    let closed = false;
    let done!: () => void;
    const ended = new Promise<void>((resolve) => (done = resolve));
    const close = (): void => {
      closed = true;
      done();
    };
    signal?.addEventListener('abort', close, { once: true });
    setImmediate(() => {
      if (closed) return;
      h.onOpen?.();
      void feed(h, () => closed).then(() => {
        if (!closed) h.onDone?.();
        close();
      });
    });
    return { closed: ended, close };
  };
  return {
    baseUrl: 'memory:',
    getRun: () => {
      const run = structuredClone(gets++ === 0 ? fixture.initial : fixture.final);
      answered();
      return Promise.resolve(run);
    },
    getTask: (id) => {
      const task = fixture.tasks.find((t) => t.id === id);
      return task ? Promise.resolve(structuredClone(task)) : Promise.reject(new Error(`no task ${id}`));
    },
    streamRun: (_id, h, o) => connection<FlowRun>(h, async (handlers, isClosed) => {
      await firstGet;
      for (let i = 0; i < payloads.length && !isClosed(); i += CHUNK) {
        await new Promise((r) => setImmediate(r));
        if (isClosed()) return;
        handlers.onActivity?.();
        for (let k = i; k < Math.min(payloads.length, i + CHUNK) && !isClosed(); k++) {
          const p = classifyPayload(payloads[k]);
          if (p.kind === 'object') handlers.onObject(p.value as unknown as FlowRun, 'message');
          else if (p.kind === 'partial') handlers.onPartial(p.data, p.fields, 'message');
        }
      }
    }, o?.signal),
    streamTasks: (_id, h, o) => connection<Task>(h, async (handlers, isClosed) => {
      handlers.onActivity?.();
      for (const t of fixture.tasks) handlers.onObject(structuredClone(t), 'message');
      // Open and quiet until closed.
      while (!isClosed()) await new Promise((r) => setTimeout(r, 50));
    }, o?.signal),
    createRun: unused,
    listRuns: unused,
    cancelRun: unused,
    cloneRun: unused,
    updateRun: unused,
    setVisibility: unused,
    listFlows: unused,
    getFlow: unused,
  };
}

export async function followInMemory(fixture: StreamFixture, payloads: unknown[], runId: string): Promise<InMemoryResult> {
  // The readers' merge on the same (already parsed) events.
  const m0 = process.cpuUsage();
  let view: FlowRun = fixture.initial;
  for (const p of payloads) view = applyPayload(view, p);
  const m = process.cpuUsage(m0);
  const follower = new RunFollower(fakeApi(fixture, payloads), runId);
  const c0 = process.cpuUsage();
  follower.start();
  await follower.done;
  const c = process.cpuUsage(c0);
  const exact = diffRun(follower.view.run, fixture.final).length === 0 && diffRun(view, fixture.final).length === 0;
  await follower.stop();
  return {
    events: payloads.length,
    followerUs: (c.user + c.system) / payloads.length,
    mergeUs: (m.user + m.system) / payloads.length,
    exact,
  };
}
