// The sandbox HTTP server (node:http only): CORS for browsers first, then
// control and image routes, the /app pages, then the API routes behind stats,
// faults, auth, rate limits.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { silentLogger } from '../api/logger';
import type { Flow, FlowRun, Task } from '../api/models';
import { ApiError } from './apiError';
import { drawForms, resetHeader, retryAfterHeader, SEED_FORMS, type AnswerForms } from './answerForms';
import { parseImagePath } from './apps';
import { authenticate, requireScope } from './auth';
import { Clock, VariedClock } from './clock';
import { applyCors } from './cors';
import { demoFlows, materializeFlow, versionIdOf, type FlowFile } from './demoFlows';
import { Executor, type CreateRunOptions } from './executor';
import { FaultInjector, parseFaultPlan } from './faults';
import { topoOrder } from './graph';
import { readJson, sendData, sendProblem } from './httpUtil';
import { defaultKeys, SANDBOX_KEYS } from './keys';
import { flowPage, notFoundPage, runPage } from './pages';
import { loadState, StateWriter } from './persistence';
import { renderLandscape } from './png';
import { createRng, hashParts } from './rng';
import { matchRoute, type ApiDeps, type RouteContext } from './routes';
import { RunStore } from './runStore';
import { seedHistoricalRuns } from './seedRuns';
import { StampMaker } from './stamps';
import type { EventStream } from './streams';
import type { FaultPlan, Sandbox, SandboxKey, SandboxOptions, SandboxStats } from './types';
import { StateShaper } from './variedState';
import { PROFILES, Variation } from './variation';

const IMAGE_CACHE_SIZE = 32;

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const logger = opts.logger ?? silentLogger;
  const seed = opts.seed ?? 1;
  const profile = opts.profile ?? 'seed';
  if (!PROFILES.includes(profile)) throw new Error(`Unknown sandbox profile "${String(profile)}": use ${PROFILES.join(' or ')}`);
  const variation = profile === 'varied' ? new Variation(seed) : undefined;
  const shape = variation ? new StateShaper(variation) : undefined;
  const clock = variation ? new VariedClock(variation.stream('clock')) : new Clock();
  const store = new RunStore(clock);
  const keys = new Map<string, SandboxKey>((opts.keys ?? defaultKeys()).map((k) => [k.key, k]));
  const faults = new FaultInjector(opts.faults);
  const streams = new Set<EventStream>();
  const sockets = new Set<Socket>();
  let baseUrl = '';
  const executor = new Executor({
    store, clock, speed: Math.max(0, opts.speed ?? 1), baseUrl: () => baseUrl, random: createRng(hashParts(seed, 'apps')), logger, shape,
  });
  const stats = { requests: 0, byRoute: {} as Record<string, number>, byStatus: {} as Record<string, Record<string, number>> };
  const rateWindows = new Map<string, number[]>();
  const imageCache = new Map<string, Buffer>();

  for (const { flow, version } of demoFlows()) {
    store.flows.set(flow.id, flow);
    store.versions.set(version.id, version);
  }

  const apiDeps: ApiDeps = { store, executor, clock, faults, keepAliveMs: opts.keepAliveMs ?? 15000, streams, variation };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      logger.error(`[sandbox] ${req.method ?? ''} ${req.url ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendProblem(res, new ApiError(500, 'internal_error', 'The sandbox hit an unexpected error'));
      else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const method = (req.method ?? 'GET').toUpperCase();
    res.on('close', () => logger.debug(`${method} ${url.pathname} ${res.statusCode} ${Date.now() - started}ms`));
    if (opts.cors !== false && applyCors(req, res)) return; // a preflight, answered
    try {
      if (url.pathname.startsWith('/_sandbox/')) return await handleControl(req, res, url, method);
      if (url.pathname === '/app' || url.pathname.startsWith('/app/')) return handlePage(res, url.pathname);
      await handleApi(req, res, url, method);
    } catch (err) {
      if (err instanceof ApiError) {
        if (!res.headersSent) sendProblem(res, err);
        return;
      }
      throw err;
    }
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const image = /^\/_sandbox\/images\/([^/]+)$/.exec(url.pathname);
    if (image && (method === 'GET' || method === 'HEAD')) {
      const spec = parseImagePath(url.pathname);
      if (!spec) throw new ApiError(404, 'not_found', 'Image not found');
      let png = imageCache.get(image[1]);
      if (!png) {
        png = renderLandscape(spec.hash, spec.width, spec.height);
        imageCache.set(image[1], png);
        if (imageCache.size > IMAGE_CACHE_SIZE) imageCache.delete(imageCache.keys().next().value as string);
      }
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length, 'Cache-Control': 'public, max-age=31536000, immutable' });
      res.end(method === 'HEAD' ? undefined : png);
      return;
    }
    if (url.pathname === '/_sandbox/faults' && method === 'POST') {
      try {
        faults.set(parseFaultPlan(await readJson(req)));
      } catch (e) {
        if (e instanceof ApiError) throw e;
        throw new ApiError(400, 'invalid_request', e instanceof Error ? e.message : String(e));
      }
      return sendData(res, faults.current ?? null);
    }
    if (url.pathname === '/_sandbox/stats' && method === 'GET') return sendData(res, sandbox.stats());
    if (url.pathname === '/_sandbox/reset-stats' && method === 'POST') {
      sandbox.resetStats();
      return sendData(res, sandbox.stats());
    }
    throw new ApiError(404, 'not_found', `No control route ${method} ${url.pathname}`);
  }

  function handlePage(res: ServerResponse, path: string): void {
    const m = /^\/app\/(flowruns|flows)\/([^/]+)\/?$/.exec(path);
    let html: string;
    let status = 200;
    const id = m ? decodeURIComponent(m[2]) : '';
    if (m && m[1] === 'flowruns' && store.runs.has(id)) {
      const run = store.runs.get(id) as FlowRun;
      html = runPage(run, store.flows.get(run.flow_id));
    } else if (m && m[1] === 'flows' && store.flows.has(id)) html = flowPage(store.flows.get(id) as Flow);
    else {
      status = 404;
      html = notFoundPage(m ? `No ${m[1] === 'flows' ? 'flow' : 'flow run'} ${id}` : path);
    }
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'" });
    res.end(html);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const match = matchRoute(method, url.pathname);
    if (!match) throw new ApiError(404, 'not_found', `No route ${method} ${url.pathname}`);
    if ('allowed' in match) {
      throw new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}`, undefined, { Allow: match.allowed.join(', ') });
    }
    const { route, params } = match;
    stats.requests++;
    stats.byRoute[route.key] = (stats.byRoute[route.key] ?? 0) + 1;
    res.on('close', () => {
      const byStatus = (stats.byStatus[route.key] ??= {});
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
    });
    // Drawn for every request, answered or not, so a seed replays per route.
    const forms = variation ? drawForms(variation.next('answer', route.key)) : SEED_FORMS;

    let override: FaultPlan | undefined;
    const header = req.headers['x-sandbox-faults'];
    if (typeof header === 'string' && header) {
      try {
        override = parseFaultPlan(JSON.parse(header));
      } catch (e) {
        throw new ApiError(400, 'invalid_request', `X-Sandbox-Faults: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const fault = faults.forRequest(route.key, override, forms);
    if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault.kind === '429') throw new ApiError(429, 'rate_limited', 'Too many requests (injected fault); retry later.', undefined, fault.headers);
    if (fault.kind === '500') throw new ApiError(500, 'internal_error', 'Injected fault: the server failed to handle the request.');
    if (fault.kind === '403') throw new ApiError(403, 'forbidden', fault.detail);

    const key = authenticate(req, keys);
    applyRateLimit(res, key.key, route.key === 'POST /flowruns' ? 'create' : 'read', forms);
    requireScope(key, route.scope);

    let bodyPromise: Promise<unknown> | undefined;
    const ctx: RouteContext = {
      req, res, url, params, routeKey: route.key, faultOverride: override, forms,
      body: () => (bodyPromise ??= readJson(req)),
    };
    await route.handle(ctx, apiDeps);
  }

  /**
   * Rolling-minute budgets per key and kind. Run creation has its own budget
   * when `createRateLimitPerMinute` is set (then its headers describe that
   * budget only); otherwise it shares the one budget, as before kinds existed.
   */
  function applyRateLimit(res: ServerResponse, key: string, kind: 'create' | 'read', forms: AnswerForms): void {
    const own = kind === 'create' && opts.createRateLimitPerMinute !== undefined;
    const limit = own ? opts.createRateLimitPerMinute : opts.rateLimitPerMinute;
    if (limit === undefined) return;
    const windowKey = `${key}\u0000${own ? 'create' : 'read'}`;
    const now = Date.now();
    const window = (rateWindows.get(windowKey) ?? []).filter((t) => t > now - 60000);
    const resetAtMs = (window[0] ?? now) + 60000;
    const limited = window.length >= limit;
    if (!limited) window.push(now);
    rateWindows.set(windowKey, window);
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - window.length)));
    res.setHeader('X-RateLimit-Reset', resetHeader(forms, resetAtMs, now));
    if (limited) {
      const retry = Math.max(1, Math.ceil(resetAtMs / 1000) - Math.floor(now / 1000));
      const retryAfter = retryAfterHeader(forms, retry, now);
      const what = own ? 'run creations' : 'requests';
      throw new ApiError(429, 'rate_limited', `Rate limit of ${limit} ${what} a minute exceeded; retry in ${retry} s.`, undefined,
        retryAfter === undefined ? undefined : { 'Retry-After': retryAfter });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  let writer: StateWriter | undefined;
  if (opts.dataDir) {
    const loaded = loadState(opts.dataDir, store, baseUrl, clock);
    logger.info(`[sandbox] loaded ${loaded} run(s) from ${opts.dataDir}`);
    // Demo flows always come from the shipped JSON.
    for (const { flow, version } of demoFlows()) {
      store.flows.set(flow.id, flow);
      store.versions.set(version.id, version);
    }
    writer = new StateWriter(opts.dataDir, store, () => baseUrl);
    const w = writer;
    store.onChange(() => w.schedule());
  }
  if (opts.seedRuns && opts.seedRuns > 0) {
    const varied = variation && shape
      ? { shape, stamps: (i: number) => new StampMaker(createRng(hashParts(seed, 'varied', 'seed-run-stamps', i))) }
      : undefined;
    seedHistoricalRuns(store, opts.seedRuns, createRng(hashParts(seed, 'seed-runs')), baseUrl, varied);
  }
  store.flush();
  writer?.writeNow();

  let closing: Promise<void> | undefined;
  const sandbox: Sandbox = {
    url: baseUrl,
    port: address.port,
    defaultKey: SANDBOX_KEYS.full,
    profile,
    close(): Promise<void> {
      closing ??= (async () => {
        executor.haltAll();
        store.flush();
        for (const s of [...streams]) s.end();
        store.dispose();
        writer?.writeNow();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
          for (const s of sockets) s.destroy();
        });
      })();
      return closing;
    },
    setFaults: (plan) => faults.set(plan),
    stats(): SandboxStats {
      return {
        requests: stats.requests,
        byRoute: { ...stats.byRoute },
        byStatus: Object.fromEntries(Object.entries(stats.byStatus).map(([k, v]) => [k, { ...v }])),
        openStreams: streams.size,
        faultsInjected: { ...faults.injected },
      };
    },
    resetStats(): void {
      stats.requests = 0;
      stats.byRoute = {};
      stats.byStatus = {};
      faults.resetCounts();
    },
    getRun: (id) => (store.runs.has(id) ? structuredClone(store.runs.get(id) as FlowRun) : undefined),
    getTask: (id) => (store.tasks.has(id) ? structuredClone(store.tasks.get(id) as Task) : undefined),
    listAllRuns: () => [...store.runs.values()].map((r) => structuredClone(r)),
    addFlow(flow: Flow): void {
      if (!topoOrder(flow)) throw new Error(`Flow ${flow.id}: the graph has a cycle or an edge to an unknown node`);
      const file = { ...flow, published_version_id: flow.published_version_id || flow.draft_version_id || versionIdOf(flow.id) } as FlowFile;
      const { flow: f, version } = materializeFlow(file, flow.created_at || clock.nowIso());
      store.flows.set(f.id, f);
      store.versions.set(version.id, version);
      store.changed();
    },
    createRunDirect(flowId: string, input: Record<string, unknown>, opts?: CreateRunOptions): FlowRun {
      return structuredClone(executor.createRun({ flow: flowId, input }, opts).run);
    },
    releaseRun: (id) => executor.release(id),
  };
  logger.info(`[sandbox] listening on ${baseUrl}${variation ? ` (profile varied, seed ${seed})` : ''}`);
  return sandbox;
}
