// When the run list is fetched again. Only while someone looks (the owner
// says so with setActive), slower while nothing changes (x2 per quiet poll,
// up to maxFactor times the base interval), back to the base interval on a
// change, and never sooner than a 429's Retry-After. Plain Node with an
// injectable clock so the schedule is unit-tested without waiting.
import { isApiError } from '../api/errors';
import { clampDelay } from '../shared/delay';
import type { Logger } from '../api/logger';
import type { Disposable } from './emitter';

export interface PollerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realTimers: PollerTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, clampDelay(ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export interface PollerOptions {
  /** The base interval (flowRuns.refreshInterval in ms). */
  intervalMs: number;
  /** Resolves true when the poll found a change. May reject (ApiError.retryAfterMs is honoured). */
  poll: () => Promise<boolean>;
  /** The interval grows up to this many times the base (default 8). */
  maxFactor?: number;
  timers?: PollerTimers;
  logger?: Logger;
}

export class Poller implements Disposable {
  private readonly timers: PollerTimers;
  private readonly maxFactor: number;
  private interval: number;
  private factor = 1;
  /** A 429 asked us to wait at least this long before the next poll. */
  private retryAfter = 0;
  private active = false;
  private handle: unknown;
  private dueAt: number | undefined;
  private lastPollAt: number | undefined;
  private inFlight: Promise<void> | undefined;
  private disposed = false;
  private pollCount = 0;

  constructor(private readonly options: PollerOptions) {
    this.timers = options.timers ?? realTimers;
    this.maxFactor = Math.max(1, options.maxFactor ?? 8);
    this.interval = sanitize(options.intervalMs);
  }

  /** The delay after the last poll before the next one. */
  get currentDelayMs(): number {
    return Math.max(this.interval * this.factor, this.retryAfter);
  }

  /** When the next poll is due (clock ms), undefined when none is scheduled. */
  get nextDueAt(): number | undefined {
    return this.dueAt;
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Polls made so far. */
  get polls(): number {
    return this.pollCount;
  }

  /** Polls run only while active (view visible, window focused, a key set). */
  setActive(active: boolean): void {
    if (this.disposed || active === this.active) return;
    this.active = active;
    if (active) this.schedule();
    else this.cancel();
  }

  setIntervalMs(ms: number): void {
    this.interval = sanitize(ms);
    this.factor = 1;
    if (this.active) this.schedule();
  }

  /** Fresh data arrived another way (a page load, a refresh): count from now, at the base interval. */
  markFresh(): void {
    this.lastPollAt = this.timers.now();
    this.factor = 1;
    if (this.active) this.schedule();
  }

  /** Something changed (a run moved): poll at the base interval again. */
  resetBackoff(): void {
    if (this.factor === 1) return;
    this.factor = 1;
    if (this.active) this.schedule();
  }

  /** Polls now (Refresh); resolves when done. Errors are the caller's to show. */
  async pollNow(): Promise<void> {
    this.cancel();
    this.factor = 1;
    this.retryAfter = 0;
    await this.run(true);
  }

  dispose(): void {
    this.disposed = true;
    this.active = false;
    this.cancel();
  }

  private schedule(): void {
    this.cancel();
    if (!this.active || this.disposed) return;
    const now = this.timers.now();
    const base = this.lastPollAt ?? now - this.currentDelayMs;
    const due = Math.max(now, base + this.currentDelayMs);
    this.dueAt = due;
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      this.dueAt = undefined;
      void this.run(false);
    }, due - now);
  }

  private cancel(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
    this.dueAt = undefined;
  }

  private run(rethrow: boolean): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const p = this.pollOnce(rethrow).finally(() => {
      this.inFlight = undefined;
      if (this.active && !this.disposed && this.handle === undefined) this.schedule();
    });
    this.inFlight = p;
    return p;
  }

  private async pollOnce(rethrow: boolean): Promise<void> {
    this.pollCount++;
    try {
      const changed = await this.options.poll();
      this.retryAfter = 0;
      this.factor = changed ? 1 : Math.min(this.factor * 2, this.maxFactor);
    } catch (e) {
      this.factor = Math.min(this.factor * 2, this.maxFactor);
      this.retryAfter = isApiError(e) && e.retryAfterMs !== undefined && e.retryAfterMs > 0 ? clampDelay(e.retryAfterMs) : 0;
      this.options.logger?.debug(`[tree] poll failed; next in ${Math.round(this.currentDelayMs / 1000)} s`);
      if (rethrow) throw e;
    } finally {
      this.lastPollAt = this.timers.now();
    }
  }
}

function sanitize(ms: number): number {
  return Number.isFinite(ms) && ms >= 1000 ? ms : 15000;
}
