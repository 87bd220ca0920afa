// Network rules in plain Node: plain http only for loopback, and a redirect to
// another origin (another loopback address, another port) never carries the
// Authorization header: the client refuses before sending anything there.
// Every error class the client can raise is then checked for the key.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FlowRunsClient } from '../../src/api/client';
import { isApiError, type ApiError } from '../../src/api/errors';
import { checkBaseUrl } from '../../src/api/url';
import { RunFollower } from '../../src/runs/follower';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { assertNoSecret, failOnUnhandledRejection, recordingLogger } from './helpers/guards';

failOnUnhandledRejection();

const KEY = 'inf_security_suite_9d2c71b04e';
const READ_KEY = 'inf_security_suite_read_5b8e13';
const UNKNOWN_KEY = 'inf_security_suite_unknown_f00d42';

interface Recorded {
  method: string;
  path: string;
  authorization: string | undefined;
}

interface Recorder {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A server on `host` that records every request's headers and answers with `handler`. */
async function recorder(host: string, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Recorder> {
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const close = (): Promise<void> => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  closers.push(close);
  return { url: `http://${host}:${port}`, requests, close };
}

const RUN = { id: 'fr_1', flow_id: 'flow_a', status: 2, input: {}, created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z' };

function json(res: http.ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function client(url: string, key = KEY, logger = recordingLogger()): FlowRunsClient {
  return new FlowRunsClient({ baseUrl: url, apiKey: key, clientVersion: '0.0.0-test', logger, timeoutMs: 5000, retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 } });
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isApiError(e), `an ApiError, not ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

describe('plain http is refused for hosts that are not loopback', () => {
  test('http://example.com: refused with a sentence, and the client sends nothing', async () => {
    for (const url of ['http://example.com', 'http://10.0.0.5:8080', 'http://api.inference.sh.evil.test', 'http://127.0.0.1.nip.io']) {
      const checked = checkBaseUrl(url);
      assert.equal(checked.ok, false, url);
      if (!checked.ok) assert.match(checked.message, /Plain http is refused .* https:\/\//, url);
      const err = await failure(client(url).getRun('fr_1'));
      assert.equal(err.kind, 'insecure_url');
      assertNoSecret(err, KEY, 'the refusal');
    }
  });

  test('loopback http and any https are accepted', () => {
    for (const url of ['http://127.0.0.1:8787', 'http://localhost:1', 'http://[::1]:9', 'http://127.0.0.2', 'https://example.com']) {
      assert.equal(checkBaseUrl(url).ok, true, url);
    }
  });
});

describe('a redirect to another origin never carries the Authorization header', () => {
  // 127.0.0.2 is another host of the loopback network: the same machine, another origin.
  for (const status of [301, 302, 303, 307, 308]) {
    test(`${status} from 127.0.0.1 to 127.0.0.2: refused, nothing reaches the second host`, async () => {
      const target = await recorder('127.0.0.2', (_req, res) => json(res, RUN));
      const origin = await recorder('127.0.0.1', (req, res) => {
        res.writeHead(status, { Location: `${target.url}${req.url ?? '/'}` });
        res.end();
      });
      const logger = recordingLogger();
      const api = client(origin.url, KEY, logger);
      const errors = [
        await failure(api.getRun('fr_1')),
        await failure(api.listRuns({ limit: 1 })),
        await failure(api.cancelRun('fr_1')),
      ];
      for (const err of errors) {
        assert.equal(err.kind, 'insecure_url');
        assert.equal(err.code, 'cross_origin_redirect');
        assert.match(err.userMessage, /127\.0\.0\.2/);
        assertNoSecret(err, KEY, 'the redirect error');
      }
      assert.ok(origin.requests.length >= 3, 'the first host was asked');
      assert.ok(origin.requests.every((r) => r.authorization === `Bearer ${KEY}`), 'the configured host gets the key');
      assert.deepEqual(target.requests, [], 'the other host never got a request, so never a key');
      for (const line of logger.lines) assert.ok(!line.includes(KEY), line);
    });
  }

  test('the event streams too: a redirected stream is not followed, and the follower stops on it', async () => {
    const target = await recorder('127.0.0.2', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(RUN)}\n\n`);
    });
    const origin = await recorder('127.0.0.1', (req, res) => {
      res.writeHead(307, { Location: `${target.url}${req.url ?? '/'}` });
      res.end();
    });
    const errors: Error[] = [];
    const conn = client(origin.url).streamRun('fr_1', { onObject: () => undefined, onPartial: () => undefined, onError: (e) => errors.push(e) });
    await conn.closed;
    assert.ok(errors.some((e) => isApiError(e) && e.code === 'cross_origin_redirect'), `the stream reports the refusal: ${errors.map((e) => e.message).join('; ')}`);
    const follower = new RunFollower(client(origin.url), 'fr_1', { backoff: { baseMs: 5, maxMs: 20 } });
    follower.start();
    const view = await Promise.race([follower.done, new Promise<undefined>((r) => setTimeout(() => r(undefined), 3000))]);
    await follower.stop();
    assert.ok(view, 'the follower gives up on a refused redirect instead of retrying forever');
    assert.equal(view.state, 'failed');
    assert.deepEqual(target.requests, []);
  });

  test('another port on the same address is another origin too', async () => {
    const target = await recorder('127.0.0.1', (_req, res) => json(res, RUN));
    const origin = await recorder('127.0.0.1', (req, res) => {
      res.writeHead(302, { Location: `${target.url}${req.url ?? '/'}` });
      res.end();
    });
    const err = await failure(client(origin.url).getRun('fr_1'));
    assert.equal(err.code, 'cross_origin_redirect');
    assert.deepEqual(target.requests, []);
  });

  test('a same-origin redirect is followed with the key (the rule is about origins, not redirects)', async () => {
    const server = await recorder('127.0.0.1', (req, res) => {
      if (req.url === '/flowruns/fr_1') {
        res.writeHead(301, { Location: '/v2/flowruns/fr_1' });
        res.end();
      } else json(res, RUN);
    });
    assert.equal((await client(server.url).getRun('fr_1')).id, 'fr_1');
    assert.deepEqual(server.requests.map((r) => r.authorization), [`Bearer ${KEY}`, `Bearer ${KEY}`]);
  });
});

describe('no error class carries the key', () => {
  let sandbox: Sandbox;
  after(async () => sandbox?.close());

  test('401, 403, 404, 429, 500, bad response, network and timeout against the sandbox', async () => {
    sandbox = await startSandbox({
      port: 0,
      speed: 0,
      keys: [{ key: KEY, scopes: [] }, { key: READ_KEY, scopes: ['flows:read'] }],
    });
    const logger = recordingLogger();
    const full = client(sandbox.url, KEY, logger);
    const errors: ApiError[] = [];
    const kinds = (): Set<string> => new Set(errors.map((e) => e.kind));

    errors.push(await failure(client(sandbox.url, UNKNOWN_KEY, logger).listRuns({ limit: 1 })));
    errors.push(await failure(client(sandbox.url, READ_KEY, logger).createRun('flow_image_pipeline', { prompt: 'x' })));
    errors.push(await failure(full.getRun('flowrun_does_not_exist')));
    sandbox.setFaults({ seed: 3, rate429: 1, retryAfterSeconds: 0 });
    errors.push(await failure(full.getRun('flowrun_whatever')));
    sandbox.setFaults({ seed: 3, rate500: 1 });
    errors.push(await failure(full.listRuns({ limit: 1 })));
    sandbox.setFaults(undefined);
    errors.push(await failure(full.getRun('x', { timeoutMs: 1 })));
    const html = await recorder('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<html><body>proxy login for Bearer ${KEY}</body></html>`);
    });
    errors.push(await failure(client(html.url, KEY, logger).getRun('fr_1')));
    const url = html.url;
    await html.close();
    errors.push(await failure(client(url, KEY, logger).getRun('fr_1')));

    for (const k of ['unauthorized', 'forbidden', 'not_found', 'rate_limited', 'server', 'bad_response', 'network']) {
      assert.ok(kinds().has(k), `an error of kind ${k} was produced (got ${[...kinds()].join(', ')})`);
    }
    for (const e of errors) {
      assertNoSecret(e, KEY, `the ${e.kind} error`);
      assertNoSecret(e, UNKNOWN_KEY, `the ${e.kind} error`);
      assertNoSecret(e, READ_KEY, `the ${e.kind} error`);
    }
    assert.ok(logger.lines.length >= 6, 'requests were logged');
    for (const line of logger.lines) {
      for (const key of [KEY, READ_KEY, UNKNOWN_KEY]) assert.ok(!line.includes(key), `log line with a key: ${line}`);
    }
  });
});
