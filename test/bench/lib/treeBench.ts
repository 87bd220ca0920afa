// Tree at scale in plain Node: the tree's model (RunGroups over a RunStore),
// filled page by page from a list function that serves 10,000 runs the way
// the server does (status filter, newest first, cursor pages, total_items).
// The refresh batching lives in the VS Code provider (runsTree.ts) and is
// measured inside VS Code (see test/vscode/bench).
import { FlowRunStatus, type FlowRun, type ListPage, type ListRequest } from '../../../src/api/models';
import { GROUP_ORDER, RunGroups } from '../../../src/runs/groups';
import { RunStore } from '../../../src/runs/store';
import { errorText, fmt, judged, missing, type Row } from './report';

const S = 'Tree';
const RUNS = 10_000;
const REPEATS = 20;

function makeRuns(): FlowRun[] {
  const statuses = [FlowRunStatus.Pending, FlowRunStatus.Running, FlowRunStatus.Completed, FlowRunStatus.Failed, FlowRunStatus.Cancelled];
  const base = Date.UTC(2025, 0, 1);
  const runs: FlowRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const created = new Date(base + i * 1000).toISOString();
    runs.push({
      id: `flowrun_${String(i).padStart(6, '0')}`,
      created_at: created,
      updated_at: created,
      flow_id: `flow_${i % 7}`,
      flow_version_id: `flowver_${i % 7}`,
      status: statuses[i % statuses.length],
      input: {},
    });
  }
  return runs;
}

/** A list endpoint over `runs`: `status eq` filter, created_at desc, numeric cursors. */
function fakeList(runs: FlowRun[]): (req: ListRequest) => Promise<ListPage<FlowRun>> {
  const byStatus = new Map<number, FlowRun[]>();
  for (const r of [...runs].sort((a, b) => (a.created_at < b.created_at ? 1 : -1))) {
    const list = byStatus.get(r.status) ?? [];
    list.push(r);
    byStatus.set(r.status, list);
  }
  return (req) => {
    const status = req.filters?.find((f) => f.field === 'status')?.value;
    const all = byStatus.get(typeof status === 'number' ? status : -1) ?? [];
    const from = req.cursor ? Number(req.cursor) : 0;
    const limit = req.limit ?? 25;
    const items = all.slice(from, from + limit).map((r) => ({ ...r }));
    const next = from + limit < all.length ? String(from + limit) : null;
    return Promise.resolve({ items, next_cursor: next, has_next: next !== null, total_items: all.length });
  };
}

/** Best of REPEATS, in ms (the least disturbed by GC and the JIT). */
function best(fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

export async function treeRows(): Promise<Row[]> {
  const store = new RunStore();
  const groups = new RunGroups(store, fakeList(makeRuns()), { pageSize: 25 });
  try {
    for (const s of GROUP_ORDER) await groups.ensureLoaded(s);
    const onePage = best(() => void groups.runsOf(FlowRunStatus.Running));
    const pageCount = groups.runsOf(FlowRunStatus.Running).length;
    // Load every page of every group (what "Load more" until the end gives).
    for (const s of GROUP_ORDER) {
      for (let guard = 0; guard < 1000 && groups.state(s).hasNext; guard++) await groups.loadMore(s);
    }
    const placed = GROUP_ORDER.reduce((n, s) => n + groups.runsOf(s).length, 0);
    const every = best(() => {
      for (const s of GROUP_ORDER) groups.runsOf(s);
    });
    const note = `RunGroups.runsOf (the provider's children list) over a RunStore of ${store.size.toLocaleString('en-US')} runs, filled from cursor pages; best of ${REPEATS}`;
    return [
      judged(S, `children of one page (${pageCount} runs), plain Node`, onePage, 'ms', 20, 'lower', note, 2),
      judged(S, `children of every group (${placed.toLocaleString('en-US')} runs), plain Node`, every, 'ms', 20, 'lower', `${note}; ${fmt(every / GROUP_ORDER.length, 2)} ms per group`, 2),
    ];
  } catch (e) {
    return [missing(S, 'children at 10,000 runs (plain Node)', errorText(e), '<= 20 ms')];
  } finally {
    groups.dispose();
    store.dispose();
  }
}
