// CORS, so the extension's web build (vscode.dev, github.dev: a web worker on
// another origin) can talk to a sandbox started on a desktop. Any origin is
// allowed: the sandbox holds demo data only, listens on loopback by default,
// and every API route still wants a key. The browser sends no cookies to it
// (the key travels in Authorization), so no Allow-Credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Every request header the extension's transport sends, plus the test hook for faults. */
export const CORS_ALLOWED_HEADERS = [
  'Authorization', 'X-API-Version', 'X-Client-Source', 'Content-Type', 'Accept', 'Last-Event-ID', 'X-Sandbox-Faults',
] as const;

/** Response headers the client reads beyond the CORS-safelisted ones (Content-Type, Content-Length). */
export const CORS_EXPOSED_HEADERS = [
  'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Location',
] as const;

const ALLOWED_METHODS = 'GET, POST, HEAD, OPTIONS';
/** How long a browser may reuse a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = '600';

/**
 * Adds the CORS headers an answer to `req` needs (before any route writes
 * its head, so event streams get them too). Answers a preflight itself and
 * returns true then; false means: route the request as usual.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  res.setHeader('Vary', 'Origin');
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || origin === '') return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS.join(', '));
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  if (!preflight) return false;
  res.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network');
  res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
  res.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS.join(', '));
  res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
  // Private Network Access: a public page (https://vscode.dev) asking for a loopback address.
  if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('Access-Control-Allow-Private-Network', 'true');
  res.writeHead(204, { 'Content-Length': '0' });
  res.end();
  return true;
}
