// Retry timing: exponential backoff with full jitter, the server's waits
// (Retry-After, X-RateLimit-Reset) read once and made sane, and an abortable
// sleep that never leaves a timer behind.
import * as l10n from '@vscode/l10n';
import { clampDelay, MAX_WAIT_MS } from '../shared/delay';

export type RandomSource = () => number;

/** Full jitter: a uniform delay in [0, min(maxMs, baseMs * 2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: RandomSource = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return clampDelay(Math.floor(random() * cap));
}

/**
 * Below this, an X-RateLimit-Reset is a number of seconds from now (delta);
 * from it on, a unix time in seconds (10^9 s is September 2001).
 */
const UNIX_SECONDS_FROM = 1e9;

/** A non-negative decimal number, exponent allowed ("1e+30" is a number, if an odd one). */
const NUMBER = /^\d+(\.\d+)?(e\+?\d+)?$/i;

/** A wait the server asked for, made sane: never negative, at most MAX_WAIT_MS. */
export interface ServerWait {
  /** Milliseconds from now, in [0, MAX_WAIT_MS]. */
  ms: number;
  /** The server asked for longer than MAX_WAIT_MS; `ms` was cut to it. */
  capped: boolean;
}

function sane(ms: number): ServerWait | undefined {
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return { ms: clampDelay(ms), capped: ms > MAX_WAIT_MS };
}

/**
 * `Retry-After`: delta seconds or an HTTP date. A negative number, a date in
 * the past or garbage gives undefined (the caller backs off on its own);
 * a huge one is cut to an hour.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): ServerWait | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (NUMBER.test(text)) return sane(Number(text) * 1000);
  // Only a real HTTP date (a weekday or month name in it): Date.parse also reads "-5" as a year.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at) || at < now) return undefined;
  return sane(at - now);
}

/**
 * `X-RateLimit-Reset`: delta seconds (below 10^9) or unix seconds. A reset
 * already past means "now" (0); garbage and negatives give undefined.
 */
export function parseRateLimitReset(value: string | null | undefined, now: number = Date.now()): ServerWait | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (!NUMBER.test(text)) return undefined;
  const secs = Number(text);
  if (!Number.isFinite(secs)) return undefined;
  if (secs < UNIX_SECONDS_FROM) return sane(secs * 1000);
  return sane(Math.max(0, secs * 1000 - now));
}

interface HeaderSource {
  get(name: string): string | null;
}

/** The wait a 429 (or 503) asks for: Retry-After first, else X-RateLimit-Reset. */
export function serverWait(headers: HeaderSource, now: number = Date.now()): ServerWait | undefined {
  return parseRetryAfter(headers.get('retry-after'), now) ?? parseRateLimitReset(headers.get('x-ratelimit-reset'), now);
}

/** "in 12 s", "in 3 min", or "at 14:05 (in 58 min)" for long waits, for a message. */
export function describeWait(ms: number, now: number = Date.now()): string {
  const secs = Math.max(1, Math.ceil(ms / 1000));
  if (secs < 120) return l10n.t('in {0} s', secs);
  const mins = Math.ceil(secs / 60);
  if (mins < 10) return l10n.t('in {0} min', mins);
  const at = new Date(now + ms);
  const hh = String(at.getHours()).padStart(2, '0');
  const mm = String(at.getMinutes()).padStart(2, '0');
  return l10n.t('at {0}:{1} (in {2} min)', hh, mm, mins);
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
    const timer = setTimeout(done, clampDelay(ms));
    const aborted = (): void => {
      clearTimeout(timer);
      reject(onAbort());
    };
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
