// The web build's twin of unboundedListeners.ts: a browser's EventTarget has
// no listener limit to lift.

export function allowManyListeners(_signal: AbortSignal): void {
  // Nothing to do.
}
