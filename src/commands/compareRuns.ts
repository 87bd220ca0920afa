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
  const title = part === 'output' ? 'Compare Output With…' : 'Compare Input With…';
  return actOnRuns(services, {
    title,
    scope: ACTION_SCOPES.read,
    pick: { title: `Compare the ${part} of which run?`, emptyMessage: 'No flow runs to compare.' },
    on: (id) => `Compare the ${part} of run ${id}`,
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
          title: `Compare the ${part} of run ${shortIdOf(run)} with…`,
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
        return inform(`Run ${shortIdOf(run)} is the only run of "${flowTitle}" there is: start another one to compare with.`, false);
      }
      if (picked.kind === 'dismissed') return { ok: false };
      otherId = picked.id;
    }
    const second = await known(otherId, part === 'output' ? hasOutput : undefined);
    // Older on the left, newer on the right: the diff reads as what changed since.
    const [left, right] = [run, second].sort(newestFirst).reverse();
    const diffTitle = `run ${shortIdOf(left)} ↔ run ${shortIdOf(right)} (${part})`;
    await vscode.commands.executeCommand('vscode.diff', dataUri(left, part), dataUri(right, part), diffTitle, { preview: true });
    return { ok: true, message: diffTitle, uri: dataUri(right, part).toString() };
  });
}
