// The Fetcher of the Node build: node-fetch, with redirects left to the
// transport. node-fetch decompresses gzip/deflate/br as the body is read, so
// the transport's byte limits count what the body inflates to.
import fetch from 'node-fetch';
import type { Fetcher } from './fetcher';

export const platformFetch: Fetcher = async (url, request) => {
  const res = await fetch(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
    signal: request.signal,
  });
  return { status: res.status, headers: res.headers, body: res.body ? bytesOf(res.body) : null };
};

/** node-fetch's body yields Buffers (no encoding is ever set on it); a string would be a surprise, so encode it. */
async function* bytesOf(body: AsyncIterable<string | Buffer>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for await (const chunk of body) yield typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}
