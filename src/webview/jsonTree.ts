// A folded JSON tree built from <details>: keyboard and screen-reader friendly
// for free. Children are built only when a branch is first opened, so a huge
// output costs nothing until someone looks. Strings are text nodes, never markup.
import { el } from './dom';
import { isImageUrl, isWebLink } from './images';
import type { RenderContext } from './renderContext';
import { S, fill } from './strings';

const MAX_CHILDREN = 500;

function summaryOf(value: object): string {
  const s = S();
  if (Array.isArray(value)) return `[${value.length === 1 ? s.oneItem : fill(s.items, value.length)}]`;
  const n = Object.keys(value).length;
  return `{${n === 1 ? s.oneKey : fill(s.keys, n)}}`;
}

function leaf(value: unknown, key: string, ctx: RenderContext): HTMLElement {
  if (typeof value === 'string') {
    const span = el('span', { cls: 'json-string', text: JSON.stringify(value) });
    if (isImageUrl(value, key)) {
      return el('span', { cls: 'json-image' }, span, ctx.images.image(value, key || S().image));
    }
    if (isWebLink(value)) {
      span.classList.add('link');
      span.setAttribute('role', 'link');
      span.tabIndex = 0;
      span.title = fill(S().openLink, value);
      const open = (): void => ctx.post({ type: 'openLink', url: value });
      span.addEventListener('click', open);
      span.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') open();
      });
    }
    return span;
  }
  if (typeof value === 'number') return el('span', { cls: 'json-number', text: String(value) });
  if (typeof value === 'boolean') return el('span', { cls: 'json-boolean', text: String(value) });
  return el('span', { cls: 'json-null', text: 'null' });
}

function entry(key: string | null, value: unknown, depth: number, ctx: RenderContext): HTMLElement {
  const label = key === null ? null : el('span', { cls: 'json-key', text: `${key}: ` });
  if (value === null || typeof value !== 'object') {
    return el('div', { cls: 'json-row' }, label, leaf(value, key ?? '', ctx));
  }
  const details = el('details', { cls: 'json-branch' });
  details.appendChild(el('summary', {}, label, el('span', { cls: 'json-summary', text: summaryOf(value) })));
  const body = el('div', { cls: 'json-children' });
  details.appendChild(body);
  let built = false;
  const build = (): void => {
    if (built) return;
    built = true;
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [String(i), v])
      : Object.entries(value as Record<string, unknown>);
    for (const [k, v] of entries.slice(0, MAX_CHILDREN)) body.appendChild(entry(k, v, depth + 1, ctx));
    if (entries.length > MAX_CHILDREN) {
      body.appendChild(el('div', { cls: 'json-more', text: fill(S().more, entries.length - MAX_CHILDREN) }));
    }
  };
  details.addEventListener('toggle', () => {
    if (details.open) build();
  });
  // The top level starts open, everything below folded.
  if (depth === 0) {
    details.open = true;
    build();
  }
  return details;
}

/** The tree, with a Copy button that copies the value as formatted JSON. */
export function jsonTree(value: unknown, ctx: RenderContext, opts: { copy?: boolean } = {}): HTMLElement {
  const wrap = el('div', { cls: 'json-tree' });
  if (opts.copy !== false) {
    const copy = el('button', { cls: 'btn small copy-json', attrs: { type: 'button', title: S().copyAsJson } },
      el('span', { cls: 'codicon codicon-copy', attrs: { 'aria-hidden': 'true' } }), el('span', { text: S().copy }));
    copy.addEventListener('click', () => ctx.post({ type: 'copyText', text: JSON.stringify(value, null, 2) ?? 'null' }));
    wrap.appendChild(copy);
  }
  wrap.appendChild(entry(null, value, 0, ctx));
  return wrap;
}
