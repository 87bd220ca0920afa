// The webview's CSP allows https: and data: images only, but the local
// sandbox serves its images over http://127.0.0.1. Rather than widen the CSP,
// the host fetches such an image itself, and only from the API's own origin
// when that origin is loopback, and hands the webview a size-capped data: URL.
// (This also works when the webview runs in a browser on another machine.)

export interface ImageAnswer {
  src: string | null;
  reason: string | null;
}

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const TIMEOUT_MS = 10_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Why the host will not fetch `url` for the webview, or undefined when it will. */
export function refuseReason(url: string, apiBaseUrl: string): string | undefined {
  const u = parse(url);
  const base = parse(apiBaseUrl);
  if (!u || u.protocol !== 'http:') return 'only https images are shown';
  if (!LOOPBACK.has(u.hostname) || !base || u.origin !== base.origin) {
    return 'plain http images are shown only from the local sandbox';
  }
  return undefined;
}

export async function fetchLoopbackImage(url: string, apiBaseUrl: string, maxBytes = MAX_IMAGE_BYTES): Promise<ImageAnswer> {
  const refused = refuseReason(url, apiBaseUrl);
  if (refused) return { src: null, reason: refused };
  try {
    const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) return { src: null, reason: `HTTP ${res.status}` };
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!/^image\/[a-z0-9.+-]+$/.test(type)) return { src: null, reason: 'not an image' };
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) return { src: null, reason: 'image too large' };
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > maxBytes) return { src: null, reason: 'image too large' };
    return { src: `data:${type};base64,${bytes.toString('base64')}`, reason: null };
  } catch (e) {
    return { src: null, reason: e instanceof Error ? e.message : 'could not load' };
  }
}
