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
  if (typeof value !== 'object' || value === null) return 'The update must be an object such as { "fail_on_error": true }.';
  const entries = Object.entries(value);
  const unknown = entries.filter(([k]) => k !== 'fail_on_error').map(([k]) => k);
  if (unknown.length) return `Only fail_on_error can be changed on a run, not ${unknown.join(', ')}.`;
  const fail = (value as { fail_on_error?: unknown }).fail_on_error;
  if (typeof fail !== 'boolean') return 'fail_on_error must be true or false.';
  return { fail_on_error: fail };
}

export async function updateRun(services: Services, arg?: unknown, patchArg?: unknown): Promise<ActionOutcome> {
  const action = 'Update Run';
  const given = patchFrom(patchArg);
  if (typeof given === 'string') {
    void vscode.window.showErrorMessage(`${action}: ${given}`);
    return { ok: false, message: `${action}: ${given}` };
  }
  return actOnRuns(services, {
    title: action,
    scope: ACTION_SCOPES.update,
    pick: { title: 'Update which run?', emptyMessage: 'No flow runs to update.' },
    on: (id) => `Update run ${id}`,
  }, arg, undefined, async ({ api, ids: [id], known }) => {
    let patch = given;
    if (!patch) {
      const run = await known(id, (r) => typeof r.fail_on_error === 'boolean');
      const current = run.fail_on_error;
      const mark = (v: boolean): Pick<FailItem, 'label' | 'description'> => ({
        label: `${v === current ? '$(check) ' : ''}${v ? 'Stop at first failure (fail_on_error: true)' : 'Continue other branches (fail_on_error: false)'}`,
        description: v === current ? 'current' : undefined,
      });
      const items: FailItem[] = [
        { value: true, ...mark(true), detail: 'When a node fails, the whole run fails and the remaining nodes are not started.' },
        { value: false, ...mark(false), detail: 'When a node fails, nodes that do not depend on it keep running.' },
      ];
      const picked = await vscode.window.showQuickPick(items, {
        title: `Update run ${shortIdOf(run)}: when a node fails`,
        placeHolder: 'fail_on_error',
      });
      if (!picked) return { ok: false };
      if (picked.value === current) return inform(`Run ${shortIdOf(run)} already has fail_on_error: ${String(current)}.`, true);
      patch = { fail_on_error: picked.value };
    }
    const run = await api.updateRun(id, patch);
    services.store.upsert(run);
    return confirmDone(`Run ${shortIdOf(run)} updated: fail_on_error is ${String(run.fail_on_error ?? patch.fail_on_error)}.`);
  });
}
