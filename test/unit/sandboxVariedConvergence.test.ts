// The varied profile stays consistent: a small reference client written from
// the wire spec alone (GET on every connect, full objects replace, partials
// copy their fields, a task partial is placed by data.id or the top-level id,
// each stream reconnected on its own, logs fetched from GET /tasks/{id} when
// the tasks stream does not carry them) ends with exactly the sandbox's run
// and tasks, for several seeds, with faults injected on top.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FlowRun, Task } from '../../src/api/models';
import { isTerminalRunStatus } from '../../src/api/models';
import { SANDBOX_KEYS, startSandbox, type FaultPlan, type Sandbox } from '../../src/sandbox';
import { waitUntil } from './sandboxHelpers';
import { dataOf, isObject, raw, stampMicros } from './sandboxVariedKit';

interface SseEvent { event: string; data: string }

/** Connects one SSE stream; resolves once the server answered (and so has subscribed). */
async function connect(url: string, key: string, signal: AbortSignal): Promise<Response | undefined> {
  try {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream', 'X-API-Version': '2' }, signal });
    if (res.ok && res.body) return res;
    await res.body?.cancel();
  } catch {
    // refused or dropped: the caller reconnects
  }
  return undefined;
}

/** The events of one SSE connection, until it closes. */
async function* events(res: Response | undefined): AsyncGenerator<SseEvent> {
  if (!res?.body) return;
  const decoder = new TextDecoder();
  let buf = '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length) yield { event, data: data.join('\n') };
      }
    }
  } catch {
    return; // a dropped connection ends the read
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const newer = (incoming: unknown, held: { updated_at?: string } | undefined): boolean => {
  if (!held?.updated_at || !isObject(incoming) || typeof incoming.updated_at !== 'string') return true;
  return stampMicros(incoming.updated_at) >= stampMicros(held.updated_at);
};

/** A client written from the wire spec, following one run to its end. */
class ReferenceClient {
  run: FlowRun | undefined;
  readonly tasks = new Map<string, Task>();
  /** Tasks last sent whole without `logs`: their logs come from GET /tasks/{id}. */
  readonly logsElsewhere = new Set<string>();
  private readonly ac = new AbortController();
  private runOver = false;
  reconnects = 0;
  taskGets = 0;

  constructor(private readonly sb: Sandbox, private readonly id: string, private readonly key: string, private readonly readsTasks: boolean) {}

  async follow(): Promise<void> {
    try {
      await Promise.all([this.runLoop(), this.tasksLoop()]);
      if (this.readsTasks) {
        for (const id of [...this.logsElsewhere]) {
          this.taskGets++;
          this.tasks.set(id, dataOf<Task>(await this.get(`/tasks/${id}`)));
          this.logsElsewhere.delete(id);
        }
      }
    } finally {
      this.ac.abort();
    }
  }

  /** GET with retries on 429 and 500 (faults). */
  private async get(path: string): Promise<Awaited<ReturnType<typeof raw>>> {
    for (let i = 0; ; i++) {
      const a = await raw(this.sb, 'GET', path, undefined, this.key);
      if ((a.status !== 429 && a.status < 500) || i > 50) return a;
      await sleep(5);
    }
  }

  private async resync(): Promise<void> {
    const got = dataOf<FlowRun>(await this.get(`/flowruns/${this.id}`));
    if (newer(got, this.run)) this.run = got;
  }

  private async runLoop(): Promise<void> {
    for (;;) {
      // Connect, then GET, then apply the stream on top (there is no replay).
      const res = await connect(`${this.sb.url}/flowruns/${this.id}/stream`, this.key, this.ac.signal);
      await this.resync();
      let done = false;
      for await (const e of events(res)) {
        if (e.event === 'done') {
          done = true;
          break;
        }
        if (e.event !== 'message' && e.event !== 'flow_runs') continue;
        const payload = parse(e.data);
        if (payload !== undefined) this.applyRun(payload);
      }
      if (done && this.run && isTerminalRunStatus(this.run.status)) break;
      this.reconnects++;
      await sleep(5);
    }
    this.runOver = true;
  }

  private applyRun(p: Record<string, unknown>): void {
    if (isObject(p.data) && Array.isArray(p.fields)) {
      if (!this.run || !newer(p.data, this.run)) return;
      const next = { ...this.run } as unknown as Record<string, unknown>;
      for (const f of p.fields) if (typeof f === 'string') next[f] = p.data[f];
      this.run = next as unknown as FlowRun;
    } else if (newer(p, this.run)) this.run = p as unknown as FlowRun;
  }

  private async tasksLoop(): Promise<void> {
    for (;;) {
      const res = await connect(`${this.sb.url}/flowruns/${this.id}/tasks/stream`, this.key, this.ac.signal);
      for await (const e of events(res)) {
        if (e.event === 'done') break;
        if (e.event !== 'message' && e.event !== 'tasks') continue;
        const payload = parse(e.data);
        if (payload !== undefined) this.applyTask(payload);
      }
      // A tasks stream may end (done, or a close) while the run goes on: ask
      // whether the run is over and every task final, else reconnect.
      await sleep(5);
      const run = dataOf<FlowRun>(await this.get(`/flowruns/${this.id}`));
      if (isTerminalRunStatus(run.status) && this.seenEveryTask(run)) {
        await waitUntil(() => this.runOver, 10_000, 'the run stream to end');
        return;
      }
      this.reconnects++;
    }
  }

  /** Whether every node task of the run has reached us in its final state (the last connection started after the end). */
  private seenEveryTask(run: FlowRun): boolean {
    return Object.values(run.node_tasks ?? {}).every((ref) => {
      const held = this.tasks.get(ref.task_id);
      return held !== undefined && held.status === ref.task?.status && held.updated_at === ref.task?.updated_at;
    });
  }

  private applyTask(p: Record<string, unknown>): void {
    if (isObject(p.data) && Array.isArray(p.fields)) {
      const id = typeof p.data.id === 'string' ? p.data.id : typeof p.id === 'string' ? p.id : undefined;
      assert.ok(id, `a task partial names its task: ${JSON.stringify(p).slice(0, 200)}`);
      const held = this.tasks.get(id);
      if (!held) return; // a partial for a task we never saw whole: the next connection's snapshot brings it
      if (!newer(p.data, held)) return;
      const next = { ...held } as unknown as Record<string, unknown>;
      for (const f of p.fields) if (typeof f === 'string') next[f] = p.data[f];
      this.tasks.set(id, next as unknown as Task);
      return;
    }
    const task = p as unknown as Task;
    const held = this.tasks.get(task.id);
    if (!newer(task, held)) return;
    if (task.logs === undefined) {
      this.logsElsewhere.add(task.id);
      this.tasks.set(task.id, held?.logs ? { ...task, logs: held.logs } : task);
    } else {
      this.logsElsewhere.delete(task.id);
      this.tasks.set(task.id, task);
    }
  }
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return isObject(v) ? v : undefined;
  } catch {
    return undefined; // a malformed event (fault): the resync covers it
  }
}

const norm = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

interface Case { seed: number; flow: string; input: Record<string, unknown>; faults?: FaultPlan; cancelAfterMs?: number; key?: string }

const FAULTS: FaultPlan = {
  seed: 11, rate429: 0.05, rate500: 0.05, dropProbability: 0.05, duplicateProbability: 0.1, malformedProbability: 0.05,
  silenceProbability: 0.02, silenceMs: 40, routes: ['GET /flowruns/:id', '/stream'],
};

const CASES: Case[] = [
  { seed: 1, flow: 'flow_image_pipeline', input: { prompt: 'A mountain landscape' } },
  { seed: 2, flow: 'flow_fanout', input: { topic: 'Tidal energy' } },
  { seed: 3, flow: 'flow_flaky', input: {} },
  { seed: 4, flow: 'flow_slow', input: { seconds: 5 }, cancelAfterMs: 150 },
  { seed: 5, flow: 'flow_fanout', input: { topic: 'Coral reefs' }, faults: FAULTS },
  { seed: 6, flow: 'flow_image_pipeline', input: { prompt: 'A lighthouse', style: 'oil' }, faults: { ...FAULTS, seed: 12 } },
  { seed: 7, flow: 'flow_fanout', input: { topic: 'The printing press' }, key: SANDBOX_KEYS.flowsOnly },
  { seed: 8, flow: 'flow_image_pipeline', input: { prompt: 'Dunes' }, key: SANDBOX_KEYS.flowsOnly, faults: { ...FAULTS, seed: 13 } },
];

describe('varied profile: a client written from the spec converges exactly', () => {
  for (const c of CASES) {
    const what = `seed ${c.seed}, ${c.flow}${c.faults ? ', faults' : ''}${c.cancelAfterMs !== undefined ? ', cancelled' : ''}${c.key ? ', flows-only key' : ''}`;
    test(what, async () => {
      const sb = await startSandbox({ port: 0, speed: 0.01, seed: c.seed, profile: 'varied', faults: c.faults, keepAliveMs: 30 });
      try {
        const key = c.key ?? sb.defaultKey;
        const readsTasks = key === sb.defaultKey;
        const created = await raw(sb, 'POST', '/flowruns', { flow: c.flow, input: c.input }, key, { 'X-Sandbox-Faults': 'null' });
        const id = dataOf<FlowRun>(created).id;
        const client = new ReferenceClient(sb, id, key, readsTasks);
        const following = client.follow();
        if (c.cancelAfterMs !== undefined) {
          await sleep(c.cancelAfterMs);
          const cancel = await raw(sb, 'POST', `/flowruns/${id}/cancel`, undefined, key, { 'X-Sandbox-Faults': 'null' });
          assert.ok(cancel.status === 200 || cancel.status === 204, `cancel: ${cancel.status}`);
        }
        await following;
        const server = sb.getRun(id) as FlowRun;
        assert.ok(isTerminalRunStatus(server.status));
        assert.deepEqual(norm(client.run), norm(server), 'the run');
        const refs = Object.values(server.node_tasks ?? {});
        assert.ok(refs.length > 0);
        for (const ref of refs) {
          const truth = sb.getTask(ref.task_id) as Task;
          const held = client.tasks.get(ref.task_id);
          if (readsTasks || !client.logsElsewhere.has(ref.task_id)) assert.deepEqual(norm(held), norm(truth), `task ${ref.task_id}`);
          else assert.deepEqual(norm({ ...held, logs: undefined }), norm({ ...truth, logs: undefined }), `task ${ref.task_id} but its logs`);
        }
        // A flows-only key never reads a task, so it is never refused one.
        if (!readsTasks) assert.equal(sb.stats().byStatus['GET /tasks/:id'], undefined);
        await waitUntil(() => sb.stats().openStreams === 0, 5000, 'every stream closed');
      } finally {
        await sb.close();
      }
    });
  }
});
