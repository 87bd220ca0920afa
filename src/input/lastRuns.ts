// The input file remembers its runs: the last run Run Flow started from each
// file, for the CodeLens ("last run ✓ Completed 2 min ago"). Bounded (the
// newest LIMIT files) and kept in workspaceState, so it survives a reload.
// The lens follows the run through the store's events, debounced.
import * as vscode from 'vscode';
import type { FlowRun } from '../api/models';
import type { Services } from '../services';
import { endedAt, isActive, runStatusIcon, shortIdOf, startedAt } from '../shared/runText';
import { relativeTime } from '../shared/time';
import { statusLabel } from '../views/statusWords';
import { timeWords } from '../views/timeWords';

const STATE_KEY = 'flowRuns.lastRunByFile';
const LIMIT = 200;
const DEBOUNCE_MS = 250;
/** "2 min ago" grows while an input file with a last run is shown. */
const TICK_MS = 30_000;

/** The lens's words for a run: `last run $(pass) Completed 2 min ago`, or `… Running, started just now`. */
export function lastRunTitle(run: FlowRun | undefined, runId: string, now: number): string {
  if (!run) return vscode.l10n.t('last run {0}', shortIdOf(runId));
  const { icon, spin } = runStatusIcon(run.status);
  // A CodeLens drops plain spaces next to an icon: no-break spaces keep "run ✓ Completed" apart.
  const look = `\u00a0$(${icon}${spin ? '~spin' : ''})\u00a0${statusLabel(run)}`;
  const ended = endedAt(run);
  if (!isActive(run) && ended !== undefined) return vscode.l10n.t('last run{0} {1}', look, relativeTime(ended, now, timeWords()));
  const start = startedAt(run);
  return start === undefined
    ? vscode.l10n.t('last run{0}', look)
    : vscode.l10n.t('last run{0}, started {1}', look, relativeTime(start, now, timeWords()));
}

export class LastRuns implements vscode.Disposable {
  /** File URI → run id, oldest first (a Map keeps insertion order). */
  private readonly byFile: Map<string, string>;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires (debounced) when a remembered run changes or a file gets a new last run. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly asked = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly services: Services) {
    const saved = services.context.workspaceState.get<unknown>(STATE_KEY);
    const pairs = Array.isArray(saved)
      ? saved.filter((p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string')
      : [];
    this.byFile = new Map(pairs.slice(-LIMIT));
    const sub = services.store.onDidChangeRun(({ run }) => {
      if (this.remembers(run.id)) this.schedule();
    });
    const tick = setInterval(() => {
      if (vscode.window.visibleTextEditors.some((e) => this.byFile.has(e.document.uri.toString()))) this.schedule();
    }, TICK_MS);
    this.disposables.push(
      new vscode.Disposable(() => sub.dispose()),
      new vscode.Disposable(() => clearInterval(tick)),
      this.changed,
      services.session.onDidChange(() => this.asked.clear()),
    );
  }

  private remembers(runId: string): boolean {
    for (const id of this.byFile.values()) if (id === runId) return true;
    return false;
  }

  /** Run Flow started `runId` from the file at `uri`. */
  record(uri: vscode.Uri, runId: string): void {
    const key = uri.toString();
    this.byFile.delete(key);
    this.byFile.set(key, runId);
    while (this.byFile.size > LIMIT) this.byFile.delete(this.byFile.keys().next().value as string);
    // Untitled files are gone after a reload: only files on disk are kept across one.
    const kept = [...this.byFile].filter(([k]) => !k.startsWith('untitled:'));
    void this.services.context.workspaceState.update(STATE_KEY, kept);
    this.schedule(0);
  }

  /** The last run started from the file, and the run as we know it (after a reload it is asked for once). */
  lastRun(uri: vscode.Uri): { runId: string; run: FlowRun | undefined } | undefined {
    const runId = this.byFile.get(uri.toString());
    if (!runId) return undefined;
    const run = this.services.store.get(runId);
    if (!run) this.fetch(runId);
    return { runId, run };
  }

  private fetch(runId: string): void {
    const api = this.services.session.current();
    if (!api || this.asked.has(runId)) return;
    this.asked.add(runId);
    api.getRun(runId).then(
      (run) => this.services.store.upsert(run),
      (e: unknown) => this.services.log.debug(`[input] the last run ${runId} of a file could not be read: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private schedule(delay = DEBOUNCE_MS): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire();
    }, delay);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
