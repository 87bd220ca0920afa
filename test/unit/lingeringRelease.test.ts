// The follower-release rule the Runs view and the notifier share: a finished
// run's follower is kept until its final GET is done, at most the grace period.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FollowerHandle } from '../../src/runs/followers';
import { LingeringFollowers } from '../../src/runs/lingeringRelease';
import type { ConnectionState } from '../../src/shared/runText';

/** A handle on a stand-in follower whose `done` the test settles. */
function handle(state: ConnectionState): { h: FollowerHandle; releases: () => number; finish: () => void } {
  let releases = 0;
  let finish = (): void => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const h = { follower: { view: { state }, done }, release: () => releases++ } as unknown as FollowerHandle;
  return { h, releases: () => releases, finish };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

void describe('lingering release of a finished run\'s follower', () => {
  void test('kept while the final GET runs, released once the follower is done, and onReleased runs once', async () => {
    const lingering = new LingeringFollowers(60_000);
    const f = handle('live');
    let called = 0;
    lingering.releaseWhenDone(f.h, () => called++);
    await tick();
    assert.equal(f.releases(), 0, 'still held while the follower works');
    assert.equal(lingering.size, 1);
    f.finish();
    await tick();
    assert.equal(f.releases(), 1);
    assert.equal(called, 1);
    assert.equal(lingering.size, 0);
  });

  void test('released after the grace period when the follower never finishes', async () => {
    const lingering = new LingeringFollowers(20);
    const f = handle('reconnecting');
    lingering.releaseWhenDone(f.h);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(f.releases(), 1);
    assert.equal(lingering.size, 0);
  });

  void test('released at once when the follower no longer reads the server', () => {
    const lingering = new LingeringFollowers(60_000);
    for (const state of ['failed', 'stopped', 'ended'] as const) {
      const f = handle(state);
      let called = 0;
      lingering.releaseWhenDone(f.h, () => called++);
      assert.equal(f.releases(), 1, state);
      assert.equal(called, 1, state);
    }
    assert.equal(lingering.size, 0);
  });

  void test('disposing releases every held handle once, and no timer outlives it', async () => {
    const lingering = new LingeringFollowers(60_000);
    const fs = [handle('live'), handle('connecting')];
    const entries = fs.map((f) => lingering.releaseWhenDone(f.h));
    lingering.dispose();
    entries[0].dispose();
    fs[1].finish();
    await tick();
    assert.deepEqual(fs.map((f) => f.releases()), [1, 1]);
    // The 60 s timers were cleared: node:test would otherwise wait for them before exiting.
  });
});
