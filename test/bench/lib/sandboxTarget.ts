// Where the stream bench's runs come from: a sandbox in this process, or one in
// a child process (test/bench/sandboxWorker.ts) reached through its control server.
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import type { FlowRun } from '../../../src/api/models';
import { parseFaultPlan, startSandbox, type FaultPlan, type SandboxOptions, type SandboxStats } from '../../../src/sandbox';

export interface SandboxTarget {
  readonly where: 'in-process' | 'child process';
  readonly url: string;
  readonly key: string;
  createRun(flow: string, input: Record<string, unknown>): Promise<FlowRun>;
  getRun(id: string): Promise<FlowRun | undefined>;
  setFaults(plan: FaultPlan | undefined): Promise<void>;
  stats(): Promise<SandboxStats>;
  close(): Promise<void>;
}

export async function inProcessSandbox(opts: SandboxOptions): Promise<SandboxTarget> {
  const sandbox = await startSandbox({ ...opts, port: 0 });
  return {
    where: 'in-process',
    url: sandbox.url,
    key: sandbox.defaultKey,
    createRun: (flow, input) => Promise.resolve(sandbox.createRunDirect(flow, input)),
    getRun: (id) => Promise.resolve(sandbox.getRun(id)),
    setFaults: (plan) => Promise.resolve(sandbox.setFaults(plan)),
    stats: () => Promise.resolve(sandbox.stats()),
    close: () => sandbox.close(),
  };
}

/** POST <control>/<action>; the answer's value, or throws its error. */
export async function callControl<T>(control: string, action: string, body: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${control}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const payload = (await res.json()) as { ok?: boolean; value?: unknown; error?: string };
  if (payload.ok !== true) throw new Error(`control ${action}: ${payload.error ?? 'failed'}`);
  return payload.value as T;
}

/** A bench worker in a child process: the JSON line it prints once listening, and a way to stop it. */
export async function spawnWorker<T>(script: string, args: string[] = []): Promise<{ info: T; close(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const name = path.basename(script, '.js');
  const info = await new Promise<T>((resolve, reject) => {
    let buffered = '';
    let errors = '';
    const timer = setTimeout(() => reject(new Error(`the ${name} worker did not start within 20 s`)), 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      buffered += c.toString();
      const line = buffered.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as T);
      }
    });
    child.stderr?.on('data', (c: Buffer) => (errors += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${name} worker exited with ${code ?? 'a signal'}: ${errors.trim()}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    info,
    close: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function childProcessSandbox(root: string, opts: SandboxOptions): Promise<SandboxTarget> {
  const worker = await spawnWorker<{ url: string; key: string; control: string }>(
    path.join(root, 'out', 'test', 'bench', 'sandboxWorker.js'), [JSON.stringify(opts)]);
  const info = worker.info;
  return {
    where: 'child process',
    url: info.url,
    key: info.key,
    createRun: (flow, input) => callControl<FlowRun>(info.control, 'createRun', { flow, input }),
    getRun: async (id) => (await callControl<FlowRun | null>(info.control, 'getRun', { id })) ?? undefined,
    setFaults: async (plan) => {
      await callControl(info.control, 'setFaults', { plan: parseFaultPlan(plan ?? null) ?? null });
    },
    stats: () => callControl<SandboxStats>(info.control, 'stats'),
    close: () => worker.close(),
  };
}
