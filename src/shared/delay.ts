// Every timer delay in the extension goes through clampDelay: a delay that
// came from a server (Retry-After, X-RateLimit-Reset) or was computed from one
// can be negative, NaN or larger than a timer can hold (above 2^31-1 ms a
// timer fires after 1 ms, which turns "wait a year" into a busy loop).

/** The longest any wait may be: an hour. Longer server waits are cut to this and the user is told the time. */
export const MAX_WAIT_MS = 60 * 60 * 1000;

/** A finite delay in [0, MAX_WAIT_MS]; NaN and negatives become 0. */
export function clampDelay(ms: number): number {
  if (!Number.isFinite(ms)) return ms === Infinity ? MAX_WAIT_MS : 0;
  if (ms <= 0) return 0;
  return ms > MAX_WAIT_MS ? MAX_WAIT_MS : Math.round(ms);
}
