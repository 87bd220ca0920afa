// The run explorer's model in plain Node: groups filled from a fake server
// with status filters and cursors, runs moving between groups on store
// events, totals kept honest, and the store's published totals.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowRunStatus, type FlowRun, type ListPage, type ListRequest } from '../../src/api/models';
import { RunGroups, GROUP_ORDER, type GroupsChange } from '../../src/runs/groups';
import { RunStore } from '../../src/runs/store';

function run(id: string, status: FlowRunStatus, minute: number, extra: Partial<FlowRun> = {}): FlowRun {
  const t = new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();
  return {
    id, flow_id: extra.flow_id ?? 'flow_a', flow_version_id: 'v1', status, input: {},
    created_at: t, updated_at: extra.updated_at ?? t, ...extra,
  };
}

/** A list endpoint over an array: eq and (ISO dates) lte filters, created_at desc, index cursors. */
class FakeServer {
  requests: ListRequest[] = [];
  fail: Error | undefined;
  totals = true;
  constructor(public runs: FlowRun[]) {}

  list = (req: ListRequest): Promise<ListPage<FlowRun>> => {
    this.requests.push(req);
    if (this.fail) return Promise.reject(this.fail);
    let items = [...this.runs];
    for (const f of req.filters ?? []) {
      const value = (r: FlowRun): unknown => (r as unknown as Record<string, unknown>)[f.field];
      if (f.operator === 'eq') items = items.filter((r) => value(r) === f.value);
      else if (f.operator === 'lte') items = items.filter((r) => String(value(r)) <= String(f.value));
      else throw new Error(`the fake server has no ${f.operator} filter`);
    }
    items.sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    const start = req.cursor ? Number(req.cursor) : 0;
    const limit = req.limit ?? 20;
    const page = items.slice(start, start + limit);
    const next = start + limit < items.length ? String(start + limit) : null;
    return Promise.resolve({
      items: page, has_next: next !== null, next_cursor: next,
      ...(this.totals ? { total_items: items.length } : {}),
    });
  };
}

function setup(runs: FlowRun[], pageSize = 5): { server: FakeServer; store: RunStore; groups: RunGroups; changes: GroupsChange[] } {
  const server = new FakeServer(runs);
  const store = new RunStore();
  const groups = new RunGroups(store, server.list, { pageSize });
  const changes: GroupsChange[] = [];
  groups.onDidChange((c) => changes.push(c));
  return { server, store, groups, changes };
}

function many(n: number, status: FlowRunStatus, prefix: string, from = 0): FlowRun[] {
  return Array.from({ length: n }, (_, i) => run(`${prefix}${i}`, status, from + i));
}

void describe('run groups', () => {
  void test('a refresh counts every group with a status filter and limit 1, newest first', async () => {
    const { server, groups } = setup([...many(3, FlowRunStatus.Completed, 'c'), ...many(2, FlowRunStatus.Failed, 'f')]);
    const changed = await groups.refresh(new Set());
    assert.equal(changed, true);
    assert.equal(server.requests.length, GROUP_ORDER.length);
    for (const req of server.requests) {
      assert.equal(req.limit, 1);
      assert.equal(req.filters?.[0]?.field, 'status');
      assert.equal(req.filters?.[0]?.operator, 'eq');
      assert.deepEqual(req.sort, [{ field: 'created_at', dir: 'desc' }]);
    }
    assert.equal(groups.state(FlowRunStatus.Completed).total, 3);
    assert.equal(groups.state(FlowRunStatus.Failed).total, 2);
    assert.equal(groups.state(FlowRunStatus.Running).total, 0);
    assert.equal(groups.totalsKnown, true);
    assert.equal(groups.grandTotal, 5);
    assert.equal(await groups.refresh(new Set()), false, 'a second poll with nothing new reports no change');
  });

  void test('Unknown is shown only when it has runs', async () => {
    const a = setup(many(2, FlowRunStatus.Completed, 'c'));
    await a.groups.refresh(new Set());
    assert.ok(!a.groups.shownStatuses().includes(FlowRunStatus.Unknown));
    const b = setup([...many(2, FlowRunStatus.Completed, 'c'), run('u0', FlowRunStatus.Unknown, 50)]);
    await b.groups.refresh(new Set());
    assert.ok(b.groups.shownStatuses().includes(FlowRunStatus.Unknown));
  });

  void test('paging with loadMore reaches every run once, newest first', async () => {
    const { groups, server } = setup(many(23, FlowRunStatus.Completed, 'c'), 5);
    await groups.ensureLoaded(FlowRunStatus.Completed);
    assert.equal(groups.runsOf(FlowRunStatus.Completed).length, 5);
    assert.equal(groups.state(FlowRunStatus.Completed).hasNext, true);
    let guard = 0;
    while (groups.state(FlowRunStatus.Completed).hasNext && guard++ < 20) await groups.loadMore(FlowRunStatus.Completed);
    const ids = groups.runsOf(FlowRunStatus.Completed).map((r) => r.id);
    assert.equal(ids.length, 23);
    assert.equal(new Set(ids).size, 23);
    assert.equal(ids[0], 'c22', 'newest first');
    assert.equal(ids[22], 'c0');
    assert.equal(server.requests.length, 5, '23 runs in pages of 5');
    assert.equal(groups.state(FlowRunStatus.Completed).total, 23);
  });

  void test('live arrivals push the oldest runs out of the window; Load more goes on from the oldest shown', async () => {
    const { groups, server, store } = setup(many(12, FlowRunStatus.Completed, 'c'), 5);
    await groups.refresh(new Set([FlowRunStatus.Completed]));
    assert.deepEqual(groups.runsOf(FlowRunStatus.Completed).map((r) => r.id), ['c11', 'c10', 'c9', 'c8', 'c7']);
    // Seven runs start and finish while the user watches (streams bring them, as Run Flow's runs).
    for (let i = 0; i < 7; i++) {
      const fresh = run(`n${i}`, FlowRunStatus.Running, 30 + i);
      server.runs.push(fresh);
      store.upsert(fresh);
      store.upsert(serverSet(server, fresh.id, { status: FlowRunStatus.Completed }, i + 1));
    }
    const shown = groups.runsOf(FlowRunStatus.Completed).map((r) => r.id);
    assert.deepEqual(shown, ['n6', 'n5', 'n4', 'n3', 'n2'], 'the window stays one page: the newest five');
    assert.equal(groups.state(FlowRunStatus.Completed).hasNext, true);
    assert.equal(groups.state(FlowRunStatus.Completed).total, 19);
    server.requests = [];
    let guard = 0;
    while (groups.state(FlowRunStatus.Completed).hasNext && guard++ < 20) await groups.loadMore(FlowRunStatus.Completed);
    const ids = groups.runsOf(FlowRunStatus.Completed).map((r) => r.id);
    const expected = [...server.runs].sort((a, b) => (a.created_at < b.created_at ? 1 : -1)).map((r) => r.id);
    assert.deepEqual(ids, expected, 'every run once, newest first: none skipped past the old cursor');
    const first = server.requests[0];
    assert.ok(first?.filters?.some((f) => f.field === 'created_at' && f.operator === 'lte'), 'the next page starts at the oldest run shown');
    assert.equal(first?.cursor, undefined, 'not the cursor of a window that has moved');
    assert.equal(groups.state(FlowRunStatus.Completed).total, 19, 'a keyset page does not take its filtered count as the total');
  });

  void test('a long session holds a bounded number of runs: groups keep their windows and the store forgets the rest', async () => {
    const { groups, server, store } = setup(many(3, FlowRunStatus.Completed, 'c'), 25);
    const open = new Set([FlowRunStatus.Pending, FlowRunStatus.Running, FlowRunStatus.Completed]);
    await groups.refresh(open);
    for (let i = 0; i < 2000; i++) {
      const started = run(`n${i}`, FlowRunStatus.Running, 10 + i);
      server.runs.push(started);
      store.upsert(started);
      // (Stamped after every created_at of the test.)
      const done = serverSet(server, started.id, { status: i % 4 === 0 ? FlowRunStatus.Cancelled : FlowRunStatus.Completed }, 100_000_000 + i);
      store.upsert(done);
    }
    assert.ok(store.size <= 300, `the store holds ${store.size} runs`);
    for (const status of GROUP_ORDER) assert.ok(groups.runsOf(status).length <= 25, `${FlowRunStatus[status]} shows ${groups.runsOf(status).length}`);
    assert.deepEqual(groups.runsOf(FlowRunStatus.Completed).map((r) => r.id).slice(0, 3), ['n1999', 'n1998', 'n1997']);
    assert.equal(groups.state(FlowRunStatus.Completed).total, 3 + 1500);
    assert.equal(groups.state(FlowRunStatus.Cancelled).total, 500);
    assert.equal(groups.state(FlowRunStatus.Running).total, 0);
    assert.deepEqual(ourCounts(groups), serverCounts(server));
  });

  void test('concurrent first loads share one request', async () => {
    const { groups, server } = setup(many(3, FlowRunStatus.Running, 'r'));
    await Promise.all([groups.ensureLoaded(FlowRunStatus.Running), groups.ensureLoaded(FlowRunStatus.Running)]);
    assert.equal(server.requests.length, 1);
  });

  void test('a finished run moves to its group at once and both totals follow', async () => {
    const runs = [...many(2, FlowRunStatus.Running, 'r'), ...many(4, FlowRunStatus.Completed, 'c', 10)];
    const { groups, store, changes } = setup(runs);
    await groups.refresh(new Set([FlowRunStatus.Running, FlowRunStatus.Completed]));
    assert.deepEqual(groups.runsOf(FlowRunStatus.Running).map((r) => r.id), ['r1', 'r0']);
    changes.length = 0;
    const before = store.get('r1');
    assert.ok(before);
    store.upsert({ ...before, status: FlowRunStatus.Completed, updated_at: '2025-01-02T00:00:00.000Z' });
    assert.deepEqual(groups.runsOf(FlowRunStatus.Running).map((r) => r.id), ['r0']);
    assert.ok(groups.runsOf(FlowRunStatus.Completed).some((r) => r.id === 'r1'));
    assert.equal(groups.state(FlowRunStatus.Running).total, 1);
    assert.equal(groups.state(FlowRunStatus.Completed).total, 5);
    assert.equal(changes.length, 1);
    assert.deepEqual(new Set(changes[0]?.groups), new Set([FlowRunStatus.Running, FlowRunStatus.Completed]));
    assert.equal(changes[0]?.root, false);
  });

  void test('a change that keeps the group refreshes only that run', async () => {
    const { groups, store, changes } = setup(many(2, FlowRunStatus.Running, 'r'));
    await groups.ensureLoaded(FlowRunStatus.Running);
    changes.length = 0;
    const r = store.get('r0');
    assert.ok(r);
    store.upsert({ ...r, error: 'warming up', updated_at: '2025-01-02T00:00:00.000Z' });
    assert.deepEqual(changes, [{ groups: [], runs: ['r0'], root: false }]);
  });

  void test('a run started here counts at once; a page that brings it again does not count it twice', async () => {
    const { groups, store, server } = setup(many(2, FlowRunStatus.Completed, 'c'));
    await groups.refresh(new Set());
    assert.equal(groups.state(FlowRunStatus.Pending).total, 0);
    const fresh = run('new', FlowRunStatus.Pending, 59);
    store.upsert(fresh);
    assert.equal(groups.state(FlowRunStatus.Pending).total, 1);
    assert.deepEqual(groups.runsOf(FlowRunStatus.Pending).map((r) => r.id), ['new']);
    server.runs.push(fresh);
    await groups.ensureLoaded(FlowRunStatus.Pending);
    assert.equal(groups.state(FlowRunStatus.Pending).total, 1);
    assert.equal(groups.runsOf(FlowRunStatus.Pending).length, 1);
  });

  void test('a poll finds new runs in open groups and drops runs that left a fully listed group', async () => {
    const runs = many(2, FlowRunStatus.Running, 'r');
    const { groups, server } = setup(runs);
    await groups.ensureLoaded(FlowRunStatus.Running);
    server.runs = [run('r0', FlowRunStatus.Running, 0), run('r9', FlowRunStatus.Running, 30)];
    const changed = await groups.refresh(new Set([FlowRunStatus.Running]));
    assert.equal(changed, true);
    assert.deepEqual(groups.runsOf(FlowRunStatus.Running).map((r) => r.id), ['r9', 'r0']);
  });

  void test('without total_items, the total is what the last page proves', async () => {
    const { groups, server } = setup(many(7, FlowRunStatus.Failed, 'f'), 5);
    server.totals = false;
    await groups.ensureLoaded(FlowRunStatus.Failed);
    assert.equal(groups.state(FlowRunStatus.Failed).total, undefined);
    await groups.loadMore(FlowRunStatus.Failed);
    assert.equal(groups.state(FlowRunStatus.Failed).total, 7);
  });

  void test('the flow filter adds flow_id eq, resets, and ignores other flows', async () => {
    const runs = [run('a1', FlowRunStatus.Completed, 1), run('b1', FlowRunStatus.Completed, 2, { flow_id: 'flow_b' })];
    const { groups, server, store } = setup(runs);
    groups.setFlowFilter('flow_b');
    await groups.ensureLoaded(FlowRunStatus.Completed);
    const last = server.requests.at(-1);
    assert.deepEqual(last?.filters?.[1], { field: 'flow_id', operator: 'eq', value: 'flow_b' });
    assert.deepEqual(groups.runsOf(FlowRunStatus.Completed).map((r) => r.id), ['b1']);
    store.upsert(run('a2', FlowRunStatus.Pending, 5));
    assert.equal(groups.groupOf('a2'), undefined);
  });

  void test('results of a request that was overtaken by a reset are dropped', async () => {
    const { groups, server } = setup(many(3, FlowRunStatus.Completed, 'c'));
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const real = server.list;
    const slow = (req: ListRequest): Promise<ListPage<FlowRun>> => gate.then(() => real(req));
    const slowGroups = new RunGroups(new RunStore(), slow, { pageSize: 5 });
    const loading = slowGroups.ensureLoaded(FlowRunStatus.Completed);
    slowGroups.reset();
    release();
    await loading;
    assert.equal(slowGroups.runsOf(FlowRunStatus.Completed).length, 0);
    assert.equal(slowGroups.state(FlowRunStatus.Completed).loaded, false);
    slowGroups.dispose();
    groups.dispose();
  });

  void test('a failed refresh rejects so the caller can show the reason', async () => {
    const { groups, server } = setup([]);
    server.fail = new Error('connection refused');
    await assert.rejects(groups.refresh(new Set()), /connection refused/);
    assert.equal(groups.totalsKnown, false);
  });

  void test('a run removed from the store leaves its group and its total', async () => {
    const { groups, store } = setup(many(3, FlowRunStatus.Cancelled, 'x'));
    await groups.ensureLoaded(FlowRunStatus.Cancelled);
    store.remove('x1');
    assert.equal(groups.state(FlowRunStatus.Cancelled).total, 2);
    assert.deepEqual(groups.runsOf(FlowRunStatus.Cancelled).map((r) => r.id), ['x2', 'x0']);
  });
});

/** The server's count per status, as the groups should show them. */
function serverCounts(server: FakeServer, flowId?: string): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of GROUP_ORDER) out[s] = 0;
  for (const r of server.runs) if (flowId === undefined || r.flow_id === flowId) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

function ourCounts(groups: RunGroups): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of GROUP_ORDER) out[s] = groups.state(s).total ?? -1;
  return out;
}

const stamp = (n: number): string => new Date(Date.UTC(2025, 0, 2, 0, 0, 0, n)).toISOString();

/** The server changes a run (a new updated_at), as the real one does. */
function serverSet(server: FakeServer, id: string, patch: Partial<FlowRun>, at: number): FlowRun {
  const i = server.runs.findIndex((r) => r.id === id);
  const old = server.runs[i];
  assert.ok(old, id);
  const next = { ...old, ...patch, updated_at: stamp(at) };
  server.runs[i] = next;
  return next;
}

const OPEN = new Set([FlowRunStatus.Pending, FlowRunStatus.Running, FlowRunStatus.Completed]);

void describe('polls after the first load', () => {
  const mixed = (): FlowRun[] => [
    ...many(12, FlowRunStatus.Completed, 'c'), ...many(4, FlowRunStatus.Failed, 'f', 20), ...many(3, FlowRunStatus.Cancelled, 'x', 30),
  ];

  void test('a quiet poll costs one request: the newest runs of every status, one page, newest first', async () => {
    const { server, groups, changes } = setup(mixed());
    await groups.refresh(OPEN);
    assert.equal(server.requests.length, GROUP_ORDER.length, 'the first load asks every group');
    server.requests = [];
    changes.length = 0;
    for (let i = 0; i < 3; i++) assert.equal(await groups.refresh(OPEN), false, `quiet poll ${i}`);
    assert.equal(server.requests.length, 3, 'one request per quiet poll');
    for (const req of server.requests) {
      assert.equal(req.limit, 5, 'one page');
      assert.deepEqual(req.filters ?? [], [], 'no status filter');
      assert.deepEqual(req.sort, [{ field: 'created_at', dir: 'desc' }]);
      assert.equal(req.cursor, undefined);
    }
    assert.deepEqual(changes, [], 'a quiet poll fires nothing');
  });

  void test('with a flow filter the probe carries it, and counts stay those of the flow', async () => {
    const runs = [...mixed(), run('b1', FlowRunStatus.Completed, 40, { flow_id: 'flow_b' }), run('b2', FlowRunStatus.Failed, 41, { flow_id: 'flow_b' })];
    const { server, groups } = setup(runs);
    groups.setFlowFilter('flow_b');
    await groups.refresh(OPEN);
    server.requests = [];
    assert.equal(await groups.refresh(OPEN), false);
    assert.deepEqual(server.requests.map((r) => r.filters), [[{ field: 'flow_id', operator: 'eq', value: 'flow_b' }]]);
    server.runs.push(run('b3', FlowRunStatus.Cancelled, 50, { flow_id: 'flow_b' }), run('a9', FlowRunStatus.Cancelled, 51));
    assert.equal(await groups.refresh(OPEN), true);
    assert.deepEqual(ourCounts(groups), serverCounts(server, 'flow_b'));
  });

  void test('a new run is found; only its group is asked again; then quiet again', async () => {
    const { server, groups } = setup(mixed());
    await groups.refresh(OPEN);
    server.requests = [];
    server.runs.push(run('f9', FlowRunStatus.Failed, 55));
    assert.equal(await groups.refresh(OPEN), true);
    assert.deepEqual(ourCounts(groups), serverCounts(server));
    assert.equal(server.requests.length, 2, 'the probe and a count of Failed');
    assert.equal(server.requests[1]?.filters?.[0]?.value, FlowRunStatus.Failed);
    server.requests = [];
    assert.equal(await groups.refresh(OPEN), false);
    assert.equal(server.requests.length, 1);
  });

  void test('more new runs than a page, in several groups: the counts still equal the server', async () => {
    const { server, groups } = setup(mixed());
    await groups.refresh(OPEN);
    for (let i = 0; i < 12; i++) server.runs.push(run(`n${i}`, [FlowRunStatus.Completed, FlowRunStatus.Failed, FlowRunStatus.Cancelled][i % 3] ?? 3, 100 + i));
    assert.equal(await groups.refresh(OPEN), true);
    assert.deepEqual(ourCounts(groups), serverCounts(server));
    assert.deepEqual(groups.runsOf(FlowRunStatus.Completed).slice(0, 2).map((r) => r.id), ['n9', 'n6'], 'an open group shows its newest');
  });

  void test('a listed run that finished on the server moves, and both counts follow', async () => {
    const runs = [...mixed(), run('r0', FlowRunStatus.Running, 50)];
    const { server, groups, store } = setup(runs);
    await groups.refresh(OPEN);
    serverSet(server, 'r0', { status: FlowRunStatus.Completed }, 1);
    assert.equal(await groups.refresh(OPEN), true);
    assert.equal(groups.groupOf('r0'), FlowRunStatus.Completed);
    assert.equal(store.get('r0')?.status, FlowRunStatus.Completed);
    assert.deepEqual(ourCounts(groups), serverCounts(server));
  });

  void test('active runs followed live are trusted; an unfollowed one is asked about every poll', async () => {
    // The running run is older than a page of newer runs: the probe does not show it.
    const runs = [run('r0', FlowRunStatus.Running, 0), ...many(12, FlowRunStatus.Completed, 'c', 10)];
    const { server, groups } = setup(runs);
    await groups.refresh(OPEN);
    assert.equal(groups.groupOf('r0'), FlowRunStatus.Running);
    server.requests = [];
    assert.equal(await groups.refresh(OPEN, { isLive: (id) => id === 'r0' }), false);
    assert.equal(server.requests.length, 1, 'followed: the probe alone');
    server.requests = [];
    await groups.refresh(OPEN, { isLive: () => false });
    assert.equal(server.requests.length, 2, 'not followed: Running is asked too');
    assert.equal(server.requests[1]?.filters?.[0]?.value, FlowRunStatus.Running);
    // It finishes unseen by any stream: the next poll notices.
    serverSet(server, 'r0', { status: FlowRunStatus.Failed }, 1);
    assert.equal(await groups.refresh(OPEN, { isLive: () => false }), true);
    assert.deepEqual(ourCounts(groups), serverCounts(server));
    assert.notEqual(groups.groupOf('r0'), FlowRunStatus.Running);
  });

  void test('a run that finishes in a closed group, out of view, is noticed by its count', async () => {
    const runs = [run('r0', FlowRunStatus.Running, 0), ...many(12, FlowRunStatus.Completed, 'c', 10)];
    const { server, groups } = setup(runs);
    await groups.refresh(new Set([FlowRunStatus.Completed]));
    assert.equal(groups.groupOf('r0'), undefined, 'Running is closed: never listed');
    serverSet(server, 'r0', { status: FlowRunStatus.Cancelled }, 1);
    assert.equal(await groups.refresh(new Set([FlowRunStatus.Completed])), true);
    assert.deepEqual(ourCounts(groups), serverCounts(server));
  });

  void test('a page that moves a run while the poll reads both groups does not count the move twice', async () => {
    // Seven running runs (two pages), the oldest finishes unseen; Completed's first page then brings it.
    const runs = [...many(2, FlowRunStatus.Completed, 'c'), ...many(7, FlowRunStatus.Running, 'r', 10)];
    const { server, groups } = setup(runs, 5);
    await groups.refresh(OPEN);
    await groups.loadMore(FlowRunStatus.Running);
    assert.equal(groups.groupOf('r0'), FlowRunStatus.Running);
    serverSet(server, 'r0', { status: FlowRunStatus.Completed }, 1);
    assert.equal(await groups.refresh(OPEN, { isLive: () => false }), true);
    assert.equal(groups.groupOf('r0'), FlowRunStatus.Completed);
    assert.deepEqual(ourCounts(groups), serverCounts(server));
  });

  void test('a run gone from the server (the count drops, nothing new in view): every group is asked', async () => {
    const { server, groups } = setup(mixed());
    await groups.refresh(OPEN);
    server.runs = server.runs.filter((r) => r.id !== 'c0');
    server.requests = [];
    assert.equal(await groups.refresh(OPEN), true);
    assert.equal(server.requests.length, 1 + GROUP_ORDER.length);
    assert.deepEqual(ourCounts(groups), serverCounts(server));
  });

  void test('a newer updated_at with the same status updates the run, not the groups', async () => {
    const { server, groups, store } = setup([...mixed(), run('c99', FlowRunStatus.Completed, 60)]);
    await groups.refresh(OPEN);
    serverSet(server, 'c99', { error: 'note' }, 5);
    server.requests = [];
    assert.equal(await groups.refresh(OPEN), true);
    assert.equal(server.requests.length, 1);
    assert.equal(store.get('c99')?.error, 'note');
    server.requests = [];
    assert.equal(await groups.refresh(OPEN), false, 'seen once, no change the next time');
  });

  void test('a run the store holds newer than the list (a stream was first) is no change', async () => {
    const runs = [...mixed(), run('r0', FlowRunStatus.Running, 50)];
    const { server, groups, store } = setup(runs);
    await groups.refresh(OPEN);
    const r0 = store.get('r0');
    assert.ok(r0);
    store.upsert({ ...r0, status: FlowRunStatus.Completed, updated_at: stamp(9) });
    server.requests = [];
    // The server list still says Running (it lags); counts were moved by the store event.
    assert.equal(await groups.refresh(OPEN, { isLive: () => true }), false);
    assert.equal(groups.groupOf('r0'), FlowRunStatus.Completed);
  });

  void test('when the groups fail after the probe, the next poll asks every group again', async () => {
    const { server, groups } = setup(mixed());
    await groups.refresh(OPEN);
    server.runs.push(run('f9', FlowRunStatus.Failed, 55));
    const real = server.list;
    let calls = 0;
    const failing = (req: ListRequest): Promise<ListPage<FlowRun>> => (++calls > 1 ? Promise.reject(new Error('blip')) : real(req));
    const flaky = new RunGroups(new RunStore(), (req) => (calls < 0 ? real(req) : failing(req)), { pageSize: 5 });
    calls = -1000;
    await flaky.refresh(OPEN);
    calls = 0;
    server.runs.push(run('f10', FlowRunStatus.Failed, 56));
    await assert.rejects(flaky.refresh(OPEN), /blip/);
    calls = -1000;
    server.requests = [];
    await flaky.refresh(OPEN);
    assert.equal(server.requests.length, GROUP_ORDER.length, 'every group asked again');
    assert.deepEqual(ourCounts(flaky), serverCounts(server));
    flaky.dispose();
  });

  void test('seeded random histories: after every poll each count equals the server', async () => {
    for (let seed = 1; seed <= 100; seed++) {
      const r = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
      let minute = 0;
      let tick = 0;
      const runs: FlowRun[] = [];
      const { Unknown, Pending, Running, Completed, Failed, Cancelled } = FlowRunStatus;
      for (let i = 0; i < 15; i++) runs.push(run(`s${i}`, pick([Unknown, Pending, Running, Completed, Completed, Failed, Cancelled]), minute++));
      const { server, groups, store } = setup(runs, 5);
      const expanded = new Set(GROUP_ORDER.filter(() => r() < 0.5));
      const live = new Set<string>();
      const isLive = (id: string): boolean => live.has(id);
      await groups.refresh(expanded, { isLive });
      for (let step = 0; step < 25; step++) {
        const mutations = Math.floor(r() * 3);
        for (let m = 0; m < mutations; m++) {
          const roll = r();
          const active = server.runs.filter((x) => x.status === FlowRunStatus.Pending || x.status === FlowRunStatus.Running);
          let changed: FlowRun | undefined;
          if (roll < 0.35) {
            const fresh = run(`n${seed}_${step}_${m}`, pick([Unknown, Pending, Running, Completed, Failed, Cancelled]), minute++);
            server.runs.push(fresh);
          } else if (roll < 0.8 && active.length) {
            const target = pick(active);
            const next = target.status === Pending ? pick([Running, Completed, Cancelled]) : pick([Completed, Failed, Cancelled]);
            changed = serverSet(server, target.id, { status: next }, ++tick);
          } else if (roll < 0.9 && server.runs.length) {
            changed = serverSet(server, pick(server.runs).id, { error: `e${tick}` }, ++tick);
          } else if (server.runs.length > 3) {
            const gone = pick(server.runs);
            server.runs = server.runs.filter((x) => x !== gone);
            live.delete(gone.id);
          }
          // A followed run's change reaches the store by its stream.
          if (changed && live.has(changed.id)) store.upsert(changed);
          if (process.env.GROUPS_DEBUG === String(seed)) console.log(step, m, roll.toFixed(2), changed ? [changed.id, changed.status, live.has(changed.id)] : server.runs.length);
        }
        // The tree follows some of the active runs it places; a follower starts with a GET of the run.
        const following = new Set<string>();
        for (const s of [Pending, Running]) {
          for (const x of groups.runsOf(s)) if (r() < 0.6) following.add(x.id);
        }
        live.clear();
        for (const id of following) {
          const now = server.runs.find((x) => x.id === id);
          if (!now) continue;
          store.upsert(now);
          live.add(id);
        }
        const reqs = server.requests.length;
        await groups.refresh(expanded, { isLive });
        if (process.env.GROUPS_DEBUG === String(seed)) console.log('poll', step, JSON.stringify(server.requests.slice(reqs).map((q) => q.filters?.[0]?.value ?? 'probe')), JSON.stringify(ourCounts(groups)), JSON.stringify(serverCounts(server)));
        assert.deepEqual(ourCounts(groups), serverCounts(server), `seed ${seed} step ${step}: ${JSON.stringify(server.runs.map((x) => [x.id, x.status]))} live ${[...live].join(',')} expanded ${[...expanded].join(',')}`);
      }
      // Nothing changes now and nothing is active: a poll is one request.
      for (const x of server.runs) {
        if (x.status !== Pending && x.status !== Running) continue;
        const done = serverSet(server, x.id, { status: Completed }, ++tick);
        if (live.has(x.id)) store.upsert(done);
      }
      await groups.refresh(expanded, { isLive });
      assert.deepEqual(ourCounts(groups), serverCounts(server), `seed ${seed} settled`);
      // Every group, paged to its end, lists exactly the server's runs of its status once, newest first.
      for (const status of GROUP_ORDER) {
        await groups.ensureLoaded(status);
        let guard = 0;
        while (groups.state(status).hasNext && guard++ < 50) await groups.loadMore(status);
        const want = server.runs.filter((x) => x.status === status).sort((a, b) => (a.created_at < b.created_at ? 1 : -1)).map((x) => x.id);
        assert.deepEqual(groups.runsOf(status).map((x) => x.id), want, `seed ${seed}: ${FlowRunStatus[status]} paged to its end`);
      }
      server.requests = [];
      assert.equal(await groups.refresh(expanded, { isLive }), false, `seed ${seed} quiet`);
      assert.equal(server.requests.length, 1, `seed ${seed}: a quiet poll is one request`);
      groups.dispose();
    }
  });
});

/** Small seeded PRNG (xorshift) so a failing history names its seed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

void describe('store totals', () => {
  void test('setStatusTotals fires only on a change and clear() forgets them', () => {
    const store = new RunStore();
    let fired = 0;
    store.onDidChangeTotals(() => fired++);
    store.setStatusTotals({ [FlowRunStatus.Running]: 2 });
    store.setStatusTotals({ [FlowRunStatus.Running]: 2 });
    assert.equal(fired, 1);
    assert.deepEqual(store.statusTotals(), { [FlowRunStatus.Running]: 2 });
    store.clear();
    assert.equal(fired, 2);
    assert.deepEqual(store.statusTotals(), {});
  });
});
