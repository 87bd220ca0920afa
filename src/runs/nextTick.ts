// Runs a callback once the current macrotask is over (after I/O callbacks
// queued meanwhile), so a burst of stream events becomes one change event.
// Node's setImmediate; the web build swaps in nextTick.web.ts (a web worker has none).

export type Cancel = () => void;

export function nextTick(fn: () => void): Cancel {
  const handle = setImmediate(fn);
  return () => clearImmediate(handle);
}
