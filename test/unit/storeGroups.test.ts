// The run explorer's model in plain Node: groups filled from a fake server
// with status filters and cursors, runs moving between groups on store
// events, totals kept honest, and the store's published totals.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowRunStatus, type FlowRun, type ListPage, type ListRequest } from '../../src/api/models';
import { RunGroups, GROUP_ORDER, type GroupsChange } from '../../src/runs/groups';
import { RunStore } from '../../src/runs/store';
import { formatDuration, hasOutput, relativeTime, runDescription, shortRunId } from '../../src/views/runText';

function run(id: string, status: FlowRunStatus, minute: number, extra: Partial<FlowRun> = {}): FlowRun {
  const t = new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();
  return {
    id, flow_id: extra.flow_id ?? 'flow_a', flow_version_id: 'v1', status, input: {},
    created_at: t, updated_at: extra.updated_at ?? t, ...extra,
  };
}

/** A list endpoint over an array: status / flow_id eq filters, created_at desc, index cursors. */
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
      items = items.filter((r) => (r as unknown as Record<string, unknown>)[f.field] === f.value);
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

void describe('run wording', () => {
  const now = Date.UTC(2025, 0, 1, 1, 0);
  void test('short id, relative start and duration', () => {
    const r = run('flowrun_0123456789abcdef', FlowRunStatus.Completed, 50, {
      flow_run_started: new Date(Date.UTC(2025, 0, 1, 0, 50)).toISOString(),
      flow_run_finished: new Date(Date.UTC(2025, 0, 1, 0, 51, 5)).toISOString(),
    });
    assert.equal(shortRunId(r), '89abcdef');
    assert.equal(shortRunId({ id: 'x', short_id: 'abc' }), 'abc');
    assert.equal(runDescription(r, now), '89abcdef · 10 min ago · 1m 05s');
  });

  void test('durations and ages read naturally', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(12_000), '12s');
    assert.equal(formatDuration(2 * 3600_000 + 3 * 60_000), '2h 03m');
    assert.equal(relativeTime(now - 5000, now), 'just now');
    assert.equal(relativeTime(now - 3 * 3600_000, now), '3 h ago');
    assert.equal(relativeTime(undefined, now), 'not started');
  });

  void test('output counts only when there is something in it', () => {
    assert.equal(hasOutput(run('a', 3, 1, { output: {} })), false);
    assert.equal(hasOutput(run('a', 3, 1, { output: null })), false);
    assert.equal(hasOutput(run('a', 3, 1, { output: { image: 'x' } })), true);
  });
});
