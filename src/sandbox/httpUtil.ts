// Writing envelopes and problem+json answers, and reading JSON bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiMessage } from '../api/models';
import { ApiError, invalid } from './apiError';

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  429: 'Too many requests',
  500: 'Internal server error',
};

const MAX_BODY = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The success envelope `{data, messages}`. */
export function sendData(res: ServerResponse, data: unknown, messages: ApiMessage[] = [], status = 200): void {
  sendJson(res, status, { data, messages });
}

export function sendProblem(res: ServerResponse, err: ApiError): void {
  const body: Record<string, unknown> = {
    type: `https://api.inference.sh/errors/${err.code}`,
    title: TITLES[err.status] ?? 'Error',
    status: err.status,
    detail: err.detail,
  };
  if (err.errors?.length) body.errors = err.errors;
  const text = JSON.stringify(body);
  res.writeHead(err.status, {
    'Content-Type': 'application/problem+json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...err.headers,
  });
  res.end(text);
}

/** The parsed JSON body; undefined when empty; 400 when not JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new ApiError(413, 'payload_too_large', 'Request body is larger than 1 MB');
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('Request body is not valid JSON');
  }
}
