// The sandbox's answer profile. `seed` answers exactly as the seed page's
// examples (envelopes, unnamed events, one timestamp layout). `varied` picks,
// per answer, among every form the seed and the wire spec allow; each pick
// draws from a generator derived from (seed, what is decided, which route or
// stream, n-th time), like the fault schedules, so a seed replays its choices.
import { createRng, hashParts, type Rng } from './rng';

export type SandboxProfile = 'seed' | 'varied';

export const PROFILES: readonly SandboxProfile[] = ['seed', 'varied'];

export class Variation {
  private readonly counters = new Map<string, number>();

  constructor(readonly seed: number) {}

  /** A fresh generator for the next decision about `what` on `key` (a route key, `run`, `task`...). */
  next(what: string, key: string): Rng {
    const id = `${what}\u0000${key}`;
    const n = this.counters.get(id) ?? 0;
    this.counters.set(id, n + 1);
    return createRng(hashParts(this.seed, 'varied', what, key, n));
  }

  /** One long-lived generator (the clock draws from it at every timestamp). */
  stream(what: string): Rng {
    return createRng(hashParts(this.seed, 'varied', what));
  }
}

/** Picks one of `options` with a draw in [0, 1). */
export function pickOne<T>(r: number, options: readonly T[]): T {
  return options[Math.min(options.length - 1, Math.floor(r * options.length))];
}
