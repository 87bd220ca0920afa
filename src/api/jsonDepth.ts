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

/**
 * Whether the text nests containers deeper than `maxDepth`, read from the
 * brackets outside strings. Far cheaper than walking the parsed value, and
 * exact, so the walk runs only for the rare text that needs cutting.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  // Nesting past maxDepth needs maxDepth + 1 openers and as many closers.
  if (text.length < 2 * (maxDepth + 1)) return false;
  // Counted with indexOf (native, fast), strings included: a bound that rules out almost every
  // event before the exact walk, which costs a few µs per KB in JS on every stream event.
  if (!hasMoreOpenersThan(text, maxDepth)) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Skip the string: a backslash escapes the next character.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 92 /* \\ */) i++;
        else if (s === 34) break;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
  return false;
}

/** Whether the text holds more than `limit` '{' and '[' characters, inside strings or not. */
function hasMoreOpenersThan(text: string, limit: number): boolean {
  let n = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++n > limit) return true;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++n > limit) return true;
  return false;
}

/** JSON.parse, then limitDepth where the text nests deeper than the limit. */
export function parseJsonBounded(text: string, maxDepth: number = MAX_JSON_DEPTH): { value: unknown; cut: number } {
  const value: unknown = JSON.parse(text);
  return { value, cut: nestsDeeperThan(text, maxDepth) ? limitDepth(value, maxDepth) : 0 };
}
