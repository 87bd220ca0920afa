// A signal that many concurrent requests listen to at once: Node warns past
// ten listeners on one EventTarget, which here is by design, not a leak.
// The web build swaps in unboundedListeners.web.ts (browsers never warn).
import { setMaxListeners } from 'node:events';

export function allowManyListeners(signal: AbortSignal): void {
  setMaxListeners(0, signal);
}
