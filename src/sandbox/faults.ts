// Seeded fault injection. Each decision draws from a generator derived from
// (seed, route, n-th call on that route), so a schedule replays from its seed
// even when calls on different routes interleave differently.
import { resetHeader, retryAfterHeader, SEED_FORMS, type AnswerForms } from './answerForms';
import { createRng, hashParts, randInt, type Rng } from './rng';
import type { FaultPlan } from './types';

export type HttpFault =
  | { kind: 'none'; latencyMs: number }
  | { kind: '429'; latencyMs: number; headers: Record<string, string> }
  | { kind: '500'; latencyMs: number }
  | { kind: '403'; latencyMs: number; detail: string };

/** The detail of an injected 403 that is not about a scope. */
export const DEFAULT_FORBIDDEN_DETAIL = 'A one-time password is required for this action.';
const MAX_DETAIL = 500;

export type StreamEventFault = 'none' | 'drop' | 'malformed' | 'duplicate' | 'silence';

export class FaultInjector {
  private plan: FaultPlan | undefined;
  private counters = new Map<string, number>();
  readonly injected: Record<string, number> = {};

  constructor(plan?: FaultPlan) {
    this.set(plan);
  }

  /** Replaces the plan and restarts the schedule. */
  set(plan: FaultPlan | undefined): void {
    this.plan = plan ? structuredClone(plan) : undefined;
    this.counters.clear();
  }

  get current(): FaultPlan | undefined {
    return this.plan;
  }

  resetCounts(): void {
    for (const k of Object.keys(this.injected)) delete this.injected[k];
  }

  count(kind: string): void {
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
  }

  private applies(plan: FaultPlan, route: string): boolean {
    return !plan.routes || plan.routes.length === 0 || plan.routes.some((r) => route === r || route.includes(r));
  }

  private rngFor(plan: FaultPlan, scope: string, route: string): Rng {
    const key = `${scope} ${route}`;
    const n = this.counters.get(key) ?? 0;
    this.counters.set(key, n + 1);
    return createRng(hashParts(plan.seed ?? 1, scope, route, n));
  }

  /**
   * The fault for one HTTP request; `override` is a per-request plan
   * (X-Sandbox-Faults header); `forms` say how a 429 writes its headers.
   */
  forRequest(route: string, override?: FaultPlan, forms: AnswerForms = SEED_FORMS): HttpFault {
    const plan = override ?? this.plan;
    if (!plan || !this.applies(plan, route)) return { kind: 'none', latencyMs: 0 };
    const rng = this.rngFor(plan, 'http', route);
    const latencyMs = plan.latencyMs ? randInt(rng, Math.max(0, plan.latencyMs[0]), Math.max(plan.latencyMs[0], plan.latencyMs[1])) : 0;
    const r429 = rng();
    const r500 = rng();
    // Drawn last, so plans without 403s replay exactly as before it existed.
    const r403 = rng();
    if (latencyMs > 0) this.count('latency');
    if (plan.rate429 && r429 < plan.rate429) {
      this.count('429');
      const secs = Math.max(0, Math.round(plan.retryAfterSeconds ?? 1));
      const now = Date.now();
      const headers: Record<string, string> = plan.rate429Header === 'x-ratelimit-reset'
        ? { 'X-RateLimit-Reset': resetHeader(forms, now + secs * 1000, now), 'X-RateLimit-Remaining': '0' }
        : { 'Retry-After': retryAfterHeader(forms.retryAfter === 'absent' ? { ...forms, retryAfter: 'seconds' } : forms, secs, now) ?? String(secs) };
      return { kind: '429', latencyMs, headers };
    }
    if (plan.rate500 && r500 < plan.rate500) {
      this.count('500');
      return { kind: '500', latencyMs };
    }
    if (plan.rate403 && r403 < plan.rate403) {
      this.count('403');
      return { kind: '403', latencyMs, detail: plan.forbiddenDetail ?? DEFAULT_FORBIDDEN_DETAIL };
    }
    return { kind: 'none', latencyMs };
  }

  /** A per-connection decider for stream events, or undefined when no stream fault applies. */
  forStream(route: string, override?: FaultPlan): StreamFaults | undefined {
    const plan = override ?? this.plan;
    if (!plan || !this.applies(plan, route)) return undefined;
    const hasStreamFaults = plan.dropStreamAfterEvents !== undefined || plan.dropProbability || plan.malformedProbability
      || plan.duplicateProbability || plan.silenceProbability;
    if (!hasStreamFaults) return undefined;
    return new StreamFaults(plan, this.rngFor(plan, 'stream', route), (k) => this.count(k));
  }
}

export class StreamFaults {
  private sent = 0;

  constructor(private readonly plan: FaultPlan, private readonly rng: Rng, private readonly count: (kind: string) => void) {}

  get silenceMs(): number {
    return this.plan.silenceMs ?? 60000;
  }

  /** Decides the fate of the next data event. Draws the same number of values each time, to keep replays aligned. */
  next(): StreamEventFault {
    const [rDrop, rSilence, rMalformed, rDup] = [this.rng(), this.rng(), this.rng(), this.rng()];
    const p = this.plan;
    let fault: StreamEventFault = 'none';
    if (p.dropStreamAfterEvents !== undefined && this.sent >= p.dropStreamAfterEvents) fault = 'drop';
    else if (p.dropProbability && rDrop < p.dropProbability) fault = 'drop';
    else if (p.silenceProbability && rSilence < p.silenceProbability) fault = 'silence';
    else if (p.malformedProbability && rMalformed < p.malformedProbability) fault = 'malformed';
    else if (p.duplicateProbability && rDup < p.duplicateProbability) fault = 'duplicate';
    if (fault !== 'drop' && fault !== 'silence') this.sent++;
    if (fault !== 'none') this.count(fault);
    return fault;
  }
}

/** Reads a FaultPlan from JSON; throws a message naming the bad field. */
export function parseFaultPlan(json: unknown): FaultPlan | undefined {
  if (json === null || json === undefined) return undefined;
  if (typeof json !== 'object' || Array.isArray(json)) throw new Error('fault plan must be an object or null');
  const o = json as Record<string, unknown>;
  const plan: FaultPlan = {};
  const num = (k: keyof FaultPlan): number | undefined => {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${k} must be a non-negative number`);
    return v;
  };
  const prob = (k: keyof FaultPlan): number | undefined => {
    const v = num(k);
    if (v !== undefined && v > 1) throw new Error(`${k} must be a probability in [0, 1]`);
    return v;
  };
  plan.seed = num('seed');
  if (o.routes !== undefined) {
    if (!Array.isArray(o.routes) || !o.routes.every((r) => typeof r === 'string')) throw new Error('routes must be an array of strings');
    plan.routes = o.routes;
  }
  if (o.latencyMs !== undefined) {
    const l = o.latencyMs;
    if (!Array.isArray(l) || l.length !== 2 || !l.every((x) => typeof x === 'number' && x >= 0)) throw new Error('latencyMs must be [min, max]');
    plan.latencyMs = [l[0] as number, l[1] as number];
  }
  plan.rate429 = prob('rate429');
  if (o.rate429Header !== undefined) {
    if (o.rate429Header !== 'retry-after' && o.rate429Header !== 'x-ratelimit-reset') throw new Error('rate429Header must be "retry-after" or "x-ratelimit-reset"');
    plan.rate429Header = o.rate429Header;
  }
  plan.retryAfterSeconds = num('retryAfterSeconds');
  plan.rate500 = prob('rate500');
  plan.rate403 = prob('rate403');
  if (o.forbiddenDetail !== undefined) {
    if (typeof o.forbiddenDetail !== 'string' || !o.forbiddenDetail.trim() || o.forbiddenDetail.length > MAX_DETAIL) {
      throw new Error(`forbiddenDetail must be a non-empty string of at most ${MAX_DETAIL} characters`);
    }
    plan.forbiddenDetail = o.forbiddenDetail;
  }
  plan.dropStreamAfterEvents = num('dropStreamAfterEvents');
  plan.dropProbability = prob('dropProbability');
  plan.malformedProbability = prob('malformedProbability');
  plan.duplicateProbability = prob('duplicateProbability');
  plan.silenceProbability = prob('silenceProbability');
  plan.silenceMs = num('silenceMs');
  for (const k of Object.keys(plan) as (keyof FaultPlan)[]) if (plan[k] === undefined) delete plan[k];
  return plan;
}
