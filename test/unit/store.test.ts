// The run store keeps what views show and forgets the rest once it is full.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlowRunStatus, type FlowRun } from '../../src/api/models';
import { RecentSet } from '../../src/runs/recentSet';
import { RunStore } from '../../src/runs/store';
import { newestFirst } from '../../src/shared/time';

function run(id: string, status: FlowRunStatus, updated = '2026-11-28T10:00:00.000000Z'): FlowRun {
  return { id, flow_id: 'flow_x', flow_version_id: 'v1', status, input: {}, created_at: updated, updated_at: updated };
}

void describe('run store', () => {
  void test('an older update never replaces a newer one, and an unchanged run fires nothing', () => {
    const store = new RunStore();
    let fired = 0;
    store.onDidChangeRun(() => fired++);
    store.upsert(run('a', FlowRunStatus.Running, '2026-11-28T10:00:02.000000Z'));
    store.upsert(run('a', FlowRunStatus.Pending, '2026-11-28T10:00:01.000000Z'));
    store.upsert(run('a', FlowRunStatus.Running, '2026-11-28T10:00:02.000000Z'));
    assert.equal(store.get('a')?.status, FlowRunStatus.Running);
    assert.equal(fired, 1);
  });

  void test('times compare as times: a fraction with its trailing zeros trimmed is not "later" as text', () => {
    const store = new RunStore();
    store.upsert(run('a', FlowRunStatus.Completed, '2026-11-28T10:00:00.12Z'));
    // 10:00:00.1 is earlier than 10:00:00.12, though ".1Z" sorts after ".12Z" as text.
    store.upsert(run('a', FlowRunStatus.Running, '2026-11-28T10:00:00.1Z'));
    assert.equal(store.get('a')?.status, FlowRunStatus.Completed);
    const older = run('old', FlowRunStatus.Completed, '2026-11-28T10:00:00.1Z');
    const newer = run('new', FlowRunStatus.Completed, '2026-11-28T10:00:00.12Z');
    assert.deepEqual([older, newer].sort(newestFirst).map((r) => r.id), ['new', 'old']);
  });

  void test('a RecentSet keeps its newest entries only; re-adding makes an entry new again', () => {
    const set = new RecentSet<string>(3);
    for (const id of ['a', 'b', 'c']) set.add(id);
    set.add('a');
    set.add('d');
    assert.deepEqual([...set], ['c', 'a', 'd']);
    for (let i = 0; i < 1000; i++) set.add(`r${i}`);
    assert.equal(set.size, 3);
    assert.ok(set.has('r999') && !set.has('a'));
  });

  void test('past its capacity it forgets the oldest finished runs, never active or pinned ones', () => {
    const store = new RunStore(10);
    const pinned = new Set(['done-0']);
    store.addPin((id) => pinned.has(id));
    for (let i = 0; i < 5; i++) store.upsert(run(`active-${i}`, FlowRunStatus.Running));
    for (let i = 0; i < 20; i++) store.upsert(run(`done-${i}`, FlowRunStatus.Completed));
    assert.ok(store.size <= 10, `holds ${store.size}`);
    for (let i = 0; i < 5; i++) assert.ok(store.get(`active-${i}`), `active-${i} kept`);
    assert.ok(store.get('done-0'), 'the pinned run is kept');
    assert.ok(store.get('done-19'), 'the newest finished run is kept');
    assert.equal(store.get('done-1'), undefined, 'an old unpinned finished run is forgotten');
  });

  void test('forgetting is silent: views are not told the run was removed', () => {
    const store = new RunStore(4);
    const removed: string[] = [];
    store.onDidRemoveRun((id) => removed.push(id));
    for (let i = 0; i < 10; i++) store.upsert(run(`r${i}`, FlowRunStatus.Failed));
    assert.deepEqual(removed, []);
    store.remove('r9');
    assert.deepEqual(removed, ['r9']);
  });
});
