// Copy Run ID (one or many, one a line) and Copy Task ID (the run's parent
// task, or a task id handed over by the panel as `{ taskId }`).
import * as vscode from 'vscode';
import type { Services } from '../services';
import {
  ACTION_SCOPES, apiFor, failure, inform, isOutcome, knownRun, shortRunId, targetRunIds, type ActionOutcome,
} from './pickRun';
import { runIdsFrom } from './runRef';

async function copy(text: string, confirmation: string): Promise<ActionOutcome> {
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(`$(check) ${confirmation}`, 5000);
  return { ok: true, message: confirmation };
}

export async function copyRunId(services: Services, arg?: unknown, selection?: unknown): Promise<ActionOutcome> {
  const action = 'Copy Run ID';
  let ids: string[] | ActionOutcome = runIdsFrom(arg, selection);
  if (ids.length === 0) {
    const api = await apiFor(services, action);
    if (isOutcome(api)) return api;
    ids = await targetRunIds(services, api, undefined, undefined, true, {
      title: 'Copy the id of which run?',
      emptyMessage: 'No flow runs to copy.',
      action,
    });
    if (isOutcome(ids)) return ids;
  }
  return copy(ids.join('\n'), ids.length === 1 ? `Copied run ID ${ids[0]}` : `Copied ${ids.length} run IDs`);
}

function taskIdArg(arg: unknown): string | undefined {
  if (arg && typeof arg === 'object' && 'taskId' in arg) {
    const id = arg.taskId;
    if (typeof id === 'string' && id) return id;
  }
  return undefined;
}

export async function copyTaskId(services: Services, arg?: unknown): Promise<ActionOutcome> {
  const action = 'Copy Task ID';
  const direct = taskIdArg(arg);
  if (direct) return copy(direct, `Copied task ID ${direct}`);
  const api = await apiFor(services, action);
  if (isOutcome(api)) return api;
  const ids = await targetRunIds(services, api, arg, undefined, false, {
    title: 'Copy the parent task id of which run?',
    emptyMessage: 'No flow runs to copy from.',
    action,
  });
  if (isOutcome(ids)) return ids;
  try {
    const run = await knownRun(services, api, ids[0], (r) => Boolean(r.task_id));
    if (!run.task_id) return inform(`Run ${shortRunId(run)} has no parent task yet.`, false);
    return await copy(run.task_id, `Copied task ID ${run.task_id}`);
  } catch (e) {
    return failure(services, `Copy task ID of run ${shortRunId(ids[0])}`, e, ACTION_SCOPES.read, ids[0]);
  }
}
