// The requests that are not API calls (no key, no envelope), kept here so that
// src/api stays the only client-side code that touches the network:
// - an image for the run panel, handed back as a data: URL so the webview's
//   CSP needs no exception for plain-http hosts. Which images are fetched at
//   all is the caller's decision (src/views/panel/loopbackImages.ts: loopback,
//   the API's own origin); here the request is bounded: no redirects (they
//   could lead elsewhere), no credentials, image types only, a size cap
//   enforced while reading, and a deadline;
// - whether a server answers at all (a local sandbox another window runs).
// Both go through the same Fetcher as the API calls (node-fetch on Node, the
// platform's fetch in the web build), which never follows a redirect.
import { bytesToBase64 } from '../shared/base64';
import type { Fetcher } from './fetcher';
import { platformFetch } from './platformFetch';

export interface ImageAnswer {
  /** A data: URL, or null when the image is not shown. */
  src: string | null;
  /** Why not, for people ("image too large"); null when shown. */
  reason: string | null;
}

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const TIMEOUT_MS = 10_000;

export async function fetchImageAsDataUrl(
  url: string, maxBytes = MAX_IMAGE_BYTES, timeoutMs = TIMEOUT_MS, fetcher: Fetcher = platformFetch,
): Promise<ImageAnswer> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetcher(url, { method: 'GET', headers: { Accept: 'image/*' }, signal: ctl.signal });
    if (res.status < 200 || res.status > 299) return { src: null, reason: `HTTP ${res.status}` };
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!/^image\/[a-z0-9.+-]+$/.test(type)) return { src: null, reason: 'not an image' };
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) return { src: null, reason: 'image too large' };
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      // A body longer than it said, or than allowed: stop reading at once.
      if (size > maxBytes) return { src: null, reason: 'image too large' };
      chunks.push(chunk);
    }
    return { src: `data:${type};base64,${bytesToBase64(concat(chunks, size))}`, reason: null };
  } catch (e) {
    if (ctl.signal.aborted) return { src: null, reason: 'the image took too long to load' };
    return { src: null, reason: e instanceof Error ? e.message : 'could not load' };
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Whether anything answers HTTP at `url` within `timeoutMs` (any status counts). */
export async function answersHttp(url: string, timeoutMs = 1500, fetcher: Fetcher = platformFetch): Promise<boolean> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    await fetcher(url, { method: 'GET', headers: {}, signal: ctl.signal });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    // The answer's body does not matter: aborting frees the socket.
    ctl.abort();
  }
}
