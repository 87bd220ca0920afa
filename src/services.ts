// The long-lived objects every feature shares, made once in activate() and
// handed to each register() function. No module-level singletons.
import * as vscode from 'vscode';
import type { FlowRun } from './api/models';
import { Session } from './auth/session';
import { FlowCatalog } from './runs/flowCatalog';
import { FollowerRegistry } from './runs/followers';
import { RecentSet } from './runs/recentSet';
import { SentInputs } from './runs/sentInputs';
import { RunStore } from './runs/store';

export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly session: Session;
  /** Everything known about runs; views render from it. */
  readonly store: RunStore;
  /** Flows by id, fetched once. */
  readonly flows: FlowCatalog;
  /** Live followers, shared by the tree and the panels (reference-counted). */
  readonly followers: FollowerRegistry;
  /** Runs this window started: only these raise a "finished" notification. */
  readonly startedHere: Set<string>;
  /** Fires after Run Flow / Run Again created a run (the tree reveals it). */
  readonly onDidStartRun: vscode.Event<FlowRun>;
  /** The inputs this window sent, by run id: Run Again resends these rather than a run's stored `input`. */
  readonly sentInputs: SentInputs;
  /** Records a run this window just created (and the input it was created with). */
  runStarted(run: FlowRun, input?: Record<string, unknown>): void;
}

export function createServices(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Services {
  const session = new Session(context, log);
  const store = new RunStore();
  const flows = new FlowCatalog(() => session.current());
  const followers = new FollowerRegistry(() => session.current(), { logger: log });
  const started = new vscode.EventEmitter<FlowRun>();
  // Runs of a session are many; a run started 1,000 starts ago has long finished and been announced.
  const startedHere = new RecentSet<string>(1000);
  const sentInputs = new SentInputs();

  // A followed run's news goes into the store, so the tree moves it at once.
  const fromFollowers = followers.onDidChangeRun((run) => store.upsert(run));
  // Followed runs (panels, the tree's live runs, runs started here) are never forgotten.
  const followedPin = store.addPin((id) => followers.has(id));
  // Another key or URL means other runs: drop everything we hold.
  const onSession = session.onDidChange(() => {
    void followers.reset();
    flows.clear();
    store.clear();
    sentInputs.clear();
  });

  context.subscriptions.push(
    session,
    started,
    onSession,
    fromFollowers,
    followedPin,
    { dispose: () => void followers.dispose() },
    { dispose: () => store.dispose() },
    { dispose: () => flows.dispose() },
  );

  return {
    context,
    log,
    session,
    store,
    flows,
    followers,
    startedHere,
    sentInputs,
    onDidStartRun: started.event,
    runStarted(run: FlowRun, input?: Record<string, unknown>): void {
      startedHere.add(run.id);
      if (input) sentInputs.remember(run.id, input);
      store.upsert(run);
      started.fire(run);
    },
  };
}
