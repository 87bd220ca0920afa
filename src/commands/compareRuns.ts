// Compare Output With… / Compare Input With…: VS Code's diff editor on two
// runs of the same flow, the other one picked from that flow's runs (newest
// first, this one left out). Both sides are the read-only `flowruns-data`
// documents of Show Input / Show Output, so they follow the runs too.
import * as vscode from 'vscode';
import { cleanServerText } from '../api/serverText';
import type { Services } from '../services';
import { hasOutput, shortIdOf } from '../shared/runText';
import { newestFirst } from '../shared/time';
import { runIdsFrom } from './runRef';
import { pickRun } from './runQuickPick';
import { ACTION_SCOPES, actOnRuns, failure, inform, type ActionOutcome } from './actOnRuns';
import { dataUri, type RunPart } from './showJson';

/**
 * `other` skips the quick pick: a run id (tests, other commands), or the
 * tree's selection when it holds exactly two runs (compare those two).
 */
export function compareRuns(services: Services, part: RunPart, arg?: unknown, other?: unknown): Promise<ActionOutcome> {
  const out = part === 'output';
  const title = out ? vscode.l10n.t('Compare Output With…') : vscode.l10n.t('Compare Input With…');
  return actOnRuns(services, {
    title,
    scope: ACTION_SCOPES.read,
    pick: {
      title: out ? vscode.l10n.t('Compare the output of which run?') : vscode.l10n.t('Compare the input of which run?'),
      emptyMessage: vscode.l10n.t('No flow runs to compare.'),
    },
    on: (id) => (out ? vscode.l10n.t('Compare the output of run {0}', id) : vscode.l10n.t('Compare the input of run {0}', id)),
  }, arg, undefined, async ({ api, ids: [id], known }) => {
    const run = await known(id, part === 'output' ? hasOutput : undefined);
    const selected = Array.isArray(other) ? runIdsFrom(undefined, other) : [];
    let otherId = typeof other === 'string' && other
      ? other
      : selected.length === 2 && selected.includes(run.id) ? selected.find((x) => x !== run.id) : undefined;
    if (!otherId) {
      let picked;
      try {
        picked = await pickRun(services, api, {
          title: out
            ? vscode.l10n.t('Compare the output of run {0} with…', shortIdOf(run))
            : vscode.l10n.t('Compare the input of run {0} with…', shortIdOf(run)),
          emptyMessage: '',
          flowId: run.flow_id,
          excludeId: run.id,
        });
      } catch (e) {
        return failure(services, title, e, ACTION_SCOPES.read);
      }
      if (picked.kind === 'empty') {
        await services.flows.get(run.flow_id);
        const flowTitle = cleanServerText(services.flows.title(run.flow_id) ?? run.flow_id, { maxChars: 80 });
        return inform(vscode.l10n.t('Run {0} is the only run of "{1}" there is: start another one to compare with.', shortIdOf(run), flowTitle), false);
      }
      if (picked.kind === 'dismissed') return { ok: false };
      otherId = picked.id;
    }
    const second = await known(otherId, part === 'output' ? hasOutput : undefined);
    // Older on the left, newer on the right: the diff reads as what changed since.
    const [left, right] = [run, second].sort(newestFirst).reverse();
    const diffTitle = out
      ? vscode.l10n.t('run {0} ↔ run {1} (output)', shortIdOf(left), shortIdOf(right))
      : vscode.l10n.t('run {0} ↔ run {1} (input)', shortIdOf(left), shortIdOf(right));
    await vscode.commands.executeCommand('vscode.diff', dataUri(left, part), dataUri(right, part), diffTitle, { preview: true });
    return { ok: true, message: diffTitle, uri: dataUri(right, part).toString() };
  });
}
