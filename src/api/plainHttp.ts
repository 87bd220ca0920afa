// The requests that are not API calls (no key, no envelope), kept here so that
// src/api stays the only client-side code that touches the network:
// - an image for the run panel, handed back as a data: URL so the webview's
//   CSP needs no exception for plain-http hosts. Which images are fetched at
//   all is the caller's decision (src/views/panel/loopbackImages.ts: loopback,
//   the API's own origin); here the request is bounded: no redirects (they
//   could lead elsewhere), no credentials, image types only, a size cap
//   enforced while reading, and a deadline;
// - whether a server answers at all (a local sandbox another window runs).
import fetch from 'node-fetch';

export interface ImageAnswer {
  /** A data: URL, or null when the image is not shown. */
  src: string | null;
  /** Why not, for people ("image too large"); null when shown. */
  reason: string | null;
}

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const TIMEOUT_MS = 10_000;

export async function fetchImageAsDataUrl(url: string, maxBytes = MAX_IMAGE_BYTES, timeoutMs = TIMEOUT_MS): Promise<ImageAnswer> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { redirect: 'error', signal: ctl.signal });
    if (!res.ok) return { src: null, reason: `HTTP ${res.status}` };
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!/^image\/[a-z0-9.+-]+$/.test(type)) return { src: null, reason: 'not an image' };
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) return { src: null, reason: 'image too large' };
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      // A body longer than it said, or than allowed: stop reading at once.
      if (size > maxBytes) return { src: null, reason: 'image too large' };
      chunks.push(bytes);
    }
    return { src: `data:${type};base64,${Buffer.concat(chunks).toString('base64')}`, reason: null };
  } catch (e) {
    if (ctl.signal.aborted) return { src: null, reason: 'the image took too long to load' };
    return { src: null, reason: e instanceof Error ? e.message : 'could not load' };
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
}

/** Whether anything answers HTTP at `url` within `timeoutMs` (any status counts). */
export async function answersHttp(url: string, timeoutMs = 1500): Promise<boolean> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { signal: ctl.signal, redirect: 'manual' });
    res.body?.resume();
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
