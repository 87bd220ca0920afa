// The run follower against an in-memory API whose streams the test drives.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/api/errors';
import type { Task } from '../../src/api/models';
import { RunFollower, type RunChange } from '../../src/runs/follower';
import { FollowerRegistry } from '../../src/runs/followers';
import { failOnUnhandledRejection } from './helpers/guards';
import { FakeApi, at, makeRun, makeTask } from './helpers/fakeApi';
import { waitFor } from './helpers/testServer';

failOnUnhandledRejection();

const fast = { silenceMs: 60_000, backoff: { baseMs: 1, maxMs: 5 } };

async function live(api: FakeApi, opts = fast): Promise<{ f: RunFollower; changes: RunChange[] }> {
  const f = new RunFollower(api, 'fr_1', opts);
  const changes: RunChange[] = [];
  f.onDidChange((c) => changes.push({ ...c, view: c.view }));
  f.start();
  await waitFor(() => f.view.state === 'live', 5000, 'live');
  return { f, changes };
}

void describe('run follower', () => {
  void test('resyncs with a GET, follows the stream, and ends with one final GET', async () => {
    const api = new FakeApi(makeRun());
    const { f } = await live(api);
    assert.equal(api.getRunCalls, 1);
    assert.equal(api.openStreams, 2);
    api.latest('run').partial({ node_statuses: { a: 'completed', b: 'running' }, updated_at: at(2) }, ['node_statuses']);
    assert.deepEqual(f.view.run?.node_statuses, { a: 'completed', b: 'running' });
    api.run = makeRun({ status: 3, updated_at: at(5), node_statuses: { a: 'completed', b: 'completed' }, output: { image: 'x.png' }, node_outputs: { b: { image: 'x.png' } } });
    api.latest('run').partial({ status: 3, updated_at: at(4) }, ['status']);
    const view = await f.done;
    assert.equal(view.state, 'ended');
    assert.equal(api.getRunCalls, 2, 'one final GET');
    assert.deepEqual(view.run, api.run, 'the final GET picks up output and node_outputs');
    assert.equal(api.openStreams, 0);
  });

  void test('the final GET of each task is the last word, even over a summary stamped later', async () => {
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_a' } } }));
    api.tasks.set('t_a', makeTask('t_a', 'running', 2));
    const { f } = await live(api);
    await waitFor(() => f.view.tasks.t_a !== undefined);
    // A summary on the run stream carries a stamp a hair later than the task's own final record.
    api.latest('run').partial({ node_tasks: { a: { task_id: 't_a', task: { id: 't_a', status: 'completed', updated_at: at(9) } } }, updated_at: at(9) }, ['node_tasks', 'updated_at']);
    const final = makeTask('t_a', 'completed', 8, { events: [{ id: 'e1', created_at: at(8), event_time: at(8), task_id: 't_a', status: 'completed' }] });
    api.tasks.set('t_a', final);
    api.run = makeRun({ status: 3, updated_at: at(10), node_tasks: { a: { task_id: 't_a' } } });
    api.latest('run').partial({ status: 3, updated_at: at(10) }, ['status', 'updated_at']);
    const view = await f.done;
    assert.equal(view.state, 'ended');
    assert.deepEqual(view.tasks.t_a, final, 'the task equals the server\'s final record, events included');
  });

  void test('events that arrive while the GET is in flight are applied on top of it', async () => {
    const api = new FakeApi(makeRun({ node_statuses: { a: 'running', b: 'pending' } }));
    let open!: () => void;
    api.gate = new Promise((r) => {
      open = r;
    });
    const f = new RunFollower(api, 'fr_1', fast);
    f.start();
    await waitFor(() => api.getRunCalls === 1);
    api.latest('run').partial({ node_statuses: { a: 'completed', b: 'running' }, updated_at: at(3) }, ['node_statuses', 'updated_at']);
    assert.equal(f.view.run?.id, undefined, 'buffered, not applied before the GET');
    api.gate = undefined;
    open();
    await waitFor(() => f.view.state === 'live');
    assert.deepEqual(f.view.run?.node_statuses, { a: 'completed', b: 'running' });
    await f.stop();
  });

  void test('while the tasks\' GETs are out, run events apply at once and task events wait for them', async () => {
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_a' } }, node_statuses: { a: 'running' } }));
    api.tasks.set('t_a', makeTask('t_a', 'running', 2));
    let open!: () => void;
    api.taskGate = new Promise((r) => {
      open = r;
    });
    const f = new RunFollower(api, 'fr_1', fast);
    f.start();
    try {
      await waitFor(() => api.getTaskCalls.length === 1, 5000, 'the resync to ask for the task');
      assert.equal(api.getRunCalls, 1);
      // A busy run stream is not held back until every task has been read.
      api.latest('run').partial({ node_statuses: { a: 'completed' }, updated_at: at(3) }, ['node_statuses', 'updated_at']);
      assert.deepEqual(f.view.run?.node_statuses, { a: 'completed' }, 'the run event is applied on top of the run GET at once');
      // A task event waits: it goes on top of the task's GET.
      api.latest('tasks').object({ ...makeTask('t_a', 'completed', 4) });
      assert.ok(!('t_a' in f.view.tasks), 'the task event is held until the task GET is applied');
      assert.notEqual(f.view.state, 'live');
      api.taskGate = undefined;
      open();
      await waitFor(() => f.view.state === 'live', 5000, 'live');
      assert.equal(f.view.tasks.t_a?.status, 'completed', 'the held task event went on top of the GET');
    } finally {
      api.taskGate = undefined;
      open();
      await f.stop();
    }
  });

  void test('a partial older than what we hold is ignored', async () => {
    const api = new FakeApi(makeRun({ updated_at: at(10), error: null }));
    const { f } = await live(api);
    api.latest('run').partial({ node_statuses: { a: 'pending' }, updated_at: at(5) }, ['node_statuses']);
    assert.deepEqual(f.view.run?.node_statuses, { a: 'running', b: 'pending' });
    api.latest('run').partial({ node_statuses: { a: 'completed' }, updated_at: at(11) }, ['node_statuses']);
    assert.deepEqual(f.view.run?.node_statuses, { a: 'completed' });
    await f.stop();
  });

  void test('partials copy only their listed fields; all of data when fields is missing', async () => {
    const api = new FakeApi(makeRun());
    const { f } = await live(api);
    api.latest('run').partial({ status: 2, error: 'ignored', updated_at: at(2) }, ['updated_at']);
    assert.equal(f.view.run?.error, undefined);
    api.latest('run').partial({ error: 'copied', updated_at: at(3) });
    assert.equal(f.view.run?.error, 'copied');
    await f.stop();
  });

  void test('a terminal task status never moves back, and duplicates change nothing', async () => {
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_a' } } }));
    api.tasks.set('t_a', makeTask('t_a', 7, 1));
    const { f, changes } = await live(api);
    assert.deepEqual(api.getTaskCalls, ['t_a'], 'a task the run does not carry is fetched');
    const tasks = api.latest('tasks');
    const done = makeTask('t_a', 10, 3, { logs: [{ id: 'l1', created_at: at(3), updated_at: at(3), task_id: 't_a', log_type: 1, content: 'aGk=' }] });
    tasks.object(done);
    const after = changes.length;
    tasks.object(done);
    tasks.partial({ id: 't_a', status: 10, updated_at: at(3) }, ['status']);
    assert.equal(changes.length, after, 'duplicates fire no change');
    assert.equal(f.view.tasks.t_a.logs?.length, 1, 'logs are not doubled');
    tasks.partial({ id: 't_a', status: 'running' }, ['status']);
    tasks.object(makeTask('t_a', 7, 3));
    assert.equal(f.view.tasks.t_a.status, 10);
    await f.stop();
  });

  void test('a terminal run status never moves back', async () => {
    const api = new FakeApi(makeRun({ status: 2 }));
    const f = new RunFollower(api, 'fr_1', fast);
    f.start();
    await waitFor(() => f.view.state === 'live');
    api.run = makeRun({ status: 4, error: 'node b failed', updated_at: at(5) });
    api.latest('run').object(makeRun({ status: 4, error: 'node b failed', updated_at: at(5) }));
    const view = await f.done;
    assert.equal(view.run?.status, 4);
    assert.equal(view.run?.error, 'node b failed');
  });

  void test('whole nested node tasks are used; only tasks we lack (or hold as a summary) are fetched', async () => {
    const whole: Task = makeTask('t_a', 'running', 1, { logs: [] });
    const summary = { id: 't_d', status: 7, app_id: 'app', created_at: at(0), updated_at: at(1) } as Task;
    const api = new FakeApi(makeRun({ node_tasks: { a: { task_id: 't_a', task: whole }, b: { task_id: 't_b' }, d: { task_id: 't_d', task: summary } } }));
    api.tasks.set('t_b', makeTask('t_b', 2, 1));
    api.tasks.set('t_d', makeTask('t_d', 7, 1, { logs: [{ id: 'l', created_at: at(1), updated_at: at(1), task_id: 't_d', log_type: 1, content: 'x' }] }));
    const { f } = await live(api);
    assert.deepEqual(api.getTaskCalls.sort(), ['t_b', 't_d']);
    assert.deepEqual(Object.keys(f.view.tasks).sort(), ['t_a', 't_b', 't_d']);
    assert.equal(f.view.tasks.t_d.logs?.length, 1, 'the summary was completed by the fetch');
    // A later summary does not wipe the logs we hold.
    api.latest('run').partial({ node_tasks: { d: { task_id: 't_d', task: { ...summary, status: 10, updated_at: at(3) } } }, updated_at: at(3) }, ['node_tasks']);
    assert.equal(f.view.tasks.t_d.status, 10);
    assert.equal(f.view.tasks.t_d.logs?.length, 1);
    // A node that gets its task later: fetched in the background.
    api.tasks.set('t_c', makeTask('t_c', 1, 2));
    api.latest('run').partial({ node_tasks: { a: { task_id: 't_a', task: whole }, c: { task_id: 't_c' } }, updated_at: at(4) }, ['node_tasks']);
    await waitFor(() => f.view.tasks.t_c !== undefined);
    // t_d finished meanwhile, and the stream does not carry its logs: fetched once more for its final logs.
    await waitFor(() => api.getTaskCalls.length === 4);
    assert.deepEqual(api.getTaskCalls.sort(), ['t_b', 't_c', 't_d', 't_d']);
    await f.stop();
  });

  void test('a stream that ends early is reopened, with a fresh GET first', async () => {
    const api = new FakeApi(makeRun());
    const { f, changes } = await live(api);
    api.run = makeRun({ updated_at: at(4), node_statuses: { a: 'completed', b: 'running' } });
    api.latest('run').drop();
    await waitFor(() => api.getRunCalls === 2 && f.view.state === 'live');
    assert.deepEqual(f.view.run?.node_statuses, { a: 'completed', b: 'running' }, 'missed updates come from the GET');
    assert.equal(api.openStreams, 2, 'the old streams are closed, two new ones open');
    assert.ok(changes.some((c) => c.view.state === 'reconnecting' || c.full));
    await f.stop();
  });

  void test('a silent stream counts as dead and is replaced', async () => {
    const api = new FakeApi(makeRun());
    const f = new RunFollower(api, 'fr_1', { silenceMs: 40, backoff: { baseMs: 1, maxMs: 2 } });
    f.start();
    await waitFor(() => api.getRunCalls >= 2, 5000, 'a reconnect after silence');
    assert.ok(api.streams.length >= 4);
    await f.stop();
    assert.equal(api.openStreams, 0);
  });

  void test('keep-alives keep a quiet stream alive', async () => {
    const api = new FakeApi(makeRun());
    const f = new RunFollower(api, 'fr_1', { silenceMs: 200, backoff: { baseMs: 1, maxMs: 2 }, streamTasks: false });
    f.start();
    await waitFor(() => f.view.state === 'live');
    for (let i = 0; i < 10; i++) {
      api.latest('run').keepAlive();
      await new Promise((r) => setTimeout(r, 40));
    }
    assert.equal(api.getRunCalls, 1);
    assert.equal(api.streams.length, 1, 'only the run stream when streamTasks is false');
    await f.stop();
  });

  for (const status of [401, 403, 404]) {
    void test(`${status} on connect fails the follower without retrying`, async () => {
      const api = new FakeApi(makeRun());
      api.connectError = new ApiError({ kind: status === 404 ? 'not_found' : status === 403 ? 'forbidden' : 'unauthorized', status, userMessage: 'no' });
      const f = new RunFollower(api, 'fr_1', fast);
      f.start();
      const view = await f.done;
      assert.equal(view.state, 'failed');
      assert.equal(view.error?.status, status);
      assert.equal(api.getRunCalls, 0);
      assert.equal(api.streams.length, 2, 'no second attempt');
      assert.equal(api.openStreams, 0);
    });
  }

  void test('a server error on connect is retried', async () => {
    const api = new FakeApi(makeRun());
    api.connectError = new ApiError({ kind: 'server', status: 500, userMessage: 'oops' });
    const f = new RunFollower(api, 'fr_1', fast);
    f.start();
    await waitFor(() => api.streams.length >= 6, 5000, 'several attempts');
    assert.equal(f.view.state, 'reconnecting');
    assert.equal(f.view.error?.kind, 'server', 'the view says why it is reconnecting');
    api.connectError = undefined;
    await waitFor(() => f.view.state === 'live');
    assert.equal(f.view.error, undefined);
    await f.stop();
  });

  void test('stop() frees every stream and timer and says stopped', async () => {
    const api = new FakeApi(makeRun());
    const { f } = await live(api);
    api.latest('run').drop();
    await f.stop();
    assert.equal(f.view.state, 'stopped');
    assert.equal(api.openStreams, 0);
    const count = api.streams.length;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(api.streams.length, count, 'no reconnect after stop');
    assert.equal((await f.done).state, 'stopped');
  });
});

void describe('follower registry', () => {
  void test('one follower per run while held; stopped when the last holder lets go', async () => {
    const api = new FakeApi(makeRun());
    const reg = new FollowerRegistry(() => api, fast);
    const a = reg.acquire('fr_1');
    const b = reg.acquire('fr_1');
    assert.equal(a.follower, b.follower);
    assert.equal(reg.size, 1);
    await waitFor(() => a.follower.view.state === 'live');
    a.release();
    a.release();
    assert.equal(reg.size, 1);
    assert.equal(api.openStreams, 2);
    b.release();
    assert.equal(reg.size, 0);
    await a.follower.done;
    assert.equal(a.follower.view.state, 'stopped');
    assert.equal(api.openStreams, 0);
    const c = reg.acquire('fr_1');
    assert.notEqual(c.follower, a.follower, 'a new follower after the old one stopped');
    await reg.dispose();
  });

  void test('run-level changes are announced; reset stops everyone', async () => {
    const api = new FakeApi(makeRun());
    const reg = new FollowerRegistry(() => api, fast);
    const seen: number[] = [];
    reg.onDidChangeRun((run) => seen.push(run.status));
    const h = reg.acquire('fr_1');
    await waitFor(() => h.follower.view.state === 'live');
    api.latest('run').partial({ status: 2, updated_at: at(3) }, ['updated_at']);
    // Changes reach listeners once per macrotask.
    await waitFor(() => seen.length >= 2);
    await reg.reset();
    assert.equal(h.follower.view.state, 'stopped');
    assert.equal(reg.size, 0);
    h.release();
    assert.equal(api.openStreams, 0);
    await reg.dispose();
  });

  void test('acquiring a failed follower starts a fresh one (Retry), even while another view holds the failed one', async () => {
    const api = new FakeApi(makeRun());
    api.connectError = new ApiError({ kind: 'forbidden', status: 403, userMessage: 'no' });
    const reg = new FollowerRegistry(() => api, fast);
    const tree = reg.acquire('fr_1');
    const panel = reg.acquire('fr_1');
    assert.equal((await panel.follower.done).state, 'failed');
    api.connectError = undefined;
    // The panel's Retry: let go, take again, while the tree still holds the failed follower.
    panel.release();
    const retried = reg.acquire('fr_1');
    assert.notEqual(retried.follower, tree.follower, 'a fresh follower');
    await waitFor(() => retried.follower.view.state === 'live');
    assert.equal(reg.size, 1);
    tree.release();
    assert.equal(reg.size, 1, 'the failed follower\'s holder no longer counts down the fresh one');
    assert.equal(api.openStreams, 2);
    retried.release();
    assert.equal(reg.size, 0);
    await retried.follower.done;
    assert.equal(api.openStreams, 0);
    await reg.dispose();
  });

  void test('without a client every follower fails with a "set a key" error', async () => {
    const reg = new FollowerRegistry(() => undefined);
    const h = reg.acquire('fr_1');
    const view = await h.follower.done;
    assert.equal(view.state, 'failed');
    assert.equal(view.error?.kind, 'no_key');
    h.release();
    await reg.dispose();
  });
});
