// Object ids in the API's style (`flowrun_…`, `task_…`). Not seeded: ids must
// not collide with runs persisted by an earlier start with the same seed.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function newId(prefix: string): string {
  const bytes = randomBytes(20);
  let s = '';
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${s}`;
}

/** The first eight characters after the prefix. */
export function shortIdOf(id: string): string {
  const i = id.indexOf('_');
  return id.slice(i + 1, i + 9);
}
