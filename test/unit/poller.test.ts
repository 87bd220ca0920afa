// The list poll's schedule, on a fake clock: only while active, slower while
// nothing changes (x2 up to 8x), back to the base on a change, never sooner
// than a 429's Retry-After, and nothing at all while inactive.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/api/errors';
import { FlowRunStatus, type FlowRun, type ListPage, type ListRequest } from '../../src/api/models';
import { GROUP_ORDER, RunGroups } from '../../src/runs/groups';
import { Poller, type PollerTimers } from '../../src/runs/poller';
import { RunStore } from '../../src/runs/store';

class FakeClock implements PollerTimers {
  time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order and letting their promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (let guard = 0; guard < 1000; guard++) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    this.time = end;
  }
}

function makePoller(results: Array<boolean | Error>, intervalMs = 5000): { poller: Poller; clock: FakeClock; calls: number[] } {
  const clock = new FakeClock();
  const calls: number[] = [];
  const poller = new Poller({
    intervalMs,
    timers: clock,
    poll: () => {
      calls.push(clock.now());
      const next = results.length > 1 ? results.shift() : results[0];
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next ?? false);
    },
  });
  return { poller, clock, calls };
}

void describe('poller', () => {
  void test('never polls while inactive (view hidden or window unfocused)', async () => {
    const { poller, clock, calls } = makePoller([true]);
    await clock.advance(600_000);
    assert.deepEqual(calls, []);
    assert.equal(clock.pending, 0);
    poller.dispose();
  });

  void test('polls at the base interval while something changes', async () => {
    const { poller, clock, calls } = makePoller([true]);
    poller.markFresh();
    poller.setActive(true);
    await clock.advance(15_000);
    assert.deepEqual(calls, [5000, 10_000, 15_000]);
    poller.dispose();
  });

  void test('doubles the interval while nothing changes, up to 8x, and resets on a change', async () => {
    const { poller, clock, calls } = makePoller([false, false, false, false, false, true, false]);
    poller.markFresh();
    poller.setActive(true);
    await clock.advance(200_000);
    const gaps = calls.slice(1).map((t, i) => t - (calls[i] ?? 0));
    // After the polls at +5s: quiet -> 10s, 20s, 40s, 40s (capped), then a change -> 5s, then quiet -> 10s.
    assert.deepEqual(gaps.slice(0, 6), [10_000, 20_000, 40_000, 40_000, 40_000, 5000]);
    poller.dispose();
  });

  void test('stops when inactive and starts again, due from the last poll', async () => {
    const { poller, clock, calls } = makePoller([true]);
    poller.markFresh();
    poller.setActive(true);
    await clock.advance(5000);
    assert.equal(calls.length, 1);
    poller.setActive(false);
    assert.equal(clock.pending, 0);
    await clock.advance(60_000);
    assert.equal(calls.length, 1, 'no poll while inactive');
    poller.setActive(true);
    await clock.advance(0);
    assert.equal(calls.length, 2, 'overdue: polls at once when shown again');
    poller.dispose();
  });

  void test('honours Retry-After from a 429', async () => {
    const limited = new ApiError({ kind: 'rate_limited', status: 429, userMessage: 'slow down', retryAfterMs: 60_000 });
    const { poller, clock, calls } = makePoller([limited, true]);
    poller.markFresh();
    poller.setActive(true);
    await clock.advance(5000);
    assert.equal(calls.length, 1);
    await clock.advance(59_000);
    assert.equal(calls.length, 1, 'waits out Retry-After');
    await clock.advance(1000);
    assert.equal(calls.length, 2);
    poller.dispose();
  });

  void test('a failing poll backs off like a quiet one', async () => {
    const { poller, clock, calls } = makePoller([new Error('offline')]);
    poller.markFresh();
    poller.setActive(true);
    await clock.advance(5000 + 10_000 + 20_000);
    assert.deepEqual(calls, [5000, 15_000, 35_000]);
    poller.dispose();
  });

  void test('pollNow polls at once, rethrows, and dispose leaves no timer', async () => {
    const { poller, clock, calls } = makePoller([new Error('offline')]);
    await assert.rejects(poller.pollNow(), /offline/);
    assert.equal(calls.length, 1);
    poller.setActive(true);
    assert.ok(clock.pending > 0);
    poller.dispose();
    assert.equal(clock.pending, 0);
  });

  void test('the Runs view with nothing active: after the first load, at most 2 requests a minute, then one per 2 minutes', async () => {
    const clock = new FakeClock();
    const runs: FlowRun[] = [];
    const statuses = [FlowRunStatus.Completed, FlowRunStatus.Failed, FlowRunStatus.Cancelled];
    for (let i = 0; i < 40; i++) {
      const t = new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString();
      runs.push({ id: `r${i}`, flow_id: 'f', flow_version_id: 'v', status: statuses[i % 3] ?? 3, input: {}, created_at: t, updated_at: t });
    }
    const requests: number[] = [];
    const list = (req: ListRequest): Promise<ListPage<FlowRun>> => {
      requests.push(clock.now());
      let items = runs.filter((r) => (req.filters ?? []).every((f) => (r as unknown as Record<string, unknown>)[f.field] === f.value));
      items = items.sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
      const page = items.slice(0, req.limit ?? 20);
      return Promise.resolve({ items: page, has_next: items.length > page.length, next_cursor: null, total_items: items.length });
    };
    const groups = new RunGroups(new RunStore(), list, { pageSize: 25 });
    const open = new Set([FlowRunStatus.Pending, FlowRunStatus.Running, FlowRunStatus.Completed]);
    // The tree's own defaults: flowRuns.refreshInterval 15 s, up to 8x.
    const poller = new Poller({ intervalMs: 15_000, timers: clock, poll: () => groups.refresh(open) });
    await groups.refresh(open);
    assert.equal(requests.length, GROUP_ORDER.length, 'the first load');
    poller.markFresh();
    poller.setActive(true);
    requests.length = 0;
    await clock.advance(60_000);
    assert.deepEqual(requests, [15_000, 45_000], 'first minute: polls at 15 s and 45 s, one request each');
    await clock.advance(300_000);
    assert.deepEqual(requests, [15_000, 45_000, 105_000, 225_000, 345_000], 'then every 2 minutes (the 8x cap)');
    // A new run: found by the next poll, which goes back to the base interval.
    runs.push({ ...runs[0], id: 'new', status: FlowRunStatus.Failed, created_at: '2025-01-02T00:00:00.000Z', updated_at: '2025-01-02T00:00:00.000Z' });
    requests.length = 0;
    await clock.advance(120_000);
    // The probe, a count of Failed; a change brings the base interval back: the next poll 15 s later.
    assert.deepEqual(requests, [465_000, 465_000, 480_000]);
    assert.equal(groups.state(FlowRunStatus.Failed).total, 14);
    poller.dispose();
    groups.dispose();
  });
});
