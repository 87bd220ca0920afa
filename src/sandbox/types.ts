// The sandbox's public types (re-exported by index.ts).
import type { Logger } from '../api/logger';
import type { Flow, FlowRun, Task } from '../api/models';
import type { SandboxProfile } from './variation';
import type { CreateRunOptions } from './executor';

export type { SandboxProfile } from './variation';

export interface SandboxKey {
  key: string;
  /** Empty list = full access; `*` = everything; `flows` = flows:read+execute+write. */
  scopes: string[];
}

/**
 * Faults to inject, decided by a seeded generator. Each decision draws from a
 * generator derived from (seed, route, n-th request on that route) or
 * (seed, route, n-th stream on that route, event index), so the same seed and
 * the same sequence of calls per route replays the same schedule.
 * Probabilities are in [0, 1].
 */
export interface FaultPlan {
  seed?: number;
  /** Route keys (`GET /flowruns/:id/stream`) or substrings of them (`/stream`); default every API route. */
  routes?: string[];
  /** Extra delay before answering (and before a stream's first byte), uniformly in [min, max] ms. */
  latencyMs?: [number, number];
  /** Probability of answering 429. */
  rate429?: number;
  /**
   * Which header the 429 carries: `Retry-After` seconds (default) or `X-RateLimit-Reset` unix seconds.
   * Under the varied profile the value's form varies too: seconds or an HTTP date; unix or delta seconds.
   */
  rate429Header?: 'retry-after' | 'x-ratelimit-reset';
  /** Seconds to wait that a 429 announces (default 1). */
  retryAfterSeconds?: number;
  /** Probability of answering 500 (problem+json). */
  rate500?: number;
  /**
   * Probability of answering 403 for a reason other than a scope (opt-in), so
   * the client's 403 handling can be tested: the problem's detail is
   * `forbiddenDetail` (default "A one-time password is required for this action.").
   */
  rate403?: number;
  forbiddenDetail?: string;
  /** Close every stream abruptly after this many data events. */
  dropStreamAfterEvents?: number;
  /** Probability, per data event, of closing the stream abruptly instead of sending it. */
  dropProbability?: number;
  /** Probability, per data event, of sending a truncated (unparseable) event first. */
  malformedProbability?: number;
  /** Probability, per data event, of sending it twice. */
  duplicateProbability?: number;
  /** Probability, per data event, of going silent (no events, no keep-alives) for `silenceMs`, then closing. */
  silenceProbability?: number;
  /** Default 60000. */
  silenceMs?: number;
}

export interface SandboxStats {
  /** API requests (control and image routes not counted). */
  requests: number;
  /** Per route key, e.g. `POST /flowruns/list`. */
  byRoute: Record<string, number>;
  openStreams: number;
  /**
   * Answers by HTTP status per route key, counted when the answer ends:
   * `byStatus['GET /tasks/:id']['403']`. Injected faults and rate limits count too.
   */
  byStatus: Record<string, Record<string, number>>;
  /** Per fault kind: `latency`, `429`, `500`, `403`, `drop`, `malformed`, `duplicate`, `silence`. */
  faultsInjected: Record<string, number>;
}

export interface SandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (random); the CLI's default is 8787. */
  port?: number;
  /** Multiplier on simulated step durations: 1 = demo pace, 0.01 = tests, 0 = as fast as possible. Default 1. */
  speed?: number;
  /** Default: every SANDBOX_KEYS key. */
  keys?: SandboxKey[];
  /** Persist runs and flows here as JSON (atomic writes), reloaded at start. */
  dataDir?: string;
  /** Seed for all simulated randomness (random-failure app, faults, seeded runs, varied answers). Default 1. */
  seed?: number;
  /**
   * `seed` (default): answers shaped like the seed page's examples, as always.
   * `varied`: each answer picks, from `seed`, among the forms the seed and the
   * wire spec allow (README, "The local sandbox"); the state stays consistent.
   */
  profile?: SandboxProfile;
  /** Create this many historical terminal runs at start. Default 0. */
  seedRuns?: number;
  faults?: FaultPlan;
  /**
   * 429 past N API requests in a rolling minute (per key), with X-RateLimit-*
   * headers. Counts every request except run creation when
   * `createRateLimitPerMinute` is set (then each kind has its own budget and
   * headers); otherwise run creation counts here too.
   */
  rateLimitPerMinute?: number;
  /** 429 past N run creations (POST /flowruns) in a rolling minute (per key); its own budget and headers. */
  createRateLimitPerMinute?: number;
  logger?: Logger;
  /** Interval of stream keep-alive comments. Default 15000. */
  keepAliveMs?: number;
  /**
   * Answer browsers on other origins (CORS, src/sandbox/cors.ts). Default true; false plays an
   * API that does not allow the page's origin, so the web build's refusal can be seen and tested.
   */
  cors?: boolean;
}

export interface Sandbox {
  readonly url: string;
  readonly port: number;
  readonly defaultKey: string;
  readonly profile: SandboxProfile;
  close(): Promise<void>;
  setFaults(plan: FaultPlan | undefined): void;
  stats(): SandboxStats;
  resetStats(): void;
  getRun(id: string): FlowRun | undefined;
  getTask(id: string): Task | undefined;
  listAllRuns(): FlowRun[];
  addFlow(flow: Flow): void;
  /** Starts a run as if POSTed; `storedInput` fixes the form its `input` is kept in (the varied profile picks otherwise). */
  createRunDirect(flowId: string, input: Record<string, unknown>, opts?: CreateRunOptions): FlowRun;
  /** Starts a run created with `held: true`; false when no such run is held. */
  releaseRun(runId: string): boolean;
}
