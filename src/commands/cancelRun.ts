// Cancel Run: only for pending and running runs. The state is checked afresh
// before asking, and a run is shown Cancelled only once the server says so.
import * as vscode from 'vscode';
import { isApiError } from '../api/errors';
import { FlowRunStatus, isTerminalRunStatus, toFlowRunStatus, type FlowRun } from '../api/models';
import type { Services } from '../services';
import { isActive, shortIdOf } from '../shared/runText';
import { statusWord } from '../views/statusWords';
import { ACTION_SCOPES, actOnRuns, askModal, inform, type ActionOutcome, type RunAction } from './actOnRuns';

/** How long we wait for the server to report the cancel (polls back off up to 2 s). */
const CONFIRM_POLLS = 12;

type One =
  | { kind: 'cancelled'; run: FlowRun }
  | { kind: 'finished'; run: FlowRun }
  | { kind: 'requested'; id: string }
  | { kind: 'failed'; id: string; error: unknown };

function alreadyDone(run: FlowRun): string {
  if (toFlowRunStatus(run.status) === FlowRunStatus.Unknown) {
    return vscode.l10n.t('Run {0} is in a state the server reports as unknown; it cannot be cancelled from here.', shortIdOf(run));
  }
  return vscode.l10n.t('Run {0} already {1}; nothing to cancel.', shortIdOf(run), statusWord(run));
}

/** Asks once for all runs unless flowRuns.confirmCancel is off; undefined means go ahead, else the unanswered question. */
async function confirm(services: Services, runs: FlowRun[]): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration('flowRuns');
  if (!config.get<boolean>('confirmCancel', true)) return undefined;
  const first = runs[0];
  // The question names the flow: look it up (cached, shared with the tree).
  if (runs.length === 1) await services.flows.get(first.flow_id);
  const question = runs.length === 1
    ? vscode.l10n.t("Cancel run {0} of '{1}'?", shortIdOf(first), services.flows.title(first.flow_id) ?? first.flow_id)
    : vscode.l10n.t('Cancel {0} runs?', runs.length);
  const detail = runs.length === 1
    ? vscode.l10n.t('It is {0}. Steps still running are stopped; finished steps keep their output.', statusWord(first))
    : vscode.l10n.t('Steps still running are stopped; finished steps keep their output.\n{0}', runs.map((r) => `${shortIdOf(r)} (${statusWord(r)})`).join(', '));
  const CONFIRM = vscode.l10n.t('Cancel Run');
  const DONT_ASK = vscode.l10n.t("Don't Ask Again");
  const choice = await askModal(services, question, detail,
    { title: CONFIRM },
    { title: DONT_ASK },
    { title: vscode.l10n.t('Keep Running'), isCloseAffordance: true },
  );
  if (choice?.title === DONT_ASK) {
    await config.update('confirmCancel', false, vscode.ConfigurationTarget.Global);
    return undefined;
  }
  return choice?.title === CONFIRM ? undefined : question;
}

/** POST cancel, then read the run until the server reports it ended (bounded). */
async function cancelOne({ services, api, fresh }: RunAction, id: string): Promise<One> {
  try {
    const answered = await api.cancelRun(id);
    if (answered) services.store.upsert(answered);
    let run = answered;
    for (let i = 0; i < CONFIRM_POLLS && !(run && isTerminalRunStatus(toFlowRunStatus(run.status))); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)));
      run = await fresh(id);
    }
    if (!run || !isTerminalRunStatus(toFlowRunStatus(run.status))) return { kind: 'requested', id };
    return toFlowRunStatus(run.status) === FlowRunStatus.Cancelled ? { kind: 'cancelled', run } : { kind: 'finished', run };
  } catch (e) {
    // A run that ended meanwhile may be refused with 400/409: that is not a failure.
    if (isApiError(e) && (e.kind === 'invalid_request' || e.kind === 'conflict')) {
      try {
        const run = await fresh(id);
        if (isTerminalRunStatus(toFlowRunStatus(run.status))) return { kind: 'finished', run };
      } catch {
        // Report the cancel's own error below.
      }
    }
    return { kind: 'failed', id, error: e };
  }
}

function sentence(one: One): string {
  switch (one.kind) {
    case 'cancelled': return vscode.l10n.t('Run {0} cancelled.', shortIdOf(one.run));
    case 'finished': return toFlowRunStatus(one.run.status) === FlowRunStatus.Cancelled
      ? alreadyDone(one.run)
      : vscode.l10n.t('Run {0} had already {1}; nothing to cancel.', shortIdOf(one.run), statusWord(one.run));
    case 'requested': return vscode.l10n.t('Cancel requested for run {0}; the server has not reported it stopped yet.', shortIdOf(one.id));
    case 'failed': return vscode.l10n.t('Run {0} could not be cancelled.', shortIdOf(one.id));
  }
}

export function cancelRun(services: Services, arg?: unknown, selection?: unknown): Promise<ActionOutcome> {
  return actOnRuns(services, {
    title: vscode.l10n.t('Cancel Run'),
    scope: ACTION_SCOPES.cancel,
    many: true,
    pick: { activeOnly: true, title: vscode.l10n.t('Cancel which run?'), emptyMessage: vscode.l10n.t('No pending or running runs to cancel.') },
    on: (id) => vscode.l10n.t('Cancel run {0}', id),
  }, arg, selection, async (action) => {
    const { ids, fail } = action;
    // The tree may be a moment behind: look at each run as the server has it now.
    const active: FlowRun[] = [];
    const notes: string[] = [];
    for (const id of ids) {
      try {
        const run = await action.fresh(id);
        if (isActive(run)) active.push(run);
        else notes.push(alreadyDone(run));
      } catch (e) {
        if (ids.length === 1) return fail(e, id);
        notes.push(fail(e, id).message ?? '');
      }
    }
    if (active.length === 0) return inform(notes.join(' ') || vscode.l10n.t('Nothing to cancel.'), true);
    const unanswered = await confirm(services, active);
    if (unanswered !== undefined) return { ok: false, message: vscode.l10n.t('Nothing was cancelled: "{0}" was not confirmed.', unanswered) };

        const results = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: active.length === 1 ? vscode.l10n.t('Cancelling run {0}…', shortIdOf(active[0])) : vscode.l10n.t('Cancelling {0} runs…', active.length) },
      () => Promise.all(active.map((r) => cancelOne(action, r.id))),
    );

    const failed = results.filter((r): r is Extract<One, { kind: 'failed' }> => r.kind === 'failed');
    if (results.length === 1 && failed.length === 1) return fail(failed[0].error, failed[0].id);
    // Several runs: one error toast for the first failure, one summary for all.
    if (failed.length > 0) fail(failed[0].error, failed[0].id);
    const cancelled = results.filter((r) => r.kind === 'cancelled').length;
    const summary = results.length === 1
      ? sentence(results[0])
      : [cancelled === results.length ? vscode.l10n.t('Cancelled {0} runs.', cancelled) : vscode.l10n.t('Cancelled {0} of {1} runs.', cancelled, results.length), ...results.filter((r) => r.kind !== 'cancelled').map(sentence), ...notes].join(' ');
    if (failed.length > 0) {
      void vscode.window.showWarningMessage(summary);
      return { ok: false, message: summary, cancelled };
    }
    const done = inform(results.length === 1 && notes.length ? `${summary} ${notes.join(' ')}` : summary, true);
    return { ...done, cancelled };
  });
}
