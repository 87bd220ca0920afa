// Keeps one client inside the server's rate budget. The server tells us the
// budget (X-RateLimit-Remaining / X-RateLimit-Reset) and refuses with 429 past
// it; without a shared gate, parallel callers (six status groups, a dozen
// streams) would each find out on their own and overshoot. So:
// - while the budget is unknown, one request goes first and the rest wait for its answer;
// - once the budget is spent or a 429 arrives, nothing leaves until the window resets.
// A server that sends no rate headers is not gated at all after the first answer.
// The published limits are per kind (run creation, reads), so the transport
// keeps one gate per kind: a create's "Remaining: 0" does not stop the reads.
// Every wait it takes from a header is sane (see serverWait): at most an hour.
import { parseRateLimitReset, serverWait, sleep } from './backoff';

interface HeaderSource {
  get(name: string): string | null;
}

export class RateGate {
  /** Requests we may still send in this window; undefined while unknown. */
  private remaining: number | undefined;
  /** When the current window ends (ms since epoch). */
  private resetAt = 0;
  /** The server has never sent rate headers: no gating. */
  private ungated = false;
  /** The first request of an unknown window, while it is in flight. */
  private probe: { done: Promise<void>; resolve: () => void } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Waits while the budget is unknown (behind one probe) or spent, then takes
   * one request from it. Returns the wait instead when it would outlast
   * `maxWaitMs` (the caller's deadline): the caller reports it at once.
   */
  async acquire(signal: AbortSignal | undefined, onAbort: () => Error, maxWaitMs = Infinity): Promise<number | undefined> {
    for (;;) {
      if (this.ungated) return undefined;
      const now = this.now();
      if (this.remaining !== undefined && now >= this.resetAt) this.remaining = undefined; // a new window
      if (this.remaining === undefined) {
        if (!this.probe) {
          let resolve = (): void => undefined;
          const done = new Promise<void>((r) => (resolve = r));
          this.probe = { done, resolve };
          return undefined;
        }
        await untilDoneOrAborted(this.probe.done, signal, onAbort);
        continue;
      }
      if (this.remaining <= 0) {
        if (this.resetAt - now > maxWaitMs) return this.resetAt - now;
        await sleep(this.resetAt - now, signal, onAbort);
        continue;
      }
      this.remaining--;
      return undefined;
    }
  }

  /** Learns the budget from an answer. */
  observe(status: number, headers: HeaderSource): void {
    const now = this.now();
    if (status === 429) {
      const wait = serverWait(headers, now);
      this.ungated = false;
      this.remaining = 0;
      this.resetAt = Math.max(this.resetAt, now + (wait?.ms ?? 1000));
    } else {
      const remaining = Number(headers.get('x-ratelimit-remaining') ?? NaN);
      const resetIn = parseRateLimitReset(headers.get('x-ratelimit-reset'), now);
      if (Number.isFinite(remaining) && remaining >= 0 && resetIn !== undefined) {
        const resetAt = now + resetIn.ms;
        // Answers to requests sent earlier may arrive late: within one window keep the lower count.
        this.remaining = this.remaining !== undefined && resetAt <= this.resetAt + 1000 ? Math.min(this.remaining, remaining) : remaining;
        this.resetAt = resetAt;
      } else if (this.remaining === undefined) {
        this.ungated = true;
      }
    }
    this.settled();
  }

  /** The probe's answer is in (or it failed): let the waiting requests go. */
  settled(): void {
    const probe = this.probe;
    this.probe = undefined;
    probe?.resolve();
  }
}

/** Resolves with `done`, or rejects with `onAbort()` as soon as the signal fires; leaves no listener behind. */
function untilDoneOrAborted(done: Promise<void>, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  if (!signal) return done;
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<void>((resolve, reject) => {
    const aborted = (): void => reject(onAbort());
    signal.addEventListener('abort', aborted, { once: true });
    void done.then(() => {
      signal.removeEventListener('abort', aborted);
      resolve();
    });
  });
}
