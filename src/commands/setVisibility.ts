// Set Visibility: who may see a run. POST /flowruns/{id}/visibility answers
// with the run, which goes into the store so every view shows the new value.
import * as vscode from 'vscode';
import { VISIBILITIES, type Visibility } from '../api/models';
import type { Services } from '../services';
import { shortIdOf } from '../shared/runText';
import { ACTION_SCOPES, actOnRuns, confirmDone, inform, type ActionOutcome } from './actOnRuns';

const MEANING: Record<Visibility, string> = {
  private: 'only you',
  team: 'members of your team',
  org: 'everyone in your organisation',
  public: 'anyone; listed publicly',
  unlisted: 'anyone with the link; not listed',
};

interface VisibilityItem extends vscode.QuickPickItem {
  value: Visibility;
}

function isVisibility(value: unknown): value is Visibility {
  return typeof value === 'string' && (VISIBILITIES as readonly string[]).includes(value);
}

/** `value` (optional) skips the quick pick: 'private' | 'team' | 'org' | 'public' | 'unlisted'. */
export async function setVisibility(services: Services, arg?: unknown, value?: unknown): Promise<ActionOutcome> {
  const action = 'Set Visibility';
  // With multi-select the tree passes the selection second: only a string is a value.
  const given = typeof value === 'string' ? value : undefined;
  if (given !== undefined && !isVisibility(given)) {
    const text = `Unknown visibility "${given}"; use one of ${VISIBILITIES.join(', ')}.`;
    void vscode.window.showErrorMessage(text);
    return { ok: false, message: text };
  }
  return actOnRuns(services, {
    title: action,
    scope: ACTION_SCOPES.visibility,
    pick: { title: 'Set the visibility of which run?', emptyMessage: 'No flow runs to change.' },
    on: (id) => `Set visibility of run ${id}`,
  }, arg, undefined, async ({ api, ids: [id], known }) => {
    let target: Visibility | undefined = given;
    let current: Visibility | undefined;
    if (target === undefined) {
      const run = await known(id, (r) => r.visibility !== undefined);
      current = run.visibility;
      const items: VisibilityItem[] = VISIBILITIES.map((v) => ({
        value: v,
        label: v === current ? `$(check) ${v}` : v,
        description: v === current ? 'current' : undefined,
        detail: `Visible to ${MEANING[v]}`,
      }));
      const picked = await vscode.window.showQuickPick(items, {
        title: `Visibility of run ${shortIdOf(run)}`,
        placeHolder: current ? `Now ${current}; pick who may see this run` : 'Pick who may see this run',
        matchOnDetail: false,
      });
      if (!picked) return { ok: false };
      target = picked.value;
    } else {
      current = services.store.get(id)?.visibility;
    }
    if (target === current) return inform(`Run ${shortIdOf(id)} is already ${target}.`, true);
    const run = await api.setVisibility(id, target);
    services.store.upsert(run);
    return confirmDone(`Run ${shortIdOf(run)} is now ${run.visibility ?? target}.`);
  });
}
