// Runs a callback once the current macrotask is over (after I/O callbacks
// queued meanwhile), so a burst of stream events becomes one change event.
// setImmediate where there is one (Node); a zero timeout elsewhere (a web worker).

export type Cancel = () => void;

export function nextTick(fn: () => void): Cancel {
  if (typeof setImmediate === 'function') {
    const handle = setImmediate(fn);
    return () => clearImmediate(handle);
  }
  const handle = setTimeout(fn, 0);
  return () => clearTimeout(handle);
}
