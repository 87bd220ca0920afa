// The flow graph as SVG we draw ourselves: a box per node (codicon, title,
// status word), curved edges with arrows. Rebuilt only when the graph
// changes; status updates only swap classes and text. Nodes are focusable
// buttons (Tab, Enter/Space, arrow keys move between them).
import type { PanelGraph } from '../shared/protocol';
import { el, svgEl } from './dom';
import { layoutGraph, NODE_H, NODE_W, type Layout } from './graphLayout';
import type { PanelState } from './panelState';
import { statusWord } from './status';

const PAD = 12;
const TITLE_CHARS = 22;

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

interface NodeParts {
  g: SVGGElement;
  glyph: SVGTextElement;
  status: SVGTextElement;
  title: string;
}

export class GraphView {
  readonly el = el('section', { cls: 'graph-section', attrs: { 'aria-label': 'Flow graph' } });
  private nodes = new Map<string, NodeParts>();
  private order: string[] = [];

  constructor(private readonly onSelect: (nodeId: string) => void) {}

  build(graph: PanelGraph | null): void {
    this.nodes.clear();
    this.el.replaceChildren();
    if (!graph || graph.nodes.length === 0) {
      this.el.appendChild(el('p', { cls: 'muted', text: 'The flow graph is not available for this run.' }));
      return;
    }
    const layout = layoutGraph(graph);
    const w = layout.width + PAD * 2;
    const h = layout.height + PAD * 2;
    const svg = svgEl('svg', {
      class: 'graph', width: w, height: h, viewBox: `${-PAD} ${-PAD} ${w} ${h}`, role: 'group',
      'aria-label': `Flow graph with ${graph.nodes.length} nodes; the task list below says the same in text`,
    });
    svg.appendChild(svgEl('defs', {},
      svgEl('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        svgEl('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }))));
    const edges = svgEl('g', { class: 'edges', 'aria-hidden': 'true' });
    for (const e of graph.edges) {
      const d = edgePath(layout, e.source, e.target);
      if (d) edges.appendChild(svgEl('path', { class: 'edge', d, 'marker-end': 'url(#arrow)', 'data-source': e.source, 'data-target': e.target }));
    }
    svg.appendChild(edges);
    const nodesG = svgEl('g', { class: 'nodes' });
    // Focus order follows the layout: left to right, then top to bottom.
    this.order = [...layout.positions.entries()].sort((a, b) => a[1].x - b[1].x || a[1].y - b[1].y).map(([id]) => id);
    for (const node of graph.nodes) {
      const p = layout.positions.get(node.id);
      if (!p) continue;
      const glyph = svgEl('text', { class: 'node-glyph', x: 14, y: NODE_H / 2, 'aria-hidden': 'true' });
      const status = svgEl('text', { class: 'node-status', x: 36, y: 37 });
      const title = svgEl('text', { class: 'node-title', x: 36, y: 21 });
      title.textContent = truncate(node.title, TITLE_CHARS);
      const tip = svgEl('title');
      tip.textContent = node.app ? `${node.title} (${node.app})` : node.title;
      const g = svgEl('g', {
        class: 'node', transform: `translate(${p.x} ${p.y})`, tabindex: 0, role: 'button', 'data-node-id': node.id,
      }, tip, svgEl('rect', { class: 'node-box', width: NODE_W, height: NODE_H, rx: 6, ry: 6 }), glyph, title, status);
      g.addEventListener('click', () => this.onSelect(node.id));
      g.addEventListener('keydown', (e) => this.onKey(e, node.id));
      nodesG.appendChild(g);
      this.nodes.set(node.id, { g, glyph, status, title: node.title });
    }
    svg.appendChild(nodesG);
    this.el.appendChild(el('div', { cls: 'graph-scroll' }, svg));
  }

  /** Colours, icons, words and the selection, from the current state. */
  update(state: PanelState): void {
    const rows = new Map(state.rows().filter((r) => r.nodeId).map((r) => [r.nodeId as string, r]));
    const selectedNode = state.selectedRow()?.nodeId ?? null;
    const stale = state.stale;
    for (const [id, parts] of this.nodes) {
      const row = rows.get(id);
      const look = row?.look;
      const cls = look?.cls ?? 'pending';
      const word = statusWord(row?.statusName ?? 'pending');
      parts.g.setAttribute('class', `node status-${cls}${id === selectedNode ? ' selected' : ''}${look?.spin && !stale ? ' spin' : ''}`);
      parts.g.setAttribute('aria-label', `${parts.title}: ${word}`);
      parts.g.setAttribute('aria-pressed', id === selectedNode ? 'true' : 'false');
      parts.g.dataset.status = cls;
      parts.glyph.textContent = look?.glyph ?? '';
      const taskWord = row?.task ? statusWord(row.task.statusName) : word;
      parts.status.textContent = taskWord !== word ? `${word} · ${taskWord}` : word;
    }
  }

  private onKey(e: KeyboardEvent, id: string): void {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.onSelect(id);
      return;
    }
    const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const i = this.order.indexOf(id);
    const next = this.order[Math.min(this.order.length - 1, Math.max(0, i + step))];
    if (next) this.nodes.get(next)?.g.focus();
  }
}

/** A curve from the side of one box to the facing side of the other. */
function edgePath(layout: Layout, source: string, target: string): string | undefined {
  const a = layout.positions.get(source);
  const b = layout.positions.get(target);
  if (!a || !b) return undefined;
  const horizontal = layout.direction === 'lr' || (layout.direction === 'free' && Math.abs(b.x - a.x) >= Math.abs(b.y - a.y));
  if (horizontal) {
    const forward = b.x >= a.x;
    const x1 = forward ? a.x + NODE_W : a.x;
    const x2 = forward ? b.x : b.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const y2 = b.y + NODE_H / 2;
    const c = Math.max(24, Math.abs(x2 - x1) / 2) * (forward ? 1 : -1);
    return `M ${x1} ${y1} C ${x1 + c} ${y1}, ${x2 - c} ${y2}, ${x2} ${y2}`;
  }
  const down = b.y >= a.y;
  const x1 = a.x + NODE_W / 2;
  const x2 = b.x + NODE_W / 2;
  const y1 = down ? a.y + NODE_H : a.y;
  const y2 = down ? b.y : b.y + NODE_H;
  const c = Math.max(16, Math.abs(y2 - y1) / 2) * (down ? 1 : -1);
  return `M ${x1} ${y1} C ${x1} ${y1 + c}, ${x2} ${y2 - c}, ${x2} ${y2}`;
}
