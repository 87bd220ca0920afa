// Set Visibility: who may see a run. POST /flowruns/{id}/visibility answers
// with the run, which goes into the store so every view shows the new value.
import * as vscode from 'vscode';
import { VISIBILITIES, type Visibility } from '../api/models';
import type { Services } from '../services';
import { shortIdOf } from '../shared/runText';
import { ACTION_SCOPES, actOnRuns, confirmDone, inform, type ActionOutcome } from './actOnRuns';

/** Who sees a run at each visibility (the values themselves are the API's words). */
function visibleTo(v: Visibility): string {
  switch (v) {
    case 'private': return vscode.l10n.t('Visible to only you');
    case 'team': return vscode.l10n.t('Visible to members of your team');
    case 'org': return vscode.l10n.t('Visible to everyone in your organisation');
    case 'public': return vscode.l10n.t('Visible to anyone; listed publicly');
    case 'unlisted': return vscode.l10n.t('Visible to anyone with the link; not listed');
  }
}

interface VisibilityItem extends vscode.QuickPickItem {
  value: Visibility;
}

function isVisibility(value: unknown): value is Visibility {
  return typeof value === 'string' && (VISIBILITIES as readonly string[]).includes(value);
}

/** `value` (optional) skips the quick pick: 'private' | 'team' | 'org' | 'public' | 'unlisted'. */
export async function setVisibility(services: Services, arg?: unknown, value?: unknown): Promise<ActionOutcome> {
  const action = vscode.l10n.t('Set Visibility');
  // With multi-select the tree passes the selection second: only a string is a value.
  const given = typeof value === 'string' ? value : undefined;
  if (given !== undefined && !isVisibility(given)) {
    const text = vscode.l10n.t('Unknown visibility "{0}"; use one of {1}.', given, VISIBILITIES.join(', '));
    void vscode.window.showErrorMessage(text);
    return { ok: false, message: text };
  }
  return actOnRuns(services, {
    title: action,
    scope: ACTION_SCOPES.visibility,
    pick: { title: vscode.l10n.t('Set the visibility of which run?'), emptyMessage: vscode.l10n.t('No flow runs to change.') },
    on: (id) => vscode.l10n.t('Set visibility of run {0}', id),
  }, arg, undefined, async ({ api, ids: [id], known }) => {
    let target: Visibility | undefined = given;
    let current: Visibility | undefined;
    if (target === undefined) {
      const run = await known(id, (r) => r.visibility !== undefined);
      current = run.visibility;
      const items: VisibilityItem[] = VISIBILITIES.map((v) => ({
        value: v,
        label: v === current ? `$(check) ${v}` : v,
        description: v === current ? vscode.l10n.t('current') : undefined,
        detail: visibleTo(v),
      }));
      const picked = await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t('Visibility of run {0}', shortIdOf(run)),
        placeHolder: current ? vscode.l10n.t('Now {0}; pick who may see this run', current) : vscode.l10n.t('Pick who may see this run'),
        matchOnDetail: false,
      });
      if (!picked) return { ok: false };
      target = picked.value;
    } else {
      current = services.store.get(id)?.visibility;
    }
    if (target === current) return inform(vscode.l10n.t('Run {0} is already {1}.', shortIdOf(id), target), true);
    const run = await api.setVisibility(id, target);
    services.store.upsert(run);
    return confirmDone(vscode.l10n.t('Run {0} is now {1}.', shortIdOf(run), run.visibility ?? target));
  });
}
