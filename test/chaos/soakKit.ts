// What both soaks share (the plain-Node one in test/chaos/soak.test.ts and the
// one inside VS Code's extension host in test/vscode/chaos/suite/soak.test.ts):
// a sandbox in a child process (so the measured heap is the extension's alone),
// its stream counter, heap samples after a full collection, socket counts, the
// slope that says whether a series levels off, and the figure file.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

export const SOAK_SECONDS = Number(process.env.FLOW_RUNS_SOAK_SECONDS ?? 600);
export const ACTIONS_PER_SECOND = 5;
export const SAMPLE_MS = 10_000;
/** The key the sandbox CLI accepts with every scope. */
export const SANDBOX_KEY = 'inf_sandbox_demo';
/** Start, start, cancel, start, cancel: three starts and two cancels every second at 5 actions a second. */
export const ACTION_PATTERN = ['start', 'start', 'cancel', 'start', 'cancel'] as const;

/** What the soak starts on its `tick`: mostly the three-node image pipeline, some flaky and fan-out runs. */
export function soakStart(tick: number): { flow: string; input: Record<string, unknown> } {
  const flow = tick % 7 === 0 ? 'flow_fanout' : tick % 5 === 0 ? 'flow_flaky' : 'flow_image_pipeline';
  return { flow, input: flow === 'flow_fanout' ? { topic: `soak ${tick}` } : { prompt: `soak ${tick}` } };
}

export interface SoakActions {
  /** Starts a run (not awaited: starts overlap, as a busy user's do). */
  start(tick: number): void;
  /** Cancels an active run, if there is one. */
  cancel(): void;
  /** After each action: panels whose run ended close, and the like. */
  afterAction(now: number): void;
  /** Every SAMPLE_MS, and once before and after. */
  sample(): Promise<void>;
}

/** Runs ACTION_PATTERN at ACTIONS_PER_SECOND for `seconds`, sampling every SAMPLE_MS. */
export async function paceActions(seconds: number, actions: SoakActions): Promise<void> {
  const started = Date.now();
  let tick = 0;
  await actions.sample();
  let nextSample = started + SAMPLE_MS;
  while (Date.now() - started < seconds * 1000) {
    const action = ACTION_PATTERN[tick++ % ACTION_PATTERN.length];
    if (action === 'start') actions.start(tick);
    else actions.cancel();
    const now = Date.now();
    actions.afterAction(now);
    if (now >= nextSample) {
      nextSample += SAMPLE_MS;
      await actions.sample();
    }
    await new Promise((r) => setTimeout(r, 1000 / ACTIONS_PER_SECOND));
  }
  await actions.sample();
}

export interface SoakSample {
  t: number;
  heapMB: number;
  rssMB: number;
  openStreams: number;
  tcpHandles: number;
  followers: number;
  storeRuns: number;
}

export interface SandboxProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node dist/sandbox.js` on a free port (`node` is this process's own executable). */
export async function startSandboxProcess(repo: string): Promise<SandboxProcess> {
  const script = path.join(repo, 'dist', 'sandbox.js');
  assert.ok(fs.existsSync(script), `${script} is built (npm run build)`);
  const child = spawn(process.execPath, [script, '--port', '0', '--speed', '0.25', '--seed', '11', '--keep-alive', '5000', '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Inside VS Code the executable is its Node; without this it would start as Electron's app.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the sandbox did not start: ${out}`)), 15_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the sandbox exited (${code ?? 'signal'}): ${out}`)));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function sandboxStats(url: string): Promise<{ openStreams: number; requests: number }> {
  const res = await fetch(`${url}/_sandbox/stats`);
  const body = (await res.json()) as { data?: { openStreams: number; requests: number }; openStreams?: number; requests?: number };
  const s = body.data ?? (body as { openStreams: number; requests: number });
  return { openStreams: s.openStreams, requests: s.requests };
}

/** Polls the sandbox until it holds no open stream, or the deadline; returns the last count. */
export async function waitForNoStreams(url: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = (await sandboxStats(url)).openStreams;
    if (n === 0 || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Least-squares slope of y over x. */
export function slope(points: [number, number][]): number {
  const n = points.length;
  if (n === 0) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPWrap').length;
}

/** A full collection before each heap sample, so the samples show what is retained, not garbage. */
export function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn: unknown = vm.runInNewContext('gc');
    return typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export function heapSample(gc: (() => void) | undefined): { heapMB: number; rssMB: number } {
  gc?.();
  const mem = process.memoryUsage();
  return { heapMB: mem.heapUsed / 2 ** 20, rssMB: mem.rss / 2 ** 20 };
}

/** Slopes per minute over the second half (the first half is warm-up: caches and pools filling). */
export function secondHalfSlopes(samples: readonly SoakSample[], seconds: number): { heap: number; streams: number; tcp: number } {
  const second = samples.filter((s) => s.t >= seconds / 2);
  return {
    heap: slope(second.map((s) => [s.t / 60, s.heapMB])),
    streams: slope(second.map((s) => [s.t / 60, s.openStreams])),
    tcp: slope(second.map((s) => [s.t / 60, s.tcpHandles])),
  };
}

/** Writes test-results/<name>.json and prints the figures without the samples. */
export function writeFigures(repo: string, name: string, figures: Record<string, unknown> & { samples: readonly SoakSample[] }): void {
  const file = path.join(repo, 'test-results', `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`${name} (${file}):\n${JSON.stringify({ ...figures, samples: figures.samples.length }, null, 2)}\n`);
}
