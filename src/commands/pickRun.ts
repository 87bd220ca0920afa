// What every run action shares: which runs it acts on (the argument, the
// tree's selection, or a quick pick of runs from the palette), the run itself
// (from the store, else the server), and how a failure reaches the user.
import * as vscode from 'vscode';
import type { FlowRunsApi } from '../api/api';
import { ApiError, isApiError } from '../api/errors';
import {
  FLOW_RUN_STATUS_NAMES, FlowRunStatus, isActiveRunStatus, toFlowRunStatus, type FlowRun, type ListRequest,
} from '../api/models';
import type { Scope } from '../api/scopes';
import type { Services } from '../services';
import { describeError, showError } from '../views/showError';
import { runIdsFrom } from './runRef';

/** What a run command returns to programmatic callers (tests, other commands): the text the user saw. */
export interface ActionOutcome {
  ok: boolean;
  message?: string;
  /** Clone: the new flow's id. */
  flowId?: string;
  /** Open in Browser, Show Input/Output, Save Output: the address or document opened. */
  uri?: string;
}

/** The scope each action needs (the seed's table), named in 403 messages and in the README. */
export const ACTION_SCOPES = {
  cancel: 'flows:execute',
  clone: 'flows:write',
  visibility: 'flows:write',
  update: 'flows:write',
  read: 'flows:read',
} as const satisfies Record<string, Scope>;

const PICK_LIMIT = 30;
const FLOW_TITLE_LOOKUPS = 20;

/** The run's short id as people see it (the server's short_id, else the first characters after the prefix). */
export function shortRunId(run: FlowRun | string): string {
  if (typeof run !== 'string' && run.short_id) return run.short_id;
  const id = typeof run === 'string' ? run : run.id;
  const i = id.indexOf('_');
  return id.slice(i + 1, i + 9) || id;
}

export function statusName(run: FlowRun): string {
  return FLOW_RUN_STATUS_NAMES[toFlowRunStatus(run.status)];
}

/** The client, or the outcome of a shown error (no key, refused URL). */
export async function apiFor(services: Services, action: string): Promise<FlowRunsApi | ActionOutcome> {
  try {
    return await services.session.requireApi();
  } catch (e) {
    return failure(services, action, e, ACTION_SCOPES.read);
  }
}

export function isOutcome(value: unknown): value is ActionOutcome {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof value.ok === 'boolean';
}

/** The run as the server has it now; what we hold is refreshed on the way. */
export async function freshRun(services: Services, api: FlowRunsApi, id: string): Promise<FlowRun> {
  const run = await api.getRun(id);
  services.store.upsert(run);
  return run;
}

/** The run we hold if we hold one (with `needs` present), else the server's. */
export async function knownRun(
  services: Services, api: FlowRunsApi, id: string, needs?: (run: FlowRun) => boolean,
): Promise<FlowRun> {
  const held = services.store.get(id);
  if (held && (!needs || needs(held))) return held;
  return freshRun(services, api, id);
}

/**
 * Shows `<action> failed: <reason>` (via showError) and returns the same text.
 * A run the server no longer has is dropped from the store; a 403 always names
 * the scope the action needs.
 */
export function failure(services: Services, action: string, error: unknown, scope: Scope, runId?: string): ActionOutcome {
  let shown = error;
  if (isApiError(error) && error.kind === 'not_found' && runId && (error.path ?? '').startsWith('/flowruns/')) {
    services.store.remove(runId);
    shown = new ApiError({
      kind: 'not_found',
      status: 404,
      userMessage: `Run ${shortRunId(runId)} no longer exists on the server (it may have been deleted or belong to another account); it was removed from the list.`,
    });
  } else if (isApiError(error) && error.kind === 'forbidden' && !error.userMessage.includes(scope)) {
    shown = new ApiError({
      kind: 'forbidden',
      status: error.status,
      scope,
      userMessage: `This API key lacks the ${scope} scope this action needs. Create a key with ${scope} in Settings → API Keys, then run "Flow Runs: Set API Key".`,
    });
  }
  showError(action, shown, services.log);
  if (isApiError(shown) && shown.kind === 'aborted') return { ok: false };
  return { ok: false, message: `${action} failed: ${describeError(shown)}` };
}

/** Shows an informative message (not an error) and returns it. */
export function inform(text: string, ok: boolean): ActionOutcome {
  void vscode.window.showInformationMessage(text);
  return { ok, message: text };
}

/**
 * A modal question; undefined when dismissed or when VS Code refuses to show
 * it (it does so while extension tests run): never an error, never a yes.
 */
export async function askModal<T extends vscode.MessageItem>(
  services: Services, question: string, detail: string | undefined, ...items: T[]
): Promise<T | undefined> {
  try {
    return await vscode.window.showWarningMessage(question, { modal: true, detail }, ...items);
  } catch (e) {
    services.log.warn(`[actions] the question "${question}" could not be shown: ${describeError(e)}`);
    return undefined;
  }
}

interface RunPickItem extends vscode.QuickPickItem {
  runId: string;
}

function ago(iso: string | null | undefined): string {
  if (!iso) return '';
  const ms = Date.now() - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h ago`;
  return `${Math.round(h / 24)}d ago`;
}

function statusIcon(status: FlowRunStatus): string {
  switch (status) {
    case FlowRunStatus.Pending: return '$(clock)';
    case FlowRunStatus.Running: return '$(sync~spin)';
    case FlowRunStatus.Completed: return '$(pass)';
    case FlowRunStatus.Failed: return '$(error)';
    case FlowRunStatus.Cancelled: return '$(circle-slash)';
    default: return '$(question)';
  }
}

function newestFirst(a: FlowRun, b: FlowRun): number {
  return (b.created_at ?? '').localeCompare(a.created_at ?? '');
}

/**
 * The runs a palette user may pick from: what we hold plus a fresh page from
 * the server (only pending and running ones when `activeOnly`), newest first.
 */
async function candidates(services: Services, api: FlowRunsApi, activeOnly: boolean): Promise<FlowRun[]> {
  const req: ListRequest = { limit: PICK_LIMIT, sort: [{ field: 'created_at', dir: 'desc' }] };
  if (activeOnly) req.filters = [{ field: 'status', operator: 'in', value: [FlowRunStatus.Pending, FlowRunStatus.Running] }];
  const page = await api.listRuns(req);
  for (const run of page.items) services.store.upsert(run);
  const byId = new Map<string, FlowRun>();
  for (const run of [...services.store.all(), ...page.items]) {
    if (activeOnly && !isActiveRunStatus(toFlowRunStatus(run.status))) continue;
    byId.set(run.id, services.store.get(run.id) ?? run);
  }
  const runs = [...byId.values()].sort(newestFirst).slice(0, activeOnly ? 100 : PICK_LIMIT);
  // Titles make the list readable; a few lookups, shared with the tree's cache.
  const flowIds = [...new Set(runs.map((r) => r.flow_id))].filter((id) => !services.flows.title(id)).slice(0, FLOW_TITLE_LOOKUPS);
  await Promise.all(flowIds.map((id) => services.flows.get(id)));
  return runs;
}

function itemFor(services: Services, run: FlowRun): RunPickItem {
  const status = toFlowRunStatus(run.status);
  const started = ago(run.flow_run_started ?? run.created_at);
  return {
    runId: run.id,
    label: `${statusIcon(status)} ${services.flows.title(run.flow_id) ?? run.flow_id}`,
    description: [shortRunId(run), FLOW_RUN_STATUS_NAMES[status], started && `started ${started}`].filter(Boolean).join(' · '),
  };
}

export interface PickOptions {
  /** Only pending and running runs (Cancel). */
  activeOnly?: boolean;
  title: string;
  /** Said when there is nothing to pick. */
  emptyMessage: string;
  action: string;
}

/** A palette quick pick of runs: the chosen id, or an outcome (nothing to pick, dismissed, failed). */
export async function pickRun(services: Services, api: FlowRunsApi, opts: PickOptions): Promise<string | ActionOutcome> {
  let runs: FlowRun[];
  try {
    runs = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Loading flow runs…' },
      () => candidates(services, api, opts.activeOnly ?? false),
    );
  } catch (e) {
    return failure(services, opts.action, e, ACTION_SCOPES.read);
  }
  if (runs.length === 0) return inform(opts.emptyMessage, false);
  const picked = await vscode.window.showQuickPick(runs.map((r) => itemFor(services, r)), {
    title: opts.title,
    placeHolder: 'Pick a run (type a flow name or run id)',
    matchOnDescription: true,
  });
  return picked ? picked.runId : { ok: false };
}

/**
 * The run ids a command acts on. `many` takes the tree's multi-selection into
 * account; without any argument the user picks one run from the palette.
 */
export async function targetRunIds(
  services: Services, api: FlowRunsApi, arg: unknown, selection: unknown, many: boolean, pick: PickOptions,
): Promise<string[] | ActionOutcome> {
  const ids = many ? runIdsFrom(arg, selection) : runIdsFrom(arg).slice(0, 1);
  if (ids.length > 0) return ids;
  const picked = await pickRun(services, api, pick);
  return typeof picked === 'string' ? [picked] : picked;
}
