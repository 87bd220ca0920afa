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

// short_id: the first eight characters after the prefix, the rule the extension also
// applies to an object sent without one.
export { shortIdOf } from '../shared/runText';
