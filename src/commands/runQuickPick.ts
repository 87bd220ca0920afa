// The palette's quick pick of runs, for a run action started without a run:
// what the store holds plus a fresh page from the server, newest first, each
// with its flow's title, status icon, short id and when it started.
import * as vscode from 'vscode';
import type { FlowRunsApi } from '../api/api';
import { FlowRunStatus, type FlowRun, type ListRequest } from '../api/models';
import type { Services } from '../services';
import { isActive, runStatusIcon, shortIdOf, startedAt } from '../shared/runText';
import { statusLabel } from '../views/statusWords';
import { timeWords } from '../views/timeWords';
import { newestFirst, relativeTime } from '../shared/time';

const PICK_LIMIT = 30;
/** Cancel lists every active run we know, up to this many. */
const ACTIVE_LIMIT = 100;
const FLOW_TITLE_LOOKUPS = 20;

export interface RunPickOptions {
  /** Only pending and running runs (Cancel). */
  activeOnly?: boolean;
  title: string;
  /** Said when there is nothing to pick. */
  emptyMessage: string;
  /** Only this flow's runs (Compare With…). */
  flowId?: string;
  /** Never this run (the one being compared). */
  excludeId?: string;
}

export type RunPick = { kind: 'picked'; id: string } | { kind: 'empty' } | { kind: 'dismissed' };

interface RunPickItem extends vscode.QuickPickItem {
  runId: string;
}

/**
 * The runs a palette user may pick from: what we hold plus a fresh page from
 * the server (only pending and running ones when `activeOnly`), newest first.
 */
export async function pickCandidates(services: Services, api: FlowRunsApi, opts: Pick<RunPickOptions, 'activeOnly' | 'flowId' | 'excludeId'>): Promise<FlowRun[]> {
  const activeOnly = opts.activeOnly ?? false;
  const req: ListRequest = { limit: PICK_LIMIT, sort: [{ field: 'created_at', dir: 'desc' }] };
  const filters: NonNullable<ListRequest['filters']> = [];
  if (activeOnly) filters.push({ field: 'status', operator: 'in', value: [FlowRunStatus.Pending, FlowRunStatus.Running] });
  if (opts.flowId) filters.push({ field: 'flow_id', operator: 'eq', value: opts.flowId });
  if (filters.length > 0) req.filters = filters;
  const page = await api.listRuns(req);
  for (const run of page.items) services.store.upsert(run);
  const byId = new Map<string, FlowRun>();
  for (const run of [...services.store.all(), ...page.items]) {
    if (activeOnly && !isActive(run)) continue;
    if ((opts.flowId && run.flow_id !== opts.flowId) || run.id === opts.excludeId) continue;
    byId.set(run.id, services.store.get(run.id) ?? run);
  }
  const runs = [...byId.values()].sort(newestFirst).slice(0, activeOnly ? ACTIVE_LIMIT : PICK_LIMIT);
  // Titles make the list readable; a few lookups, shared with the tree's cache.
  const flowIds = [...new Set(runs.map((r) => r.flow_id))].filter((id) => !services.flows.title(id)).slice(0, FLOW_TITLE_LOOKUPS);
  await Promise.all(flowIds.map((id) => services.flows.get(id)));
  return runs;
}

function itemFor(services: Services, run: FlowRun, now: number): RunPickItem {
  const { icon, spin } = runStatusIcon(run.status);
  const start = startedAt(run);
  return {
    runId: run.id,
    label: `$(${icon}${spin ? '~spin' : ''}) ${services.flows.title(run.flow_id) ?? run.flow_id}`,
    description: [shortIdOf(run), statusLabel(run), start !== undefined && vscode.l10n.t('started {0}', relativeTime(start, now, timeWords()))].filter(Boolean).join(' · '),
  };
}

/** Shows the quick pick; rejects when the runs cannot be listed (the caller says why). */
export async function pickRun(services: Services, api: FlowRunsApi, opts: RunPickOptions): Promise<RunPick> {
  const runs = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Loading flow runs…') },
    () => pickCandidates(services, api, opts),
  );
  if (runs.length === 0) return { kind: 'empty' };
  const now = Date.now();
  const picked = await vscode.window.showQuickPick(runs.map((r) => itemFor(services, r, now)), {
    title: opts.title,
    placeHolder: vscode.l10n.t('Pick a run (type a flow name or run id)'),
    matchOnDescription: true,
  });
  return picked ? { kind: 'picked', id: picked.runId } : { kind: 'dismissed' };
}
