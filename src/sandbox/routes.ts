// The API routes of section 4 of the wire protocol: which scope each needs
// and what it answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiMessage, Flow, FlowRun, Task, Visibility } from '../api/models';
import { VISIBILITIES } from '../api/models';
import { invalid, notFound } from './apiError';
import { sendBody, sendMaybeEmpty, shapePage, type AnswerForms } from './answerForms';
import type { Scope } from './auth';
import type { Clock } from './clock';
import type { Executor } from './executor';
import type { FaultInjector } from './faults';
import { newId, shortIdOf } from './ids';
import { listPage, listRequestFromQuery, parseListRequest } from './listQuery';
import type { RunStore } from './runStore';
import { subscribeRun } from './runStreams';
import type { EventStream } from './streams';
import type { FaultPlan } from './types';
import type { Variation } from './variation';
import { isRecord as isObject } from '../shared/guards';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  routeKey: string;
  body: () => Promise<unknown>;
  faultOverride?: FaultPlan;
  /** This answer's forms (the seed profile's, or drawn for it under varied). */
  forms: AnswerForms;
}

export interface ApiDeps {
  store: RunStore;
  executor: Executor;
  clock: Clock;
  faults: FaultInjector;
  keepAliveMs: number;
  streams: Set<EventStream>;
  /** Set under the varied profile. */
  variation?: Variation;
}

export interface Route {
  method: string;
  pattern: RegExp;
  key: string;
  scope: Scope;
  handle: (ctx: RouteContext, deps: ApiDeps) => Promise<void> | void;
}

const ID = '([^/]+)';
const re = (s: string): RegExp => new RegExp(`^${s}/?$`);

function getRun(deps: ApiDeps, id: string): FlowRun {
  const run = deps.store.runs.get(id);
  if (!run || run.deleted_at) throw notFound('Flow run', id);
  return run;
}

const STATUS_BY_NAME: Record<string, number> = {
  unknown: 0, pending: 1, running: 2, completed: 3, failed: 4, cancelled: 5, canceled: 5,
};

/** Status filters may name statuses ("running") or give numbers as strings. */
function coerceRunFilter(field: string, value: unknown): unknown {
  if (field === 'status' && typeof value === 'string') {
    if (/^\d+$/.test(value)) return Number(value);
    return STATUS_BY_NAME[value.toLowerCase()] ?? value;
  }
  return value;
}

const copy = <T>(v: T): T => structuredClone(v);

function listRuns(ctx: RouteContext, deps: ApiDeps, body: unknown): void {
  const q = parseListRequest(body);
  const live = [...deps.store.runs.values()].filter((r) => !r.deleted_at);
  const page = listPage(live, q, { searchFields: ['id', 'flow_id', 'error'], coerce: coerceRunFilter });
  sendBody(ctx.res, ctx.forms, shapePage({ ...page, items: page.items.map(copy) }, ctx.forms));
}

const UPDATABLE = new Set(['fail_on_error', 'visibility', 'metadata']);

function cloneFlow(deps: ApiDeps, run: FlowRun): Flow {
  const { store, clock } = deps;
  const version = run.flow_version ?? store.versions.get(run.flow_version_id);
  if (!version) throw notFound('Flow version', run.flow_version_id);
  const source = store.flows.get(run.flow_id);
  const now = clock.nowIso();
  const id = newId('flow');
  const versionId = newId('flowver');
  const flow: Flow = {
    id,
    short_id: shortIdOf(id),
    created_at: now,
    updated_at: now,
    user_id: 'user_sandbox',
    team_id: 'team_sandbox',
    visibility: 'private',
    namespace: source?.namespace ?? 'sandbox',
    name: `${source?.name ?? run.flow_id}-copy-${shortIdOf(id).slice(0, 4)}`,
    title: `${source?.title || source?.name || run.flow_id} (copy)`,
    description: `Cloned from flow run ${run.id}. ${source?.description ?? ''}`.trim(),
    input_schema: copy(version.input_schema),
    output_schema: copy(version.output_schema),
    nodes: copy(version.nodes),
    edges: copy(version.edges),
    node_data: copy(version.node_data),
    draft_version_id: versionId,
    published_version_id: '',
  };
  store.versions.set(versionId, { ...copy(version), id: versionId, flow_id: id });
  store.flows.set(id, flow);
  store.changed();
  return flow;
}

export const ROUTES: Route[] = [
  {
    method: 'POST', pattern: re('/flowruns'), key: 'POST /flowruns', scope: 'flows:execute',
    handle: async (ctx, deps) => {
      const body = await ctx.body();
      if (!isObject(body)) throw invalid('Request body must be {"flow": "<flow id>", "input": {...}}');
      const { run, messages } = deps.executor.createRun({ flow: body.flow, input: body.input, fail_on_error: body.fail_on_error });
      sendBody(ctx.res, ctx.forms, copy(run), messages);
    },
  },
  {
    method: 'POST', pattern: re('/flowruns/list'), key: 'POST /flowruns/list', scope: 'flows:read',
    handle: async (ctx, deps) => listRuns(ctx, deps, await ctx.body()),
  },
  {
    method: 'GET', pattern: re('/flowruns'), key: 'GET /flowruns', scope: 'flows:read',
    handle: (ctx, deps) => listRuns(ctx, deps, listRequestFromQuery(ctx.url.searchParams)),
  },
  {
    method: 'GET', pattern: re(`/flowruns/${ID}/stream`), key: 'GET /flowruns/:id/stream', scope: 'flows:read',
    handle: (ctx, deps) => subscribeRun(ctx, deps, getRun(deps, ctx.params[0]), false),
  },
  {
    method: 'GET', pattern: re(`/flowruns/${ID}/tasks/stream`), key: 'GET /flowruns/:id/tasks/stream', scope: 'flows:read',
    handle: (ctx, deps) => subscribeRun(ctx, deps, getRun(deps, ctx.params[0]), true),
  },
  {
    method: 'POST', pattern: re(`/flowruns/${ID}/cancel`), key: 'POST /flowruns/:id/cancel', scope: 'flows:execute',
    handle: (ctx, deps) => {
      getRun(deps, ctx.params[0]);
      const run = deps.executor.cancel(ctx.params[0]);
      sendMaybeEmpty(ctx.res, ctx.forms, copy(run));
    },
  },
  {
    method: 'POST', pattern: re(`/flowruns/${ID}/clone`), key: 'POST /flowruns/:id/clone', scope: 'flows:write',
    handle: (ctx, deps) => sendBody(ctx.res, ctx.forms, copy(cloneFlow(deps, getRun(deps, ctx.params[0])))),
  },
  {
    method: 'POST', pattern: re(`/flowruns/${ID}/visibility`), key: 'POST /flowruns/:id/visibility', scope: 'flows:write',
    handle: async (ctx, deps) => {
      const run = getRun(deps, ctx.params[0]);
      const body = await ctx.body();
      const v = isObject(body) ? body.visibility : undefined;
      if (typeof v !== 'string' || !(VISIBILITIES as readonly string[]).includes(v)) {
        throw invalid(`visibility must be one of ${VISIBILITIES.join(', ')}`, [
          { path: 'visibility', pointer: '/visibility', keyword: 'enum', message: `visibility must be one of ${VISIBILITIES.join(', ')}` },
        ]);
      }
      run.visibility = v as Visibility;
      deps.store.touchRun(run, ['visibility']);
      sendBody(ctx.res, ctx.forms, copy(run));
    },
  },
  {
    method: 'GET', pattern: re(`/flowruns/${ID}`), key: 'GET /flowruns/:id', scope: 'flows:read',
    handle: (ctx, deps) => sendBody(ctx.res, ctx.forms, copy(getRun(deps, ctx.params[0]))),
  },
  {
    method: 'POST', pattern: re(`/flowruns/${ID}`), key: 'POST /flowruns/:id', scope: 'flows:write',
    handle: async (ctx, deps) => {
      const run = getRun(deps, ctx.params[0]);
      const body = await ctx.body();
      if (!isObject(body)) throw invalid('Request body must be an object of fields to update');
      const messages: ApiMessage[] = [];
      const changed: string[] = [];
      for (const [k, v] of Object.entries(body)) {
        if (!UPDATABLE.has(k)) {
          if (k !== 'id') {
            messages.push({ level: 'warning', code: 'ignored_field', message: `Field "${k}" cannot be updated and was ignored.`, meta: { field: k } });
          }
          continue;
        }
        if (k === 'fail_on_error' && typeof v !== 'boolean') throw invalid('fail_on_error must be a boolean');
        if (k === 'visibility' && !(typeof v === 'string' && (VISIBILITIES as readonly string[]).includes(v))) {
          throw invalid(`visibility must be one of ${VISIBILITIES.join(', ')}`);
        }
        if (k === 'metadata' && !isObject(v) && v !== null) throw invalid('metadata must be an object');
        (run as unknown as Record<string, unknown>)[k] = copy(v);
        changed.push(k);
      }
      if (changed.length) deps.store.touchRun(run, changed);
      sendBody(ctx.res, ctx.forms, copy(run), messages);
    },
  },
  {
    method: 'POST', pattern: re('/flows/list'), key: 'POST /flows/list', scope: 'flows:read',
    handle: async (ctx, deps) => {
      const q = parseListRequest(await ctx.body());
      const flows = [...deps.store.flows.values()].filter((f) => !f.deleted_at);
      const page = listPage(flows, q, { searchFields: ['id', 'name', 'title', 'description'] });
      sendBody(ctx.res, ctx.forms, shapePage({ ...page, items: page.items.map(copy) }, ctx.forms));
    },
  },
  {
    method: 'GET', pattern: re(`/flows/${ID}`), key: 'GET /flows/:id', scope: 'flows:read',
    handle: (ctx, deps) => {
      const flow = deps.store.flows.get(ctx.params[0]);
      if (!flow || flow.deleted_at) throw notFound('Flow', ctx.params[0]);
      sendBody(ctx.res, ctx.forms, copy(flow));
    },
  },
  {
    method: 'GET', pattern: re(`/tasks/${ID}`), key: 'GET /tasks/:id', scope: 'apps:read',
    handle: (ctx, deps) => {
      const task: Task | undefined = deps.store.tasks.get(ctx.params[0]);
      if (!task) throw notFound('Task', ctx.params[0]);
      sendBody(ctx.res, ctx.forms, copy(task));
    },
  },
];

/** The route for a method and path; `{allowed}` when the path exists with other methods. */
export function matchRoute(method: string, path: string): { route: Route; params: string[] } | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method === method) return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : undefined;
}
