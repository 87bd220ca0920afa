// The one place that holds what the extension knows of runs. List pages,
// followers and command results all go through upsert(); views render from
// here and listen to its events instead of fetching.
import { isTerminalRunStatus, toFlowRunStatus, type FlowRun, type FlowRunStatus } from '../api/models';
import { Emitter, type Disposable } from './emitter';
import { compareTimes } from '../shared/time';

/** Finished runs that nobody shows are forgotten past this many runs held. */
export const DEFAULT_STORE_CAPACITY = 300;

export interface RunChangeEvent {
  run: FlowRun;
  previous?: FlowRun;
}

export class RunStore {
  private readonly runs = new Map<string, FlowRun>();
  private readonly changed = new Emitter<RunChangeEvent>();
  private readonly removed = new Emitter<string>();
  private readonly totalsChanged = new Emitter<void>();
  private totals: Partial<Record<FlowRunStatus, number>> = {};
  private readonly pins = new Set<(id: string) => boolean>();

  constructor(private readonly capacity = DEFAULT_STORE_CAPACITY) {}

  readonly onDidChangeRun = this.changed.event;
  readonly onDidRemoveRun = this.removed.event;
  /** Fires when the run explorer publishes new server counts per status. */
  readonly onDidChangeTotals = this.totalsChanged.event;

  /** The server's run count per status, as the run explorer last knew it (a status is missing when unknown). */
  statusTotals(): Partial<Record<FlowRunStatus, number>> {
    return { ...this.totals };
  }

  /** Called by the run explorer; fires only on a change. */
  setStatusTotals(totals: Partial<Record<FlowRunStatus, number>>): void {
    if (sameTotals(this.totals, totals)) return;
    this.totals = { ...totals };
    this.totalsChanged.fire();
  }

  get(id: string): FlowRun | undefined {
    return this.runs.get(id);
  }

  all(): FlowRun[] {
    return [...this.runs.values()];
  }

  get size(): number {
    return this.runs.size;
  }

  /** Keeps the newer of what we hold and what arrived (by updated_at), and fires only on a real change. */
  upsert(run: FlowRun): void {
    const previous = this.runs.get(run.id);
    if (previous && previous.updated_at && run.updated_at && compareTimes(run.updated_at, previous.updated_at) < 0) return;
    if (previous && sameRun(previous, run)) return;
    // Re-inserting keeps the map in least-recently-updated order for eviction.
    this.runs.delete(run.id);
    this.runs.set(run.id, run);
    this.changed.fire({ run, previous });
    if (this.runs.size > this.capacity) this.evict();
  }

  /**
   * Lets a holder (the tree's loaded pages, the followers) keep the runs it
   * shows. Any other finished run may be forgotten once the store is full:
   * without this a long session would hold every run it ever saw.
   */
  addPin(isPinned: (id: string) => boolean): Disposable {
    this.pins.add(isPinned);
    return { dispose: () => this.pins.delete(isPinned) };
  }

  /** Forgets the oldest finished, unpinned runs, down to 80% of capacity. Silent: the runs still exist on the server. */
  private evict(): void {
    const target = Math.floor(this.capacity * 0.8);
    for (const [id, run] of this.runs) {
      if (this.runs.size <= target) break;
      if (!isTerminalRunStatus(toFlowRunStatus(run.status))) continue;
      if ([...this.pins].some((pinned) => pinned(id))) continue;
      this.runs.delete(id);
    }
  }

  remove(id: string): void {
    if (this.runs.delete(id)) this.removed.fire(id);
  }

  clear(): void {
    for (const id of [...this.runs.keys()]) this.remove(id);
    this.setStatusTotals({});
  }

  dispose(): void {
    this.changed.dispose();
    this.removed.dispose();
    this.totalsChanged.dispose();
    this.runs.clear();
  }
}

function sameRun(a: FlowRun, b: FlowRun): boolean {
  return a.updated_at === b.updated_at && a.status === b.status && a.error === b.error
    && a.flow_run_finished === b.flow_run_finished && a.visibility === b.visibility
    && a.fail_on_error === b.fail_on_error
    && (a.output === undefined) === (b.output === undefined);
}

function sameTotals(a: Partial<Record<FlowRunStatus, number>>, b: Partial<Record<FlowRunStatus, number>>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const key = Number(k) as FlowRunStatus;
    if (a[key] !== b[key]) return false;
  }
  return true;
}
