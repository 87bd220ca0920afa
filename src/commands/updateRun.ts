// Update Run: POST /flowruns/{id} with the metadata a client may change. The
// SDK's FlowRunDTO has one such field, fail_on_error (the rest is state the
// server owns: status, output, node tasks, times), so that is what we offer.
import * as vscode from 'vscode';
import type { FlowRunPatch } from '../api/api';
import type { Services } from '../services';
import { shortIdOf } from '../shared/runText';
import { ACTION_SCOPES, actOnRuns, confirmDone, inform, type ActionOutcome } from './actOnRuns';

interface FailItem extends vscode.QuickPickItem {
  value: boolean;
}

/** A patch from a programmatic caller: `{ fail_on_error: boolean }` (other keys are refused). */
function patchFrom(value: unknown): FlowRunPatch | string | undefined {
  if (value === undefined || Array.isArray(value)) return undefined; // nothing, or the tree's selection
  if (typeof value !== 'object' || value === null) return vscode.l10n.t('The update must be an object such as {0}.', '{ "fail_on_error": true }');
  const entries = Object.entries(value);
  const unknown = entries.filter(([k]) => k !== 'fail_on_error').map(([k]) => k);
  if (unknown.length) return vscode.l10n.t('Only fail_on_error can be changed on a run, not {0}.', unknown.join(', '));
  const fail = (value as { fail_on_error?: unknown }).fail_on_error;
  if (typeof fail !== 'boolean') return vscode.l10n.t('fail_on_error must be true or false.');
  return { fail_on_error: fail };
}

export async function updateRun(services: Services, arg?: unknown, patchArg?: unknown): Promise<ActionOutcome> {
  const action = vscode.l10n.t('Update Run');
  const given = patchFrom(patchArg);
  if (typeof given === 'string') {
    const message = vscode.l10n.t('{0}: {1}', action, given);
    void vscode.window.showErrorMessage(message);
    return { ok: false, message };
  }
  return actOnRuns(services, {
    title: action,
    scope: ACTION_SCOPES.update,
    pick: { title: vscode.l10n.t('Update which run?'), emptyMessage: vscode.l10n.t('No flow runs to update.') },
    on: (id) => vscode.l10n.t('Update run {0}', id),
  }, arg, undefined, async ({ api, ids: [id], known }) => {
    let patch = given;
    if (!patch) {
      const run = await known(id, (r) => typeof r.fail_on_error === 'boolean');
      const current = run.fail_on_error;
      const mark = (v: boolean): Pick<FailItem, 'label' | 'description'> => ({
        label: `${v === current ? '$(check) ' : ''}${v ? vscode.l10n.t('Stop at first failure (fail_on_error: true)') : vscode.l10n.t('Continue other branches (fail_on_error: false)')}`,
        description: v === current ? vscode.l10n.t('current') : undefined,
      });
      const items: FailItem[] = [
        { value: true, ...mark(true), detail: vscode.l10n.t('When a node fails, the whole run fails and the remaining nodes are not started.') },
        { value: false, ...mark(false), detail: vscode.l10n.t('When a node fails, nodes that do not depend on it keep running.') },
      ];
      const picked = await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t('Update run {0}: when a node fails', shortIdOf(run)),
        placeHolder: 'fail_on_error',
      });
      if (!picked) return { ok: false };
      if (picked.value === current) return inform(vscode.l10n.t('Run {0} already has fail_on_error: {1}.', shortIdOf(run), String(current)), true);
      patch = { fail_on_error: picked.value };
    }
    const run = await api.updateRun(id, patch);
    services.store.upsert(run);
    return confirmDone(vscode.l10n.t('Run {0} updated: fail_on_error is {1}.', shortIdOf(run), String(run.fail_on_error ?? patch.fail_on_error)));
  });
}
