// Issue 15: a server that misbehaves on purpose, one case per way of hurting
// the extension host (memory, timers, stack, the key in front of the user).
// Each case measures what it bounds (requests, heap, text) and asserts the
// bound; no case asserts a duration. Every case here failed before the fix.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { FlowRunsClient, type ClientOptions } from '../../src/api/client';
import { isApiError, type ApiError } from '../../src/api/errors';
import { BODY_LIMITS, MAX_EXTRA_TASKS, TOO_DEEP } from '../../src/api/limits';
import { FlowRunStatus } from '../../src/api/models';
import { MESSAGE_MAX_CHARS } from '../../src/api/serverText';
import { RunFollower, type RunChange } from '../../src/runs/follower';
import { assertNoSecret, failOnUnhandledRejection, recordingLogger } from './helpers/guards';
import { sendJson, startTestServer, waitFor, type Handler, type TestServer } from './helpers/testServer';

failOnUnhandledRejection();

const KEY = 'inf_hostile_suite_secret_9c2e71';
const NOW = '2025-06-01T00:00:00Z';
const RUN = {
  id: 'fr_1', flow_id: 'flow_a', flow_version_id: 'v1', status: 2, input: {}, node_statuses: { a: 'running' },
  node_tasks: {}, created_at: NOW, updated_at: NOW,
};
const MB = 1024 * 1024;
const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function server(handler: Handler): Promise<TestServer> {
  const s = await startTestServer(handler);
  closers.push(() => s.close());
  return s;
}

function client(url: string, extra: Partial<ClientOptions> = {}): FlowRunsClient {
  return new FlowRunsClient({ baseUrl: url, apiKey: KEY, clientVersion: 'test', timeoutMs: 3000, retry: { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 100 }, ...extra });
}

function follow(url: string, opts: { silenceMs?: number; streamTasks?: boolean } = {}, extra: Partial<ClientOptions> = {}): { f: RunFollower; log: ReturnType<typeof recordingLogger>; changes: RunChange[] } {
  const log = recordingLogger();
  const f = new RunFollower(client(url, { logger: log, ...extra }), 'fr_1', { backoff: { baseMs: 20, maxMs: 200 }, logger: log, ...opts });
  const changes: RunChange[] = [];
  f.onDidChange((c) => changes.push({ ...c }));
  closers.push(() => f.stop());
  f.start();
  return { f, log, changes };
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  assert.ok(isApiError(e), `expected an ApiError, got ${String(e)}`);
  return e;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sse(res: http.ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  res.flushHeaders();
}

function heapMb(): number {
  return process.memoryUsage().heapUsed / MB;
}

void describe('waits the server asks for are sane numbers', () => {
  void test('Retry-After of a billion seconds: one wait of an hour, said with the time; no busy loop of reconnects', async () => {
    const s = await server((_req, res) => sendJson(res, 429, { title: 'slow down' }, { 'Retry-After': '1000000000' }));
    const err = await failure(client(s.url).getRun('fr_1'));
    assert.equal(err.retryAfterMs, 60 * 60 * 1000, 'cut to an hour');
    assert.match(err.userMessage, /Try again at \d\d:\d\d \(in 60 min\)/);
    const { f } = follow(s.url);
    await sleep(1500);
    // Before: timers above 2^31-1 ms fire after 1 ms: 3,084 reconnects in 4 s.
    assert.ok(s.requests.length <= 6, `requests in 1.5 s: ${s.requests.length}`);
    assert.equal(f.view.state, 'reconnecting');
  });

  void test('X-RateLimit-Reset of 1e30 with Remaining 0: later calls wait (an hour at most) instead of spinning', async () => {
    let n = 0;
    const s = await server((_req, res) => {
      n++;
      sendJson(res, 200, RUN, { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(1e30) });
    });
    const c = client(s.url);
    await c.getRun('fr_1');
    const err = await failure(c.getRun('fr_1'));
    assert.equal(err.kind, 'rate_limited');
    assert.match(err.userMessage, /at \d\d:\d\d/);
    assert.ok((err.retryAfterMs ?? 0) <= 60 * 60 * 1000);
    assert.equal(n, 1, 'refused here, not sent');
  });

  void test('Retry-After: -5 is garbage: our own backoff decides, not a date in 2001', async () => {
    const arrivals: number[] = [];
    const s = await server((_req, res) => {
      arrivals.push(Date.now());
      sendJson(res, 429, { title: 'slow down' }, { 'Retry-After': '-5' });
    });
    const err = await failure(client(s.url).getRun('fr_1'));
    assert.equal(err.kind, 'rate_limited');
    assert.doesNotMatch(err.userMessage, /2001/);
    // Before: the date in 2001 meant "now", and three retries left within 10 ms. A 429 without a
    // usable wait holds the client's budget for a second (see RateGate), so no two requests come close.
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
    assert.ok(gaps.every((g) => g >= 200), `gaps between requests: ${gaps.join(', ')} ms`);
  });
});

void describe('every byte count is bounded', () => {
  void test('one SSE data line of 50 MB: skipped with a reason, the stream reconnects, memory stays bounded', async () => {
    let streams = 0;
    const s = await server((req, res) => {
      if (req.url?.endsWith('/stream')) {
        streams++;
        sse(res);
        if (streams > 1) return; // quiet afterwards
        const chunk = 'x'.repeat(MB);
        res.write('data: "');
        let sent = 0;
        const pump = (): void => {
          while (sent < 50 && res.write(chunk)) sent++;
          if (sent < 50) res.once('drain', pump);
          else res.end('"\n\n');
        };
        pump();
        return;
      }
      sendJson(res, 200, RUN);
    });
    const before = heapMb();
    const { f, log } = follow(s.url, { streamTasks: false });
    await waitFor(() => streams >= 2 && f.view.state === 'live', 20_000, 'reconnected after the oversized event');
    const grew = heapMb() - before;
    assert.ok(grew < 40, `heap grew ${grew.toFixed(1)} MB (the event alone is 50 MB)`);
    assert.ok(log.lines.some((l) => l.includes('larger than 8 MB')), 'the reason is logged');
  });

  void test('"data:" then bytes with no newline, forever: the silence timer fires (bytes are not events) and memory stays bounded', async () => {
    let streams = 0;
    const timers: ReturnType<typeof setInterval>[] = [];
    closers.push(() => Promise.resolve(timers.forEach((t) => clearInterval(t))));
    const s = await server((req, res) => {
      if (req.url?.endsWith('/stream')) {
        streams++;
        sse(res);
        res.write('data: ');
        const t = setInterval(() => res.write('y'.repeat(1024)), 10);
        timers.push(t);
        res.on('close', () => clearInterval(t));
        return;
      }
      sendJson(res, 200, RUN);
    });
    const { f } = follow(s.url, { streamTasks: false, silenceMs: 300 });
    await waitFor(() => streams >= 3, 10_000, 'silent streams replaced');
    // Before: every raw chunk counted as activity, so the follower said "live" until 1.5 GB.
    assert.notEqual(f.view.state, 'failed');
  });

  void test('a 100 MB list answer is refused at 16 MB, whether or not it declares its length', async () => {
    for (const declared of [true, false]) {
      let written = 0;
      const s = await server((_req, res) => {
        const total = 100 * MB;
        res.writeHead(200, { 'Content-Type': 'application/json', ...(declared ? { 'Content-Length': String(total) } : {}) });
        const chunk = Buffer.alloc(MB, 0x20);
        res.write('{"items":[');
        // `written` counts what was handed to the socket, so a client that reads it all shows 100 MB.
        const pump = (): void => {
          while (written < total) {
            written += chunk.length;
            if (!res.write(chunk)) break;
          }
          if (written < total) res.once('drain', pump);
          else res.end();
        };
        pump();
        res.on('close', () => undefined);
      });
      const before = process.memoryUsage().rss / MB;
      // The limit is in bytes, not time: a busy machine may take more than the usual 3 s to read 16 MB.
      const err = await failure(client(s.url, { timeoutMs: 30_000 }).listRuns({ limit: 5 }));
      assert.equal(err.code, 'too_large');
      assert.match(err.userMessage, /larger than 16 MB/);
      const grew = process.memoryUsage().rss / MB - before;
      assert.ok(grew < 80, `RSS grew ${grew.toFixed(0)} MB for a 100 MB answer`);
      assert.ok(written < 100 * MB, `the server stopped being read (${(written / MB).toFixed(0)} MB written)`);
    }
  });

  void test('a gzip body that inflates without end stops at the limit, counted after decompression', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      // An endless stream of spaces, gzipped on the fly: about 1 MB in, 1 GB out.
      let produced = 0;
      const zeros = new Readable({
        read() {
          if (produced > 1024 * MB) this.push(null);
          else {
            produced += MB;
            this.push(Buffer.alloc(MB, 0x20));
          }
        },
      });
      const gzip = createGzip();
      zeros.pipe(gzip).pipe(res);
      res.on('close', () => zeros.destroy());
    });
    const before = process.memoryUsage().rss / MB;
    // A generous timeout: gzipping in this same process is slow on a busy machine, and the point is `too_large`.
    const err = await failure(client(s.url, { timeoutMs: 30_000 }).getRun('fr_1'));
    assert.equal(err.code, 'too_large', err.userMessage);
    const grew = process.memoryUsage().rss / MB - before;
    // 1 GB compresses to about 1 MB, which loopback socket buffers can hold whole, so the server's
    // side proves nothing; memory does: inflating it all would add about a gigabyte.
    assert.ok(grew < 80, `RSS grew ${grew.toFixed(0)} MB`);
    assert.ok(BODY_LIMITS.object <= 16 * MB);
  });
});

void describe('cost linear in the work', () => {
  void test('100,000 distinct task ids on the tasks stream: the follower keeps a bounded set and lets listeners hear batches', async () => {
    const N = 100_000;
    let body = '';
    for (let i = 0; i < N; i++) {
      body += `data: ${JSON.stringify({ id: `t_${i}`, status: 7, app_id: 'a', flow_run_id: 'fr_1', created_at: NOW, updated_at: NOW })}\n\n`;
    }
    const s = await server((req, res) => {
      if (req.url?.endsWith('/tasks/stream')) {
        sse(res);
        res.write(body);
        return;
      }
      if (req.url?.endsWith('/stream')) {
        sse(res);
        return;
      }
      if (req.url?.startsWith('/tasks/')) {
        sendJson(res, 403, { title: 'forbidden', detail: 'needs apps:read' });
        return;
      }
      sendJson(res, 200, RUN);
    });
    const { f, changes } = follow(s.url);
    await waitFor(() => Object.keys(f.view.tasks).length >= MAX_EXTRA_TASKS && changes.length > 0, 30_000, 'tasks applied');
    await sleep(300);
    assert.equal(Object.keys(f.view.tasks).length, MAX_EXTRA_TASKS, 'tasks the run does not name are held up to the cap');
    const heard = changes.reduce((n, c) => n + c.taskIds.length, 0);
    assert.ok(changes.length < 200, `${changes.length} change events for ${N} stream events`);
    assert.ok(heard <= MAX_EXTRA_TASKS);
    // GET /tasks was refused once; no request per task.
    assert.ok(s.requests.filter((r) => r.path.startsWith('/tasks/')).length <= 6);
  });

  void test('tasks and partials of another run are ignored; a body whose id is another run is refused', async () => {
    const s = await server((req, res) => {
      if (req.url?.endsWith('/tasks/stream')) {
        sse(res);
        res.write(`data: ${JSON.stringify({ id: 't_foreign', status: 7, app_id: 'a', flow_run_id: 'fr_other', created_at: NOW, updated_at: NOW })}\n\n`);
        res.write(`data: ${JSON.stringify({ data: { id: 't_foreign2', flow_run_id: 'fr_other', status: 7 }, fields: ['status'] })}\n\n`);
        return;
      }
      if (req.url?.endsWith('/stream')) {
        sse(res);
        return;
      }
      // Duplicate keys: JSON.parse keeps the last id, which is another run's.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"id":"fr_1","flow_id":"flow_a","status":2,"input":{},"created_at":"${NOW}","updated_at":"${NOW}","id":"fr_other"}`);
    });
    const err = await failure(client(s.url).getRun('fr_1'));
    assert.equal(err.code, 'wrong_object');
    const { f } = follow(s.url);
    await sleep(500);
    assert.equal(f.view.run, undefined, 'the other run was not taken on');
    assert.deepEqual(Object.keys(f.view.tasks), []);
  });
});

void describe('deep input cannot throw', () => {
  void test('a run nested 100,000 levels deep: the status still applies and the deep part says why it is gone', async () => {
    const depth = 100_000;
    const deep = `${'{"x":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const s = await server((req, res) => {
      if (req.url?.endsWith('/stream')) {
        sse(res);
        res.end(`data: {"data":{"id":"fr_1","status":3,"output":${deep},"updated_at":"2025-06-01T00:00:05Z"},"fields":["status","output","updated_at"]}\n\nevent: done\ndata: {}\n\n`);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"id":"fr_1","flow_id":"flow_a","status":3,"input":{},"output":${deep},"created_at":"${NOW}","updated_at":"2025-06-01T00:00:05Z"}`);
    });
    const { f } = follow(s.url, { streamTasks: false });
    const view = await f.done;
    assert.equal(view.state, 'ended');
    assert.equal(view.run?.status, FlowRunStatus.Completed);
    assert.ok(JSON.stringify(view.run?.output).includes(TOO_DEEP));
  });
});

void describe('one funnel for server text', () => {
  void test('an event: error that echoes the key (100 KB of it) reaches no message or log line with the key, and is cut to a sentence', async () => {
    const detail = `bad token ${KEY} `.repeat(3000);
    const s = await server((req, res) => {
      if (req.url?.endsWith('/stream')) {
        sse(res);
        res.write(`event: error\ndata: ${JSON.stringify({ detail })}\n\n`);
        setTimeout(() => res.end(), 50);
        return;
      }
      sendJson(res, 200, RUN);
    });
    const { f, log } = follow(s.url, { streamTasks: false });
    await waitFor(() => f.view.error !== undefined, 10_000, 'the error shown');
    const err = f.view.error as ApiError;
    assertNoSecret(err, KEY, 'the view error');
    assert.ok(err.userMessage.length <= 1000, `message of ${err.userMessage.length} characters`);
    for (const line of log.lines) assert.ok(!line.includes(KEY), `log line with the key: ${line.slice(0, 200)}`);
  });

  void test('an envelope warning that echoes the key is redacted before Run Flow shows it', async () => {
    const s = await server((_req, res) => sendJson(res, 201, { data: RUN, messages: [{ level: 'warning', message: `key ${KEY} is about to expire \u001b[31m!` }] }));
    const { messages } = await client(s.url).createRun('flow_a', {});
    assertNoSecret(messages, KEY, 'messages');
    assert.ok(!messages[0].message.includes('\u001b'));
    assert.match(messages[0].message, /key inf_… is about to expire/);
  });

  void test('a 1 MB problem detail with CR/LF, ANSI codes and <script>: one clean line, cut, the rest only in the log', async () => {
    const detail = `first line\r\nsecond \u001b[2J\u001b]0;title\u0007<script>alert(1)</script> ${'z'.repeat(MB)}`;
    const log = recordingLogger();
    const s = await server((_req, res) => {
      const text = JSON.stringify({ type: 'https://api.inference.sh/errors/invalid_request', title: 'Invalid', status: 400, detail });
      res.writeHead(400, { 'Content-Type': 'application/problem+json' });
      res.end(text);
    });
    const err = await failure(client(s.url, { logger: log }).createRun('flow_a', {}));
    assert.ok(err.userMessage.length <= 1000, `${err.userMessage.length} characters`);
    assert.ok((err.detail ?? '').length <= MESSAGE_MAX_CHARS);
    for (const c of ['\r', '\n', '\u001b', '\u0007']) assert.ok(!err.userMessage.includes(c), `no ${JSON.stringify(c)} in the message`);
    assert.match(err.userMessage, /first line second <script>alert\(1\)<\/script> z+…/);
    assert.ok(log.lines.some((l) => l.includes('first line second')), 'the detail is in the log too');
  });

  void test('a problem detail with a Markdown command link reaches the user as text, not a link a notification would render', async () => {
    const detail = 'Quota exceeded. [Fix it now](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D)';
    const s = await server((_req, res) => {
      res.writeHead(402, { 'Content-Type': 'application/problem+json' });
      res.end(JSON.stringify({ title: 'Payment required', status: 402, detail }));
    });
    const err = await failure(client(s.url).createRun('flow_a', {}));
    for (const text of [err.userMessage, err.detail ?? '']) {
      assert.doesNotMatch(text, /\]\(/, `no "](" in ${JSON.stringify(text)}`);
    }
    assert.match(err.userMessage, /\[Fix it now\] \(command:/, 'the words are still there, as text');
  });
});
