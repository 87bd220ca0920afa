// The stream reader against a small SSE server: every kind of event, keep-alives,
// done/error events, malformed data, connect errors, and close().
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import type { StreamHandlers } from '../../src/api/api';
import { FlowRunsClient } from '../../src/api/client';
import { isApiError } from '../../src/api/errors';
import type { FlowRun } from '../../src/api/models';
import { classifyPayload } from '../../src/api/sse';
import { assertNoSecret, failOnUnhandledRejection } from './helpers/guards';
import { sendProblem, startTestServer, waitFor, type TestServer } from './helpers/testServer';

failOnUnhandledRejection();

const KEY = 'inf_sse_secret_key_0042';
const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A server whose stream writes `frames` (raw SSE text) then, unless `keepOpen`, ends. */
async function sseServer(frames: string[], opts: { keepOpen?: boolean; status?: number } = {}): Promise<TestServer> {
  const s = await startTestServer((_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(opts.status ?? 200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    for (const f of frames) res.write(f);
    if (!opts.keepOpen) res.end();
  });
  servers.push(s);
  return s;
}

interface Recorded {
  log: string[];
  handlers: StreamHandlers<FlowRun>;
  errors: { error: Error; fatal: boolean }[];
}

function recorder(): Recorded {
  const log: string[] = [];
  const errors: { error: Error; fatal: boolean }[] = [];
  return {
    log,
    errors,
    handlers: {
      onOpen: () => log.push('open'),
      onObject: (v, name) => log.push(`object ${name} ${v.id} ${v.status}`),
      onPartial: (d, fields, name) => log.push(`partial ${name} ${JSON.stringify(d)} ${fields ? fields.join(',') : '*'}`),
      onDone: () => log.push('done'),
      onError: (error, fatal) => {
        errors.push({ error, fatal });
        log.push(`error ${fatal ? 'fatal' : 'soft'}`);
      },
      onActivity: () => log.push('activity'),
    },
  };
}

const client = (url: string): FlowRunsClient => new FlowRunsClient({ baseUrl: url, apiKey: KEY, clientVersion: 't', timeoutMs: 3000 });

void describe('event stream', () => {
  void test('full objects, partials with and without fields, named and unnamed events, then the server closes', async () => {
    const s = await sseServer([
      ': keep-alive\n\n',
      'data: {"id":"fr_1","status":2}\n\n',
      'event: flow_runs\ndata: {"data":{"status":3,"output":{"x":1}},"fields":["status"]}\n\n',
      'event: flow_runs\ndata: {"data":{"error":"boom"}}\n\n',
    ]);
    const r = recorder();
    const conn = client(s.url).streamRun('fr_1', r.handlers);
    await conn.closed;
    const meaningful = r.log.filter((l) => l !== 'activity');
    assert.deepEqual(meaningful, [
      'open',
      'object message fr_1 2',
      'partial flow_runs {"status":3,"output":{"x":1}} status',
      'partial flow_runs {"error":"boom"} *',
      'done',
    ]);
    assert.ok(r.log.includes('activity'));
    const req = s.requests[0];
    assert.equal(req.path, '/flowruns/fr_1/stream');
    assert.equal(req.headers.accept, 'text/event-stream');
    assert.equal(req.headers['x-api-version'], '2');
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
  });

  void test('a keep-alive comment alone counts as activity', async () => {
    const s = await sseServer([': ping\n\n'], { keepOpen: true });
    const r = recorder();
    const conn = client(s.url).streamRun('fr_1', r.handlers);
    await waitFor(() => r.log.includes('activity'));
    conn.close();
    await conn.closed;
    assert.ok(!r.log.includes('done'), 'closing ourselves reports nothing');
  });

  void test('malformed JSON is reported as a soft error and skipped; later events still arrive', async () => {
    const s = await sseServer(['data: {"id":"fr_1","sta\n\n', 'data: {"id":"fr_1","status":3}\n\n']);
    const r = recorder();
    await client(s.url).streamRun('fr_1', r.handlers).closed;
    assert.deepEqual(r.log.filter((l) => l !== 'activity'), ['open', 'error soft', 'object message fr_1 3', 'done']);
    assert.ok(isApiError(r.errors[0].error) && r.errors[0].error.code === 'malformed_event');
  });

  void test('event: done ends the stream even if the socket stays open', async () => {
    const s = await sseServer(['data: {"id":"fr_1","status":3}\n\n', 'event: done\ndata: {}\n\n'], { keepOpen: true });
    const r = recorder();
    await client(s.url).streamRun('fr_1', r.handlers).closed;
    assert.deepEqual(r.log.filter((l) => l !== 'activity'), ['open', 'object message fr_1 3', 'done']);
    await waitFor(() => s.openConnections() === 0, 5000, 'the socket to close');
  });

  void test('event: error is reported (not fatal) with its message', async () => {
    const s = await sseServer(['event: error\ndata: {"message":"pubsub hiccup"}\n\n']);
    const r = recorder();
    await client(s.url).streamRun('fr_1', r.handlers).closed;
    assert.deepEqual(r.log.filter((l) => l !== 'activity'), ['open', 'error soft', 'done']);
    assert.match(r.errors[0].error.message, /pubsub hiccup/);
  });

  void test('the tasks stream uses its own path', async () => {
    const s = await sseServer(['event: tasks\ndata: {"id":"t_1","status":"running"}\n\n']);
    const seen: string[] = [];
    await client(s.url).streamTasks('fr_9', { onObject: (t, name) => seen.push(`${name} ${t.id}`), onPartial: () => undefined }).closed;
    assert.deepEqual(seen, ['tasks t_1']);
    assert.equal(s.requests[0].path, '/flowruns/fr_9/tasks/stream');
  });

  for (const [status, kind, fatal] of [[401, 'unauthorized', true], [403, 'forbidden', true], [404, 'not_found', true], [500, 'server', false]] as const) {
    void test(`HTTP ${status} on connect is a ${fatal ? 'fatal' : 'retryable'} ${kind} error`, async () => {
      const s = await startTestServer((_req, res) => sendProblem(res, status, kind, `${kind} on connect`));
      servers.push(s);
      const r = recorder();
      await client(s.url).streamRun('fr_1', r.handlers).closed;
      assert.deepEqual(r.log, [`error ${fatal ? 'fatal' : 'soft'}`]);
      const err = r.errors[0].error;
      assert.ok(isApiError(err));
      assert.equal(err.kind, kind);
      assert.equal(err.detail, `${kind} on connect`);
      if (status === 403) assert.equal(err.scope, 'flows:read');
      assertNoSecret(err, KEY);
    });
  }

  void test('an answer that is not an event stream is a bad response', async () => {
    const s = await startTestServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"id":"fr_1"}');
    });
    servers.push(s);
    const r = recorder();
    await client(s.url).streamRun('fr_1', r.handlers).closed;
    assert.equal(r.errors.length, 1);
    assert.ok(isApiError(r.errors[0].error) && r.errors[0].error.kind === 'bad_response');
  });

  void test('a dropped connection is a soft error', async () => {
    const s = await startTestServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: {"id":"fr_1","status":2}\n\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    servers.push(s);
    const r = recorder();
    await client(s.url).streamRun('fr_1', r.handlers).closed;
    const last = r.log.filter((l) => l !== 'activity').pop();
    assert.ok(last === 'error soft' || last === 'done', `ends with a report, got ${last}`);
    assert.ok(r.log.includes('object message fr_1 2'));
  });

  void test('close() and an aborted signal free the socket at once', async () => {
    const s = await sseServer([': hi\n\n'], { keepOpen: true });
    const r = recorder();
    const conn = client(s.url).streamRun('fr_1', r.handlers);
    await waitFor(() => r.log.includes('open'));
    assert.equal(s.openConnections(), 1);
    conn.close();
    await conn.closed;
    await waitFor(() => s.openConnections() === 0, 5000, 'the socket to close');
    const ac = new AbortController();
    const conn2 = client(s.url).streamRun('fr_1', recorder().handlers, { signal: ac.signal });
    await waitFor(() => s.openConnections() === 1);
    ac.abort();
    await conn2.closed;
    await waitFor(() => s.openConnections() === 0, 5000, 'the socket to close');
  });
});

void describe('payload shapes', () => {
  void test('full, partial, heartbeat and unknown payloads are told apart', () => {
    assert.equal(classifyPayload({ id: 'x', status: 1 }).kind, 'object');
    assert.deepEqual(classifyPayload({ data: { status: 2 }, fields: ['status', 3] }), { kind: 'partial', data: { status: 2 }, fields: ['status'], id: undefined });
    assert.deepEqual(classifyPayload({ data: { status: 2 } }), { kind: 'partial', data: { status: 2 }, fields: undefined, id: undefined });
    // A partial may carry its own id beside data and fields (the official SDK reads it as a partial too).
    assert.deepEqual(classifyPayload({ id: 'fr_1', data: { status: 3 }, fields: ['status'] }), { kind: 'partial', data: { status: 3 }, fields: ['status'], id: 'fr_1' });
    // A full object that happens to have a `data` field is still an object.
    assert.equal(classifyPayload({ id: 'fr_1', data: { x: 1 }, status: 2 }).kind, 'object');
    assert.equal(classifyPayload({ type: 'heartbeat' }).kind, 'heartbeat');
    assert.equal(classifyPayload([1]).kind, 'unknown');
    assert.equal(classifyPayload({ foo: 1 }).kind, 'unknown');
  });
});
