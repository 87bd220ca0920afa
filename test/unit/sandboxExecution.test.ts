// Running flows in the sandbox: DAG execution, failure, cancel, and the two
// event streams, over real HTTP/SSE.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Flow, FlowRun, Task } from '../../src/api/models';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { call, StreamReader, waitUntil } from './sandboxHelpers';

const TERMINAL = [3, 4, 5];

async function finished(sb: Sandbox, id: string, timeoutMs = 10000): Promise<FlowRun> {
  return waitUntil(() => {
    const r = sb.getRun(id);
    return r && TERMINAL.includes(r.status) ? r : undefined;
  }, timeoutMs, `run ${id} to finish`);
}

function activeNodes(run: FlowRun): string[] {
  return Object.entries(run.node_statuses ?? {}).filter(([, s]) => ['pending', 'ready', 'running'].includes(String(s))).map(([id]) => id);
}

/** Copies a partial update's listed fields onto what we hold, like a client would. */
function apply<T extends Record<string, unknown>>(held: T, msg: Record<string, unknown>): T {
  if ('fields' in msg && Array.isArray(msg.fields) && typeof msg.data === 'object' && msg.data !== null) {
    const data = msg.data as Record<string, unknown>;
    const out: Record<string, unknown> = { ...held };
    for (const f of msg.fields as string[]) out[f] = data[f];
    return out as T;
  }
  return msg as T;
}

describe('sandbox execution', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ port: 0, speed: 0.01 });
  });
  after(() => sb.close());

  test('the image pipeline completes, with every task walking the statuses and a real PNG output', async () => {
    const created = (await call(sb, 'POST', '/flowruns', { flow: 'flow_image_pipeline', input: { prompt: 'A mountain landscape', style: 'oil' } })).data as FlowRun;
    const run = await finished(sb, created.id);
    assert.equal(run.status, 3);
    assert.equal(run.error, null);
    assert.deepEqual(run.node_statuses, { enhance: 'completed', generate: 'completed', upscale: 'completed' });
    assert.ok(run.flow_run_started && run.flow_run_finished && run.flow_run_finished > run.flow_run_started);
    assert.match(String((run.node_outputs?.enhance as { text: string }).text), /A mountain landscape, thick oil paint/);
    for (const ref of Object.values(run.node_tasks ?? {})) {
      const task = sb.getTask(ref.task_id) as Task;
      assert.deepEqual(task.events?.map((e) => e.status), [1, 2, 3, 4, 7, 9, 10]);
      assert.equal(task.status, 10);
      assert.equal(ref.task?.status, 10);
      const logs = task.logs ?? [];
      assert.ok(logs.some((l) => l.content.startsWith('Preparing')), 'a plain log');
      assert.ok(logs.some((l) => Buffer.from(l.content, 'base64').toString('utf8').startsWith('Running')), 'a base64 log');
    }
    const out = run.output as { image: string; width: number };
    assert.ok(out.image.startsWith(`${sb.url}/_sandbox/images/`));
    assert.equal(out.width, 1024);
    const png = await fetch(out.image);
    assert.equal(png.status, 200);
    assert.equal(png.headers.get('content-type'), 'image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(bytes.readUInt32BE(16), 1024);
    assert.equal((await fetch(`${sb.url}/_sandbox/images/zz-1x1.png`)).status, 404);
  });

  test('parents finish before children start in the fan-out flow', async () => {
    const run = await finished(sb, sb.createRunDirect('flow_fanout', { topic: 'Tides' }).id);
    assert.equal(run.status, 3);
    assert.equal(Object.values(run.node_statuses ?? {}).filter((s) => s === 'completed').length, 12);
    const t = (node: string): Task => sb.getTask(run.node_tasks?.[node]?.task_id ?? '') as Task;
    const doneAt = (node: string): string => t(node).events?.find((e) => Number(e.status) === 10)?.created_at ?? '';
    for (const l of ['a', 'b', 'c', 'd', 'e']) {
      assert.ok(t(`draft_${l}`).created_at > doneAt('prepare'));
      assert.ok(t('collect').created_at > doneAt(`check_${l}`));
    }
    assert.deepEqual(Object.keys(run.output as object).sort(), ['economics', 'future', 'history', 'science', 'art'].sort());
  });

  test('the flaky flow fails at its validate node, naming it, and nothing is left running', async () => {
    const run = await finished(sb, sb.createRunDirect('flow_flaky', {}).id);
    assert.equal(run.status, 4);
    assert.match(run.error ?? '', /"validate"/);
    assert.equal(run.node_statuses?.validate, 'failed');
    assert.equal(run.node_statuses?.publish, 'skipped');
    assert.ok(['cancelled', 'completed'].includes(String(run.node_statuses?.thumbnail)));
    assert.deepEqual(activeNodes(run), []);
    const task = sb.getTask(run.node_tasks?.validate?.task_id ?? '') as Task;
    assert.equal(task.status, 11);
    assert.match(task.error ?? '', /license/);
  });

  test('with fail_on_error false, independent branches finish and dependants are blocked', async () => {
    const created = (await call(sb, 'POST', '/flowruns', { flow: 'flow_flaky', input: {}, fail_on_error: false })).data as FlowRun;
    assert.equal(created.fail_on_error, false);
    const run = await finished(sb, created.id);
    assert.equal(run.status, 4);
    assert.equal(run.node_statuses?.thumbnail, 'completed');
    assert.equal(run.node_statuses?.publish, 'blocked');
    assert.match(run.error ?? '', /validate/);
  });

  test('cancelling mid-run leaves no node running', async () => {
    const created = (await call(sb, 'POST', '/flowruns', { flow: 'flow_slow', input: { seconds: 30 } })).data as FlowRun;
    await waitUntil(() => sb.getRun(created.id)?.node_statuses?.wait === 'running', 5000, 'the wait node to run');
    const r = await call(sb, 'POST', `/flowruns/${created.id}/cancel`);
    assert.equal(r.status, 200);
    const answered = r.data as FlowRun;
    assert.equal(answered.status, 5);
    assert.deepEqual(activeNodes(answered), []);
    assert.ok(answered.flow_run_cancelled);
    assert.equal(answered.node_statuses?.start, 'completed');
    assert.equal(answered.node_statuses?.wait, 'cancelled');
    assert.equal(answered.node_statuses?.finish, 'skipped');
    const wait = sb.getTask(answered.node_tasks?.wait?.task_id ?? '') as Task;
    assert.deepEqual(wait.events?.slice(-2).map((e) => e.status), [8, 12]);
    await new Promise((res) => setTimeout(res, 100));
    const later = sb.getRun(created.id) as FlowRun;
    assert.equal(later.status, 5);
    assert.deepEqual(later.node_statuses, answered.node_statuses);
  });

  test('cancelling a pending run skips every node', async () => {
    const slow = await startSandbox({ port: 0, speed: 1 });
    try {
      const created = (await call(slow, 'POST', '/flowruns', { flow: 'flow_fanout', input: { topic: 'x' } })).data as FlowRun;
      assert.equal(created.status, 1);
      const r = await call(slow, 'POST', `/flowruns/${created.id}/cancel`);
      const run = r.data as FlowRun;
      assert.equal(run.status, 5);
      assert.ok(Object.values(run.node_statuses ?? {}).every((s) => s === 'skipped'));
      assert.equal(slow.getTask(run.task_id ?? '')?.status, 12);
    } finally {
      await slow.close();
    }
  });

  test('a run created with a pace of its own keeps it; the others keep the sandbox\'s', async () => {
    const slow = await startSandbox({ port: 0, speed: 1000 });
    try {
      const quick = slow.createRunDirect('flow_fanout', { topic: 'x' }, { speed: 0 });
      const paced = slow.createRunDirect('flow_fanout', { topic: 'x' });
      const run = await finished(slow, quick.id, 20000);
      assert.equal(run.status, 3);
      // At the sandbox's pace the other run has not left Pending (300 s at speed 1000).
      assert.equal(slow.getRun(paced.id)?.status, 1);
    } finally {
      await slow.close();
    }
  });

  test('a large added flow runs to completion', async () => {
    const nodes = Array.from({ length: 60 }, (_, i) => ({ id: `n${i}`, type: 'app' }));
    const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: `n${Math.floor(i / 4)}`, target: n.id }));
    const flow: Flow = {
      id: 'flow_big', name: 'big', created_at: '', updated_at: '', nodes, edges,
      node_data: Object.fromEntries(nodes.map((n) => [n.id, { app_id: 'sandbox/echo', input: { n: n.id } }])),
    };
    sb.addFlow(flow);
    const run = await finished(sb, sb.createRunDirect('flow_big', {}).id, 20000);
    assert.equal(run.status, 3);
    assert.equal(Object.keys(run.node_tasks ?? {}).length, 60);
    assert.throws(() => sb.addFlow({ ...flow, id: 'flow_cycle', edges: [...edges, { id: 'back', source: 'n5', target: 'n0' }] }), /cycle/);
  });
});

describe('sandbox streams', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ port: 0, speed: 0.01, keepAliveMs: 25 });
  });
  after(() => sb.close());

  test('the run stream sends the full run, then ordered partials, then done; applying them gives the final run', async () => {
    const created = (await call(sb, 'POST', '/flowruns', { flow: 'flow_image_pipeline', input: { prompt: 'A mountain landscape' } })).data as FlowRun;
    const s = new StreamReader(`${sb.url}/flowruns/${created.id}/stream`, sb.defaultKey);
    assert.equal(await s.ended, 'done');
    assert.equal(s.status, 200);
    const msgs = s.messages;
    const first = msgs[0] as unknown as FlowRun;
    assert.equal(first.id, created.id);
    assert.equal(first.flow_id, 'flow_image_pipeline');
    assert.ok(msgs.length > 5);
    let held = first as unknown as Record<string, unknown>;
    let last = String(held.updated_at);
    for (const m of msgs.slice(1)) {
      assert.ok(Array.isArray(m.fields), 'a partial update');
      const fields = m.fields as string[];
      const data = m.data as Record<string, unknown>;
      assert.ok(fields.includes('id') && fields.includes('updated_at'));
      assert.equal(data.id, created.id);
      assert.ok(String(data.updated_at) > last, 'updated_at increases');
      last = String(data.updated_at);
      held = apply(held, m);
    }
    const done = s.events.filter((e) => e.event === 'done');
    assert.equal(done.length, 1);
    assert.deepEqual(done[0].json, {});
    assert.equal(s.events[s.events.length - 1].event, 'done');
    const truth = sb.getRun(created.id) as FlowRun;
    for (const k of ['status', 'node_statuses', 'node_outputs', 'output', 'flow_run_finished', 'updated_at'] as const) {
      assert.deepEqual(held[k], truth[k], k);
    }
  });

  test('the tasks stream sends each task in full, then partials, then done', async () => {
    const run = sb.createRunDirect('flow_unpositioned', {});
    const s = new StreamReader(`${sb.url}/flowruns/${run.id}/tasks/stream`, sb.defaultKey);
    assert.equal(await s.ended, 'done');
    const held = new Map<string, Record<string, unknown>>();
    for (const m of s.messages) {
      if (Array.isArray(m.fields)) {
        const id = String((m.data as { id: string }).id);
        assert.ok(held.has(id), 'a partial for a task sent in full before');
        held.set(id, apply(held.get(id) as Record<string, unknown>, m));
      } else held.set(String(m.id), m);
    }
    assert.equal(held.size, 5);
    for (const [id, t] of held) {
      const truth = sb.getTask(id) as Task;
      assert.equal(t.status, 10);
      assert.deepEqual(t.events, truth.events);
      assert.deepEqual(t.output, truth.output);
    }
  });

  test('a stream of a finished run sends the full object, then done', async () => {
    const run = await finished(sb, sb.createRunDirect('flow_unpositioned', {}).id);
    const s = new StreamReader(`${sb.url}/flowruns/${run.id}/stream`, sb.defaultKey);
    assert.equal(await s.ended, 'done');
    assert.deepEqual(s.events.filter((e) => e.event !== 'comment').map((e) => e.event), ['message', 'done']);
    assert.equal((s.messages[0] as unknown as FlowRun).status, 3);
    const t = new StreamReader(`${sb.url}/flowruns/${run.id}/tasks/stream`, sb.defaultKey);
    assert.equal(await t.ended, 'done');
    assert.equal(t.messages.length, 5);
  });

  test('keep-alive comments flow while a run is quiet, and closing frees the stream', async () => {
    const run = sb.createRunDirect('flow_slow', { seconds: 30 });
    const s = new StreamReader(`${sb.url}/flowruns/${run.id}/stream`, sb.defaultKey);
    await s.waitFor((ev) => ev.filter((e) => e.event === 'comment' && e.data === 'keep-alive').length >= 3, 5000, 'three keep-alives');
    assert.equal(sb.stats().openStreams, 1);
    s.close();
    await s.ended;
    await waitUntil(() => sb.stats().openStreams === 0, 2000, 'the stream to close');
    await call(sb, 'POST', `/flowruns/${run.id}/cancel`);
  });

  test('cancel ends open streams with the cancelled state and done', async () => {
    const run = sb.createRunDirect('flow_slow', { seconds: 30 });
    const s = new StreamReader(`${sb.url}/flowruns/${run.id}/stream`, sb.defaultKey);
    const t = new StreamReader(`${sb.url}/flowruns/${run.id}/tasks/stream`, sb.defaultKey);
    await waitUntil(() => sb.getRun(run.id)?.node_statuses?.wait === 'running', 5000, 'wait running');
    await call(sb, 'POST', `/flowruns/${run.id}/cancel`);
    assert.equal(await s.ended, 'done');
    assert.equal(await t.ended, 'done');
    let held = s.messages[0];
    for (const m of s.messages.slice(1)) held = apply(held, m);
    assert.equal(held.status, 5);
  });

  test('NDJSON is served when asked for', async () => {
    const run = sb.createRunDirect('flow_unpositioned', {});
    const s = new StreamReader(`${sb.url}/flowruns/${run.id}/stream`, sb.defaultKey, 'application/x-ndjson');
    assert.equal(await s.ended, 'done');
    const first = s.events[0].json as FlowRun;
    assert.equal(first.id, run.id);
    assert.deepEqual(s.events[s.events.length - 1].json, { type: 'done' });
  });

  test('a stream of an unknown run is a 404 problem, without flows:read a 403', async () => {
    const s = new StreamReader(`${sb.url}/flowruns/flowrun_nope/stream`, sb.defaultKey);
    assert.equal(await s.ended, 'error');
    assert.equal(s.status, 404);
    const run = sb.createRunDirect('flow_unpositioned', {});
    const f = new StreamReader(`${sb.url}/flowruns/${run.id}/tasks/stream`, 'inf_sandbox_noread');
    assert.equal(await f.ended, 'error');
    assert.equal(f.status, 403);
    assert.match(f.events[0].data, /flows:read/);
  });

  test('the firehose emits one partial update per step', async () => {
    const fast = await startSandbox({ port: 0, speed: 0 });
    try {
      const run = (await call(fast, 'POST', '/flowruns', { flow: 'flow_firehose', input: { updates: 3000 } })).data as FlowRun;
      const s = new StreamReader(`${fast.url}/flowruns/${run.id}/stream`, fast.defaultKey);
      assert.equal(await s.ended, 'done');
      const progress = s.messages
        .filter((m) => Array.isArray(m.fields) && (m.fields as string[]).includes('output'))
        .map((m) => ((m.data as { output: { progress?: number } | null }).output)?.progress);
      assert.ok(progress.length >= 3000, `got ${progress.length}`);
      assert.deepEqual(progress.slice(0, 3), [1, 2, 3]);
      assert.equal(progress[progress.length - 1], 3000);
      assert.deepEqual(fast.getRun(run.id)?.output, { progress: 3000, total: 3000 });
    } finally {
      await fast.close();
    }
  });
});
