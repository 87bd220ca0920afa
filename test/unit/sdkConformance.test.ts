// The official @inferencesh/sdk, a client nobody here wrote, pointed at the
// sandbox: its flowRuns calls must work and see the seed's fields and codes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inference, InferenceError } from '@inferencesh/sdk';
import { FlowRunStatus } from '../../src/api/models';
import type { FlowRun } from '../../src/api/models';
import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../src/sandbox';
import { waitUntil } from './sandboxHelpers';

interface EsLike {
  onmessage: ((e: { data: string }) => void) | null;
  onerror: ((e: unknown) => void) | null;
  addEventListener(name: string, fn: (e: { data: string }) => void): void;
  close(): void;
}

/** Collects an SDK EventSource until `event: done`, then closes it (EventSource would reconnect otherwise). */
function collect(es: EsLike, timeoutMs = 10000): Promise<{ messages: Record<string, unknown>[]; done: string }> {
  return new Promise((resolve, reject) => {
    const messages: Record<string, unknown>[] = [];
    const timer = setTimeout(() => {
      es.close();
      reject(new Error(`no done after ${messages.length} messages`));
    }, timeoutMs);
    es.onmessage = (e) => messages.push(JSON.parse(e.data) as Record<string, unknown>);
    es.addEventListener('done', (e) => {
      clearTimeout(timer);
      es.close();
      resolve({ messages, done: e.data });
    });
  });
}

async function rejection(p: Promise<unknown>): Promise<InferenceError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof InferenceError, `an InferenceError, got ${String(e)}`);
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('official SDK against the sandbox', () => {
  let sb: Sandbox;
  let client: ReturnType<typeof inference>;
  before(async () => {
    // The seed profile: the forms the SDK's own examples show (the varied profile is for our client).
    sb = await startSandbox({ port: 0, speed: 0.01, seedRuns: 12, profile: 'seed' });
    client = inference({ apiKey: sb.defaultKey, baseUrl: sb.url });
  });
  after(() => sb.close());

  test('create returns the run with task_id and status, like the seed\'s example', async () => {
    const { data: run, messages } = await client.flowRuns.create('flow_image_pipeline', { prompt: 'A mountain landscape' });
    assert.deepEqual(messages, []);
    assert.match(run.id, /^flowrun_/);
    assert.match(run.task_id ?? '', /^task_/);
    assert.equal(run.status, 1);
    assert.equal(run.flow_id, 'flow_image_pipeline');
    assert.deepEqual(run.input, { prompt: 'A mountain landscape' });
    const { data: got } = await client.flowRuns.get(run.id);
    assert.equal(got.id, run.id);
    assert.equal(typeof got.flow_version_id, 'string');
  });

  test('list pages with filters and sort', async () => {
    const { data: page } = await client.flowRuns.list({ limit: 5, filters: [{ field: 'status', operator: 'in', value: [3, 4, 5] }], sort: [{ field: 'created_at', dir: 'desc' }] });
    assert.equal(page.items.length, 5);
    assert.ok(page.items.every((r) => [3, 4, 5].includes(r.status)));
    assert.equal(page.has_next, true);
    const { data: next } = await client.flowRuns.list({ limit: 5, cursor: page.next_cursor, filters: [{ field: 'status', operator: 'in', value: [3, 4, 5] }] });
    assert.equal(next.items.filter((r) => page.items.some((p) => p.id === r.id)).length, 0);
    assert.ok(next.total_items >= 12);
  });

  test('update, updateVisibility and clone', async () => {
    const { data: run } = await client.flowRuns.create('flow_unpositioned', {});
    const { data: updated } = await client.flowRuns.update(run.id, { fail_on_error: false });
    assert.equal(updated.fail_on_error, false);
    const { data: vis } = await client.flowRuns.updateVisibility(run.id, 'public');
    assert.equal(vis.visibility, 'public');
    // The SDK types clone as a FlowRun; the seed says it returns a Flow.
    const { data: cloned } = await client.flowRuns.clone(run.id);
    const flow = cloned as unknown as { id: string; nodes: unknown[]; flow_id?: string };
    assert.match(flow.id, /^flow_/);
    assert.equal(flow.nodes.length, 5);
    assert.equal(flow.flow_id, undefined);
  });

  test('cancel stops a running run', async () => {
    const { data: run } = await client.flowRuns.create('flow_slow', { seconds: 30 });
    await waitUntil(() => sb.getRun(run.id)?.status === FlowRunStatus.Running, 5000, 'running');
    const { data } = await client.flowRuns.cancel(run.id);
    assert.equal((data as unknown as FlowRun).status, 5);
    const { data: after } = await client.flowRuns.get(run.id);
    assert.equal(after.status, 5);
  });

  test('stream and streamTasks deliver the full object, partial {data, fields} updates, and done', async () => {
    const { data: run } = await client.flowRuns.create('flow_image_pipeline', { prompt: 'A mountain landscape' });
    const es = (await client.flowRuns.stream(run.id)) as unknown as EsLike;
    const tes = (await client.flowRuns.streamTasks(run.id)) as unknown as EsLike;
    const [runs, tasks] = await Promise.all([collect(es), collect(tes)]);
    assert.equal(runs.done, '{}');
    assert.equal(runs.messages[0].id, run.id);
    const partials = runs.messages.slice(1);
    assert.ok(partials.length > 0 && partials.every((m) => Array.isArray(m.fields) && typeof m.data === 'object'));
    const last = partials[partials.length - 1].data as Record<string, unknown>;
    assert.equal(last.status, 3);
    const taskIds = new Set(tasks.messages.map((m) => String('fields' in m ? (m.data as { id: string }).id : m.id)));
    assert.equal(taskIds.size, 3);
  });

  test('errors come back as InferenceError with the status and the problem detail', async () => {
    const reader = inference({ apiKey: SANDBOX_KEYS.readOnly, baseUrl: sb.url });
    const forbidden = await rejection(reader.flowRuns.create('flow_image_pipeline', { prompt: 'x' }));
    assert.equal(forbidden.statusCode, 403);
    assert.match(forbidden.message, /flows:execute/);
    const missing = await rejection(client.flowRuns.get('flowrun_missing'));
    assert.equal(missing.statusCode, 404);
    const bad = await rejection(client.flowRuns.create('flow_image_pipeline', {}));
    assert.equal(bad.statusCode, 400);
    assert.match(bad.message, /input\.prompt is required/);
    const wrongKey = inference({ apiKey: 'inf_wrong', baseUrl: sb.url });
    assert.equal((await rejection(wrongKey.flowRuns.list({}))).statusCode, 401);
  });
});
