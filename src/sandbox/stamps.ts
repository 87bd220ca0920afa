// Timestamps in the layouts a real server may send (wire spec section 6):
// 0, 3, 6 or 9 fractional digits, `Z` or `+00:00`. A stamp is never rounded
// to fit a layout: the instant itself is taken on the layout's grid (a whole
// second for 0 digits, a millisecond for 3), still strictly after the one
// before, so every stamp says exactly the instant the state holds and the
// order in time stays right whatever the layouts.
import type { Rng } from './rng';
import { pickOne } from './variation';

export type StampDigits = 0 | 3 | 6 | 9;
export type StampZone = 'Z' | '+00:00';

export const STAMP_DIGITS: readonly StampDigits[] = [0, 3, 6, 9];
export const STAMP_ZONES: readonly StampZone[] = ['Z', '+00:00'];

/** How far ahead of the wall clock a stamp may run to land on its grid (else it falls back to microseconds). */
const MAX_LEAD_US = 250_000;

function quantum(digits: StampDigits): number {
  return digits === 0 ? 1_000_000 : digits === 3 ? 1000 : 1;
}

/** `us` (microseconds since the epoch, on the layout's grid) in the layout. */
export function formatStamp(us: number, digits: StampDigits, zone: StampZone): string {
  const head = new Date(Math.floor(us / 1000)).toISOString().slice(0, 19);
  const micros = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  const frac = digits === 0 ? '' : digits === 3 ? `.${micros.slice(0, 3)}` : digits === 6 ? `.${micros}` : `.${micros}000`;
  return `${head}${frac}${zone}`;
}

/** Strictly increasing stamps whose layout each comes from `rng` (two draws a stamp). */
export class StampMaker {
  private last = 0;

  constructor(private readonly rng: Rng) {}

  /** The stamp for the instant `candidateUs` (or the nearest later one that fits the drawn layout). */
  stamp(candidateUs: number): string {
    let digits = pickOne(this.rng(), STAMP_DIGITS);
    const zone = pickOne(this.rng(), STAMP_ZONES);
    const q = quantum(digits);
    let us = Math.max(Math.floor(candidateUs / q) * q, Math.ceil((this.last + 1) / q) * q);
    if (us - candidateUs > MAX_LEAD_US) {
      // Landing on the grid would run too far ahead of the clock: microseconds instead.
      digits = digits === 9 ? 9 : 6;
      us = Math.max(candidateUs, this.last + 1);
    }
    this.last = us;
    return formatStamp(us, digits, zone);
  }
}
