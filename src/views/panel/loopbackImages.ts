// The webview's CSP allows https: and data: images only, but the local
// sandbox serves its images over http://127.0.0.1. Rather than widen the CSP,
// the host has such an image fetched (by src/api, which bounds the request)
// and hands the webview a size-capped data: URL. This file decides which
// images qualify: plain http only from the API's own origin, and only when
// that origin is loopback. (This also works when the webview runs in a
// browser on another machine.)
import { fetchImageAsDataUrl, type ImageAnswer } from '../../api/plainHttp';
import { isLoopbackHost } from '../../api/url';

export type { ImageAnswer } from '../../api/plainHttp';

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
  if (!isLoopbackHost(u.hostname) || !base || u.origin !== base.origin) {
    return 'plain http images are shown only from the local sandbox';
  }
  return undefined;
}

/** The image as a data: URL when it qualifies (see above), else the reason it is not shown. */
export async function loopbackImage(url: string, apiBaseUrl: string): Promise<ImageAnswer> {
  const refused = refuseReason(url, apiBaseUrl);
  if (refused) return { src: null, reason: refused };
  return fetchImageAsDataUrl(url);
}
