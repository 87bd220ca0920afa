// Where each node of the flow graph goes. The flow version's own positions
// are used when every node has one (spread apart if our boxes would overlap);
// otherwise nodes are layered by longest path from the sources and ordered
// within layers by the barycentre of their neighbours. Pure: no DOM.
import type { PanelGraph } from '../shared/protocol';

export const NODE_W = 184;
export const NODE_H = 52;
const GAP_X = 56;
const GAP_Y = 28;
const MAX_SPREAD = 8;

export interface Layout {
  /** Top-left corner of each node's box. */
  positions: Map<string, { x: number; y: number }>;
  width: number;
  height: number;
  /** 'lr' when layers run left to right, 'tb' top to bottom; 'free' for the flow's own positions. */
  direction: 'lr' | 'tb' | 'free';
}

/**
 * A topological order of the nodes. Ties go by the flow's node order; a cycle
 * is broken at its earliest node, so every node appears exactly once.
 */
export function topoOrder(graph: PanelGraph): string[] {
  // Nodes are handled by their index in the flow; a repeated id counts at its first place.
  const ids = graph.nodes.map((n) => n.id);
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    if (!index.has(id)) index.set(id, i);
  });
  const indegree = new Array<number>(ids.length).fill(0);
  const out: number[][] = ids.map(() => []);
  for (const e of graph.edges) {
    const a = index.get(e.source);
    const b = index.get(e.target);
    if (a === undefined || b === undefined) continue;
    out[a].push(b);
    indegree[b]++;
  }
  const done = new Array<boolean>(ids.length).fill(false);
  // Nodes whose predecessors are all done, smallest index first (a binary heap): O((n + e) log n).
  const ready = new MinHeap();
  for (let i = 0; i < ids.length; i++) if (indegree[i] === 0 && index.get(ids[i]) === i) ready.push(i);
  const order: string[] = [];
  let earliest = 0;
  const unique = index.size;
  while (order.length < unique) {
    // The earliest node with no unfinished predecessor; with none (a cycle), the earliest left.
    let next = ready.pop();
    while (next !== undefined && done[next]) next = ready.pop();
    if (next === undefined) {
      while (earliest < ids.length && (done[earliest] || index.get(ids[earliest]) !== earliest)) earliest++;
      if (earliest >= ids.length) break;
      next = earliest;
    }
    done[next] = true;
    order.push(ids[next]);
    for (const t of out[next]) {
      indegree[t]--;
      if (indegree[t] === 0 && !done[t]) ready.push(t);
    }
  }
  return order;
}

/** A binary min-heap of numbers (swaps without destructuring: this runs cold, on the panel's first paint). */
class MinHeap {
  private readonly items: number[] = [];

  push(value: number): void {
    const a = this.items;
    let i = a.length;
    a.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= value) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = value;
  }

  pop(): number | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as number;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = i * 2 + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && a[r] < a[l] ? r : l;
        if (a[m] >= last) break;
        a[i] = a[m];
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

/** Layer of each node: 0 for sources, else one more than its deepest predecessor (edges that go back are ignored). */
export function longestPathLayers(graph: PanelGraph, order: string[]): Map<string, number> {
  const rank = new Map(order.map((id, i) => [id, i]));
  const layer = new Map<string, number>(order.map((id) => [id, 0]));
  const preds = new Map<string, string[]>(order.map((id) => [id, []]));
  for (const e of graph.edges) {
    const a = rank.get(e.source);
    const b = rank.get(e.target);
    if (a !== undefined && b !== undefined && a < b) preds.get(e.target)?.push(e.source);
  }
  for (const id of order) {
    for (const p of preds.get(id) ?? []) layer.set(id, Math.max(layer.get(id) ?? 0, (layer.get(p) ?? 0) + 1));
  }
  return layer;
}

/** Orders nodes within each layer by the mean position of their neighbours, a few sweeps each way. */
function orderLayers(graph: PanelGraph, order: string[], layerOf: Map<string, number>): string[][] {
  const layers: string[][] = [];
  for (const id of order) {
    const l = layerOf.get(id) ?? 0;
    (layers[l] ??= []).push(id);
  }
  const neighbours = (id: string, towards: 'up' | 'down'): string[] =>
    graph.edges
      .filter((e) => (towards === 'up' ? e.target === id : e.source === id))
      .map((e) => (towards === 'up' ? e.source : e.target))
      .filter((n) => layerOf.get(n) === (layerOf.get(id) ?? 0) + (towards === 'up' ? -1 : 1));
  for (let sweep = 0; sweep < 4; sweep++) {
    const down = sweep % 2 === 0;
    const range = down ? layers.map((_, i) => i).slice(1) : layers.map((_, i) => i).slice(0, -1).reverse();
    for (const i of range) {
      const ref = layers[down ? i - 1 : i + 1] ?? [];
      const pos = new Map(ref.map((id, k) => [id, k]));
      const current = layers[i] ?? [];
      const keyed = current.map((id, k) => {
        const ns = neighbours(id, down ? 'up' : 'down').map((n) => pos.get(n)).filter((p): p is number => p !== undefined);
        return { id, key: ns.length ? ns.reduce((s, p) => s + p, 0) / ns.length : k };
      });
      // Stable sort keeps the previous order among equals.
      keyed.sort((a, b) => a.key - b.key);
      layers[i] = keyed.map((k) => k.id);
    }
  }
  return layers.map((l) => l ?? []);
}

function layered(graph: PanelGraph): Layout {
  const order = topoOrder(graph);
  const layers = orderLayers(graph, order, longestPathLayers(graph, order));
  const widest = Math.max(1, ...layers.map((l) => l.length));
  // Many layers: left to right; a wide fan-out: top to bottom, so the panel's width is used.
  const direction = widest > layers.length ? 'tb' : 'lr';
  const positions = new Map<string, { x: number; y: number }>();
  const along = direction === 'lr' ? NODE_W + GAP_X : NODE_H + GAP_Y * 2;
  const across = direction === 'lr' ? NODE_H + GAP_Y : NODE_W + GAP_Y;
  layers.forEach((layer, li) => {
    const offset = ((widest - layer.length) * across) / 2;
    layer.forEach((id, k) => {
      const a = li * along;
      const b = offset + k * across;
      positions.set(id, direction === 'lr' ? { x: a, y: b } : { x: b, y: a });
    });
  });
  const count = Math.max(1, layers.length);
  const width = direction === 'lr' ? (count - 1) * along + NODE_W : (widest - 1) * across + NODE_W;
  const height = direction === 'lr' ? (widest - 1) * across + NODE_H : (count - 1) * along + NODE_H;
  return { positions, width, height, direction };
}

/** The flow's own positions, moved to start at 0,0 and spread apart just enough that boxes do not overlap. */
function positioned(graph: PanelGraph): Layout {
  const pts = graph.nodes.map((n) => ({ id: n.id, x: n.position?.x ?? 0, y: n.position?.y ?? 0 }));
  let spread = 1;
  if (pts.length <= 300) {
    // Only pairs closer than a box (plus gap) on both axes need spreading (any
    // other pair needs a factor <= 1), so sweep the nodes by x and compare each
    // only with the ones less than a box width to its right.
    const byX = pts.slice().sort((a, b) => a.x - b.x);
    for (let i = 0; i < byX.length; i++) {
      for (let j = i + 1; j < byX.length; j++) {
        const dx = byX[j].x - byX[i].x;
        if (dx >= NODE_W + GAP_Y) break;
        const dy = Math.abs(byX[i].y - byX[j].y);
        const needX = dx > 0 ? (NODE_W + GAP_Y) / dx : Infinity;
        const needY = dy > 0 ? (NODE_H + GAP_Y) / dy : Infinity;
        spread = Math.max(spread, Math.min(needX, needY, MAX_SPREAD));
      }
    }
  }
  const minX = Math.min(...pts.map((p) => p.x));
  const minY = Math.min(...pts.map((p) => p.y));
  const positions = new Map<string, { x: number; y: number }>();
  let width = NODE_W;
  let height = NODE_H;
  for (const p of pts) {
    const x = (p.x - minX) * spread;
    const y = (p.y - minY) * spread;
    positions.set(p.id, { x, y });
    width = Math.max(width, x + NODE_W);
    height = Math.max(height, y + NODE_H);
  }
  return { positions, width, height, direction: 'free' };
}

export function layoutGraph(graph: PanelGraph): Layout {
  if (graph.nodes.length === 0) return { positions: new Map(), width: 0, height: 0, direction: 'lr' };
  const allPositioned = graph.nodes.every((n) => n.position !== null);
  return allPositioned ? positioned(graph) : layered(graph);
}
