// Retry timing: exponential backoff with full jitter, the rate-limit headers,
// and an abortable sleep that never leaves a timer behind.

export type RandomSource = () => number;

/** Full jitter: a uniform delay in [0, min(maxMs, baseMs * 2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: RandomSource = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}

/** `Retry-After`: delta seconds or an HTTP date. Returns ms from now, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** `X-RateLimit-Reset`: unix seconds at which the window resets. Returns ms from now. */
export function parseRateLimitReset(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value.trim());
  if (!Number.isFinite(secs) || secs <= 0) return undefined;
  return Math.max(0, Math.round(secs * 1000 - now));
}

/** Resolves after `ms`, or rejects with `onAbort()` as soon as the signal fires; the timer is always cleared. */
export function sleep(ms: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(onAbort());
      return;
    }
    const done = (): void => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    const aborted = (): void => {
      clearTimeout(timer);
      reject(onAbort());
    };
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
