// The flow graph as SVG we draw ourselves: a box per node (codicon, title,
// status word), curved edges with arrows. Rebuilt only when the graph
// changes; status updates only swap classes and text. Nodes are focusable
// buttons (Tab, Enter/Space, arrow keys move between them).
import type { PanelGraph } from '../shared/protocol';
import { el, svgEl, TextSlot } from './dom';
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
  box: SVGRectElement;
  glyph: SVGTextElement;
  glyphText: TextSlot;
  statusText: TextSlot;
  title: string;
  /** What was last written, so an update writes only what differs. */
  look: string;
  selected: boolean | null;
  label: string;
}

/**
 * One node's elements, cloned for every node: a deep clone is much cheaper
 * than creating and attributing each element. Nothing from the server is in it.
 */
function nodeTemplate(): SVGGElement {
  return svgEl('g', { class: 'node', tabindex: 0, role: 'button', 'aria-pressed': 'false' },
    svgEl('title'),
    svgEl('rect', { class: 'node-box', width: NODE_W, height: NODE_H, rx: 6, ry: 6 }),
    svgEl('text', { class: 'node-glyph', x: 14, y: NODE_H / 2, 'aria-hidden': 'true' }, ''),
    svgEl('text', { class: 'node-title', x: 36, y: 21 }),
    svgEl('text', { class: 'node-status', x: 36, y: 37 }, ''));
}

export class GraphView {
  readonly el = el('section', { cls: 'graph-section', attrs: { 'aria-label': 'Flow graph' } });
  private nodes = new Map<string, NodeParts>();
  private order: string[] = [];
  private selectedNode: string | null = null;
  private stale = false;
  private template: SVGGElement | undefined;

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
    const edgeTemplate = svgEl('path', { class: 'edge', 'marker-end': 'url(#arrow)' });
    for (const e of graph.edges) {
      const d = edgePath(layout, e.source, e.target);
      if (!d) continue;
      const path = edgeTemplate.cloneNode(false) as SVGPathElement;
      path.setAttribute('d', d);
      path.setAttribute('data-source', e.source);
      path.setAttribute('data-target', e.target);
      edges.appendChild(path);
    }
    svg.appendChild(edges);
    const nodesG = svgEl('g', { class: 'nodes' });
    // One listener for all nodes instead of two per node.
    nodesG.addEventListener('click', (e) => {
      const id = this.nodeIdOf(e.target);
      if (id !== undefined) this.onSelect(id);
    });
    nodesG.addEventListener('keydown', (e) => {
      const id = this.nodeIdOf(e.target);
      if (id !== undefined) this.onKey(e, id);
    });
    // Focus order follows the layout: left to right, then top to bottom.
    this.order = [...layout.positions.entries()].sort((a, b) => a[1].x - b[1].x || a[1].y - b[1].y).map(([id]) => id);
    const template = (this.template ??= nodeTemplate());
    for (const node of graph.nodes) {
      const p = layout.positions.get(node.id);
      if (!p) continue;
      const g = template.cloneNode(true) as SVGGElement;
      const [tip, box, glyph, title, status] = g.children as unknown as [SVGTitleElement, SVGRectElement, SVGTextElement, SVGTextElement, SVGTextElement];
      g.setAttribute('transform', `translate(${p.x} ${p.y})`);
      g.setAttribute('data-node-id', node.id);
      title.textContent = truncate(node.title, TITLE_CHARS);
      tip.textContent = node.app ? `${node.title} (${node.app})` : node.title;
      nodesG.appendChild(g);
      this.nodes.set(node.id, {
        g, box, glyph, glyphText: TextSlot.in(glyph), statusText: TextSlot.in(status), title: node.title, look: '', selected: null, label: '',
      });
    }
    svg.appendChild(nodesG);
    this.el.appendChild(el('div', { cls: 'graph-scroll' }, svg));
  }

  private nodeIdOf(target: EventTarget | null): string | undefined {
    const g = target instanceof Element ? target.closest('.node') : null;
    const id = g?.getAttribute('data-node-id');
    return id !== null && id !== undefined && this.nodes.get(id)?.g === g ? id : undefined;
  }

  /**
   * Colours, icons, words and the selection, from the current state. Only the
   * nodes whose rows changed (and the old and new selection) are looked at,
   * unless `all` (after a build) or every row changed.
   */
  update(state: PanelState, all = false): void {
    const selectedNode = state.selectedRow()?.nodeId ?? null;
    const stale = state.stale;
    const changed = state.changedRows;
    if (all || changed === 'all' || stale !== this.stale) {
      for (const id of this.nodes.keys()) this.paint(id, state, selectedNode, stale);
    } else {
      for (const key of changed) {
        const nodeId = state.row(key)?.nodeId;
        if (nodeId) this.paint(nodeId, state, selectedNode, stale);
      }
      if (selectedNode !== this.selectedNode) {
        if (this.selectedNode) this.paint(this.selectedNode, state, selectedNode, stale);
        if (selectedNode) this.paint(selectedNode, state, selectedNode, stale);
      }
    }
    this.selectedNode = selectedNode;
    this.stale = stale;
  }

  /**
   * The status class goes on the box and the glyph, the only parts whose
   * look depends on it: a class on the <g> would restyle all its children.
   */
  private paint(id: string, state: PanelState, selectedNode: string | null, stale: boolean): void {
    const parts = this.nodes.get(id);
    if (!parts) return;
    const row = state.rowOfNode(id);
    const look = row?.look;
    const cls = look?.cls ?? 'pending';
    const spin = Boolean(look?.spin) && !stale;
    const lookKey = `${cls}${spin ? ' spin' : ''}`;
    if (parts.look !== lookKey) {
      parts.look = lookKey;
      parts.box.setAttribute('class', `node-box status-${cls}`);
      parts.glyph.setAttribute('class', `node-glyph status-${lookKey}`);
      // Read by tests and tools; no style depends on it.
      parts.g.setAttribute('data-status', cls);
    }
    const selected = id === selectedNode;
    if (parts.selected !== selected) {
      parts.selected = selected;
      parts.g.setAttribute('class', selected ? 'node selected' : 'node');
      parts.g.setAttribute('aria-pressed', selected ? 'true' : 'false');
    }
    const word = statusWord(row?.statusName ?? 'pending');
    const label = `${parts.title}: ${word}`;
    if (parts.label !== label) parts.g.setAttribute('aria-label', (parts.label = label));
    parts.glyphText.set(look?.glyph ?? '');
    const taskWord = row?.task ? statusWord(row.task.statusName) : word;
    parts.statusText.set(taskWord !== word ? `${word} · ${taskWord}` : word);
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
