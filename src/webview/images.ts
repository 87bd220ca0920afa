// Image URLs in inputs and outputs are shown as images. The CSP lets the
// webview load https: and data: images itself; an http: URL (the local
// sandbox serves http://127.0.0.1) is handed to the host, which fetches it
// only from the loopback API origin and answers with a data: URL.
import { el } from './dom';
import { S, fill } from './strings';

const IMAGE_EXT = /\.(png|jpe?g|gif|webp|avif|bmp|svg|ico)$/i;
const DATA_IMAGE = /^data:image\/[a-z0-9.+-]+[;,]/i;

/** http(s) URL of a picture (by its file extension), or a data:image URL. */
export function isImageUrl(value: string, keyHint = ''): boolean {
  if (DATA_IMAGE.test(value)) return true;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  return IMAGE_EXT.test(url.pathname) || /image|img|picture|photo/i.test(keyHint);
}

export function isWebLink(value: string): boolean {
  return /^https?:\/\/\S+$/i.test(value);
}

type Answer = { src: string | null; reason: string | null };

export class ImageResolver {
  private readonly answers = new Map<string, Answer>();
  private readonly waiting = new Map<string, HTMLImageElement[]>();

  constructor(private readonly ask: (url: string) => void) {}

  /** An <img> for `url`; for http URLs its src is filled in when the host answers. */
  image(url: string, alt: string): HTMLElement {
    const img = el('img', { cls: 'output-image', attrs: { alt, 'data-url': url } });
    if (!url.toLowerCase().startsWith('http:')) {
      img.src = url;
      return img;
    }
    const known = this.answers.get(url);
    if (known) {
      this.fill(img, known);
      return img;
    }
    img.classList.add('loading');
    const list = this.waiting.get(url);
    if (list) list.push(img);
    else {
      this.waiting.set(url, [img]);
      this.ask(url);
    }
    return img;
  }

  answer(url: string, src: string | null, reason: string | null): void {
    const a = { src, reason };
    this.answers.set(url, a);
    for (const img of this.waiting.get(url) ?? []) this.fill(img, a);
    this.waiting.delete(url);
  }

  private fill(img: HTMLImageElement, a: Answer): void {
    img.classList.remove('loading');
    if (a.src) {
      img.src = a.src;
      return;
    }
    const url = img.getAttribute('data-url') ?? '';
    img.replaceWith(el('span', { cls: 'image-blocked', text: fill(S().imageNotShown, a.reason ?? S().unavailable, url) }));
  }
}
