// The sandbox answers CORS, so the web build (a web worker on another origin:
// vscode.dev, github.dev) can use a sandbox started on a desktop. Raw HTTP
// (node:http), so every header is exactly what a browser would see.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { FlowRunsClient } from '../../src/api/client';
import type { Fetcher } from '../../src/api/fetcher';
import { platformFetch } from '../../src/api/platformFetch.web';
import { CORS_ALLOWED_HEADERS } from '../../src/sandbox/cors';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { failOnUnhandledRejection } from './helpers/guards';
import { waitFor } from './helpers/testServer';

failOnUnhandledRejection();

const ORIGIN = 'https://abc123.vscode-cdn.net';
let sb: Sandbox;

before(async () => {
  sb = await startSandbox({ port: 0, speed: 0.02, seedRuns: 3, keepAliveMs: 100 });
});
after(async () => {
  await sb.close();
});

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request; `firstChunk` resolves with the head and the first bytes, then closes (for streams). */
function raw(method: string, path: string, headers: Record<string, string>, opts: { firstChunk?: boolean } = {}, base = sb.url): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        if (opts.firstChunk) {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          req.destroy();
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', (e) => (opts.firstChunk ? undefined : reject(e)));
    req.end();
  });
}

const auth = (): Record<string, string> => ({ Authorization: `Bearer ${sb.defaultKey}`, 'X-API-Version': '2' });

function listOf(value: string | string[] | undefined): string[] {
  return String(value ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
}

void describe('sandbox CORS', () => {
  void test('a preflight for a POST with the API headers is answered 204 without a key, for the asking origin', async () => {
    const res = await raw('OPTIONS', '/flowruns', {
      Origin: ORIGIN,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,content-type,x-api-version,x-client-source',
    });
    assert.equal(res.status, 204);
    assert.equal(res.body, '');
    assert.equal(res.headers['access-control-allow-origin'], ORIGIN);
    assert.ok(listOf(res.headers.vary).includes('origin'), `Vary: ${String(res.headers.vary)}`);
    assert.ok(listOf(res.headers['access-control-allow-methods']).includes('post'));
    const allowed = listOf(res.headers['access-control-allow-headers']);
    for (const h of ['authorization', 'content-type', 'x-api-version', 'x-client-source', 'accept', 'last-event-id']) {
      assert.ok(allowed.includes(h), `${h} is allowed (${allowed.join(', ')})`);
    }
    assert.equal(res.headers['access-control-allow-private-network'], undefined, 'PNA only when asked');
    assert.equal(res.headers['access-control-allow-credentials'], undefined, 'no cookies: the key is in Authorization');
  });

  void test('every header the transport sends is one the preflight allows', async () => {
    const sent = new Set<string>();
    const recording: Fetcher = (url, request) => {
      for (const name of Object.keys(request.headers)) sent.add(name.toLowerCase());
      return platformFetch(url, request);
    };
    const client = new FlowRunsClient({ baseUrl: sb.url, apiKey: sb.defaultKey, clientVersion: 'test', fetcher: recording });
    const run = (await client.createRun('flow_slow', { seconds: 1 })).data;
    await client.listRuns({ limit: 2 });
    let opened = false;
    const stream = client.streamRun(run.id, { onObject: () => undefined, onPartial: () => undefined, onOpen: () => (opened = true) });
    await waitFor(() => opened, 5000, 'the stream to open');
    stream.close();
    await stream.closed;
    assert.ok(sent.has('authorization') && sent.has('content-type'), [...sent].join(', '));
    const allowed = CORS_ALLOWED_HEADERS.map((h) => h.toLowerCase());
    for (const name of sent) assert.ok(allowed.includes(name), `the transport sends ${name}, which the sandbox's preflight does not allow`);
  });

  void test('a Private Network Access preflight (a public page asking for loopback) is allowed', async () => {
    const res = await raw('OPTIONS', '/flowruns/list', {
      Origin: 'https://vscode.dev',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Private-Network': 'true',
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-private-network'], 'true');
    assert.equal(res.headers['access-control-allow-origin'], 'https://vscode.dev');
  });

  void test('answers, errors included, carry the origin and expose the rate-limit headers', async () => {
    const ok = await raw('GET', '/flowruns?limit=1', { ...auth(), Origin: ORIGIN });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], ORIGIN);
    const exposed = listOf(ok.headers['access-control-expose-headers']);
    for (const h of ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) assert.ok(exposed.includes(h), `${h} is exposed`);
    // A 401 the browser could not read would reach the user as a CORS failure instead of "check your key".
    const denied = await raw('GET', '/flowruns?limit=1', { Origin: ORIGIN, Authorization: 'Bearer inf_wrong_key_000' });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers['access-control-allow-origin'], ORIGIN);
  });

  void test('a rate-limited answer is readable cross-origin, Retry-After included', async () => {
    const limited = await startSandbox({ port: 0, speed: 0, rateLimitPerMinute: 1 });
    try {
      const get = (): Promise<Response> => fetch(`${limited.url}/flowruns?limit=1`, {
        headers: { Authorization: `Bearer ${limited.defaultKey}`, Origin: ORIGIN },
      });
      await (await get()).text();
      const res = await get();
      await res.text();
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
      assert.ok(res.headers.get('retry-after') !== null || res.headers.get('x-ratelimit-reset') !== null, 'says when to retry');
      assert.ok(listOf(res.headers.get('access-control-expose-headers') ?? '').includes('retry-after'));
    } finally {
      await limited.close();
    }
  });

  void test('an event stream opened with an Origin carries it, and the events flow', async () => {
    const run = sb.createRunDirect('flow_slow', { seconds: 1 });
    const res = await raw('GET', `/flowruns/${run.id}/stream`, { ...auth(), Origin: ORIGIN, Accept: 'text/event-stream' }, { firstChunk: true });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /text\/event-stream/);
    assert.equal(res.headers['access-control-allow-origin'], ORIGIN);
    assert.ok(listOf(res.headers.vary).includes('origin'));
    assert.ok(res.body.length > 0, 'the first bytes of the stream arrived');
  });

  void test('without an Origin (Node, same origin) nothing changes: no Allow-Origin, OPTIONS is not a preflight', async () => {
    const res = await raw('GET', '/flowruns?limit=1', auth());
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const options = await raw('OPTIONS', '/flowruns', auth());
    assert.equal(options.status, 405, 'OPTIONS without Access-Control-Request-Method goes to the routes');
  });

  void test('a sandbox started with cors: false answers no browser: no Allow-Origin, a preflight is refused', async () => {
    const closed = await startSandbox({ port: 0, speed: 0.02, cors: false });
    try {
      const get = await raw('GET', '/flowruns?limit=1', { ...auth(), Origin: ORIGIN }, {}, closed.url);
      assert.equal(get.status, 200);
      assert.equal(get.headers['access-control-allow-origin'], undefined);
      const preflight = await raw('OPTIONS', '/flowruns', { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' }, {}, closed.url);
      assert.equal(preflight.headers['access-control-allow-origin'], undefined);
      assert.notEqual(preflight.status, 204);
    } finally {
      await closed.close();
    }
  });
});

