// The HTTP transport against small local servers: success forms, every error
// class, retries, redirects, timeouts, and that the key never leaks.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { FlowRunsClient, type ClientOptions } from '../../src/api/client';
import { isApiError, type ApiError } from '../../src/api/errors';
import type { ApiMessage } from '../../src/api/models';
import { assertNoSecret, failOnUnhandledRejection, recordingLogger } from './helpers/guards';
import { sendJson, sendProblem, startTestServer, type Handler, type TestServer } from './helpers/testServer';

failOnUnhandledRejection();

const KEY = 'inf_test_secret_key_7f3a9c';
const RUN = { id: 'fr_1', flow_id: 'flow_a', flow_version_id: 'v1', status: 2, input: {}, created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z' };
const servers: TestServer[] = [];
/** Every error any test saw, checked for the key at the end. */
const seenErrors: unknown[] = [];
const logger = recordingLogger();

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(handler: Handler): Promise<TestServer> {
  const s = await startTestServer(handler);
  servers.push(s);
  return s;
}

function client(url: string, extra: Partial<ClientOptions> = {}): FlowRunsClient {
  return new FlowRunsClient({
    baseUrl: url,
    apiKey: KEY,
    clientVersion: '1.2.3',
    logger,
    timeoutMs: 5_000,
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    seenErrors.push(e);
    assert.ok(isApiError(e), `expected an ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

void describe('requests', () => {
  void test('send the key, API version, client source and JSON body', async () => {
    const s = await server((_req, res) => sendJson(res, 201, RUN));
    await client(s.url).createRun('flow_a', { prompt: 'hi' });
    const req = s.requests[0];
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/flowruns');
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req.headers['x-api-version'], '2');
    assert.equal(req.headers['x-client-source'], 'flow-runs-vscode/1.2.3');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(req.body), { flow: 'flow_a', input: { prompt: 'hi' } });
  });

  void test('every endpoint uses the method and path of the wire protocol', async () => {
    const flow = { id: 'flow_b', name: 'b', nodes: [], edges: [], node_data: {}, created_at: '', updated_at: '' };
    const task = { id: 't_1', status: 'running', app_id: 'a', created_at: '', updated_at: '' };
    const s = await server((req, res) => {
      const p = req.url ?? '';
      if (p.endsWith('/list')) sendJson(res, 200, { items: [p.startsWith('/flows/') ? flow : RUN], next_cursor: 'abc', has_next: true });
      else if (p.endsWith('/clone') || p.startsWith('/flows/')) sendJson(res, 200, flow);
      else if (p.startsWith('/tasks/')) sendJson(res, 200, task);
      else sendJson(res, 200, RUN);
    });
    const c = client(s.url);
    const page = await c.listRuns({ limit: 5, cursor: 'x', filters: [{ field: 'status', operator: 'eq', value: 2 }], sort: [{ field: 'created_at', dir: 'desc' }] });
    assert.equal(page.items[0].id, 'fr_1');
    assert.equal(page.next_cursor, 'abc');
    assert.equal((await c.getRun('fr_1')).id, 'fr_1');
    assert.equal((await c.cancelRun('fr_1'))?.id, 'fr_1');
    assert.equal((await c.cloneRun('fr_1')).id, 'flow_b');
    assert.equal((await c.updateRun('fr_1', { fail_on_error: true })).id, 'fr_1');
    assert.equal((await c.setVisibility('fr_1', 'team')).id, 'fr_1');
    assert.equal((await c.listFlows({ search: { term: 'b' } })).items[0].id, 'flow_b');
    assert.equal((await c.getFlow('flow_b')).id, 'flow_b');
    assert.equal((await c.getTask('t_1')).id, 't_1');
    assert.deepEqual(s.requests.map((r) => `${r.method} ${r.path}`), [
      'POST /flowruns/list', 'GET /flowruns/fr_1', 'POST /flowruns/fr_1/cancel', 'POST /flowruns/fr_1/clone',
      'POST /flowruns/fr_1', 'POST /flowruns/fr_1/visibility', 'POST /flows/list', 'GET /flows/flow_b', 'GET /tasks/t_1',
    ]);
    assert.deepEqual(JSON.parse(s.requests[0].body), { limit: 5, cursor: 'x', filters: [{ field: 'status', operator: 'eq', value: 2 }], sort: [{ field: 'created_at', dir: 'desc' }] });
    assert.deepEqual(JSON.parse(s.requests[4].body), { fail_on_error: true });
    assert.deepEqual(JSON.parse(s.requests[5].body), { visibility: 'team' });
  });

  void test('ids are encoded into one path segment', async () => {
    const s = await server((_req, res) => sendJson(res, 200, { ...RUN, id: 'a/b?c' }));
    await client(s.url).getRun('a/b?c');
    assert.equal(s.requests[0].path, '/flowruns/a%2Fb%3Fc');
  });

  void test('log one line per request with method, path, status and time, never the key', async () => {
    const s = await server((_req, res) => sendJson(res, 201, RUN));
    const rec = recordingLogger();
    await client(s.url, { logger: rec }).createRun('flow_a', {});
    assert.equal(rec.lines.filter((l) => l.startsWith('info')).length, 1);
    assert.match(rec.lines[0], /^info POST \/flowruns 201 \d+ms$/);
  });

  void test('onRequest counts every HTTP request, retries included', async () => {
    const s = await server((_req, res, _b, n) => (n < 3 ? sendProblem(res, 503, 'internal_error') : sendJson(res, 200, RUN)));
    const seen: string[] = [];
    await client(s.url, { onRequest: (m, p) => seen.push(`${m} ${p}`) }).getRun('fr_1');
    assert.deepEqual(seen, ['GET /flowruns/fr_1', 'GET /flowruns/fr_1', 'GET /flowruns/fr_1']);
  });
});

void describe('success forms', () => {
  void test('envelope: data plus messages passed on to the caller', async () => {
    const messages = [{ level: 'warning', code: 'slow', message: 'Queue is long' }];
    const s = await server((_req, res) => sendJson(res, 201, { data: RUN, messages }));
    const got: [ApiMessage[], string, string][] = [];
    const res = await client(s.url, { onMessages: (m, method, path) => got.push([m, method, path]) }).createRun('flow_a', {});
    assert.equal(res.data.id, 'fr_1');
    assert.deepEqual(res.messages, messages);
    assert.deepEqual(got, [[messages, 'POST', '/flowruns']]);
  });

  void test('bare DTO', async () => {
    const s = await server((_req, res) => sendJson(res, 200, RUN));
    assert.deepEqual(await client(s.url).getRun('fr_1'), RUN);
  });

  void test('legacy {success, status, data, error}', async () => {
    const s = await server((_req, res, _b, n) =>
      n === 1
        ? sendJson(res, 200, { success: true, status: 200, data: RUN, error: null })
        : sendJson(res, 200, { success: false, status: 404, data: null, error: { code: 'not_found', message: 'No such run' } }));
    const c = client(s.url);
    assert.equal((await c.getRun('fr_1')).id, 'fr_1');
    const err = await failure(c.getRun('fr_2'));
    assert.equal(err.kind, 'not_found');
    assert.equal(err.detail, 'No such run');
  });

  void test('204 and an empty body mean no data', async () => {
    const s = await server((_req, res, _b, n) => {
      if (n === 1) {
        res.writeHead(204);
        res.end();
      } else sendJson(res, 200, { data: {} });
    });
    const c = client(s.url);
    assert.equal(await c.cancelRun('fr_1'), undefined);
    assert.equal(await c.cancelRun('fr_1'), undefined);
  });

  void test('an answer without the expected object is a bad response, not a crash later', async () => {
    const s = await server((_req, res) => sendJson(res, 200, { data: [1, 2] }));
    const err = await failure(client(s.url).getRun('fr_1'));
    assert.equal(err.kind, 'bad_response');
  });
});

void describe('errors', () => {
  void test('problem+json: message is detail, else title', async () => {
    const s = await server((_req, res, _b, n) =>
      n === 1 ? sendProblem(res, 400, 'invalid_request', 'input.prompt is required') : sendJson(res, 422, { title: 'Unprocessable' }));
    const c = client(s.url);
    const a = await failure(c.createRun('flow_a', {}));
    assert.equal(a.kind, 'invalid_request');
    assert.equal(a.status, 400);
    assert.equal(a.code, 'invalid_request');
    assert.equal(a.detail, 'input.prompt is required');
    assert.match(a.userMessage, /input\.prompt is required/);
    const b = await failure(c.createRun('flow_a', {}));
    assert.equal(b.detail, 'Unprocessable');
    assert.equal(s.requests.length, 2, 'a 4xx is never retried');
  });

  void test('401 says to set a key', async () => {
    const s = await server((_req, res) => sendProblem(res, 401, 'unauthorized', 'Invalid API key'));
    const err = await failure(client(s.url).getRun('fr_1'));
    assert.equal(err.kind, 'unauthorized');
    assert.match(err.userMessage, /Set API Key/);
  });

  void test('403 names the scope the call needs', async () => {
    const s = await server((_req, res) => sendProblem(res, 403, 'forbidden', 'missing scope'));
    const c = client(s.url);
    const cases: [Promise<unknown>, string][] = [
      [c.createRun('f', {}), 'flows:execute'],
      [c.cancelRun('fr_1'), 'flows:execute'],
      [c.cloneRun('fr_1'), 'flows:write'],
      [c.updateRun('fr_1', {}), 'flows:write'],
      [c.setVisibility('fr_1', 'public'), 'flows:write'],
      [c.getRun('fr_1'), 'flows:read'],
      [c.listRuns({}), 'flows:read'],
      [c.listFlows({}), 'flows:read'],
      [c.getFlow('f'), 'flows:read'],
      [c.getTask('t'), 'apps:read'],
    ];
    for (const [p, scope] of cases) {
      const err = await failure(p);
      assert.equal(err.kind, 'forbidden');
      assert.equal(err.scope, scope);
      assert.ok(err.userMessage.includes(scope), err.userMessage);
    }
  });

  void test('404 says the object is gone', async () => {
    const s = await server((_req, res) => sendProblem(res, 404, 'not_found', 'flow run not found'));
    const err = await failure(client(s.url).getRun('fr_x'));
    assert.equal(err.kind, 'not_found');
    assert.match(err.userMessage, /flow run was not found/);
  });

  void test('412 lists every requirement', async () => {
    const body = { satisfied: false, errors: [
      { type: 'secret', key: 'OPENAI_API_KEY', message: 'Secret is not set', action: 'Add it in Settings → Secrets' },
      { type: 'integration', key: 'google', message: 'Not connected' },
    ] };
    const s = await server((_req, res) => sendJson(res, 412, body));
    const err = await failure(client(s.url).createRun('f', {}));
    assert.equal(err.kind, 'requirements');
    assert.equal(err.requirements?.length, 2);
    assert.deepEqual(err.requirements?.[0], body.errors[0]);
    assert.match(err.userMessage, /OPENAI_API_KEY: Secret is not set \(Add it in Settings → Secrets\)/);
    assert.match(err.userMessage, /google: Not connected/);
  });

  void test('409 is a generic problem', async () => {
    const s = await server((_req, res) => sendProblem(res, 409, 'conflict', 'already cancelled'));
    const err = await failure(client(s.url).cancelRun('fr_1'));
    assert.equal(err.kind, 'conflict');
    assert.equal(err.detail, 'already cancelled');
  });

  void test('a body that is not JSON is a bad response with a clear sentence', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>proxy login</html>');
    });
    const err = await failure(client(s.url).getRun('fr_1'));
    assert.equal(err.kind, 'bad_response');
    assert.equal(err.code, 'not_json');
    assert.match(err.userMessage, /not JSON.*web page.*apiUrl/);
  });

  void test('a body cut off mid-way is a bad response (a read is retried, then gives up)', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
      res.write('{"id":"fr_1","sta');
      setTimeout(() => res.destroy(), 5);
    });
    const err = await failure(client(s.url).getRun('fr_1'));
    assert.equal(err.kind, 'bad_response');
    assert.equal(err.code, 'truncated');
    assert.match(err.userMessage, /cut off/);
    assert.equal(s.requests.length, 4);
  });

  void test('syntactically broken JSON is a bad response', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"id":"fr_1",');
    });
    const err = await failure(client(s.url).createRun('f', {}));
    assert.equal(err.kind, 'bad_response');
    assert.equal(s.requests.length, 1, 'a create is never sent twice');
  });

  void test('server text that echoes the key is redacted', async () => {
    const s = await server((_req, res) => sendProblem(res, 401, 'unauthorized', `key ${KEY} is revoked`));
    const err = await failure(client(s.url).getRun('fr_1'));
    assert.ok(!err.detail?.includes(KEY));
    assert.match(err.detail ?? '', /key inf_… is revoked/);
  });
});

void describe('retries', () => {
  void test('reads are retried on 5xx with backoff until they succeed', async () => {
    const s = await server((_req, res, _b, n) => (n <= 2 ? sendProblem(res, 500, 'internal_error') : sendJson(res, 200, { items: [], has_next: false })));
    const page = await client(s.url).listRuns({});
    assert.deepEqual(page.items, []);
    assert.equal(s.requests.length, 3);
  });

  void test('reads give up after maxRetries with a server error', async () => {
    const s = await server((_req, res) => sendProblem(res, 502, 'internal_error', 'bad gateway'));
    const err = await failure(client(s.url).getRun('fr_1'));
    assert.equal(err.kind, 'server');
    assert.equal(s.requests.length, 4);
  });

  for (const [name, call] of [
    ['create', (c: FlowRunsClient) => c.createRun('f', {})],
    ['cancel', (c: FlowRunsClient) => c.cancelRun('fr_1')],
    ['clone', (c: FlowRunsClient) => c.cloneRun('fr_1')],
    ['update', (c: FlowRunsClient) => c.updateRun('fr_1', {})],
    ['visibility', (c: FlowRunsClient) => c.setVisibility('fr_1', 'org')],
  ] as const) {
    void test(`${name} is never retried on a 500`, async () => {
      const s = await server((_req, res) => sendProblem(res, 500, 'internal_error'));
      const err = await failure(call(client(s.url)));
      assert.equal(err.kind, 'server');
      assert.equal(s.requests.length, 1);
    });
  }

  void test('a create is not retried on a dropped connection; a read is', async () => {
    const s = await server((req, res, _b, n) => {
      if (req.method === 'POST' || n <= 2) res.socket?.destroy();
      else sendJson(res, 200, RUN);
    });
    const c = client(s.url);
    const err = await failure(c.createRun('f', {}));
    assert.equal(err.kind, 'network');
    assert.equal(s.requests.length, 1);
    assert.equal((await c.getRun('fr_1')).id, 'fr_1');
    assert.equal(s.requests.filter((r) => r.method === 'GET').length, 2);
  });

  void test('a 429 is a refusal, so even a create is sent again after Retry-After', async () => {
    const s = await server((_req, res, _b, n) => (n === 1 ? sendProblem(res, 429, 'rate_limited', 'slow down', {}, { 'Retry-After': '0' }) : sendJson(res, 201, RUN)));
    const res = await client(s.url).createRun('f', {});
    assert.equal(res.data.id, 'fr_1');
    assert.equal(s.requests.length, 2);
  });

  void test('429 without headers backs off and retries', async () => {
    const s = await server((_req, res, _b, n) => (n <= 2 ? sendProblem(res, 429, 'rate_limited') : sendJson(res, 200, RUN)));
    assert.equal((await client(s.url).getRun('fr_1')).id, 'fr_1');
    assert.equal(s.requests.length, 3);
  });

  void test('the wait a 429 asks for is reported: Retry-After seconds, HTTP date, X-RateLimit-Reset', async () => {
    const headers: Record<string, string>[] = [
      { 'Retry-After': '7' },
      { 'Retry-After': new Date(Date.now() + 120_000).toUTCString() },
      { 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 600), 'X-RateLimit-Remaining': '0' },
    ];
    const s = await server((_req, res, _b, n) => sendProblem(res, 429, 'rate_limited', undefined, {}, headers[n - 1]));
    // A fresh client each time: one client holds back every call after a 429 (see rateGate.ts).
    const fresh = () => client(s.url, { retry: { maxRetries: 0 } });
    const a = await failure(fresh().getRun('fr_1'));
    assert.equal(a.kind, 'rate_limited');
    assert.equal(a.retryAfterMs, 7000);
    assert.match(a.userMessage, /in 7 s/);
    const b = await failure(fresh().getRun('fr_1'));
    assert.ok(b.retryAfterMs !== undefined && b.retryAfterMs > 100_000 && b.retryAfterMs <= 120_000);
    const d = await failure(fresh().getRun('fr_1'));
    assert.ok(d.retryAfterMs !== undefined && d.retryAfterMs > 590_000 && d.retryAfterMs <= 600_000);
  });

  void test('a wait longer than the deadline is not started: the caller gets the 429 at once', async () => {
    const s = await server((_req, res) => sendProblem(res, 429, 'rate_limited', undefined, {}, { 'Retry-After': '3600' }));
    const c = client(s.url, { timeoutMs: 60_000 });
    const err = await failure(c.getRun('fr_1'));
    assert.equal(err.kind, 'rate_limited');
    assert.equal(s.requests.length, 1);
    // The next call knows the budget is spent: refused at once, nothing sent.
    const again = await failure(c.getRun('fr_1'));
    assert.equal(again.kind, 'rate_limited');
    assert.ok(again.retryAfterMs !== undefined && again.retryAfterMs > 3_500_000, 'it says how long to wait');
    assert.equal(s.requests.length, 1);
  });
});

void describe('deadlines, cancellation, redirects, refusals', () => {
  const hang: Handler = () => undefined;

  void test('every call has a timeout', async () => {
    const s = await server(hang);
    const err = await failure(client(s.url, { timeoutMs: 100 }).getRun('fr_1'));
    assert.equal(err.kind, 'timeout');
    assert.match(err.userMessage, /did not answer/);
  });

  void test('a per-call timeout overrides the default', async () => {
    const s = await server(hang);
    const err = await failure(client(s.url, { timeoutMs: 60_000 }).listRuns({}, { timeoutMs: 80 }));
    assert.equal(err.kind, 'timeout');
  });

  void test('every call takes an AbortSignal', async () => {
    const s = await server(hang);
    const ac = new AbortController();
    const p = client(s.url).getRun('fr_1', { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    const err = await failure(p);
    assert.equal(err.kind, 'aborted');
    const pre = new AbortController();
    pre.abort();
    assert.equal((await failure(client(s.url).getRun('fr_1', { signal: pre.signal }))).kind, 'aborted');
  });

  void test('a redirect on the same origin is followed with the key', async () => {
    const s = await server((req, res) => {
      if (req.url === '/flowruns/fr_1') {
        res.writeHead(307, { Location: '/v2/flowruns/fr_1' });
        res.end();
      } else sendJson(res, 200, RUN);
    });
    assert.equal((await client(s.url).getRun('fr_1')).id, 'fr_1');
    assert.equal(s.requests[1].path, '/v2/flowruns/fr_1');
    assert.equal(s.requests[1].headers.authorization, `Bearer ${KEY}`);
  });

  void test('a redirect to another host is refused and the key never goes there', async () => {
    const other = await server((_req, res) => sendJson(res, 200, RUN));
    const s = await server((_req, res) => {
      res.writeHead(302, { Location: `${other.url.replace('127.0.0.1', 'localhost')}/flowruns/fr_1` });
      res.end();
    });
    const err = await failure(client(s.url).getRun('fr_1'));
    assert.equal(err.kind, 'insecure_url');
    assert.match(err.userMessage, /another host/);
    assert.equal(other.requests.length, 0);
  });

  void test('plain http to a non-loopback host is refused before anything is sent', async () => {
    const err = await failure(client('http://api.inference.sh').getRun('fr_1'));
    assert.equal(err.kind, 'insecure_url');
    assert.match(err.userMessage, /https/);
  });

  void test('no key: nothing is sent and the error says how to set one', async () => {
    const s = await server((_req, res) => sendJson(res, 200, RUN));
    const err = await failure(client(s.url, { apiKey: undefined }).getRun('fr_1'));
    assert.equal(err.kind, 'no_key');
    assert.match(err.userMessage, /Set API Key/);
    assert.equal(s.requests.length, 0);
  });

  void test('an unreachable host is a network error', async () => {
    const s = await server((_req, res) => sendJson(res, 200, RUN));
    const url = s.url;
    await s.close();
    const err = await failure(client(url, { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } }).getRun('fr_1'));
    assert.equal(err.kind, 'network');
    assert.match(err.userMessage, /Could not reach/);
  });
});

void describe('the key never leaks', () => {
  void test('no error of any class and no log line contains the key', () => {
    const kinds = new Set(seenErrors.filter(isApiError).map((e) => e.kind));
    for (const k of ['unauthorized', 'forbidden', 'not_found', 'invalid_request', 'requirements', 'rate_limited', 'conflict', 'server', 'network', 'timeout', 'aborted', 'bad_response', 'insecure_url', 'no_key']) {
      assert.ok(kinds.has(k as ApiError['kind']), `an error of kind ${k} was produced and checked`);
    }
    for (const e of seenErrors) assertNoSecret(e, KEY, 'error');
    assert.ok(logger.lines.length > 10);
    for (const line of logger.lines) assert.ok(!line.includes(KEY), line);
  });
});

// Keeps `http` referenced for the Handler type in editors.
export type _Req = http.IncomingMessage;
