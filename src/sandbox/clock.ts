// Timestamps for the sandbox. Microsecond precision and strictly increasing,
// so that `updated_at` orders every change even when many happen in one
// millisecond (the firehose app emits thousands per second).
import { parseStamp } from '../shared/time';

export class Clock {
  private lastMicros = 0;

  nowMicros(): number {
    const m = Date.now() * 1000;
    this.lastMicros = m > this.lastMicros ? m : this.lastMicros + 1;
    return this.lastMicros;
  }

  nowIso(): string {
    return isoFromMicros(this.nowMicros());
  }
}

/** `2024-01-01T00:00:00.123456Z`: fixed width, so strings also sort by time. */
export function isoFromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const base = new Date(ms).toISOString();
  return `${base.slice(0, -1)}${String(us % 1000).padStart(3, '0')}Z`;
}

/** Parses an ISO timestamp keeping sub-millisecond digits; NaN when not a date. */
export function isoToMicros(value: string): number {
  return parseStamp(value) ?? NaN;
}
