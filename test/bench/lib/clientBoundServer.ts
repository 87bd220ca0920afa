// The client-bound bench's server (run in a child process by
// test/bench/streamServerWorker.ts): it answers the few routes a reader of one
// run needs, from pre-generated fixtures, and writes a run's whole stream at
// once, so the reader, not the server, sets the pace.
//
// A run's GETs: the first answers the run as it was before the stream's events
// (the follower GETs after opening its streams; the SDK and the raw reader
// before), every later one the final run (the follower's GET after the
// terminal status). The tasks stream sends the node tasks whole, then stays
// open and quiet, as a real server's does while no task changes.
import * as http from 'http';
import type { AddressInfo } from 'net';
import { makeStreamFixture, type StreamFixture, type StreamSpec } from './streamFixture';

/** The run id the fixtures are generated with; each run's copy swaps in its own id. */
export const TEMPLATE_RUN_ID = 'flowrun_benchtemplate0000000000';

export function withRunId<T>(value: T, id: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll(TEMPLATE_RUN_ID, id)) as T;
}

interface ServedRun {
  fixture: StreamFixture;
  gets: number;
  /** Diagnostics only: hold the run stream's body until the first GET is answered (no events to buffer during a resync). */
  afterGet: boolean;
  answered: Promise<void>;
  answer: () => void;
}

export interface ClientBoundServer {
  url: string;
  close(): Promise<void>;
}

export async function startClientBoundServer(): Promise<ClientBoundServer> {
  const fixtures = new Map<string, StreamFixture>();
  const runs = new Map<string, ServedRun>();
  const open = new Set<http.ServerResponse>();
  let counter = 0;

  const fixtureOf = (spec: StreamSpec): StreamFixture => {
    const key = `${spec.nodes}/${spec.partials}`;
    let f = fixtures.get(key);
    if (!f) fixtures.set(key, (f = makeStreamFixture(TEMPLATE_RUN_ID, spec)));
    return f;
  };
  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'application/problem+json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const sseHead = (res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive' });
    res.flushHeaders();
  };
  const notFound = (res: http.ServerResponse, what: string): void =>
    json(res, 404, { type: 'https://api.inference.sh/errors/not_found', title: 'Not Found', status: 404, detail: `${what} not found` });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bench');
    const parts = url.pathname.split('/').filter(Boolean);
    if (req.method === 'POST' && url.pathname === '/__bench/runs') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Partial<StreamSpec> & { afterGet?: boolean };
        const spec: StreamSpec = { nodes: Number(body.nodes ?? 12), partials: Number(body.partials ?? 20_000) };
        const id = `flowrun_bench${String(++counter).padStart(18, '0')}`;
        const t = fixtureOf(spec);
        const fixture: StreamFixture = {
          spec, events: t.events, initial: withRunId(t.initial, id), final: withRunId(t.final, id), tasks: withRunId(t.tasks, id),
          sse: t.sse.replaceAll(TEMPLATE_RUN_ID, id),
        };
        let answer!: () => void;
        const answered = new Promise<void>((resolve) => (answer = resolve));
        runs.set(id, { fixture, gets: 0, afterGet: body.afterGet === true, answered, answer });
        json(res, 200, { id });
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/__bench/release') {
      const id = url.searchParams.get('id') ?? '';
      runs.delete(id);
      json(res, 200, { ok: true });
      return;
    }
    if (req.method !== 'GET') {
      notFound(res, url.pathname);
      return;
    }
    if (parts[0] === 'tasks' && parts.length === 2) {
      for (const r of runs.values()) {
        const task = r.fixture.tasks.find((t) => t.id === parts[1]);
        if (task) {
          json(res, 200, { data: task, messages: [] });
          return;
        }
      }
      notFound(res, `Task ${parts[1]}`);
      return;
    }
    if (parts[0] !== 'flowruns' || parts.length < 2) {
      notFound(res, url.pathname);
      return;
    }
    const run = runs.get(parts[1]);
    if (!run) {
      notFound(res, `Flow run ${parts[1]}`);
      return;
    }
    const rest = parts.slice(2).join('/');
    if (rest === '') {
      const body = run.gets++ === 0 ? run.fixture.initial : run.fixture.final;
      json(res, 200, { data: body, messages: [] });
      run.answer();
    } else if (rest === 'stream') {
      sseHead(res);
      // The whole stream at once: the reader's speed is the only limit.
      if (run.afterGet) void run.answered.then(() => res.end(run.fixture.sse));
      else res.end(run.fixture.sse);
    } else if (rest === 'tasks/stream') {
      sseHead(res);
      res.write(run.fixture.tasks.map((t) => `data: ${JSON.stringify(t)}\n\n`).join(''));
      open.add(res);
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 10_000);
      res.on('close', () => {
        clearInterval(keepAlive);
        open.delete(res);
      });
    } else {
      notFound(res, url.pathname);
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const res of open) res.end();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
