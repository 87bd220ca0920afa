// Values rendered for people: pictures shown, text as text (scrollable), and
// everything else as a folded JSON tree with Copy.
import { el } from './dom';
import { isImageUrl, isWebLink } from './images';
import { jsonTree } from './jsonTree';
import type { RenderContext } from './renderContext';
import { S, fill } from './strings';

const MAX_IMAGES = 12;

/** Image URLs anywhere in the value (a few levels deep), each with the key it was under. */
export function findImages(value: unknown, key = '', depth = 0, out: { url: string; key: string }[] = []): { url: string; key: string }[] {
  if (out.length >= MAX_IMAGES || depth > 4) return out;
  if (typeof value === 'string') {
    if (isImageUrl(value, key) && !out.some((o) => o.url === value)) out.push({ url: value, key });
  } else if (Array.isArray(value)) {
    value.forEach((v) => findImages(v, key, depth + 1, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) findImages(v, k, depth + 1, out);
  }
  return out;
}

function textBlock(text: string, label?: string): HTMLElement {
  return el('div', { cls: 'text-output' },
    label ? el('div', { cls: 'text-label', text: label }) : null,
    el('pre', { cls: 'text-block', text, attrs: { tabindex: '0' } }));
}

function link(url: string, ctx: RenderContext): HTMLElement {
  const a = el('span', { cls: 'link', text: url, attrs: { role: 'link', tabindex: '0', title: fill(S().openLink, url) } });
  const open = (): void => ctx.post({ type: 'openLink', url });
  a.addEventListener('click', open);
  a.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') open();
  });
  return a;
}

/** `textFields`: also show long top-level strings as text blocks (outputs; inputs show the tree only). */
export function renderValue(value: unknown, ctx: RenderContext, emptyText: string, opts: { textFields?: boolean } = {}): HTMLElement {
  if (value === null || value === undefined || (typeof value === 'object' && Object.keys(value).length === 0)) {
    return el('p', { cls: 'muted', text: emptyText });
  }
  if (typeof value === 'string') {
    if (isImageUrl(value)) return el('div', { cls: 'gallery' }, ctx.images.image(value, 'output image'));
    if (isWebLink(value)) return el('div', {}, link(value, ctx));
    return textBlock(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return textBlock(String(value));
  if (typeof value !== 'object') return textBlock(JSON.stringify(value) ?? '');
  const wrap = el('div', { cls: 'value' });
  const images = findImages(value);
  if (images.length) {
    wrap.appendChild(el('div', { cls: 'gallery' }, ...images.map((i) => el('figure', {},
      ctx.images.image(i.url, i.key || 'image'),
      el('figcaption', { text: i.key || S().image })))));
  }
  if (!Array.isArray(value) && opts.textFields !== false) {
    // Long text fields read better as text than as a JSON string.
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'string' && !isWebLink(v) && !v.startsWith('data:') && (v.length > 80 || v.includes('\n'))) {
        wrap.appendChild(textBlock(v, k));
      }
    }
  }
  wrap.appendChild(jsonTree(value, ctx));
  return wrap;
}
