// The web build's twin of nextTick.ts: a web worker has no setImmediate; a
// zero timeout also runs after the network callbacks already queued.
import type { Cancel } from './nextTick';

export type { Cancel };

export function nextTick(fn: () => void): Cancel {
  const handle = setTimeout(fn, 0);
  return () => clearTimeout(handle);
}
