// 200+ seeded random fault schedules: dropped connections, 429 and 500 bursts,
// malformed lines, duplicated events, long silences and latency. In every one
// the follower's final view must equal the sandbox's run exactly, and nothing
// may be left open. A failing schedule prints its seed and plan to replay it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowRunsClient } from '../../src/api/client';
import { silentLogger, type Logger } from '../../src/api/logger';
import type { FlowRun } from '../../src/api/models';
import { RunFollower } from '../../src/runs/follower';
import { startSandbox, type FaultPlan } from '../../src/sandbox';
import { failOnUnhandledRejection } from './helpers/guards';
import { waitFor } from './helpers/testServer';
import { createRng } from '../../src/sandbox/rng';

failOnUnhandledRejection();

const SCHEDULES = Number(process.env.FLOW_RUNS_FAULT_SCHEDULES ?? 200);
const CONCURRENCY = 16;
const FIRST_SEED = Number(process.env.FLOW_RUNS_FAULT_SEED ?? 1000);

interface Schedule {
  seed: number;
  plan: FaultPlan;
  flow: string;
  input: Record<string, unknown>;
  speed: number;
  /** Cancel the run after this many ms (a Cancelled ending), or never. */
  cancelAfterMs?: number;
}

function makeSchedule(seed: number): Schedule {
  // The sandbox's own seeded generator: the schedule itself replays from the seed.
  const r = createRng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const plan: FaultPlan = {
    seed,
    // GETs and streams only, so the test's own cancel is never refused.
    routes: ['GET '],
    rate429: pick([0, 0, 0.05, 0.15]),
    rate429Header: pick(['retry-after', 'x-ratelimit-reset'] as const),
    retryAfterSeconds: pick([0, 0, 0, 1]),
    rate500: pick([0, 0.05, 0.2]),
    dropProbability: pick([0, 0.03, 0.1, 0.25]),
    malformedProbability: pick([0, 0.1, 0.3]),
    duplicateProbability: pick([0, 0.1, 0.3]),
    silenceProbability: pick([0, 0, 0.03, 0.1]),
    silenceMs: 10_000,
  };
  if (r() < 0.2) plan.dropStreamAfterEvents = Math.floor(r() * 4);
  if (r() < 0.3) plan.latencyMs = [0, 15];
  const flow = pick(['flow_image_pipeline', 'flow_fanout', 'flow_flaky', 'flow_firehose', 'flow_unpositioned']);
  const input: Record<string, unknown> =
    flow === 'flow_image_pipeline' ? { prompt: `schedule ${seed}` }
    : flow === 'flow_fanout' ? { topic: `t${seed}`, depth: 1 + Math.floor(r() * 2) }
    : flow === 'flow_firehose' ? { updates: 50 + Math.floor(r() * 300) }
    : {};
  const schedule: Schedule = { seed, plan, flow, input, speed: pick([0.005, 0.01, 0.02]) };
  if (r() < 0.15) schedule.cancelAfterMs = Math.floor(r() * 40);
  return schedule;
}

/** The fields the view must match exactly, normalised through JSON as both sides travel. */
const norm = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
const FIELDS = ['status', 'node_statuses', 'node_outputs', 'output', 'error'] as const;

const injected: Record<string, number> = {};
let reconnects = 0;

/** FLOW_RUNS_FAULT_DEBUG=<seed> prints that schedule's client and follower log, to replay a failure. */
function debugLogger(seed: number): Logger {
  if (process.env.FLOW_RUNS_FAULT_DEBUG !== String(seed)) return silentLogger;
  const t0 = Date.now();
  const line = (level: string) => (m: string): void => {
    process.stderr.write(`[seed ${seed} +${Date.now() - t0}ms] ${level} ${m}\n`);
  };
  return { trace: line('trace'), debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

async function runSchedule(s: Schedule): Promise<void> {
  const logger = debugLogger(s.seed);
  const sb = await startSandbox({ port: 0, speed: s.speed, seed: s.seed, faults: s.plan, keepAliveMs: 40 });
  let follower: RunFollower | undefined;
  let guard: ReturnType<typeof setTimeout> | undefined;
  try {
    const client = new FlowRunsClient({
      baseUrl: sb.url, apiKey: sb.defaultKey, clientVersion: 'faults', timeoutMs: 10_000,
      retry: { maxRetries: 6, baseDelayMs: 5, maxDelayMs: 50 }, logger,
    });
    const run = sb.createRunDirect(s.flow, s.input);
    const f = new RunFollower(client, run.id, { silenceMs: 400, backoff: { baseMs: 5, maxMs: 100 }, logger });
    follower = f;
    f.onDidChange((c) => {
      if (c.view.state === 'reconnecting' && !c.runFields.length && !c.taskIds.length) reconnects++;
    });
    f.start();
    if (s.cancelAfterMs !== undefined) {
      await new Promise((r) => setTimeout(r, s.cancelAfterMs));
      await client.cancelRun(run.id).catch(() => undefined); // may already be over
    }
    const view = await Promise.race([
      f.done,
      new Promise<never>((_, reject) => {
        guard = setTimeout(() => reject(new Error(`schedule did not finish (state ${f.view.state})`)), 60_000);
      }),
    ]);
    assert.equal(view.state, 'ended', `state (${view.error?.userMessage ?? ''})`);
    const server = sb.getRun(run.id) as FlowRun;
    assert.ok([3, 4, 5].includes(server.status), 'the server run is over');
    for (const field of FIELDS) assert.deepEqual(norm(view.run?.[field]), norm(server[field]), field);
    assert.deepEqual(norm(view.run), norm(server), 'the whole run');
    for (const ref of Object.values(server.node_tasks ?? {})) {
      assert.deepEqual(norm(view.tasks[ref.task_id]), norm(sb.getTask(ref.task_id)), `task ${ref.task_id}`);
    }
    await waitFor(() => sb.stats().openStreams === 0, 10_000, 'every stream closed on the server');
    for (const [k, n] of Object.entries(sb.stats().faultsInjected)) injected[k] = (injected[k] ?? 0) + n;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`schedule seed ${s.seed} (${s.flow}, speed ${s.speed}, cancel ${String(s.cancelAfterMs)}) plan ${JSON.stringify(s.plan)}: ${msg}`);
  } finally {
    if (guard) clearTimeout(guard);
    await follower?.stop();
    await sb.close();
  }
}

after(async () => {
  // Nothing may outlive the schedules: no timer, no socket, no server. Closed
  // sockets leave the list a few ticks later, hence the bounded wait.
  const leftovers = (): string[] => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPSocketWrap' || r === 'TCPServerWrap');
  await waitFor(() => leftovers().length === 0, 5000, 'no timers or sockets left').catch(() => undefined);
  assert.deepEqual(leftovers(), [], 'no timers or sockets left');
});

void test(`${SCHEDULES} seeded fault schedules: the follower converges to the server's run exactly`, async () => {
  const seeds = Array.from({ length: SCHEDULES }, (_, i) => FIRST_SEED + i);
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < seeds.length) {
      const seed = seeds[next++];
      try {
        await runSchedule(makeSchedule(seed));
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  assert.deepEqual(failures, [], `${failures.length} schedule(s) failed`);
  if (SCHEDULES >= 100) {
    for (const kind of ['drop', 'malformed', 'duplicate', 'silence', '429', '500']) {
      assert.ok((injected[kind] ?? 0) > 0, `faults of kind ${kind} were injected (${JSON.stringify(injected)})`);
    }
    assert.ok(reconnects > 0, 'the follower had to reconnect');
  }
});
