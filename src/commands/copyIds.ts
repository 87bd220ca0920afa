// Copy Run ID and Copy Link to Run (one or many, one a line) and Copy Task ID (the run's parent
// task, or a task id handed over by the panel as `{ taskId }`). Ids handed
// over need no request; only the palette's quick pick asks the server.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { isRecord } from '../shared/guards';
import { shortIdOf } from '../shared/runText';
import { ACTION_SCOPES, actOnRuns, confirmDone, inform, type ActionOutcome } from './actOnRuns';
import { runLink } from './runLink';
import { runIdsFrom } from './runRef';

async function copy(text: string, confirmation: string): Promise<ActionOutcome> {
  await vscode.env.clipboard.writeText(text);
  return confirmDone(confirmation);
}

function copyIds(ids: readonly string[]): Promise<ActionOutcome> {
  return copy(ids.join('\n'), ids.length === 1 ? vscode.l10n.t('Copied run ID {0}', ids[0]) : vscode.l10n.t('Copied {0} run IDs', ids.length));
}

export async function copyRunId(services: Services, arg?: unknown, selection?: unknown): Promise<ActionOutcome> {
  const given = runIdsFrom(arg, selection);
  if (given.length > 0) return copyIds(given);
  return actOnRuns(services, {
    title: vscode.l10n.t('Copy Run ID'),
    scope: ACTION_SCOPES.read,
    pick: { title: vscode.l10n.t('Copy the id of which run?'), emptyMessage: vscode.l10n.t('No flow runs to copy.') },
    on: (id) => vscode.l10n.t('Copy the ID of run {0}', id),
  }, undefined, undefined, ({ ids }) => copyIds(ids));
}

function copyLinks(services: Services, ids: readonly string[]): Promise<ActionOutcome> {
  const links = ids.map((id) => runLink(services, id));
  return copy(links.join('\n'), ids.length === 1 ? vscode.l10n.t('Copied the link to run {0}', shortIdOf(ids[0])) : vscode.l10n.t('Copied {0} run links', ids.length));
}

/** Copy Link to Run: `<uriScheme>://<extension id>/run/<id>`, one a line for a multi-selection. */
export async function copyRunLink(services: Services, arg?: unknown, selection?: unknown): Promise<ActionOutcome> {
  const given = runIdsFrom(arg, selection);
  if (given.length > 0) return copyLinks(services, given);
  return actOnRuns(services, {
    title: vscode.l10n.t('Copy Link to Run'),
    scope: ACTION_SCOPES.read,
    pick: { title: vscode.l10n.t('Copy the link to which run?'), emptyMessage: vscode.l10n.t('No flow runs to link to.') },
    on: (id) => vscode.l10n.t('Copy the link to run {0}', id),
  }, undefined, undefined, ({ ids }) => copyLinks(services, ids));
}

function taskIdArg(arg: unknown): string | undefined {
  return isRecord(arg) && typeof arg.taskId === 'string' && arg.taskId ? arg.taskId : undefined;
}

export async function copyTaskId(services: Services, arg?: unknown): Promise<ActionOutcome> {
  const direct = taskIdArg(arg);
  if (direct) return copy(direct, vscode.l10n.t('Copied task ID {0}', direct));
  return actOnRuns(services, {
    title: vscode.l10n.t('Copy Task ID'),
    scope: ACTION_SCOPES.read,
    pick: { title: vscode.l10n.t('Copy the parent task id of which run?'), emptyMessage: vscode.l10n.t('No flow runs to copy from.') },
    on: (id) => vscode.l10n.t('Copy task ID of run {0}', id),
  }, arg, undefined, async ({ ids: [id], known }) => {
    const run = await known(id, (r) => Boolean(r.task_id));
    if (!run.task_id) return inform(vscode.l10n.t('Run {0} has no parent task yet.', shortIdOf(run)), false);
    return copy(run.task_id, vscode.l10n.t('Copied task ID {0}', run.task_id));
  });
}
