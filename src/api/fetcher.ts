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
