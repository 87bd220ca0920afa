// The one seam between the API client and the network. The Node build gives
// it node-fetch (platformFetch.ts); the web build swaps in the platform's own
// fetch at bundle time. Everything above it (redirect checks, body limits,
// retries, SSE) is the same code on both.

export interface WireHeaders {
  get(name: string): string | null;
}

export interface WireRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface WireResponse {
  status: number;
  headers: WireHeaders;
  /**
   * The body as it arrives, already decompressed, or null when there is none.
   * Stopping the iteration (or aborting the request's signal) frees the socket.
   */
  body: AsyncIterable<Uint8Array> | null;
}

/**
 * Sends one request and never follows a redirect: a 3xx comes back as it is
 * (with its Location), so the transport decides, and the key never travels to
 * another origin.
 */
export type Fetcher = (url: string, request: WireRequest) => Promise<WireResponse>;

/**
 * The codes a Fetcher gives failures the transport words itself (http.ts,
 * settle), beside the system codes Node's sockets carry (ECONNREFUSED, …).
 */
/** The platform refused the request without a reason (a browser's CORS refusal or unreachable host). */
export const FETCH_REFUSED = 'fetch_refused';
/** The platform hid a redirect, so where it leads cannot be checked (a browser's opaque redirect). */
export const REDIRECT_HIDDEN = 'redirect_hidden';

export type WireFailureCode = typeof FETCH_REFUSED | typeof REDIRECT_HIDDEN;

export function wireFailure(code: WireFailureCode, message: string): Error & { code: WireFailureCode } {
  return Object.assign(new Error(message), { code });
}
