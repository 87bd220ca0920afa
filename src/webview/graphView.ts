// The flow graph: a fixed-size HTML box per node (title, then a status line
// of codicon and words) over one SVG layer that holds every edge in a single
// path and every arrowhead in another. Drawn at the editor's text size, and
// scrolled when the flow is larger than the panel.
//
// Why it stays fast with hundreds of nodes: a box gets its title and status
// line only once it comes near the viewport, and a box that leaves it has its
// content skipped (class `off`, content-visibility: hidden), so boxes out of
// view cost neither style nor layout; the box itself is always there, with
// its size, role, tooltip and accessible name. A status update writes one
// class, one or two texts and two attributes per changed node in view (a box
// out of view gets only its accessible name until it comes back), and each box
// and status line is its own containment root (panel.css), so a new word lays
// out that line alone.
//
// Nodes are buttons in one tab stop: Tab reaches the graph, arrow keys move
// between nodes, Enter/Space select.
import type { PanelGraph } from '../shared/protocol';
import { el, svgEl, TextSlot } from './dom';
import { layoutGraph, NODE_H, NODE_W, type Layout } from './graphLayout';
import type { PanelState } from './panelState';
import { statusWord } from './status';
import { S, fill } from './strings';

/** Room around the boxes for the edges' curves and the focus ring. */
const PAD = 12;
/** Arrowhead length and half width, in px. */
const ARROW_L = 8;
const ARROW_W = 4;
/** Boxes this close to the viewport are drawn too, so that a short scroll shows no empty box. */
const MARGIN = 200;
/** Running nodes' icons turn only in graphs up to this size: each turning icon is work on every frame. */
const SPIN_MAX_NODES = 50;

/** A box's title and status line, made when the box first comes near the viewport. */
interface Content {
  icon: HTMLSpanElement;
  glyph: TextSlot;
  words: TextSlot;
}

interface NodeParts {
  box: HTMLDivElement;
  content?: Content;
  x: number;
  y: number;
  title: string;
  /** The look to show (written to the content once it exists). */
  status: string;
  selected: boolean;
  glyph: string;
  words: string;
  spin: boolean;
  /** Out of view: its content is skipped. */
  off: boolean;
  /** What was last written, so an update writes only what differs. */
  cls: string;
  iconCls: string;
  pressed: string;
  label: string;
}

/** The box, cloned for every node: nothing from the server is in it. It starts out of view (place() says otherwise). */
function boxTemplate(): HTMLDivElement {
  return el('div', { cls: 'node off', attrs: { role: 'button', tabindex: '-1', 'aria-pressed': 'false' } });
}

/** A box's content: its title and its status line (icon and words). */
function contentTemplate(): DocumentFragment {
  const f = document.createDocumentFragment();
  f.append(
    el('span', { cls: 'node-title', attrs: { 'aria-hidden': 'true' } }),
    el('span', { cls: 'node-line', attrs: { 'aria-hidden': 'true' } }, el('span', { cls: 'node-icon' }, ''), ''));
  return f;
}

export class GraphView {
  readonly el = el('section', { cls: 'graph-section', attrs: { 'aria-label': S().flowGraph } });
  private nodes = new Map<string, NodeParts>();
  private order: string[] = [];
  private selectedNode: string | null = null;
  /** The node that holds the graph's one tab stop. */
  private tabStop: string | null = null;
  private stale = false;
  private size = { w: 0, h: 0 };
  /** The scroller's viewport and scroll position, kept from events so that nothing here asks for a layout. */
  private view = { w: 0, h: 0, left: 0, top: 0 };
  private frame = 0;
  private resize: ResizeObserver | undefined;
  private template: HTMLDivElement | undefined;
  private contentParts: DocumentFragment | undefined;

  constructor(private readonly onSelect: (nodeId: string) => void) {}

  build(graph: PanelGraph | null): void {
    this.resize?.disconnect();
    this.resize = undefined;
    this.nodes.clear();
    this.tabStop = null;
    this.selectedNode = null;
    this.el.replaceChildren();
    if (!graph || graph.nodes.length === 0) {
      this.el.appendChild(el('p', { cls: 'muted', text: S().graphUnavailable }));
      return;
    }
    const layout = layoutGraph(graph);
    this.size = { w: layout.width + PAD * 2, h: layout.height + PAD * 2 };
    const area = el('div', {
      cls: 'graph',
      attrs: { role: 'group', 'aria-label': fill(S().flowGraphLabel, graph.nodes.length) },
    });
    // CSSOM writes, which a nonce CSP allows (a style attribute would not be).
    area.style.width = `${this.size.w}px`;
    area.style.height = `${this.size.h}px`;
    area.style.setProperty('--node-w', `${NODE_W}px`);
    area.style.setProperty('--node-h', `${NODE_H}px`);
    area.appendChild(edgeLayer(layout, graph, this.size.w, this.size.h));
    // One listener of each kind for all nodes.
    area.addEventListener('click', (e) => {
      const id = this.nodeIdOf(e.target);
      if (id !== undefined) this.onSelect(id);
    });
    area.addEventListener('keydown', (e) => {
      const id = this.nodeIdOf(e.target);
      if (id !== undefined) this.onKey(e, id);
    });
    // Focus order follows the layout: left to right, then top to bottom.
    this.order = [...layout.positions.entries()].sort((a, b) => a[1].x - b[1].x || a[1].y - b[1].y).map(([id]) => id);
    // Until the scroller reports its size: the window's width and the scroller's largest height (panel.css).
    this.view = { w: window.innerWidth, h: Math.max(320, window.innerHeight * 0.68), left: 0, top: 0 };
    const originX = this.originX();
    const template = (this.template ??= boxTemplate());
    const all = document.createDocumentFragment();
    for (const node of graph.nodes) {
      const p = layout.positions.get(node.id);
      if (!p || this.nodes.has(node.id)) continue;
      const box = template.cloneNode(false) as HTMLDivElement;
      const x = Math.round(p.x) + PAD;
      const y = Math.round(p.y) + PAD;
      box.style.left = `${x}px`;
      box.style.top = `${y}px`;
      box.dataset.nodeId = node.id;
      // The whole title (and app), where the box cuts it short.
      box.title = node.app ? `${node.title} (${node.app})` : node.title;
      const parts: NodeParts = {
        box, x, y, title: node.title, status: '', selected: false, glyph: '', words: '', spin: false, off: true,
        cls: 'node off', iconCls: '', pressed: '', label: '',
      };
      this.place(parts, originX);
      all.appendChild(box);
      this.nodes.set(node.id, parts);
    }
    area.appendChild(all);
    this.moveTabStop(this.order[0] ?? null);

    const scroller = el('div', { cls: 'graph-scroll' }, area);
    scroller.addEventListener('scroll', () => {
      this.view.left = scroller.scrollLeft;
      this.view.top = scroller.scrollTop;
      this.placeSoon();
    }, { passive: true });
    // Reported after layout, before the frame is painted: boxes that came into view are drawn in the same frame.
    this.resize = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]?.contentRect;
      if (!box || (box.width === this.view.w && box.height === this.view.h)) return;
      this.view.w = box.width;
      this.view.h = box.height;
      this.placeAll();
    });
    this.resize.observe(scroller);
    this.el.appendChild(scroller);
  }

  private nodeIdOf(target: EventTarget | null): string | undefined {
    const box = target instanceof Element ? target.closest('.node') : null;
    const id = box instanceof HTMLElement ? box.dataset.nodeId : undefined;
    return id !== undefined && this.nodes.get(id)?.box === box ? id : undefined;
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
    // The tab stop follows the selection, so Tab comes back to the node in view.
    if (selectedNode !== this.selectedNode && selectedNode !== null && this.nodes.has(selectedNode)) this.moveTabStop(selectedNode);
    this.selectedNode = selectedNode;
    this.stale = stale;
  }

  /** Works out one node's look and writes it, skipping every write whose value is what was last written. */
  private paint(id: string, state: PanelState, selectedNode: string | null, stale: boolean): void {
    const parts = this.nodes.get(id);
    if (!parts) return;
    const row = state.rowOfNode(id);
    const look = row?.look;
    parts.status = look?.cls ?? 'pending';
    parts.selected = id === selectedNode;
    parts.spin = Boolean(look?.spin) && !stale && this.nodes.size <= SPIN_MAX_NODES;
    parts.glyph = look?.glyph ?? '';
    const word = statusWord(row?.statusName ?? 'pending');
    const taskWord = row?.task ? statusWord(row.task.statusName) : word;
    parts.words = taskWord !== word ? `${word} · ${taskWord}` : word;
    // Read by tests and tools; no style depends on it.
    if (parts.box.dataset.status !== parts.status) parts.box.dataset.status = parts.status;
    const pressed = parts.selected ? 'true' : 'false';
    if (parts.pressed !== pressed) parts.box.setAttribute('aria-pressed', (parts.pressed = pressed));
    const label = `${parts.title}: ${parts.words}`;
    if (parts.label !== label) parts.box.setAttribute('aria-label', (parts.label = label));
    this.write(parts);
  }

  /** The box's class, and its content's icon and words once it has content. */
  private write(parts: NodeParts): void {
    // A box out of view shows nothing: its look is written when it comes back (place()),
    // so an update of every node restyles only the boxes in view.
    // The status class on the box gives the border and the icon their colour (--status).
    const cls = parts.off ? 'node off' : `node status-${parts.status}${parts.selected ? ' selected' : ''}`;
    if (parts.cls !== cls) parts.box.className = parts.cls = cls;
    const c = parts.content;
    if (!c || parts.off) return;
    const iconCls = parts.spin ? 'node-icon spin' : 'node-icon';
    if (parts.iconCls !== iconCls) c.icon.className = parts.iconCls = iconCls;
    c.glyph.set(parts.glyph);
    c.words.set(parts.words);
  }

  /** Where the graph's left edge is in the scroller's content: it is centred while narrower (margin: auto). */
  private originX(): number {
    return Math.max(0, (this.view.w - this.size.w) / 2);
  }

  /** Marks a box off (content skipped) or on, by whether it is in or near the viewport; a box coming on gets its content. */
  private place(parts: NodeParts, originX: number): void {
    const v = this.view;
    const x = originX + parts.x - v.left;
    const y = parts.y - v.top;
    const off = x + NODE_W < -MARGIN || x > v.w + MARGIN || y + NODE_H < -MARGIN || y > v.h + MARGIN;
    if (off === parts.off) return;
    parts.off = off;
    if (!off && !parts.content) {
      const f = (this.contentParts ??= contentTemplate()).cloneNode(true) as DocumentFragment;
      const [title, line] = f.children as unknown as [HTMLSpanElement, HTMLSpanElement];
      title.textContent = parts.title;
      const icon = line.firstElementChild as HTMLSpanElement;
      parts.content = { icon, glyph: TextSlot.in(icon), words: new TextSlot(line.lastChild as Text) };
      parts.box.appendChild(f);
    }
    this.write(parts);
  }

  private placeAll(): void {
    const originX = this.originX();
    for (const parts of this.nodes.values()) this.place(parts, originX);
  }

  private placeSoon(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.placeAll();
    });
  }

  private moveTabStop(id: string | null): void {
    if (id === this.tabStop) return;
    if (this.tabStop !== null) this.nodes.get(this.tabStop)?.box.setAttribute('tabindex', '-1');
    this.tabStop = id;
    if (id !== null) this.nodes.get(id)?.box.setAttribute('tabindex', '0');
  }

  private onKey(e: KeyboardEvent, id: string): void {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.onSelect(id);
      return;
    }
    const i = this.order.indexOf(id);
    let next: string | undefined;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = this.order[Math.min(this.order.length - 1, i + 1)];
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = this.order[Math.max(0, i - 1)];
    else if (e.key === 'Home') next = this.order[0];
    else if (e.key === 'End') next = this.order[this.order.length - 1];
    if (next === undefined) return;
    e.preventDefault();
    this.moveTabStop(next);
    this.nodes.get(next)?.box.focus();
  }
}

/** Every edge in one path and every arrowhead in another: two elements, however many edges. */
function edgeLayer(layout: Layout, graph: PanelGraph, w: number, h: number): SVGSVGElement {
  const curves: string[] = [];
  const heads: string[] = [];
  for (const e of graph.edges) {
    const d = edgeGeometry(layout, e.source, e.target);
    if (!d) continue;
    curves.push(d.curve);
    heads.push(d.head);
  }
  return svgEl('svg', { class: 'graph-edges', width: w, height: h, 'aria-hidden': 'true', focusable: 'false' },
    svgEl('path', { class: 'edge', d: curves.join('') }),
    svgEl('path', { class: 'arrow-head', d: heads.join('') }));
}

/**
 * A curve from the side of one box to the facing side of the other, ending
 * in an arrowhead. The curve's last control point is level with its end, so
 * the head points straight along the box's side. Coordinates are the
 * graph area's (boxes at +PAD).
 */
function edgeGeometry(layout: Layout, source: string, target: string): { curve: string; head: string } | undefined {
  const a0 = layout.positions.get(source);
  const b0 = layout.positions.get(target);
  if (!a0 || !b0) return undefined;
  // Whole pixels: they print as short strings, quick to build and for the SVG to read.
  const a = { x: Math.round(a0.x) + PAD, y: Math.round(a0.y) + PAD };
  const b = { x: Math.round(b0.x) + PAD, y: Math.round(b0.y) + PAD };
  const horizontal = layout.direction === 'lr' || (layout.direction === 'free' && Math.abs(b.x - a.x) >= Math.abs(b.y - a.y));
  if (horizontal) {
    const forward = b.x >= a.x;
    const dir = forward ? 1 : -1;
    const x1 = forward ? a.x + NODE_W : a.x;
    const tip = forward ? b.x : b.x + NODE_W;
    const x2 = tip - dir * ARROW_L;
    const y1 = a.y + NODE_H / 2;
    const y2 = b.y + NODE_H / 2;
    const c = Math.round(Math.max(24, Math.abs(x2 - x1) / 2)) * dir;
    return {
      curve: `M${x1} ${y1}C${x1 + c} ${y1} ${x2 - c} ${y2} ${x2} ${y2}`,
      head: `M${tip} ${y2}L${x2} ${y2 - ARROW_W}L${x2} ${y2 + ARROW_W}Z`,
    };
  }
  const down = b.y >= a.y;
  const dir = down ? 1 : -1;
  const x1 = a.x + NODE_W / 2;
  const x2 = b.x + NODE_W / 2;
  const y1 = down ? a.y + NODE_H : a.y;
  const tip = down ? b.y : b.y + NODE_H;
  const y2 = tip - dir * ARROW_L;
  const c = Math.round(Math.max(16, Math.abs(y2 - y1) / 2)) * dir;
  return {
    curve: `M${x1} ${y1}C${x1} ${y1 + c} ${x2} ${y2 - c} ${x2} ${y2}`,
    head: `M${x2} ${tip}L${x2 - ARROW_W} ${y2}L${x2 + ARROW_W} ${y2}Z`,
  };
}
