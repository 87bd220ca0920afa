// The run explorer's model, without VS Code: which runs sit in which status
// group, each group's server total, and its cursor. Pages come from the
// server (a status filter per group, newest first); the store's change events
// move runs between groups at once and keep the totals honest in between.
// Each group holds at most the pages the user asked for (pages x page size):
// runs that arrive live push the oldest out of the window, so a long session
// holds a bounded number of runs, and "Load more…" then goes on from the
// oldest run shown (keyset: created_at <= it) instead of a stale cursor.
// A poll costs one request while nothing changes: the newest runs, compared
// with what we hold; groups are asked again only when something differs.
import {
  FlowRunStatus, isActiveRunStatus, toFlowRunStatus,
  type FlowRun, type ListFilter, type ListPage, type ListRequest,
} from '../api/models';
import { Emitter, type Disposable } from './emitter';
import { compareTimes, newestFirst } from '../shared/time';
import type { RunChangeEvent, RunStore } from './store';

/** The groups in the order the tree shows them. Unknown is shown only when it has runs. */
export const GROUP_ORDER: readonly FlowRunStatus[] = [
  FlowRunStatus.Pending,
  FlowRunStatus.Running,
  FlowRunStatus.Completed,
  FlowRunStatus.Failed,
  FlowRunStatus.Cancelled,
  FlowRunStatus.Unknown,
];

export type ListRuns = (req: ListRequest) => Promise<ListPage<FlowRun>>;

/** What changed in one step; the tree refreshes only these nodes. */
export interface GroupsChange {
  /** Groups whose children or total changed. */
  groups: FlowRunStatus[];
  /** Runs whose data changed while staying in their group. */
  runs: string[];
  /** The set of shown groups may have changed (Unknown appeared or left). */
  root: boolean;
}

export interface GroupState {
  readonly status: FlowRunStatus;
  /** The server's count (kept current as runs move); undefined until known. */
  readonly total: number | undefined;
  /** At least one page was fetched. */
  readonly loaded: boolean;
  readonly hasNext: boolean;
  /** Pages fetched so far (0 before the first). */
  readonly pages: number;
}

interface MutableGroup {
  status: FlowRunStatus;
  total: number | undefined;
  loaded: boolean;
  hasNext: boolean;
  cursor: string | undefined;
  /** Runs left the window since the cursor was read: the next page starts at the oldest run shown. */
  keyset: boolean;
  pages: number;
  ids: Set<string>;
  inFlight: Promise<void> | undefined;
}

export interface RunGroupsOptions {
  pageSize: number;
}

export interface RefreshOptions {
  /**
   * Runs whose changes arrive by stream right now (followed live): a poll
   * need not check them. Without it every active run is checked by the poll.
   */
  isLive?: (runId: string) => boolean;
}

/** What the last probe saw of a run the store does not hold. */
interface Seen {
  status: FlowRunStatus;
  updatedAt: string | undefined;
}

const ACTIVE_GROUPS: readonly FlowRunStatus[] = [FlowRunStatus.Pending, FlowRunStatus.Running];

export class RunGroups implements Disposable {
  private readonly groups = new Map<FlowRunStatus, MutableGroup>();
  /** Where each run the tree knows is placed (always its status in the store). */
  private readonly placed = new Map<string, FlowRunStatus>();
  /** Ids being written by a page right now: their store events are not "new runs". */
  private readonly applying = new Set<string>();
  /** Groups changed while a page was being written, to trim when it is done. */
  private readonly toTrim = new Set<FlowRunStatus>();
  private readonly changed = new Emitter<GroupsChange>();
  private readonly subscriptions: Disposable[] = [];
  private filterFlowId: string | undefined;
  private generation = 0;
  private revision = 0;
  private pageSizeValue: number;
  /** Runs of the last probe that the store does not hold (collapsed groups), to notice their changes. */
  private seen = new Map<string, Seen>();
  /**
   * The newest created_at in any list answer so far. Each answer's runs are
   * in its total, so a run created after it is one we have not counted.
   */
  private newestCreated: string | undefined;
  /** A poll's group requests failed half-way: the next poll asks every group again. */
  private stale = false;
  /** Groups whose totals the current poll reads from the server: page moves must not adjust them too. */
  private reading: ReadonlySet<FlowRunStatus> | undefined;

  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: RunStore,
    private readonly list: ListRuns,
    options: RunGroupsOptions,
  ) {
    this.pageSizeValue = clampPageSize(options.pageSize);
    for (const status of GROUP_ORDER) this.groups.set(status, emptyGroup(status));
    this.subscriptions.push(
      store.onDidChangeRun((e) => this.onStoreChange(e)),
      store.onDidRemoveRun((id) => this.onStoreRemove(id)),
      // Runs on a loaded page are on screen: the store must not forget them.
      store.addPin((id) => this.placed.has(id)),
    );
  }

  get pageSize(): number {
    return this.pageSizeValue;
  }

  set pageSize(value: number) {
    this.pageSizeValue = clampPageSize(value);
  }

  get flowFilter(): string | undefined {
    return this.filterFlowId;
  }

  /** Shows only runs of one flow (undefined: all). Drops everything loaded. */
  setFlowFilter(flowId: string | undefined): void {
    if (flowId === this.filterFlowId) return;
    this.filterFlowId = flowId;
    this.reset();
  }

  /** Increases on every change of placement or totals: a poll compares it to see whether anything changed. */
  get changeCount(): number {
    return this.revision;
  }

  state(status: FlowRunStatus): GroupState {
    const g = this.group(status);
    return { status, total: g.total, loaded: g.loaded, hasNext: g.hasNext, pages: g.pages };
  }

  /** The groups to show: every status but Unknown, which only when it has runs. */
  shownStatuses(): FlowRunStatus[] {
    return GROUP_ORDER.filter((s) => {
      if (s !== FlowRunStatus.Unknown) return true;
      const g = this.group(s);
      return (g.total ?? 0) > 0 || g.ids.size > 0;
    });
  }

  /** Every group's total is known (after the first refresh). */
  get totalsKnown(): boolean {
    return GROUP_ORDER.every((s) => this.group(s).total !== undefined);
  }

  /** Sum of the known totals. */
  get grandTotal(): number {
    let sum = 0;
    for (const s of GROUP_ORDER) sum += this.group(s).total ?? 0;
    return sum;
  }

  totals(): Partial<Record<FlowRunStatus, number>> {
    const out: Partial<Record<FlowRunStatus, number>> = {};
    for (const s of GROUP_ORDER) {
      const t = this.group(s).total;
      if (t !== undefined) out[s] = t;
    }
    return out;
  }

  /** The group a run is shown in, if the tree knows it. */
  groupOf(runId: string): FlowRunStatus | undefined {
    return this.placed.get(runId);
  }

  /** The group's runs, newest first. */
  runsOf(status: FlowRunStatus): FlowRun[] {
    const runs: FlowRun[] = [];
    for (const id of this.group(status).ids) {
      const run = this.store.get(id);
      if (run) runs.push(run);
    }
    return runs.sort(newestFirst);
  }

  /** Fetches the group's first page unless it has one (concurrent callers share the request). */
  ensureLoaded(status: FlowRunStatus): Promise<void> {
    const g = this.group(status);
    if (g.loaded) return Promise.resolve();
    return this.fetchPage(g, undefined);
  }

  /** Fetches the group's next page (nothing when there is none). */
  loadMore(status: FlowRunStatus): Promise<void> {
    const g = this.group(status);
    if (!g.loaded) return this.fetchPage(g, undefined);
    if (!g.hasNext) return Promise.resolve();
    if (g.keyset) {
      const oldest = this.oldestShown(g);
      const before = oldest ? createdOf(oldest) : '';
      if (before !== '') return this.fetchPage(g, { before });
    }
    if (!g.cursor) return Promise.resolve();
    return this.fetchPage(g, { cursor: g.cursor });
  }

  /** How many runs the group may hold: the pages asked for (one before the first). */
  private windowOf(g: MutableGroup): number {
    return Math.max(1, g.pages) * this.pageSizeValue;
  }

  private oldestShown(g: MutableGroup): FlowRun | undefined {
    let oldest: FlowRun | undefined;
    for (const id of g.ids) {
      const run = this.store.get(id);
      if (run && (!oldest || newestFirst(run, oldest) > 0)) oldest = run;
    }
    return oldest;
  }

  /** Whether a run placed in the group would stay in its window (not older than all of a full window). */
  private fits(g: MutableGroup, run: FlowRun): boolean {
    if (g.ids.size < this.windowOf(g)) return true;
    const oldest = this.oldestShown(g);
    return !oldest || newestFirst(run, oldest) < 0;
  }

  /** Drops the oldest runs past the group's window; "Load more…" brings them back by keyset. */
  private trim(g: MutableGroup, change: ChangeSet): void {
    const window = this.windowOf(g);
    if (g.ids.size <= window) return;
    // Placed runs are pinned in the store, so runsOf holds them all; an id it lacks goes too.
    const kept = new Set(this.runsOf(g.status).slice(0, window).map((r) => r.id));
    for (const id of [...g.ids]) if (!kept.has(id)) this.unplace(id, change);
    g.keyset = true;
    g.hasNext = true;
  }

  /**
   * One poll. Before every total is known (or after a failed poll): the first
   * page of each group in `expanded` and a count (limit 1) of every other
   * group. Afterwards one request, the newest runs of all groups
   * (probe()), and only when it shows a difference, the groups concerned.
   * Resolves to whether anything changed. Rejects with the first error
   * (others are dropped: one failure is enough to say the API is unreachable).
   */
  async refresh(expanded: ReadonlySet<FlowRunStatus>, options: RefreshOptions = {}): Promise<boolean> {
    if (!this.totalsKnown || this.stale) return this.refreshAll(expanded);
    return this.probe(expanded, options);
  }

  /** Every group asked again: a count, or the first page of an open group. */
  private async refreshAll(expanded: ReadonlySet<FlowRunStatus>): Promise<boolean> {
    const before = this.revision;
    const generation = this.generation;
    const reading = new Set(GROUP_ORDER);
    this.reading = reading;
    try {
      await this.readGroups(GROUP_ORDER, expanded, generation);
    } finally {
      if (this.reading === reading) this.reading = undefined;
    }
    if (generation === this.generation) {
      this.stale = false;
      // Fresh totals: what the last probe saw is no news any more.
      this.seen = new Map();
    }
    return this.revision !== before;
  }

  /**
   * The cheap poll: the newest runs (one page, every status, newest first,
   * the flow filter if any) against what we hold. Differences that send us
   * to the groups: a run whose status or updated_at moved (the groups it left
   * and joined), a run count (total_items) other than the sum of our group
   * totals (new runs: their groups; if that does not explain it, all), and
   * active runs we cannot vouch for: an active group whose total is not
   * exactly its runs in this page plus its runs followed live, or that holds
   * a run neither in this page nor followed (it may have finished unseen).
   * Terminal runs never change status, so older ones need no check.
   */
  private async probe(expanded: ReadonlySet<FlowRunStatus>, options: RefreshOptions): Promise<boolean> {
    const generation = this.generation;
    const page = await this.list(this.probeRequest());
    if (generation !== this.generation) return false;
    const isLive = options.isLive ?? ((): boolean => false);
    const affected = new Set<FlowRunStatus>();
    const updates: FlowRun[] = [];
    const unknown: FlowRun[] = [];
    const seen = new Map<string, Seen>();
    /** Ids of this page by the status they have now. */
    const inPage = new Map<string, FlowRunStatus>();
    let changed = false;
    for (const item of page.items) {
      if (!item || typeof item.id !== 'string' || !this.passesFilter(item)) continue;
      const status = toFlowRunStatus(item.status);
      const held = this.store.get(item.id);
      if (held) {
        const heldStatus = toFlowRunStatus(held.status);
        // The store may be ahead of the list (a stream): then the store is right.
        if (held.updated_at && item.updated_at && compareTimes(item.updated_at, held.updated_at) < 0) {
          inPage.set(item.id, heldStatus);
          continue;
        }
        inPage.set(item.id, status);
        if (item.updated_at === held.updated_at && status === heldStatus) continue;
        changed = true;
        updates.push(item);
        if (status !== heldStatus) affected.add(heldStatus).add(status);
        continue;
      }
      inPage.set(item.id, status);
      seen.set(item.id, { status, updatedAt: item.updated_at });
      const before = this.seen.get(item.id);
      if (before === undefined && this.newestCreated !== undefined && compareTimes(createdOf(item), this.newestCreated) > 0) {
        // Created after every answer we counted: new, even if another run left and the sum stayed.
        changed = true;
        affected.add(status);
      } else if (before === undefined) {
        unknown.push(item);
      } else if (before.status !== status || before.updatedAt !== item.updated_at) {
        changed = true;
        if (before.status !== status) affected.add(before.status).add(status);
      }
    }
    const serverTotal = serverTotalOf(page);
    const countsDiffer = serverTotal === undefined || serverTotal !== this.grandTotal;
    if (countsDiffer) {
      changed = true;
      // N more runs than we count: the N newest in the page, if we never saw them, are the new ones.
      const more = serverTotal === undefined ? 0 : Math.min(serverTotal - this.grandTotal, page.items.length);
      const newest = new Set(page.items.slice(0, Math.max(0, more)));
      for (const item of unknown) if (newest.has(item)) affected.add(toFlowRunStatus(item.status));
    }
    // An active group we cannot vouch for is read by its first page even when closed: the page
    // shows which of the runs we place there are still in it (see refetchFirstPage).
    const pages = new Set<FlowRunStatus>();
    for (const status of ACTIVE_GROUPS) {
      if (this.vouchedFor(status, inPage, isLive)) continue;
      affected.add(status);
      pages.add(status);
    }
    if (!changed && affected.size === 0) {
      this.seen = seen;
      this.noteCreated(page.items);
      return false;
    }

    const before = this.revision;
    const reading = new Set(affected);
    this.reading = reading;
    try {
      // The store moves runs it holds (and their totals, exactly) at once; the groups confirm.
      for (const item of updates) this.store.upsert(item);
      const activeBefore = [...pages].map((status) => this.group(status).total);
      await this.readGroups([...affected], expanded, generation, pages);
      if (generation !== this.generation) return true;
      // Runs that left an active group unseen went to groups we did not ask (a sum that still
      // matches may hide them, if another run was deleted meanwhile).
      const leftUnseen = [...pages].some((status, i) => this.group(status).total !== activeBefore[i]);
      if (leftUnseen || serverTotal === undefined || serverTotal !== this.grandTotal) {
        // Not explained by the runs in view (or no total_items): ask the rest too.
        const rest = GROUP_ORDER.filter((s) => !affected.has(s));
        rest.forEach((s) => reading.add(s));
        await this.readGroups(rest, expanded, generation);
      }
    } catch (e) {
      // Half a picture: the next poll asks every group.
      if (generation === this.generation) this.stale = true;
      throw e;
    } finally {
      if (this.reading === reading) this.reading = undefined;
    }
    if (generation === this.generation) {
      this.seen = seen;
      this.noteCreated(page.items);
    }
    return changed || this.revision !== before;
  }

  /**
   * True when the poll knows every active run of `status` now: its total is
   * exactly the runs of this page with that status plus the live ones we
   * place there, and every run we place there is one of them.
   */
  private vouchedFor(status: FlowRunStatus, inPage: ReadonlyMap<string, FlowRunStatus>, isLive: (id: string) => boolean): boolean {
    const known = new Set<string>();
    for (const [id, s] of inPage) if (s === status) known.add(id);
    for (const id of this.group(status).ids) {
      if (inPage.has(id)) continue;
      if (!isLive(id)) return false;
      known.add(id);
    }
    return known.size === (this.group(status).total ?? 0);
  }

  private noteCreated(items: readonly FlowRun[]): void {
    for (const item of items) {
      const at = item ? createdOf(item) : '';
      if (at !== '' && (this.newestCreated === undefined || compareTimes(at, this.newestCreated) > 0)) this.newestCreated = at;
    }
  }

  /** Asks the server about each group: an open one for its first page (which carries the total), others for a count. */
  private async readGroups(
    statuses: readonly FlowRunStatus[],
    expanded: ReadonlySet<FlowRunStatus>,
    generation: number,
    pages: ReadonlySet<FlowRunStatus> = new Set(),
  ): Promise<void> {
    await Promise.all(statuses.map((status) => {
      const g = this.group(status);
      if (!expanded.has(status)) return pages.has(status) ? this.refetchFirstPage(g, generation) : this.count(g, generation);
      return g.loaded ? this.refetchFirstPage(g, generation) : this.ensureLoaded(status);
    }));
  }

  /** Forgets every group's pages and totals (Refresh, another filter, another key). */
  reset(): void {
    this.generation++;
    for (const status of GROUP_ORDER) this.groups.set(status, emptyGroup(status));
    this.placed.clear();
    this.toTrim.clear();
    this.seen = new Map();
    this.newestCreated = undefined;
    this.stale = false;
    this.reading = undefined;
    this.revision++;
    this.changed.fire({ groups: [...GROUP_ORDER], runs: [], root: true });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  // --- requests ------------------------------------------------------------

  /** The newest runs of every status (one page), with the flow filter if any. */
  private probeRequest(): ListRequest {
    const req: ListRequest = { limit: this.pageSizeValue, sort: [{ field: 'created_at', dir: 'desc' }] };
    if (this.filterFlowId) req.filters = [{ field: 'flow_id', operator: 'eq', value: this.filterFlowId }];
    return req;
  }

  private request(status: FlowRunStatus, limit: number, from?: PageStart): ListRequest {
    const filters: ListFilter[] = [{ field: 'status', operator: 'eq', value: status }];
    if (this.filterFlowId) filters.push({ field: 'flow_id', operator: 'eq', value: this.filterFlowId });
    // lte, not lt: runs created in the same instant as the oldest shown are not skipped (the ones shown come again and are known).
    if (from && 'before' in from) filters.push({ field: 'created_at', operator: 'lte', value: from.before });
    const req: ListRequest = { limit, filters, sort: [{ field: 'created_at', dir: 'desc' }] };
    if (from && 'cursor' in from) req.cursor = from.cursor;
    return req;
  }

  private fetchPage(g: MutableGroup, from: PageStart | undefined): Promise<void> {
    if (g.inFlight) return g.inFlight;
    const generation = this.generation;
    const run = async (): Promise<void> => {
      // A cursor's start is not a date we know; a first or keyset page's range is (see dropLeft).
      const upTo = from && 'before' in from ? from.before : undefined;
      const asked = from === undefined || upTo !== undefined ? new Set(g.ids) : undefined;
      const page = await this.list(this.request(g.status, this.pageSizeValue, from));
      if (generation !== this.generation) return;
      this.noteCreated(page.items);
      const before = from === undefined ? 0 : g.ids.size;
      const change = this.applyItems(g.status, page.items);
      if (asked) this.dropLeft(g, page, upTo, asked, change);
      g.loaded = true;
      g.pages++;
      if (from && 'before' in from) {
        // The page's cursor and total are those of the created_at filter: the next page starts at the oldest shown again.
        g.hasNext = page.has_next && page.items.length > 0;
        if (!page.has_next && serverTotalOf(page) === undefined) this.setTotal(g, g.ids.size, change);
      } else {
        g.hasNext = page.has_next && !!page.next_cursor && page.items.length > 0;
        g.cursor = page.next_cursor ?? undefined;
        if (from === undefined) g.keyset = false;
        this.setTotal(g, totalOf(page, before), change);
      }
      change.groups.add(g.status);
      this.emit(change);
    };
    const p = run().finally(() => {
      if (g.inFlight === p) g.inFlight = undefined;
    });
    g.inFlight = p;
    return p;
  }

  private async refetchFirstPage(g: MutableGroup, generation: number): Promise<void> {
    const asked = new Set(g.ids);
    const page = await this.list(this.request(g.status, this.pageSizeValue));
    if (generation !== this.generation) return;
    this.noteCreated(page.items);
    const change = this.applyItems(g.status, page.items);
    this.dropLeft(g, page, undefined, asked, change);
    if (g.pages <= 1) {
      g.hasNext = page.has_next && !!page.next_cursor && page.items.length > 0;
      g.cursor = page.next_cursor ?? undefined;
      g.keyset = false;
    }
    this.setTotal(g, totalOf(page, 0), change);
    this.emit(change);
  }

  /**
   * A page lists every run of its group from `upTo` (created_at, inclusive;
   * none: the newest) down to its oldest item (to the end without a next
   * page). Runs we placed here before asking, inside that range but not in
   * the page, have left the group on the server (or were deleted): they go.
   */
  private dropLeft(g: MutableGroup, page: ListPage<FlowRun>, upTo: string | undefined, asked: ReadonlySet<string>, change: ChangeSet): void {
    const listed = new Set<string>();
    let oldest: string | undefined;
    for (const item of page.items) {
      if (!item || typeof item.id !== 'string') continue;
      listed.add(item.id);
      const created = createdOf(item);
      if (created === '') continue;
      if (oldest === undefined || compareTimes(created, oldest) < 0) oldest = created;
    }
    // With a next page, runs as old as the oldest item may be on it (same instant): only newer ones are certain.
    const above = page.has_next ? oldest : undefined;
    if (page.has_next && above === undefined) return;
    for (const id of [...g.ids]) {
      if (listed.has(id) || !asked.has(id)) continue;
      const held = this.store.get(id);
      const created = held ? createdOf(held) : '';
      if (created === '') continue;
      if (upTo !== undefined && compareTimes(created, upTo) > 0) continue;
      if (above !== undefined && compareTimes(created, above) <= 0) continue;
      this.unplace(id, change);
    }
  }

  private async count(g: MutableGroup, generation: number): Promise<void> {
    const page = await this.list(this.request(g.status, 1));
    if (generation !== this.generation) return;
    // Limit 1, newest first: its one run is the group's newest.
    this.noteCreated(page.items);
    const change = newChange();
    this.setTotal(g, totalOf(page, 0), change);
    this.emit(change);
  }

  /** Writes a page's runs into the store and places them by the status the store ends up with. */
  private applyItems(status: FlowRunStatus, items: readonly FlowRun[]): ChangeSet {
    const change = newChange();
    for (const item of items) {
      if (!item || typeof item.id !== 'string') continue;
      this.applying.add(item.id);
      try {
        this.store.upsert(item);
      } finally {
        this.applying.delete(item.id);
      }
      if (!this.placed.has(item.id)) {
        const current = this.store.get(item.id) ?? item;
        if (this.passesFilter(current)) this.place(item.id, toFlowRunStatus(current.status), change);
      }
    }
    change.groups.add(status);
    return change;
  }

  // --- store events -----------------------------------------------------------

  private onStoreChange({ run, previous }: RunChangeEvent): void {
    if (!this.passesFilter(run)) return;
    const status = toFlowRunStatus(run.status);
    const from = this.placed.get(run.id);
    const change = newChange();
    // A page's own runs are placed whatever their age (its page widens the window); a live change only when it is in view.
    // (Asked only when a run joins a group: a change within its group, the usual case, costs nothing more.)
    const inView = (): boolean => this.applying.has(run.id) || this.fits(this.group(status), run);
    if (from === undefined) {
      if (inView()) this.place(run.id, status, change);
      if (!this.applying.has(run.id)) {
        const before = previous ? toFlowRunStatus(previous.status) : undefined;
        if (before !== undefined && before !== status) {
          // Known elsewhere (a panel), counted by the server under its old status.
          this.adjust(before, -1, change);
          this.adjust(status, +1, change);
        } else if (before === undefined && isActiveRunStatus(status)) {
          // A run that just started (Run Flow): the server counted it after our last count.
          this.adjust(status, +1, change);
        }
      }
    } else if (from !== status) {
      if (inView()) this.place(run.id, status, change);
      else this.unplace(run.id, change);
      // A page that moves a run while this poll reads both groups' totals: the server's counts already say so.
      const fromPage = this.applying.has(run.id) && this.reading !== undefined;
      if (!(fromPage && this.reading?.has(from))) this.adjust(from, -1, change);
      if (!(fromPage && this.reading?.has(status))) this.adjust(status, +1, change);
    } else {
      change.runs.add(run.id);
    }
    this.emit(change);
  }

  private onStoreRemove(id: string): void {
    const from = this.placed.get(id);
    if (from === undefined) return;
    const change = newChange();
    this.unplace(id, change);
    this.adjust(from, -1, change);
    this.emit(change);
  }

  // --- bookkeeping ---------------------------------------------------------------

  private place(id: string, status: FlowRunStatus, change: ChangeSet): void {
    const from = this.placed.get(id);
    if (from === status) return;
    if (from !== undefined) {
      this.group(from).ids.delete(id);
      change.groups.add(from);
    }
    this.placed.set(id, status);
    this.group(status).ids.add(id);
    change.groups.add(status);
    if (status === FlowRunStatus.Unknown || from === FlowRunStatus.Unknown) change.root = true;
    this.revision++;
  }

  private unplace(id: string, change: ChangeSet): void {
    const from = this.placed.get(id);
    if (from === undefined) return;
    this.placed.delete(id);
    this.group(from).ids.delete(id);
    change.groups.add(from);
    if (from === FlowRunStatus.Unknown) change.root = true;
    this.revision++;
  }

  private adjust(status: FlowRunStatus, delta: number, change: ChangeSet): void {
    const g = this.group(status);
    if (g.total === undefined) return;
    this.setTotal(g, Math.max(0, g.total + delta), change);
  }

  private setTotal(g: MutableGroup, total: number | undefined, change: ChangeSet): void {
    if (total === undefined || total === g.total) return;
    const wasEmpty = (g.total ?? 0) === 0;
    g.total = total;
    change.groups.add(g.status);
    if (g.status === FlowRunStatus.Unknown && wasEmpty !== (total === 0)) change.root = true;
    this.revision++;
  }

  private emit(change: ChangeSet): void {
    // While a page is being written its window is not yet widened: trim once it is.
    for (const s of change.groups) this.toTrim.add(s);
    if (this.applying.size === 0) {
      for (const s of this.toTrim) this.trim(this.group(s), change);
      this.toTrim.clear();
    }
    if (change.groups.size === 0 && change.runs.size === 0 && !change.root) return;
    this.changed.fire({ groups: [...change.groups], runs: [...change.runs], root: change.root });
  }

  private passesFilter(run: FlowRun): boolean {
    return this.filterFlowId === undefined || run.flow_id === this.filterFlowId;
  }

  private group(status: FlowRunStatus): MutableGroup {
    let g = this.groups.get(status);
    if (!g) {
      g = emptyGroup(status);
      this.groups.set(status, g);
    }
    return g;
  }
}

/** Where a page starts: the server's cursor, or the oldest run shown (keyset). */
type PageStart = { cursor: string } | { before: string };

interface ChangeSet {
  groups: Set<FlowRunStatus>;
  runs: Set<string>;
  root: boolean;
}

function newChange(): ChangeSet {
  return { groups: new Set(), runs: new Set(), root: false };
}

function emptyGroup(status: FlowRunStatus): MutableGroup {
  return { status, total: undefined, loaded: false, hasNext: false, cursor: undefined, keyset: false, pages: 0, ids: new Set(), inFlight: undefined };
}

function clampPageSize(n: number): number {
  return Number.isFinite(n) ? Math.min(100, Math.max(5, Math.round(n))) : 25;
}

/**
 * The group's total from a page: total_items when the server sends it, else
 * what we can prove (the items before this page plus this page when it is the
 * last); undefined when unknown.
 */
function totalOf(page: ListPage<FlowRun>, before: number): number | undefined {
  const total = serverTotalOf(page, before);
  if (total !== undefined) return total;
  return page.has_next ? undefined : before + page.items.length;
}

/**
 * total_items when it can be true: a server may leave it out, or send 0
 * while items exist (the field is optional); a count below what the page
 * itself shows is no count at all (the group then says "N+").
 */
function serverTotalOf(page: ListPage<FlowRun>, before = 0): number | undefined {
  const total = page.total_items;
  if (typeof total !== 'number' || !Number.isFinite(total) || total < 0) return undefined;
  return total < before + page.items.length ? undefined : total;
}

/** When a run was created, for ordering; a run without created_at (optional on partials) counts by updated_at, else as oldest. */
function createdOf(run: FlowRun): string {
  if (typeof run.created_at === 'string') return run.created_at;
  return typeof run.updated_at === 'string' ? run.updated_at : '';
}
