// Graph helpers for a flow version: parents, sinks, a topological order, and
// the `{{input.x}}` / `{{nodes.id.field}}` templates in node_data inputs.
import type { FlowGraph } from '../api/models';

export function parentsOf(graph: FlowGraph): Map<string, string[]> {
  const m = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const e of graph.edges) m.get(e.target)?.push(e.source);
  return m;
}

export function sinksOf(graph: FlowGraph): string[] {
  const hasOut = new Set(graph.edges.map((e) => e.source));
  return graph.nodes.map((n) => n.id).filter((id) => !hasOut.has(id));
}

/** Kahn's order; undefined when the graph has a cycle or an edge to an unknown node. */
export function topoOrder(graph: FlowGraph): string[] | undefined {
  const ids = new Set(graph.nodes.map((n) => n.id));
  if (graph.edges.some((e) => !ids.has(e.source) || !ids.has(e.target))) return undefined;
  const indeg = new Map<string, number>(graph.nodes.map((n) => [n.id, 0]));
  for (const e of graph.edges) indeg.set(e.target, (indeg.get(e.target) ?? 0) + 1);
  const queue = graph.nodes.map((n) => n.id).filter((id) => indeg.get(id) === 0);
  const out: string[] = [];
  while (queue.length) {
    const id = queue.shift() as string;
    out.push(id);
    for (const e of graph.edges) {
      if (e.source !== id) continue;
      const d = (indeg.get(e.target) ?? 0) - 1;
      indeg.set(e.target, d);
      if (d === 0) queue.push(e.target);
    }
  }
  return out.length === graph.nodes.length ? out : undefined;
}

const WHOLE = /^\{\{\s*([\w.-]+)\s*\}\}$/;
const ANY = /\{\{\s*([\w.-]+)\s*\}\}/g;

function lookup(scope: unknown, path: string): unknown {
  let cur = scope;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** `{{nodes.<id>.<field>}}` as a whole string: the node and field it reads, else undefined. */
export function nodeReference(value: unknown): { nodeId: string; key: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const whole = WHOLE.exec(value);
  const parts = whole ? whole[1].split('.') : [];
  return parts.length >= 3 && parts[0] === 'nodes' ? { nodeId: parts[1], key: parts.slice(2).join('.') } : undefined;
}

/** Whether a string embeds any `{{nodes.…}}` template. */
export function readsNodes(value: string): boolean {
  return [...value.matchAll(ANY)].some((m) => m[1].startsWith('nodes.'));
}

/** Fills templates: a whole-string template keeps the value's type; embedded ones are stringified. */
export function resolveTemplates(value: unknown, scope: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return structuredClone(lookup(scope, whole[1]));
    return value.replace(ANY, (_m, p: string) => {
      const v = lookup(scope, p);
      return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolveTemplates(v, scope));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = resolveTemplates(v, scope);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return value;
}
