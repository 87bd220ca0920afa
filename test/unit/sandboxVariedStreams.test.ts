// The varied profile's streams: full objects mid-stream, partials with and
// without `id` in data and with a top-level `id`, tasks without logs, named
// events, and a tasks stream that ends on its own while the run stream goes
// on; the same seed sends the same forms, and the seed profile none of them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FlowRun } from '../../src/api/models';
import { FlowRunStatus, isTerminalRunStatus } from '../../src/api/models';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox';
import { StreamReader, waitUntil, type StreamEvent } from './sandboxHelpers';
import { isObject, payloadKind, type PayloadKind } from './sandboxVariedKit';

/** Data events of a stream (named or not): [event name, payload]. */
function dataEvents(s: StreamReader): [string, Record<string, unknown>][] {
  return s.events
    .filter((e) => e.event === 'message' || e.event === 'flow_runs' || e.event === 'tasks')
    .map((e) => [e.event, e.json as Record<string, unknown>]);
}

interface Followed { run: StreamReader; tasks: StreamReader; id: string; end: 'done' | 'closed' | 'error' }

/** Opens both streams of a new run right away and reads them to their ends. */
async function follow(sb: Sandbox, flow: string, input: Record<string, unknown>): Promise<Followed> {
  const { id } = sb.createRunDirect(flow, input);
  const run = new StreamReader(`${sb.url}/flowruns/${id}/stream`, sb.defaultKey);
  const tasks = new StreamReader(`${sb.url}/flowruns/${id}/tasks/stream`, sb.defaultKey);
  const [end] = await Promise.all([run.ended, tasks.ended]);
  return { run, tasks, id, end };
}

async function withSandbox<T>(opts: SandboxOptions, fn: (sb: Sandbox) => Promise<T>): Promise<T> {
  const sb = await startSandbox({ port: 0, speed: 0.01, keepAliveMs: 1000, ...opts });
  try {
    return await fn(sb);
  } finally {
    await sb.close();
  }
}

describe('varied profile: the run stream', () => {
  test('sends full runs mid-stream, partials with and without id in data and with a top-level id, named and unnamed', async () => {
    await withSandbox({ seed: 5, profile: 'varied' }, async (sb) => {
      const kinds = new Map<PayloadKind, number>();
      const names = new Set<string>();
      let withCreatedAt = 0;
      let withoutCreatedAt = 0;
      for (let i = 0; i < 3; i++) {
        const f = await follow(sb, 'flow_fanout', { topic: `run stream ${i}` });
        assert.equal(f.end, 'done', 'the run stream ends with done after the terminal status');
        const events = dataEvents(f.run);
        assert.equal(payloadKind(events[0][1]), 'full', 'it starts with the full run');
        for (const [name, p] of events.slice(1)) {
          const kind = payloadKind(p);
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
          names.add(name);
          if (kind === 'full') assert.equal(p.id, f.id);
          else {
            const data = p.data as Record<string, unknown>;
            if (kind === 'partial-top-level-id' || kind === 'partial-top-level-id-only') assert.equal(p.id, f.id);
            if ('id' in data) assert.equal(data.id, f.id);
            for (const field of p.fields as string[]) assert.ok(field in data, `field ${field} is in data`);
            if ('created_at' in data) withCreatedAt++;
            else withoutCreatedAt++;
          }
        }
        const last = events[events.length - 1][1];
        const final = (payloadKind(last) === 'full' ? last : last.data) as Record<string, unknown>;
        assert.ok(isTerminalRunStatus(final.status as FlowRunStatus), 'the last event carries the terminal status');
      }
      for (const k of ['full', 'partial', 'partial-without-id', 'partial-top-level-id', 'partial-top-level-id-only'] as const) {
        assert.ok((kinds.get(k) ?? 0) > 0, `${k} after the first event (${JSON.stringify([...kinds])})`);
      }
      assert.deepEqual([...names].sort(), ['flow_runs', 'message']);
      assert.ok(withCreatedAt > 0 && withoutCreatedAt > 0, 'partials with and without created_at');
    });
  });
});

describe('varied profile: the tasks stream', () => {
  test('sends tasks without logs, partials placed by a top-level id when data lacks it, partials with id, full tasks mid-stream', async () => {
    await withSandbox({ seed: 6, profile: 'varied' }, async (sb) => {
      const kinds = new Map<PayloadKind, number>();
      const names = new Set<string>();
      let fullWithLogs = 0;
      let fullWithoutLogs = 0;
      for (let i = 0; i < 4; i++) {
        const f = await follow(sb, 'flow_fanout', { topic: `tasks stream ${i}` });
        const run = sb.getRun(f.id) as FlowRun;
        const taskIds = new Set(Object.values(run.node_tasks ?? {}).map((r) => r.task_id));
        const fullSeen = new Set<string>();
        for (const [name, p] of dataEvents(f.tasks)) {
          const kind = payloadKind(p);
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
          names.add(name);
          assert.notEqual(kind, 'partial-without-id', 'a task partial always says which task');
          const id = String(kind === 'full' || kind === 'partial-top-level-id' || kind === 'partial-top-level-id-only' ? p.id : (p.data as { id: string }).id);
          assert.ok(taskIds.has(id), `a task of this run: ${id}`);
          if (kind === 'full') {
            fullSeen.add(id);
            if ('logs' in p) fullWithLogs++;
            else fullWithoutLogs++;
          } else {
            assert.ok(fullSeen.has(id), 'a partial follows the full task on the same connection');
            if (kind === 'partial-top-level-id') assert.equal((p.data as { id: string }).id, p.id);
          }
        }
      }
      for (const k of ['full', 'partial', 'partial-top-level-id', 'partial-top-level-id-only'] as const) {
        assert.ok((kinds.get(k) ?? 0) > 0, `${k} (${JSON.stringify([...kinds])})`);
      }
      assert.ok(fullWithLogs > 0 && fullWithoutLogs > 0, `full tasks with (${fullWithLogs}) and without (${fullWithoutLogs}) logs`);
      assert.deepEqual([...names].sort(), ['message', 'tasks']);
    });
  });

  test('a connection without logs never sends them: not in full tasks, not in partials', async () => {
    await withSandbox({ seed: 6, profile: 'varied' }, async (sb) => {
      let logFree = 0;
      for (let i = 0; i < 6 && logFree < 2; i++) {
        const f = await follow(sb, 'flow_image_pipeline', { prompt: `logs ${i}` });
        const events = dataEvents(f.tasks).map(([, p]) => p);
        const fulls = events.filter((p) => payloadKind(p) === 'full');
        if (fulls.length === 0 || fulls.some((p) => 'logs' in p)) continue;
        logFree++;
        for (const p of events) {
          if (payloadKind(p) !== 'full') {
            assert.ok(!(p.fields as string[]).includes('logs') && !('logs' in (p.data as object)), 'no logs in a partial');
          }
        }
      }
      assert.ok(logFree >= 1, 'some connections carried no logs');
    });
  });

  test('ends on its own (done, or a plain close) while the run stream goes on', async () => {
    await withSandbox({ seed: 8, profile: 'varied' }, async (sb) => {
      // flow_slow waits real time in its middle node: the runs stay active long enough to see who ends first.
      const outcomes = await Promise.all(Array.from({ length: 10 }, async () => {
        const { id } = sb.createRunDirect('flow_slow', { seconds: 0.5 });
        const runStream = new StreamReader(`${sb.url}/flowruns/${id}/stream`, sb.defaultKey);
        const tasks = new StreamReader(`${sb.url}/flowruns/${id}/tasks/stream`, sb.defaultKey);
        const end = await Promise.race([tasks.ended, runStream.ended.then(() => 'run-first' as const)]);
        const runActive = !isTerminalRunStatus((sb.getRun(id) as FlowRun).status);
        const before = dataEvents(runStream).length;
        const runEnd = await runStream.ended;
        tasks.close();
        return { end, runActive, runEnd, runEventsAfter: dataEvents(runStream).length - before };
      }));
      const early = outcomes.filter((o) => o.end !== 'run-first' && o.runActive);
      assert.deepEqual(new Set(early.map((o) => o.end)), new Set(['done', 'closed']), JSON.stringify(outcomes));
      for (const o of early) {
        assert.equal(o.runEnd, 'done', 'the run stream goes on to its done');
        assert.ok(o.runEventsAfter > 0, 'run events after the tasks stream ended');
      }
    });
  });

  test('ends at once when no task is active yet', async () => {
    // Speed 5: the run stays pending (no task yet) for 1.5 s.
    await withSandbox({ seed: 8, profile: 'varied', speed: 5 }, async (sb) => {
      const { id } = sb.createRunDirect('flow_unpositioned', {});
      let atOnce = 0;
      for (let i = 0; i < 8 && atOnce === 0; i++) {
        const tasks = new StreamReader(`${sb.url}/flowruns/${id}/tasks/stream`, sb.defaultKey);
        const pendingAtEnd = tasks.ended.then(() => sb.getRun(id)?.status === FlowRunStatus.Pending);
        const ended = await Promise.race([pendingAtEnd, new Promise<undefined>((r) => setTimeout(() => r(undefined), 40))]);
        if (ended && dataEvents(tasks).length === 0) atOnce++;
        tasks.close();
        await tasks.ended;
      }
      assert.equal(atOnce, 1, 'a tasks stream opened before any task existed ended at once');
    });
  });
});

describe('varied profile: replay and formats', () => {
  /** What a client sees on the streams of finished runs (content fixed): names, kinds, logs, how each ends. */
  async function shapes(opts: SandboxOptions): Promise<string[]> {
    return withSandbox({ speed: 0, seedRuns: 4, ...opts }, async (sb) => {
      const out: string[] = [];
      for (const run of sb.listAllRuns().sort((a, b) => (a.created_at < b.created_at ? -1 : 1))) {
        for (const path of ['stream', 'tasks/stream']) {
          const s = new StreamReader(`${sb.url}/flowruns/${run.id}/${path}`, sb.defaultKey);
          const end = await s.ended;
          const tags = dataEvents(s).map(([name, p]) => `${name}:${payloadKind(p)}:${'logs' in p ? 'L' : '-'}`);
          out.push(`${path} ${tags.join(' ')} ${end}`);
        }
      }
      return out;
    });
  }

  test('the same seed sends the same stream forms; another seed does not', async () => {
    const a = await shapes({ profile: 'varied', seed: 31 });
    assert.deepEqual(await shapes({ profile: 'varied', seed: 31 }), a);
    assert.notDeepEqual(await shapes({ profile: 'varied', seed: 32 }), a);
  });

  test('NDJSON streams carry the varied payloads too, one JSON value a line, without event names', async () => {
    await withSandbox({ seed: 5, profile: 'varied' }, async (sb) => {
      const kinds = new Set<PayloadKind>();
      for (let i = 0; i < 2; i++) {
        const { id } = sb.createRunDirect('flow_fanout', { topic: `ndjson ${i}` });
        const s = new StreamReader(`${sb.url}/flowruns/${id}/stream`, sb.defaultKey, 'application/x-ndjson');
        assert.equal(await s.ended, 'done');
        for (const e of s.events.filter((x: StreamEvent) => x.event === 'message')) kinds.add(payloadKind(e.json));
      }
      assert.ok(kinds.size >= 3, [...kinds].join(', '));
    });
  });

  test('the seed profile sends a full object first, then partials with id in data, unnamed, with logs, and done', async () => {
    await withSandbox({ seed: 5 }, async (sb) => {
      for (let i = 0; i < 2; i++) {
        const f = await follow(sb, 'flow_fanout', { topic: `seed ${i}` });
        assert.equal(f.end, 'done');
        assert.equal(await f.tasks.ended, 'done');
        for (const s of [f.run, f.tasks]) {
          assert.ok(s.events.every((e) => ['message', 'done', 'comment'].includes(e.event)), 'unnamed data events only');
        }
        const run = dataEvents(f.run).map(([, p]) => p);
        assert.equal(payloadKind(run[0]), 'full');
        assert.ok(run.slice(1).every((p) => payloadKind(p) === 'partial' && !('created_at' in (p.data as object))));
        for (const [, p] of dataEvents(f.tasks)) {
          const kind = payloadKind(p);
          assert.ok(kind === 'full' || kind === 'partial', kind);
          if (kind === 'full') assert.ok(isObject(p) && Array.isArray(p.logs), 'full tasks carry logs');
        }
      }
      await waitUntil(() => sb.stats().openStreams === 0, 5000, 'streams closed');
    });
  });
});
