// Timestamps for the sandbox. Microsecond precision and strictly increasing,
// so that `updated_at` orders every change even when many happen in one
// millisecond (the firehose app emits thousands per second).
import type { Rng } from './rng';
import { formatStamp, StampMaker } from './stamps';
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

/** The varied profile's clock: every stamp in a layout drawn from `rng` (see stamps.ts). */
export class VariedClock extends Clock {
  private readonly maker: StampMaker;

  constructor(rng: Rng) {
    super();
    this.maker = new StampMaker(rng);
  }

  override nowIso(): string {
    return this.maker.stamp(Date.now() * 1000);
  }
}

/** `2024-01-01T00:00:00.123456Z`: fixed width, so strings also sort by time. */
export function isoFromMicros(us: number): string {
  return formatStamp(us, 6, 'Z');
}

/** Parses an ISO timestamp keeping sub-millisecond digits; NaN when not a date. */
export function isoToMicros(value: string): number {
  return parseStamp(value) ?? NaN;
}
