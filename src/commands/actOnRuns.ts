// The one shape of a run action (cancel, clone, visibility, update, copy,
// open, show, save): which runs it acts on (a tree item or the tree's
// selection, a run id from the panel or another command, else a quick pick
// from the palette), the API client, the scope the server will ask for, and
// how any failure becomes the one sentence the user reads. Each action file
// keeps only its own words and its call.
import * as vscode from 'vscode';
import type { FlowRunsApi } from '../api/api';
import { ApiError, isApiError } from '../api/errors';
import type { FlowRun } from '../api/models';
import type { Scope } from '../api/scopes';
import type { Services } from '../services';
import { shortIdOf } from '../shared/runText';
import { describeError, showError } from '../views/showError';
import { runIdsFrom } from './runRef';
import { pickRun, type RunPickOptions } from './runQuickPick';

/** What a run command returns to programmatic callers (tests, other commands): the text the user saw. */
export interface ActionOutcome {
  ok: boolean;
  message?: string;
  /** Cancel: how many runs the server reported cancelled. */
  cancelled?: number;
  /** Clone: the new flow's id. */
  flowId?: string;
  /** Open in Browser, Show Input/Output, Save Output: the address or document opened. */
  uri?: string;
}

/** The scope each action needs (the seed's table), named in 403 messages and in the README. */
export const ACTION_SCOPES = {
  cancel: 'flows:execute',
  clone: 'flows:write',
  visibility: 'flows:write',
  update: 'flows:write',
  read: 'flows:read',
} as const satisfies Record<string, Scope>;

export interface RunActionSpec {
  /** The command's title; errors before a run is known start with it ("Cancel Run failed: …"). */
  title: string;
  /** What the server needs; a 403 names it. */
  scope: Scope;
  /** Acts on the tree's whole multi-selection; otherwise on one run. */
  many?: boolean;
  /** The palette's quick pick when no run was given. */
  pick: RunPickOptions;
  /** The action on one run, as errors name it: `(shortId) => 'Cancel run ' + shortId`. */
  on: (shortId: string) => string;
}

export interface RunAction {
  readonly services: Services;
  readonly api: FlowRunsApi;
  /** The runs to act on: one, or the selection when the spec says `many` (never empty). */
  readonly ids: readonly string[];
  /** Shows the error as `<action on run> failed: <reason>` and returns that outcome (see failure()). */
  readonly fail: (error: unknown, runId?: string) => ActionOutcome;
  /** The run as the server has it now; the store is refreshed on the way. */
  readonly fresh: (id: string) => Promise<FlowRun>;
  /** The run we hold if we hold one (with `needs` true of it), else the server's. */
  readonly known: (id: string, needs?: (run: FlowRun) => boolean) => Promise<FlowRun>;
}

/**
 * Resolves the runs, gets the client and runs `act`; whatever fails on the
 * way (no key, the list for the quick pick, the action itself) reaches the
 * user once, in words, and comes back as the outcome.
 */
export async function actOnRuns(
  services: Services, spec: RunActionSpec, arg: unknown, selection: unknown,
  act: (run: RunAction) => Promise<ActionOutcome>,
): Promise<ActionOutcome> {
  let api: FlowRunsApi;
  try {
    api = await services.session.requireApi();
  } catch (e) {
    return failure(services, spec.title, e, ACTION_SCOPES.read);
  }
  let ids = spec.many ? runIdsFrom(arg, selection) : runIdsFrom(arg).slice(0, 1);
  if (ids.length === 0) {
    let picked;
    try {
      picked = await pickRun(services, api, spec.pick);
    } catch (e) {
      return failure(services, spec.title, e, ACTION_SCOPES.read);
    }
    if (picked.kind === 'empty') return inform(spec.pick.emptyMessage, false);
    if (picked.kind === 'dismissed') return { ok: false };
    ids = [picked.id];
  }
  const fresh = async (id: string): Promise<FlowRun> => {
    const run = await api.getRun(id);
    services.store.upsert(run);
    return run;
  };
  const action: RunAction = {
    services,
    api,
    ids,
    fail: (error, runId = ids[0]) => failure(services, spec.on(shortIdOf(runId)), error, spec.scope, runId),
    fresh,
    known: async (id, needs) => {
      const held = services.store.get(id);
      return held && (!needs || needs(held)) ? held : fresh(id);
    },
  };
  try {
    return await act(action);
  } catch (e) {
    return action.fail(e);
  }
}

/**
 * Shows `<action> failed: <reason>` (via showError) and returns the same text.
 * A run the server no longer has is dropped from the store; a 403 always names
 * the scope the action needs.
 */
export function failure(services: Services, action: string, error: unknown, scope: Scope, runId?: string): ActionOutcome {
  let shown = error;
  if (isApiError(error) && error.kind === 'not_found' && runId && (error.path ?? '').startsWith('/flowruns/')) {
    services.store.remove(runId);
    shown = new ApiError({
      kind: 'not_found',
      status: 404,
      userMessage: vscode.l10n.t('Run {0} no longer exists on the server (it may have been deleted or belong to another account); it was removed from the list.', shortIdOf(runId)),
    });
  } else if (isApiError(error) && error.kind === 'forbidden' && !error.userMessage.includes(scope)) {
    shown = new ApiError({
      kind: 'forbidden',
      status: error.status,
      scope,
      userMessage: vscode.l10n.t('This API key lacks the {0} scope this action needs. Create a key with {0} in Settings → API Keys, then run "Flow Runs: Set API Key".', scope),
    });
  }
  showError(action, shown, services.log);
  if (isApiError(shown) && shown.kind === 'aborted') return { ok: false };
  return { ok: false, message: vscode.l10n.t('{0} failed: {1}', action, describeError(shown)) };
}

/** Shows an informative message (not an error) and returns it. */
export function inform(text: string, ok: boolean): ActionOutcome {
  void vscode.window.showInformationMessage(text);
  return { ok, message: text };
}

/** A done action's confirmation in the status bar (no toast to dismiss), returned as the outcome. */
export function confirmDone(text: string, extra: Omit<ActionOutcome, 'ok' | 'message'> = {}): ActionOutcome {
  vscode.window.setStatusBarMessage(`$(check) ${text}`, 5000);
  return { ok: true, message: text, ...extra };
}

/**
 * A modal question; undefined when dismissed or when VS Code refuses to show
 * it (it does so while extension tests run): never an error, never a yes.
 */
export async function askModal<T extends vscode.MessageItem>(
  services: Services, question: string, detail: string | undefined, ...items: T[]
): Promise<T | undefined> {
  try {
    return await vscode.window.showWarningMessage(question, { modal: true, detail }, ...items);
  } catch (e) {
    services.log.warn(`[actions] the question "${question}" could not be shown: ${describeError(e)}`);
    return undefined;
  }
}
