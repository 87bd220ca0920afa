// Cuts JSON values deeper than MAX_JSON_DEPTH, iteratively (the point is to
// survive a value that would overflow the stack of any recursive walk).
import { MAX_JSON_DEPTH, TOO_DEEP } from './limits';

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

/**
 * Replaces, in place, every object or array that sits deeper than `maxDepth`
 * (the root is depth 1) with TOO_DEEP. Returns how many were replaced.
 * `value` must be freshly parsed JSON (no cycles, plain objects and arrays).
 */
export function limitDepth(value: unknown, maxDepth: number = MAX_JSON_DEPTH): number {
  if (!isContainer(value)) return 0;
  let cut = 0;
  // Parallel stacks of containers and their depths: no per-node allocation.
  const stack: Container[] = [value];
  const depths: number[] = [1];
  while (stack.length) {
    const node = stack.pop() as Container;
    const depth = depths.pop() as number;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child = node[i];
        if (!isContainer(child)) continue;
        if (depth >= maxDepth) {
          node[i] = TOO_DEEP;
          cut++;
        } else {
          stack.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        const child = node[key];
        if (!isContainer(child)) continue;
        if (depth >= maxDepth) {
          // Plain assignment to "__proto__" (an own key after JSON.parse) would be ignored.
          Object.defineProperty(node, key, { value: TOO_DEEP, enumerable: true, writable: true, configurable: true });
          cut++;
        } else {
          stack.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return cut;
}

/** JSON.parse, then limitDepth. */
export function parseJsonBounded(text: string): { value: unknown; cut: number } {
  const value: unknown = JSON.parse(text);
  return { value, cut: limitDepth(value) };
}
