// The web build's Fetcher (src/api/platformFetch.web.ts: the platform's fetch,
// ReadableStream bodies) under the same transport, against the sandbox and
// small servers over real HTTP. Node's global fetch is the same WHATWG fetch a
// browser has, minus CORS (test/vscode's web suite covers the browser itself).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowRunsClient, type ClientOptions } from '../../src/api/client';
import { isApiError, type ApiError } from '../../src/api/errors';
import { isTerminalRunStatus, type FlowRun } from '../../src/api/models';
import { platformFetch } from '../../src/api/platformFetch.web';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { assertNoSecret, failOnUnhandledRejection } from './helpers/guards';
import { startTestServer, waitFor, type Handler, type TestServer } from './helpers/testServer';

failOnUnhandledRejection();

const MB = 1024 * 1024;
let sb: Sandbox;
const servers: TestServer[] = [];

before(async () => {
  sb = await startSandbox({ port: 0, speed: 0.02, seedRuns: 5, keepAliveMs: 100 });
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await sb.close();
});

function client(baseUrl = sb.url, extra: Partial<ClientOptions> = {}, apiKey = sb.defaultKey): FlowRunsClient {
  return new FlowRunsClient({ baseUrl, apiKey, clientVersion: 'test', fetcher: platformFetch, retry: { maxRetries: 0 }, ...extra });
}

async function server(handler: Handler): Promise<TestServer> {
  const s = await startTestServer(handler);
  servers.push(s);
  return s;
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isApiError(e), String(e));
    return e;
  }
  assert.fail('expected the call to fail');
}

void describe('the web Fetcher against the sandbox', () => {
  void test('GET and POST: list, create, read back, cancel', async () => {
    const c = client();
    const page = await c.listRuns({ limit: 3 });
    assert.equal(page.items.length, 3);
    const created = (await c.createRun('flow_slow', { seconds: 30 })).data;
    assert.equal((await c.getRun(created.id)).id, created.id);
    await c.cancelRun(created.id);
    await waitFor(() => sb.getRun(created.id)?.status !== undefined && isTerminalRunStatus(sb.getRun(created.id)?.status as number), 5000, 'the cancel to land');
  });

  void test('both event streams, read from ReadableStream through the same eventsource-parser path, follow a run to the end', async () => {
    const run = sb.createRunDirect('flow_image_pipeline', { prompt: 'p' });
    const c = client();
    const statuses: number[] = [];
    const taskIds = new Set<string>();
    let done = 0;
    const a = c.streamRun(run.id, {
      onObject: (r) => statuses.push(r.status),
      onPartial: (d) => { if (typeof d.status === 'number') statuses.push(d.status); },
      onDone: () => done++,
    });
    const b = c.streamTasks(run.id, {
      onObject: (t) => taskIds.add(t.id),
      onPartial: (d) => { if (typeof d.id === 'string') taskIds.add(d.id); },
      onDone: () => done++,
    });
    await Promise.all([a.closed, b.closed]);
    assert.equal(done, 2);
    assert.ok(statuses.some((s) => isTerminalRunStatus(s)), `a terminal status arrived: ${statuses.join(',')}`);
    assert.equal(taskIds.size, 3);
    await waitFor(() => sb.stats().openStreams === 0, 5000, 'the streams closed on the server');
  });
});

void describe('the web Fetcher against small servers', () => {
  void test('an event split anywhere, even inside a UTF-8 character, arrives whole', async () => {
    const run = { id: 'fr_split', status: 3, flow_id: 'f', error: 'Café ☕ 🏔', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };
    const bytes = Buffer.from(`data: ${JSON.stringify(run)}\n\nevent: done\ndata: {}\n\n`, 'utf8');
    const s = await server(async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      // One byte a write: every boundary, the middle of each multi-byte character included.
      for (const byte of bytes) {
        res.write(Buffer.from([byte]));
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
    const got: FlowRun[] = [];
    let done = false;
    const conn = client(s.url).streamRun('fr_split', { onObject: (r) => got.push(r), onPartial: () => undefined, onDone: () => (done = true) });
    await conn.closed;
    assert.equal(done, true);
    assert.equal(got.length, 1);
    assert.equal(got[0].error, 'Café ☕ 🏔');
  });

  void test('a body past its limit stops being read at the limit (too_large), and the socket is freed', async () => {
    const total = 64 * MB;
    let written = 0;
    const s = await server((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"data":{"items":[');
      const chunk = Buffer.alloc(MB, 0x20);
      const pump = (): void => {
        while (written < total && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) break;
        }
        if (written < total && !res.destroyed) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    const err = await failure(client(s.url, { timeoutMs: 30_000 }).listRuns({ limit: 5 }));
    assert.equal(err.code, 'too_large', err.userMessage);
    await waitFor(() => s.openConnections() === 0, 10_000, 'the connection to close');
    assert.ok(written < total, `reading stopped (${(written / MB).toFixed(0)} of ${total / MB} MB written)`);
  });

  void test('closing a stream, or aborting a call, closes the connection', async () => {
    const s = await server((req, res) => {
      res.writeHead(200, { 'Content-Type': req.url?.endsWith('/stream') ? 'text/event-stream' : 'application/json' });
      res.write(req.url?.endsWith('/stream') ? ': open\n\n' : '{"data":');
      // Then nothing more: the client decides when it is over.
    });
    let opened = false;
    const conn = client(s.url).streamRun('fr_1', { onObject: () => undefined, onPartial: () => undefined, onOpen: () => (opened = true) });
    await waitFor(() => opened, 5000, 'the stream to open');
    conn.close();
    await conn.closed;
    await waitFor(() => s.openConnections() === 0, 5000, 'the stream\'s connection to close');

    const ac = new AbortController();
    const call = client(s.url).getRun('fr_1', { signal: ac.signal });
    await waitFor(() => s.requests.length === 2, 5000, 'the GET to arrive');
    ac.abort();
    assert.equal((await failure(call)).kind, 'aborted');
    await waitFor(() => s.openConnections() === 0, 5000, 'the GET\'s connection to close');
  });

  void test('a refused request (a browser\'s CORS refusal is a bare TypeError) reads as a sentence naming CORS and the API\'s origin', async () => {
    const gone = await startTestServer(() => undefined);
    const url = gone.url;
    await gone.close();
    const err = await failure(client(url, {}, 'inf_web_secret_key_77').listRuns({ limit: 1 }));
    assert.equal(err.kind, 'network');
    assert.equal(err.code, 'cors');
    assert.match(err.userMessage, /CORS/);
    assert.ok(err.userMessage.includes(url), `names ${url}: ${err.userMessage}`);
    assert.match(err.userMessage, /flowRuns\.apiUrl/);
    assert.doesNotMatch(err.userMessage, /Failed to fetch|fetch failed/);
    assertNoSecret(err, 'inf_web_secret_key_77');
  });
});
