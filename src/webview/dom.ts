// DOM building without innerHTML: every server string goes through
// textContent or an attribute, so it can never become markup.

type Child = Node | string | null | undefined | false;

export interface ElOptions {
  cls?: string;
  text?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  opts: ElOptions = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (opts.cls) node.className = opts.cls;
  if (opts.text !== undefined) node.textContent = opts.text;
  for (const [k, v] of Object.entries(opts.attrs ?? {})) node.setAttribute(k, v);
  append(node, ...children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svgEl<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** A codicon, decorative: the text next to it carries the meaning. */
export function icon(name: string, extra = ''): HTMLSpanElement {
  return el('span', { cls: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** A button with an icon and a label; `title` doubles as its tooltip. */
export function button(label: string, iconName: string | null, onClick: () => void, opts: { cls?: string; title?: string } = {}): HTMLButtonElement {
  const b = el('button', { cls: opts.cls ?? 'btn', attrs: { type: 'button' } }, iconName ? icon(iconName) : null, el('span', { text: label }));
  if (opts.title) b.title = opts.title;
  b.addEventListener('click', onClick);
  return b;
}

/** Sets text only when it differs: an equal write still replaces the text node and costs a layout. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

export function setHidden(node: HTMLElement, hidden: boolean): void {
  if (node.hidden !== hidden) node.hidden = hidden;
}

/**
 * A text node kept for updates: writing its data changes the text in place
 * (no node replaced), and only when it differs.
 */
export class TextSlot {
  private shown: string;

  constructor(readonly node: Text) {
    this.shown = node.data;
  }

  /** The slot for `parent`'s text, adding an empty text node if it has none. */
  static in(parent: Node): TextSlot {
    const first = parent.firstChild;
    if (first instanceof Text) return new TextSlot(first);
    return new TextSlot(parent.appendChild(document.createTextNode('')));
  }

  set(text: string): void {
    if (this.shown !== text) this.node.data = this.shown = text;
  }
}
