// The rule for letting go of a finished run's follower: the follower makes
// one last GET when the run ends (that is how the final output arrives), so
// whoever held it for a live view keeps it until that GET is done, at most
// FINAL_FETCH_GRACE_MS, instead of closing it the moment the status turns
// terminal. The Runs view and the "run finished" notifier both use it.
import type { ConnectionState } from '../shared/runText';
import type { Disposable } from './emitter';
import type { FollowerHandle } from './followers';

/** After a followed run finished, its follower gets this long to fetch the final output. */
export const FINAL_FETCH_GRACE_MS = 10_000;

/** A follower in one of these states still reads the server (and will GET the run when it ends). */
export function isFollowing(state: ConnectionState): boolean {
  return state === 'live' || state === 'connecting' || state === 'reconnecting';
}

/** The handles of finished runs waiting for their final GET; disposing releases them all at once. */
export class LingeringFollowers implements Disposable {
  private readonly waiting = new Set<Disposable>();

  constructor(private readonly graceMs = FINAL_FETCH_GRACE_MS) {}

  /** How many handles are still held. */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Releases `handle` once its follower is done (the final GET answered, or
   * it stopped or failed) or after the grace period, whichever comes first;
   * at once when the follower no longer reads the server. Disposing the
   * result releases at once. `onReleased` runs once, after the release,
   * however it came.
   */
  releaseWhenDone(handle: FollowerHandle, onReleased?: () => void): Disposable {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      this.waiting.delete(entry);
      handle.release();
      onReleased?.();
    };
    const entry: Disposable = { dispose: release };
    const following = isFollowing(handle.follower.view.state);
    const timer = following ? setTimeout(release, this.graceMs) : undefined;
    if (!following) {
      release();
      return entry;
    }
    this.waiting.add(entry);
    void handle.follower.done.then(release, release);
    return entry;
  }

  dispose(): void {
    for (const entry of [...this.waiting]) entry.dispose();
  }
}
