// The Fetcher of the web build (esbuild.js swaps it in for platformFetch.ts):
// the platform's own fetch. The browser decompresses as the body is read, so
// the transport's byte limits count what the body inflates to, as on Node.
//
// Two things a browser does differently, each turned into an error the
// transport words (http.ts, settle): a refused request (CORS, an unreachable
// host, a blocked private-network request) is a bare TypeError with no cause
// to read, so it becomes FETCH_REFUSED; and `redirect: 'manual'` hides the
// redirect (an opaque answer, no status, no Location), so the transport
// cannot check where it leads: it becomes REDIRECT_HIDDEN and is not followed.
import { FETCH_REFUSED, REDIRECT_HIDDEN, wireFailure, type Fetcher } from './fetcher';

export const platformFetch: Fetcher = async (url, request) => {
  let res: Response;
  try {
    res = await fetch(url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: request.signal,
      // The key travels in Authorization only: no cookies.
      credentials: 'omit',
    });
  } catch (e) {
    if (request.signal.aborted || !(e instanceof TypeError)) throw e;
    throw wireFailure(FETCH_REFUSED, e.message);
  }
  if (res.type === 'opaqueredirect') throw wireFailure(REDIRECT_HIDDEN, 'the browser hid a redirect');
  return { status: res.status, headers: res.headers, body: res.body ? chunksOf(res.body) : null };
};

/**
 * A ReadableStream as the async iterable of bytes the transport reads.
 * Stopping early (return) cancels the stream, which frees the connection.
 */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
