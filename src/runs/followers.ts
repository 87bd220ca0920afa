// Reference-counted followers shared by the tree and the panels: one pair of
// streams per run however many views watch it, closed when the last lets go.
import type { FlowRunsApi, StreamConnection, StreamHandlers } from '../api/api';
import { noKeyError } from '../api/errors';
import type { FlowRun } from '../api/models';
import { Emitter, type Event } from './emitter';
import { RunFollower, type FollowerOptions } from './follower';
import { TaskAccess } from './taskAccess';

export interface FollowerHandle {
  follower: RunFollower;
  /** Idempotent. */
  release(): void;
}

interface Entry {
  follower: RunFollower;
  holders: number;
  subscription: { dispose(): void };
}

/** Stands in when there is no client (no key): every follower fails at once with a "set a key" error. */
function keylessApi(): FlowRunsApi {
  const reject = <T>(): Promise<T> => Promise.reject(noKeyError());
  const stream = <T>(handlers: StreamHandlers<T>): StreamConnection => {
    handlers.onError?.(noKeyError('GET'), true);
    return { closed: Promise.resolve(), close: () => undefined };
  };
  return {
    baseUrl: '',
    createRun: reject,
    getRun: reject,
    listRuns: reject,
    cancelRun: reject,
    cloneRun: reject,
    updateRun: reject,
    setVisibility: reject,
    listFlows: reject,
    getFlow: reject,
    getTask: reject,
    streamRun: (_id, handlers) => stream(handlers),
    streamTasks: (_id, handlers) => stream(handlers),
  };
}

export class FollowerRegistry {
  private readonly entries = new Map<string, Entry>();
  /** What the server refused about tasks, for this key: one refusal, not one per task and event. */
  private readonly taskAccess: TaskAccess;
  private readonly runChanges = new Emitter<FlowRun>();
  /** Any followed run's run-level change. */
  readonly onDidChangeRun: Event<FlowRun> = this.runChanges.event;

  constructor(private readonly api: () => FlowRunsApi | undefined, private readonly opts: FollowerOptions = {}) {
    this.taskAccess = new TaskAccess(opts.logger);
  }

  /** The user asked to try again: task details the server refused are asked for once more. */
  retryTaskAccess(): void {
    this.taskAccess.reset();
  }

  /** Whether someone follows this run now. */
  has(runId: string): boolean {
    return this.entries.has(runId);
  }

  get size(): number {
    return this.entries.size;
  }

  acquire(runId: string): FollowerHandle {
    let entry = this.entries.get(runId);
    if (entry?.follower.view.state === 'failed') {
      // A Retry (or a view opening) after a 401/403/404: start afresh. Holders of the failed
      // follower keep it (it holds no socket); their release no longer counts down this run.
      entry.subscription.dispose();
      this.entries.delete(runId);
      entry = undefined;
    }
    if (!entry) {
      const follower = new RunFollower(this.api() ?? keylessApi(), runId, { ...this.opts, taskAccess: this.taskAccess });
      const subscription = follower.onDidChange((change) => {
        if (change.view.run && (change.full || change.runFields.length)) this.runChanges.fire(change.view.run);
      });
      entry = { follower, holders: 0, subscription };
      this.entries.set(runId, entry);
      follower.start();
    }
    entry.holders++;
    const held = entry;
    let released = false;
    return {
      follower: held.follower,
      release: () => {
        if (released) return;
        released = true;
        // After reset() this entry is no longer ours to count down.
        if (this.entries.get(runId) !== held) return;
        held.holders--;
        if (held.holders <= 0) {
          this.entries.delete(runId);
          held.subscription.dispose();
          void held.follower.stop();
        }
      },
    };
  }

  /** Stops every follower (key or base URL changed); holders see state 'stopped'. */
  async reset(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    // Another key may read what this one could not.
    this.taskAccess.reset();
    for (const e of all) e.subscription.dispose();
    await Promise.all(all.map((e) => e.follower.stop()));
  }

  async dispose(): Promise<void> {
    await this.reset();
    this.runChanges.dispose();
    this.taskAccess.dispose();
  }
}
