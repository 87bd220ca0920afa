// The sandbox's endpoints, auth and list paging, over real HTTP.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FlowRunStatus } from '../../src/api/models';
import type { Flow, FlowRun, ListPage, Task } from '../../src/api/models';
import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../src/sandbox';
import { call, waitUntil } from './sandboxHelpers';

const PIPE = { flow: 'flow_image_pipeline', input: { prompt: 'A mountain landscape' } };

function problem(json: Record<string, unknown>, status: number, code: string): void {
  assert.equal(json.type, `https://api.inference.sh/errors/${code}`);
  assert.equal(json.status, status);
  assert.equal(typeof json.title, 'string');
  assert.equal(typeof json.detail, 'string');
}

describe('sandbox endpoints', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ port: 0, speed: 0 });
  });
  after(() => sb.close());

  test('create answers the envelope with a FlowRun carrying the seed fields', async () => {
    const r = await call(sb, 'POST', '/flowruns', PIPE);
    assert.equal(r.status, 200);
    assert.match(r.contentType, /application\/json/);
    assert.deepEqual(r.json.messages, []);
    const run = r.data as FlowRun;
    assert.match(run.id, /^flowrun_/);
    assert.equal(run.flow_id, 'flow_image_pipeline');
    assert.equal(typeof run.flow_version_id, 'string');
    assert.match(run.task_id ?? '', /^task_/);
    assert.equal(run.status, 1);
    assert.deepEqual(run.input, PIPE.input);
    for (const k of ['output', 'node_tasks', 'error', 'flow_run_started', 'flow_run_finished', 'created_at', 'updated_at', 'short_id', 'visibility']) {
      assert.ok(k in run, `run has ${k}`);
    }
    assert.deepEqual(Object.keys(run.flow_version?.nodes ?? []).length, 3);
  });

  test('an input field the schema does not know is accepted with a warning message', async () => {
    const r = await call(sb, 'POST', '/flowruns', { flow: 'flow_image_pipeline', input: { prompt: 'x', colour: 'red' } });
    assert.equal(r.status, 200);
    const messages = r.json.messages as { level: string; code: string; message: string }[];
    assert.equal(messages.length, 1);
    assert.equal(messages[0].level, 'warning');
    assert.equal(messages[0].code, 'unknown_input_field');
    assert.match(messages[0].message, /colour/);
  });

  test('input that breaks the schema is a 400 naming each path', async () => {
    const r = await call(sb, 'POST', '/flowruns', { flow: 'flow_image_pipeline', input: { style: 'cubist' } });
    assert.equal(r.status, 400);
    assert.match(r.contentType, /application\/problem\+json/);
    problem(r.json, 400, 'invalid_request');
    assert.match(String(r.json.detail), /input\.prompt is required/);
    assert.match(String(r.json.detail), /input\.style must be one of/);
    const errors = r.json.errors as { path: string; pointer: string; keyword: string }[];
    assert.deepEqual(errors.map((e) => [e.path, e.pointer, e.keyword]).sort(), [
      ['input.prompt', '/input/prompt', 'required'], ['input.style', '/input/style', 'enum'],
    ]);
    const bad = await call(sb, 'POST', '/flowruns', { flow: 'flow_slow', input: { seconds: 'ten' } });
    assert.equal(bad.status, 400);
    assert.match(String(bad.json.detail), /input\.seconds must be of type number/);
    const noInput = await call(sb, 'POST', '/flowruns', { flow: 'flow_slow' });
    assert.equal(noInput.status, 400);
    const notJson = await fetch(`${sb.url}/flowruns`, { method: 'POST', headers: { Authorization: `Bearer ${sb.defaultKey}` }, body: '{nope' });
    assert.equal(notJson.status, 400);
  });

  test('unknown flows, runs, tasks and routes are 404 problems', async () => {
    const created = await call(sb, 'POST', '/flowruns', { flow: 'flow_nope', input: {} });
    assert.equal(created.status, 404);
    problem(created.json, 404, 'not_found');
    for (const path of ['/flowruns/flowrun_missing', '/flows/flow_missing', '/tasks/task_missing', '/nothing/here']) {
      const r = await call(sb, 'GET', path);
      assert.equal(r.status, 404, path);
      problem(r.json, 404, 'not_found');
    }
    const cancel = await call(sb, 'POST', '/flowruns/flowrun_missing/cancel');
    assert.equal(cancel.status, 404);
  });

  test('get returns the run; GET /flowruns lists like POST /flowruns/list', async () => {
    const run = (await call(sb, 'POST', '/flowruns', PIPE)).data as FlowRun;
    const got = await call(sb, 'GET', `/flowruns/${run.id}`);
    assert.equal(got.status, 200);
    assert.equal((got.data as FlowRun).id, run.id);
    const viaGet = (await call(sb, 'GET', '/flowruns?limit=3')).data as ListPage<FlowRun>;
    const viaPost = (await call(sb, 'POST', '/flowruns/list', { limit: 3 })).data as ListPage<FlowRun>;
    assert.deepEqual(viaGet.items.map((r) => r.id), viaPost.items.map((r) => r.id));
    for (const k of ['items', 'next_cursor', 'prev_cursor', 'has_next', 'has_previous', 'items_per_page', 'total_items']) assert.ok(k in viaPost, k);
    const filtered = (await call(sb, 'GET', '/flowruns?flow_id=flow_slow')).data as ListPage<FlowRun>;
    assert.ok(filtered.items.every((r) => r.flow_id === 'flow_slow'));
  });

  test('update patches metadata and warns about fields it cannot change', async () => {
    const run = (await call(sb, 'POST', '/flowruns', PIPE)).data as FlowRun;
    const r = await call(sb, 'POST', `/flowruns/${run.id}`, { fail_on_error: false, metadata: { note: 'demo' }, status: 3 });
    assert.equal(r.status, 200);
    const updated = r.data as FlowRun & { metadata?: unknown };
    assert.equal(updated.fail_on_error, false);
    assert.deepEqual(updated.metadata, { note: 'demo' });
    assert.notEqual(updated.status, 3);
    const messages = r.json.messages as { code: string }[];
    assert.deepEqual(messages.map((m) => m.code), ['ignored_field']);
    assert.ok(updated.updated_at > run.updated_at);
    const bad = await call(sb, 'POST', `/flowruns/${run.id}`, { fail_on_error: 'no' });
    assert.equal(bad.status, 400);
  });

  test('visibility takes one of the five values and nothing else', async () => {
    const run = (await call(sb, 'POST', '/flowruns', PIPE)).data as FlowRun;
    const r = await call(sb, 'POST', `/flowruns/${run.id}/visibility`, { visibility: 'team' });
    assert.equal(r.status, 200);
    assert.equal((r.data as FlowRun).visibility, 'team');
    assert.equal(sb.getRun(run.id)?.visibility, 'team');
    const bad = await call(sb, 'POST', `/flowruns/${run.id}/visibility`, { visibility: 'everyone' });
    assert.equal(bad.status, 400);
    problem(bad.json, 400, 'invalid_request');
  });

  test('clone returns a new Flow (not a run) copied from the run\'s flow version', async () => {
    const run = (await call(sb, 'POST', '/flowruns', PIPE)).data as FlowRun;
    const r = await call(sb, 'POST', `/flowruns/${run.id}/clone`);
    assert.equal(r.status, 200);
    const flow = r.data as Flow & { status?: unknown };
    assert.match(flow.id, /^flow_/);
    assert.notEqual(flow.id, 'flow_image_pipeline');
    assert.equal(flow.status, undefined);
    assert.deepEqual(flow.nodes, run.flow_version?.nodes);
    assert.deepEqual(flow.edges, run.flow_version?.edges);
    assert.match(flow.title ?? '', /Image pipeline/);
    const got = await call(sb, 'GET', `/flows/${flow.id}`);
    assert.equal(got.status, 200);
    const rerun = await call(sb, 'POST', '/flowruns', { flow: flow.id, input: { prompt: 'again' } });
    assert.equal(rerun.status, 200);
  });

  test('cancelling a finished run is a 400 saying so', async () => {
    const run = sb.createRunDirect('flow_unpositioned', {});
    await waitUntil(() => sb.getRun(run.id)?.status === FlowRunStatus.Completed, 5000, 'run completes');
    const r = await call(sb, 'POST', `/flowruns/${run.id}/cancel`);
    assert.equal(r.status, 400);
    problem(r.json, 400, 'invalid_request');
    assert.equal(r.json.detail, 'Flow run is already completed');
  });

  test('tasks come with logs and events; the parent task tracks the run', async () => {
    const run = sb.createRunDirect('flow_image_pipeline', { prompt: 'A mountain landscape' });
    const done = await waitUntil(() => (sb.getRun(run.id)?.status === FlowRunStatus.Completed ? sb.getRun(run.id) : undefined), 5000, 'run completes');
    const ref = done.node_tasks?.generate;
    assert.ok(ref);
    const r = await call(sb, 'GET', `/tasks/${ref.task_id}`);
    assert.equal(r.status, 200);
    const task = r.data as Task;
    assert.equal(task.flow_run_id, run.id);
    assert.equal(task.app_id, 'sandbox/image-generator');
    assert.ok((task.logs ?? []).length >= 2);
    assert.ok((task.events ?? []).length >= 7);
    const parent = (await call(sb, 'GET', `/tasks/${done.task_id ?? ''}`)).data as Task;
    assert.equal(parent.status, 10);
  });

  test('flows list, search and get; the unpositioned flow has no positions', async () => {
    const page = (await call(sb, 'POST', '/flows/list', { limit: 50 })).data as ListPage<Flow>;
    const ids = page.items.map((f) => f.id);
    for (const id of ['flow_image_pipeline', 'flow_fanout', 'flow_flaky', 'flow_slow', 'flow_firehose', 'flow_unpositioned']) assert.ok(ids.includes(id), id);
    const search = (await call(sb, 'POST', '/flows/list', { search: { term: 'fan-out' } })).data as ListPage<Flow>;
    assert.deepEqual(search.items.map((f) => f.id), ['flow_fanout']);
    const fan = (await call(sb, 'GET', '/flows/flow_fanout')).data as Flow;
    assert.equal(fan.nodes.length, 12);
    assert.equal(fan.title, 'Fan-out / fan-in');
    const un = (await call(sb, 'GET', '/flows/flow_unpositioned')).data as Flow;
    assert.ok(un.nodes.length >= 5 && un.nodes.every((n) => n.position === undefined));
    const pipe = (await call(sb, 'GET', '/flows/flow_image_pipeline')).data as Flow;
    assert.deepEqual((pipe.input_schema as { required: string[] }).required, ['prompt']);
  });

  test('every sample input file starts a run of its flow', async () => {
    const dir = resolve(__dirname, '../../../samples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.includes('mountain.flow.json') && files.includes('bare-input.json'));
    for (const f of files) {
      const body = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;
      const req = f.endsWith('.flow.json') ? body : { flow: 'flow_image_pipeline', input: body };
      const r = await call(sb, 'POST', '/flowruns', req);
      assert.equal(r.status, 200, `${f}: ${JSON.stringify(r.json)}`);
      assert.deepEqual(r.json.messages, [], f);
      await call(sb, 'POST', `/flowruns/${(r.data as FlowRun).id}/cancel`);
    }
    const mountain = JSON.parse(readFileSync(join(dir, 'mountain.flow.json'), 'utf8')) as unknown;
    assert.deepEqual(mountain, PIPE);
  });

  test('the /app pages show an escaped run page', async () => {
    const run = (await call(sb, 'POST', '/flowruns', { flow: 'flow_image_pipeline', input: { prompt: '<script>x</script>' } })).data as FlowRun;
    const res = await fetch(`${sb.url}/app/flowruns/${run.id}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.ok(html.includes(run.id));
    assert.ok(!html.includes('<script>x'));
    assert.ok(html.includes('&lt;script&gt;'));
    assert.equal((await fetch(`${sb.url}/app/flows/flow_fanout`)).status, 200);
    assert.equal((await fetch(`${sb.url}/app/flowruns/nope`)).status, 404);
  });
});

describe('sandbox auth', () => {
  let sb: Sandbox;
  let runId = '';
  before(async () => {
    sb = await startSandbox({
      port: 0,
      speed: 0,
      keys: [
        { key: SANDBOX_KEYS.full, scopes: [] },
        { key: SANDBOX_KEYS.readOnly, scopes: ['flows:read'] },
        { key: SANDBOX_KEYS.noExecute, scopes: ['flows:read', 'flows:write'] },
        { key: SANDBOX_KEYS.noWrite, scopes: ['flows:read', 'flows:execute'] },
        { key: SANDBOX_KEYS.noRead, scopes: ['flows:execute', 'flows:write'] },
        { key: SANDBOX_KEYS.flowsOnly, scopes: ['flows:read', 'flows:execute', 'flows:write'] },
        { key: 'inf_bare_flows', scopes: ['flows'] },
        { key: 'inf_star', scopes: ['*'] },
        { key: 'inf_apps', scopes: ['apps'] },
        { key: 'inf_apps_read', scopes: ['apps:read'] },
      ],
    });
    runId = sb.createRunDirect('flow_slow', { seconds: 60 }).id;
  });
  after(() => sb.close());

  test('a missing or unknown key is 401 and the key is never echoed', async () => {
    const missing = await call(sb, 'GET', `/flowruns/${runId}`, undefined, null);
    assert.equal(missing.status, 401);
    problem(missing.json, 401, 'unauthorized');
    const unknown = await call(sb, 'GET', `/flowruns/${runId}`, undefined, 'inf_secret_wrong_key');
    assert.equal(unknown.status, 401);
    assert.ok(!JSON.stringify(unknown.json).includes('inf_secret_wrong_key'));
  });

  const cases: [string, string, string, unknown, string][] = [
    [SANDBOX_KEYS.readOnly, 'POST', '/flowruns', PIPE, 'flows:execute'],
    [SANDBOX_KEYS.readOnly, 'POST', '/flowruns/:id/visibility', { visibility: 'team' }, 'flows:write'],
    [SANDBOX_KEYS.noExecute, 'POST', '/flowruns/:id/cancel', undefined, 'flows:execute'],
    [SANDBOX_KEYS.noWrite, 'POST', '/flowruns/:id', { fail_on_error: false }, 'flows:write'],
    [SANDBOX_KEYS.noWrite, 'POST', '/flowruns/:id/clone', undefined, 'flows:write'],
    [SANDBOX_KEYS.noRead, 'GET', '/flowruns/:id', undefined, 'flows:read'],
    [SANDBOX_KEYS.noRead, 'POST', '/flowruns/list', {}, 'flows:read'],
    [SANDBOX_KEYS.noRead, 'GET', '/flowruns/:id/stream', undefined, 'flows:read'],
    [SANDBOX_KEYS.noRead, 'GET', '/flowruns/:id/tasks/stream', undefined, 'flows:read'],
    [SANDBOX_KEYS.noRead, 'POST', '/flows/list', {}, 'flows:read'],
    [SANDBOX_KEYS.noRead, 'GET', '/tasks/:task', undefined, 'apps:read'],
    [SANDBOX_KEYS.readOnly, 'GET', '/tasks/:task', undefined, 'apps:read'],
    [SANDBOX_KEYS.flowsOnly, 'GET', '/tasks/:task', undefined, 'apps:read'],
    ['inf_bare_flows', 'GET', '/tasks/:task', undefined, 'apps:read'],
  ];
  for (const [key, method, path, body, scope] of cases) {
    test(`${method} ${path} without ${scope} is 403 naming ${scope}`, async () => {
      const run = sb.getRun(runId);
      const p = path.replace(':id', runId).replace(':task', run?.task_id ?? '');
      const r = await call(sb, method, p, body, key);
      assert.equal(r.status, 403);
      problem(r.json, 403, 'forbidden');
      assert.equal(r.json.detail, `This API key lacks the ${scope} scope.`);
    });
  }

  for (const key of [SANDBOX_KEYS.full, 'inf_star']) {
    test(`key ${key === SANDBOX_KEYS.full ? 'with no scopes' : key} may read, execute and write, and read tasks`, async () => {
      const created = await call(sb, 'POST', '/flowruns', { flow: 'flow_slow', input: { seconds: 60 } }, key);
      assert.equal(created.status, 200);
      const id = (created.data as FlowRun).id;
      assert.equal((await call(sb, 'GET', `/flowruns/${id}`, undefined, key)).status, 200);
      assert.equal((await call(sb, 'POST', `/flowruns/${id}/visibility`, { visibility: 'org' }, key)).status, 200);
      assert.equal((await call(sb, 'GET', `/tasks/${(created.data as FlowRun).task_id ?? ''}`, undefined, key)).status, 200);
      assert.equal((await call(sb, 'POST', `/flowruns/${id}/cancel`, undefined, key)).status, 200);
    });
  }

  for (const key of ['inf_bare_flows', SANDBOX_KEYS.flowsOnly]) {
    test(`key ${key} may read, execute and write runs, but not read tasks`, async () => {
      const created = await call(sb, 'POST', '/flowruns', { flow: 'flow_slow', input: { seconds: 60 } }, key);
      assert.equal(created.status, 200);
      const id = (created.data as FlowRun).id;
      assert.equal((await call(sb, 'GET', `/flowruns/${id}`, undefined, key)).status, 200);
      assert.equal((await call(sb, 'POST', `/flowruns/${id}/visibility`, { visibility: 'org' }, key)).status, 200);
      assert.equal((await call(sb, 'GET', `/tasks/${(created.data as FlowRun).task_id ?? ''}`, undefined, key)).status, 403);
      assert.equal((await call(sb, 'POST', `/flowruns/${id}/cancel`, undefined, key)).status, 200);
    });
  }

  test('apps:read (or bare apps) reads a task, and nothing of the flows', async () => {
    const run = sb.getRun(runId);
    for (const key of ['inf_apps', 'inf_apps_read']) {
      assert.equal((await call(sb, 'GET', `/tasks/${run?.task_id ?? ''}`, undefined, key)).status, 200, key);
      assert.equal((await call(sb, 'GET', `/flowruns/${runId}`, undefined, key)).status, 403, key);
    }
  });

  test('the built-in keys include a flows-only key (no apps:read)', async () => {
    const builtIn = await startSandbox({ port: 0, speed: 0 });
    try {
      const run = builtIn.createRunDirect('flow_unpositioned', {});
      assert.equal((await call(builtIn, 'GET', `/flowruns/${run.id}`, undefined, SANDBOX_KEYS.flowsOnly)).status, 200);
      assert.equal((await call(builtIn, 'GET', `/tasks/${run.task_id ?? ''}`, undefined, SANDBOX_KEYS.flowsOnly)).status, 403);
      assert.equal((await call(builtIn, 'GET', `/tasks/${run.task_id ?? ''}`, undefined, SANDBOX_KEYS.readOnly)).status, 403);
      assert.equal((await call(builtIn, 'GET', `/tasks/${run.task_id ?? ''}`)).status, 200);
    } finally {
      await builtIn.close();
    }
  });
});

describe('sandbox list paging', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ port: 0, speed: 0, seedRuns: 45, seed: 7 });
    sb.createRunDirect('flow_slow', { seconds: 60 });
    sb.createRunDirect('flow_slow', { seconds: 60 });
  });
  after(() => sb.close());

  async function listAll(req: Record<string, unknown>, limit = 7): Promise<{ ids: string[]; total: number; pages: number }> {
    const ids: string[] = [];
    let cursor = '';
    let total = -1;
    let pages = 0;
    for (let i = 0; i < 100; i++) {
      const r = await call(sb, 'POST', '/flowruns/list', { ...req, limit, cursor });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      const page = r.data as ListPage<FlowRun>;
      pages++;
      total = page.total_items ?? -1;
      ids.push(...page.items.map((x) => x.id));
      assert.equal(page.items_per_page, limit);
      if (!page.has_next) break;
      assert.ok(page.next_cursor);
      cursor = page.next_cursor ?? '';
    }
    return { ids, total, pages };
  }

  test('pages cover every run once, newest first, total_items counts all matches', async () => {
    const all = sb.listAllRuns();
    const { ids, total, pages } = await listAll({});
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, all.length);
    assert.equal(total, all.length);
    assert.ok(pages > 5);
    const expected = [...all].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? 1 : -1)).map((r) => r.id);
    assert.deepEqual(ids, expected);
  });

  test('sort ascending by created_at', async () => {
    const { ids } = await listAll({ sort: [{ field: 'created_at', dir: 'asc' }] });
    const created = ids.map((id) => sb.getRun(id)?.created_at ?? '');
    assert.deepEqual(created, [...created].sort());
  });

  const filterCases = (runs: FlowRun[]): [string, Record<string, unknown>, (r: FlowRun) => boolean][] => {
    const mid = [...runs].sort((a, b) => (a.created_at < b.created_at ? -1 : 1))[Math.floor(runs.length / 2)].created_at;
    const someId = runs[3].id;
    return [
      ['status eq', { field: 'status', operator: 'eq', value: 3 }, (r) => r.status === FlowRunStatus.Completed],
      ['status eq by name', { field: 'status', operator: 'eq', value: 'failed' }, (r) => r.status === FlowRunStatus.Failed],
      ['status neq', { field: 'status', operator: 'neq', value: 3 }, (r) => r.status !== FlowRunStatus.Completed],
      ['status in', { field: 'status', operator: 'in', value: [1, 2] }, (r) => r.status === FlowRunStatus.Pending || r.status === FlowRunStatus.Running],
      ['status not_in', { field: 'status', operator: 'not_in', value: [3, 4] }, (r) => r.status !== FlowRunStatus.Completed && r.status !== FlowRunStatus.Failed],
      ['status gt', { field: 'status', operator: 'gt', value: 3 }, (r) => Number(r.status) > 3],
      ['status gte', { field: 'status', operator: 'gte', value: 3 }, (r) => Number(r.status) >= 3],
      ['status lt', { field: 'status', operator: 'lt', value: 3 }, (r) => Number(r.status) < 3],
      ['status lte', { field: 'status', operator: 'lte', value: 3 }, (r) => Number(r.status) <= 3],
      ['status is_not_null', { field: 'status', operator: 'is_not_null' }, () => true],
      ['status is_null', { field: 'status', operator: 'is_null' }, () => false],
      ['flow_id eq', { field: 'flow_id', operator: 'eq', value: 'flow_fanout' }, (r) => r.flow_id === 'flow_fanout'],
      ['flow_id in', { field: 'flow_id', operator: 'in', value: ['flow_slow', 'flow_flaky'] }, (r) => ['flow_slow', 'flow_flaky'].includes(r.flow_id)],
      ['flow_id like', { field: 'flow_id', operator: 'like', value: 'flow_%e' }, (r) => /^flow_.*e$/.test(r.flow_id)],
      ['flow_id ilike', { field: 'flow_id', operator: 'ilike', value: 'FLOW_IMAGE%' }, (r) => r.flow_id.startsWith('flow_image')],
      ['flow_id contains', { field: 'flow_id', operator: 'contains', value: 'pipe' }, (r) => r.flow_id.includes('pipe')],
      ['flow_id not_contains', { field: 'flow_id', operator: 'not_contains', value: 'pipe' }, (r) => !r.flow_id.includes('pipe')],
      ['flow_id is_empty', { field: 'flow_id', operator: 'is_empty' }, () => false],
      ['flow_id is_not_empty', { field: 'flow_id', operator: 'is_not_empty' }, () => true],
      ['error is_null', { field: 'error', operator: 'is_null' }, (r) => r.error === null || r.error === undefined],
      ['created_at gt', { field: 'created_at', operator: 'gt', value: mid }, (r) => r.created_at > mid],
      ['created_at gte', { field: 'created_at', operator: 'gte', value: mid }, (r) => r.created_at >= mid],
      ['created_at lt', { field: 'created_at', operator: 'lt', value: mid }, (r) => r.created_at < mid],
      ['created_at lte', { field: 'created_at', operator: 'lte', value: mid }, (r) => r.created_at <= mid],
      ['id eq', { field: 'id', operator: 'eq', value: someId }, (r) => r.id === someId],
    ];
  };

  test('every filter operator on status, flow_id, created_at and id', async () => {
    const runs = sb.listAllRuns();
    for (const [name, filter, pred] of filterCases(runs)) {
      const expected = runs.filter(pred).map((r) => r.id).sort();
      const { ids, total } = await listAll({ filters: [filter] }, 20);
      assert.deepEqual([...ids].sort(), expected, name);
      assert.equal(total, expected.length, name);
    }
    const both = await listAll({ filters: [{ field: 'flow_id', operator: 'eq', value: 'flow_slow' }, { field: 'status', operator: 'in', value: [1, 2] }] });
    assert.equal(both.ids.length, 2);
  });

  test('a bad operator, limit or cursor is a 400', async () => {
    for (const body of [{ filters: [{ field: 'status', operator: 'approx', value: 1 }] }, { limit: -1 }, { cursor: 'not-a-cursor' }, { sort: [{ field: 'created_at', dir: 'sideways' }] }]) {
      const r = await call(sb, 'POST', '/flowruns/list', body);
      assert.equal(r.status, 400, JSON.stringify(body));
    }
  });

  test('cursors stay stable while new runs arrive, and prev_cursor goes back', async () => {
    const first = (await call(sb, 'POST', '/flowruns/list', { limit: 5 })).data as ListPage<FlowRun>;
    const before = (await listAll({}, 5)).ids;
    for (let i = 0; i < 3; i++) sb.createRunDirect('flow_unpositioned', {});
    const second = (await call(sb, 'POST', '/flowruns/list', { limit: 5, cursor: first.next_cursor })).data as ListPage<FlowRun>;
    assert.deepEqual(second.items.map((r) => r.id), before.slice(5, 10));
    assert.equal(second.has_previous, true);
    const back = (await call(sb, 'POST', '/flowruns/list', { limit: 5, cursor: second.prev_cursor })).data as ListPage<FlowRun>;
    assert.deepEqual(back.items.map((r) => r.id), before.slice(0, 5));
    assert.equal(back.has_previous, true, 'the three new runs are before the old first page');
    assert.equal(back.has_next, true);
    const fresh = (await call(sb, 'POST', '/flowruns/list', { limit: 5 })).data as ListPage<FlowRun>;
    assert.equal(fresh.items.filter((r) => r.flow_id === 'flow_unpositioned').length >= 3, true, 'new runs come first');
    assert.equal(fresh.total_items, before.length + 3);
  });
});
