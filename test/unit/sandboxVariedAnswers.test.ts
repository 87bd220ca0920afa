// The varied profile's HTTP answers: every success-body form, cancel's three
// answers, list pages without a count, and the state it varies (optional
// fields, per-node input, timestamp layouts); the same seed answers the same
// way, and the seed profile never varies.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FlowRun, ListPage, Task } from '../../src/api/models';
import { FlowRunStatus } from '../../src/api/models';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox';
import { waitUntil } from './sandboxHelpers';
import { dataOf, isObject, raw, stampLayout, stampMicros, timestamps, unwrap, type BodyKind } from './sandboxVariedKit';

const PIPE = { flow: 'flow_image_pipeline', input: { prompt: 'A mountain landscape' } };

async function finished(sb: Sandbox, flow: string, input: Record<string, unknown>): Promise<FlowRun> {
  const run = sb.createRunDirect(flow, input);
  return waitUntil(() => {
    const r = sb.getRun(run.id);
    return r && r.status >= FlowRunStatus.Completed ? r : undefined;
  }, 10_000, 'the run to finish');
}

/** The body kinds of `n` calls of one request. */
async function kinds(sb: Sandbox, n: number, method: string, path: string, body?: unknown): Promise<BodyKind[]> {
  const out: BodyKind[] = [];
  for (let i = 0; i < n; i++) {
    const a = await raw(sb, method, path, body);
    assert.ok(a.status < 300, `${method} ${path}: ${a.status} ${a.text.slice(0, 200)}`);
    out.push(unwrap(a).kind);
  }
  return out;
}

describe('varied profile: answers', () => {
  let sb: Sandbox;
  let done: FlowRun;
  before(async () => {
    sb = await startSandbox({ port: 0, speed: 0, seed: 3, profile: 'varied', seedRuns: 12 });
    done = await finished(sb, 'flow_image_pipeline', { prompt: 'forms' });
  });
  after(() => sb.close());

  test('a success body comes as the envelope, the bare DTO or the legacy form, each carrying the same run', async () => {
    const seen = new Set<BodyKind>();
    for (let i = 0; i < 30; i++) {
      const a = await raw(sb, 'GET', `/flowruns/${done.id}`);
      const { kind, data } = unwrap(a);
      seen.add(kind);
      assert.deepEqual(data, JSON.parse(JSON.stringify(sb.getRun(done.id))), kind);
      if (kind === 'envelope') assert.deepEqual((a.body as { messages: unknown }).messages, []);
      if (kind === 'legacy') assert.deepEqual({ ...(a.body as object), data: undefined }, { success: true, status: 200, data: undefined });
    }
    assert.deepEqual([...seen].sort(), ['bare', 'envelope', 'legacy']);
  });

  test('every route that answers data varies its form: create, update, visibility, clone, flows, tasks, lists', async () => {
    const taskId = Object.values(done.node_tasks ?? {})[0].task_id;
    const routes: [string, string, unknown][] = [
      ['POST', '/flowruns', PIPE],
      ['POST', `/flowruns/${done.id}`, { fail_on_error: true }],
      ['POST', `/flowruns/${done.id}/visibility`, { visibility: 'team' }],
      ['POST', `/flowruns/${done.id}/clone`, undefined],
      ['POST', '/flows/list', { limit: 2 }],
      ['GET', '/flows/flow_fanout', undefined],
      ['GET', `/tasks/${taskId}`, undefined],
      ['POST', '/flowruns/list', { limit: 3 }],
      ['GET', '/flowruns?limit=3', undefined],
    ];
    for (const [method, path, body] of routes) {
      const seen = new Set(await kinds(sb, 12, method, path, body));
      assert.ok(seen.size >= 2, `${method} ${path} answers in more than one form: ${[...seen].join(', ')}`);
      assert.ok([...seen].every((k) => k === 'envelope' || k === 'bare' || k === 'legacy'), `${method} ${path}: ${[...seen].join(', ')}`);
    }
  });

  test('cancel answers 204 with no body, a bare {}, or the run; the run is cancelled each time', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 15; i++) {
      const run = sb.createRunDirect('flow_slow', { seconds: 30 });
      const a = await raw(sb, 'POST', `/flowruns/${run.id}/cancel`);
      const { kind, data } = unwrap(a);
      if (kind === 'empty') {
        assert.equal(a.status, 204);
        assert.equal(a.text, '');
        seen.add('204');
      } else if (kind === 'empty-object') seen.add('{}');
      else {
        assert.equal((data as FlowRun).id, run.id);
        assert.equal((data as FlowRun).status, FlowRunStatus.Cancelled);
        seen.add('run');
      }
      assert.equal(sb.getRun(run.id)?.status, FlowRunStatus.Cancelled);
    }
    assert.deepEqual([...seen].sort(), ['204', 'run', '{}']);
  });

  test('a list page may leave total_items out, or say 0 while it has items', async () => {
    const seen = new Set<string>();
    const all = sb.listAllRuns().length;
    for (let i = 0; i < 24; i++) {
      const page = dataOf<ListPage<FlowRun>>(await raw(sb, 'POST', '/flowruns/list', { limit: 5 }));
      assert.equal(page.items.length, 5);
      if (!('total_items' in page)) seen.add('absent');
      else if (page.total_items === 0) seen.add('zero');
      else {
        assert.equal(page.total_items, all);
        seen.add('count');
      }
    }
    assert.deepEqual([...seen].sort(), ['absent', 'count', 'zero']);
  });

  test('runs and tasks may lack short_id and flow_version, and every answer about one agrees', async () => {
    const created: FlowRun[] = [];
    for (let i = 0; i < 16; i++) created.push(dataOf<FlowRun>(await raw(sb, 'POST', '/flowruns', PIPE)));
    const has = (r: FlowRun, k: keyof FlowRun): boolean => k in r;
    assert.ok(created.some((r) => !has(r, 'short_id')) && created.some((r) => has(r, 'short_id')), 'short_id both ways');
    assert.ok(created.some((r) => !has(r, 'flow_version')) && created.some((r) => has(r, 'flow_version')), 'flow_version both ways');
    for (const r of created) {
      const got = dataOf<FlowRun>(await raw(sb, 'GET', `/flowruns/${r.id}`));
      const stored = sb.getRun(r.id) as FlowRun;
      for (const k of ['short_id', 'flow_version'] as const) {
        assert.equal(has(got, k), has(r, k), `${k} in GET as in create`);
        assert.equal(has(stored, k), has(r, k), `${k} stored as answered`);
      }
    }
    const tasks = sb.listAllRuns().flatMap((r) => Object.values(r.node_tasks ?? {}).map((ref) => sb.getTask(ref.task_id) as Task));
    assert.ok(tasks.some((t) => !('short_id' in t)) && tasks.some((t) => 'short_id' in t), 'tasks with and without short_id');
    for (const r of sb.listAllRuns()) {
      for (const ref of Object.values(r.node_tasks ?? {})) {
        assert.equal('short_id' in (ref.task ?? {}), 'short_id' in (sb.getTask(ref.task_id) ?? {}), 'the nested task agrees');
      }
    }
  });

  test('a run\'s input is sometimes per-node values ({node: {key: {Value, Connection?}}}), not the create body\'s input', async () => {
    let perNode = 0;
    let asSent = 0;
    for (let i = 0; i < 12; i++) {
      const run = dataOf<FlowRun>(await raw(sb, 'POST', '/flowruns', { flow: 'flow_image_pipeline', input: { prompt: `p${i}` } }));
      if ('enhance' in run.input) {
        perNode++;
        assert.deepEqual(run.input, {
          enhance: { text: { Value: `p${i}` }, style: { Value: 'photo' } },
          generate: {
            prompt: { Value: null, Connection: { nodeId: 'enhance', key: 'text', type: 'default', previousValue: null } },
            width: { Value: 512 },
            height: { Value: 320 },
          },
          upscale: {
            image: { Value: null, Connection: { nodeId: 'generate', key: 'image', type: 'default', previousValue: null } },
            factor: { Value: 2 },
          },
        });
      } else {
        asSent++;
        assert.deepEqual(run.input, { prompt: `p${i}` });
      }
      assert.deepEqual(sb.getRun(run.id)?.input, run.input, 'stored as answered');
    }
    assert.ok(perNode > 0 && asSent > 0, `per-node ${perNode}, as sent ${asSent}`);
  });

  test('timestamps come with 0, 3, 6 or 9 fractional digits and Z or +00:00, each the exact instant, in order', async () => {
    await finished(sb, 'flow_fanout', { topic: 'stamps' });
    const runs = dataOf<ListPage<FlowRun>>(await raw(sb, 'POST', '/flowruns/list', { limit: 100 })).items;
    const stamps: string[] = [];
    const layouts = new Set<string>();
    let textDisagrees = 0;
    for (const run of runs) {
      const tasks = await Promise.all(Object.values(run.node_tasks ?? {}).map(async (ref) => dataOf<Task>(await raw(sb, 'GET', `/tasks/${ref.task_id}`))));
      for (const s of timestamps([run, tasks])) {
        const layout = stampLayout(s);
        assert.ok(layout, `an allowed layout: ${s}`);
        layouts.add(`${layout.digits}${layout.zone}`);
        stamps.push(s);
      }
      // Order in time: created <= started <= finished; each task's events and logs in order.
      const t = (s: string | null | undefined): number => stampMicros(s ?? '');
      assert.ok(t(run.created_at) <= t(run.updated_at));
      if (run.flow_run_started) assert.ok(t(run.created_at) < t(run.flow_run_started));
      if (run.flow_run_started && run.flow_run_finished) assert.ok(t(run.flow_run_started) < t(run.flow_run_finished));
      for (const task of tasks) {
        const seq = (task.events ?? []).map((e) => t(e.created_at));
        assert.deepEqual(seq, [...seq].sort((a, b) => a - b), 'events in time order');
        const logs = (task.logs ?? []).map((l) => t(l.created_at));
        for (let i = 1; i < logs.length; i++) assert.ok(logs[i - 1] < logs[i], 'logs in time order');
      }
    }
    // Text order is not time order: the client must compare stamps as times.
    const byTime = [...new Set(stamps)].sort((a, b) => stampMicros(a) - stampMicros(b));
    for (let i = 1; i < byTime.length; i++) {
      if (stampMicros(byTime[i - 1]) < stampMicros(byTime[i]) && byTime[i - 1] > byTime[i]) textDisagrees++;
    }
    for (const digits of [0, 3, 6, 9]) for (const zone of ['Z', '+00:00']) assert.ok(layouts.has(`${digits}${zone}`), `layout ${digits} digits ${zone} (${[...layouts].join(' ')})`);
    assert.ok(textDisagrees > 0, 'some stamps sort wrong as text: the layouts matter');
    assert.ok(stamps.length > 200);
  });
});

describe('varied profile: replay and the seed profile', () => {
  async function sequence(opts: SandboxOptions): Promise<string[]> {
    const sb = await startSandbox({ port: 0, speed: 0, seedRuns: 6, ...opts });
    try {
      const run = sb.createRunDirect('flow_unpositioned', {});
      const out: string[] = [];
      for (let i = 0; i < 12; i++) out.push(`get:${unwrap(await raw(sb, 'GET', `/flowruns/${run.id}`)).kind}`);
      for (let i = 0; i < 8; i++) {
        const a = await raw(sb, 'POST', '/flowruns/list', { limit: 2 });
        const page = unwrap(a);
        const total = isObject(page.data) ? (!('total_items' in page.data) ? 'absent' : page.data.total_items === 0 ? 'zero' : 'count') : '?';
        out.push(`list:${page.kind}:${total}`);
      }
      for (let i = 0; i < 6; i++) {
        const r = sb.createRunDirect('flow_slow', { seconds: 30 });
        out.push(`cancel:${unwrap(await raw(sb, 'POST', `/flowruns/${r.id}/cancel`)).kind}`);
      }
      return out;
    } finally {
      await sb.close();
    }
  }

  test('the same seed answers the same sequence of forms; another seed does not', async () => {
    const a = await sequence({ profile: 'varied', seed: 21 });
    assert.deepEqual(await sequence({ profile: 'varied', seed: 21 }), a);
    assert.notDeepEqual(await sequence({ profile: 'varied', seed: 22 }), a);
    assert.ok(new Set(a).size > 5, `varied: ${a.join(' ')}`);
  });

  test('the seed profile (the default) answers only envelopes, counts list items, and cancel returns the run', async () => {
    for (const opts of [{}, { profile: 'seed' as const }]) {
      const seq = await sequence({ ...opts, seed: 21 });
      assert.deepEqual(new Set(seq), new Set(['get:envelope', 'list:envelope:count', 'cancel:envelope']));
    }
    const sb = await startSandbox({ port: 0, speed: 0, seedRuns: 5 });
    try {
      assert.equal(sb.profile, 'seed');
      const run = await finished(sb, 'flow_image_pipeline', { prompt: 'seed' });
      for (const r of sb.listAllRuns()) {
        assert.ok('short_id' in r && 'flow_version' in r);
        for (const s of timestamps(r)) assert.deepEqual(stampLayout(s), { digits: 6, zone: 'Z' }, s);
      }
      assert.deepEqual(run.input, { prompt: 'seed' });
    } finally {
      await sb.close();
    }
  });

  test('an unknown profile is refused', async () => {
    await assert.rejects(startSandbox({ port: 0, profile: 'wild' as unknown as 'seed' }), /Unknown sandbox profile "wild"/);
  });
});

describe('sandbox CLI: --profile', () => {
  const cli = resolve(__dirname, '../../../dist/sandbox.js');

  test('--profile varied --seed 7 starts the varied profile; --profile nope is a usage error', async () => {
    assert.ok(existsSync(cli), `${cli} is built`);
    const child = spawn(process.execPath, [cli, '--port', '0', '--speed', '0', '--profile', 'varied', '--seed', '7', '--rate-limit', 'published', '--quiet']);
    try {
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
      const url = await waitUntil(() => /listening on (http:\/\/\S+) \(profile varied, seed 7\)/.exec(out)?.[1], 10_000, 'the CLI to start');
      const headers = { Authorization: 'Bearer inf_sandbox_demo', 'Content-Type': 'application/json' };
      const seen = new Set<string>();
      let createLimit = '';
      let readLimit = '';
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${url}/flowruns`, { method: 'POST', headers, body: JSON.stringify(PIPE) });
        createLimit = res.headers.get('x-ratelimit-limit') ?? '';
        const body = (await res.json()) as Record<string, unknown>;
        seen.add('success' in body ? 'legacy' : 'messages' in body ? 'envelope' : 'bare');
        const list = await fetch(`${url}/flowruns/list`, { method: 'POST', headers, body: '{}' });
        readLimit = list.headers.get('x-ratelimit-limit') ?? '';
        await list.text();
      }
      assert.ok(seen.size >= 2, `forms: ${[...seen].join(', ')}`);
      assert.equal(createLimit, '100', 'published: 100 run creations a minute');
      assert.equal(readLimit, '1000', 'published: 1000 reads a minute');
    } finally {
      child.kill('SIGTERM');
    }
    const bad = spawn(process.execPath, [cli, '--profile', 'nope']);
    let err = '';
    bad.stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
    const code = await new Promise<number | null>((r) => bad.once('exit', (c) => r(c)));
    assert.equal(code, 2);
    assert.match(err, /--profile must be seed or varied/);
  });
});
