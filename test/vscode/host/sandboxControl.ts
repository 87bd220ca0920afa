// The control server's sandbox actions, for the web suites: their worker cannot start a
// server, so the launcher starts sandboxes in its own process on request and calls their
// methods for them (test/vscode/util/remoteSandbox.ts is the client). Each sandbox logs its
// requests (method, path, status) to a file in test-results/, so a browser's failed request can
// be matched with what the sandbox saw.
import * as fs from 'node:fs';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox';
import { REMOTE_SANDBOX_CALLS, type RemoteSandboxCall, type StartedSandbox } from '../util/sandboxCalls';
import { str, type Body, type ControlAction } from './controlServer';

export interface SandboxControl {
  actions: Record<string, ControlAction>;
  /** Stops every sandbox still running. */
  close(): Promise<void>;
}

const isCall = (v: string): v is RemoteSandboxCall => (REMOTE_SANDBOX_CALLS as readonly string[]).includes(v);

export function sandboxControl(logFile: string): SandboxControl {
  const running = new Map<string, Sandbox>();
  let next = 1;
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  const find = (body: Body): Sandbox => {
    const sandbox = running.get(str(body, 'id'));
    if (!sandbox) throw new Error(`no sandbox ${String(body.id)} is running`);
    return sandbox;
  };
  const actions: Record<string, ControlAction> = {
    sandboxStart: async (body) => {
      const options = (body.options && typeof body.options === 'object' ? body.options : {}) as SandboxOptions;
      const id = `s${next++}`;
      const line = (level: string) => (message: string): void => void log.write(`${new Date().toISOString().slice(11, 23)} [${id}] [${level}] ${message}\n`);
      const sandbox = await startSandbox({
        ...options,
        logger: { trace: () => undefined, debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
      });
      running.set(id, sandbox);
      line('info')(`started on ${sandbox.url}`);
      const started: StartedSandbox = { id, url: sandbox.url, defaultKey: sandbox.defaultKey };
      return started;
    },
    sandboxStop: async (body) => {
      const sandbox = find(body);
      running.delete(str(body, 'id'));
      await sandbox.close();
      return true;
    },
    sandboxCall: (body) => {
      const sandbox = find(body);
      const call = str(body, 'call');
      if (!isCall(call)) throw new Error(`"${call}" is not a sandbox method the web suites may call`);
      const args = Array.isArray(body.args) ? body.args : [];
      return Promise.resolve((sandbox[call] as (...a: unknown[]) => unknown).apply(sandbox, args) ?? null);
    },
  };
  return {
    actions,
    close: async () => {
      await Promise.all([...running.values()].map((s) => s.close().catch(() => undefined)));
      running.clear();
      await new Promise<void>((resolve) => log.end(() => resolve()));
    },
  };
}
