// Starts VS Code's server (from code-server) with Node 24 in fresh temp dirs, and builds the
// workbench address that loads an extension in development mode (the `payload` the
// workbench honours with --enable-smoke-test-driver).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { VSCodePaths } from './provision';

export interface ServerOptions {
  paths: VSCodePaths;
  /** Environment for the server; it reaches the extension host. */
  env: NodeJS.ProcessEnv;
  /** Where the server's stdout/stderr go. */
  logFile: string;
  /** Extra machine settings merged over the defaults. */
  settings?: Record<string, unknown>;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** How long to wait for the server to listen. */
  startTimeoutMs?: number;
  /**
   * Workspace trust as a user has it (default off: every other window trusts everything). The
   * folder then opens in Restricted Mode, without the startup dialog, until a test trusts it.
   */
  workspaceTrust?: boolean;
}

export interface RunningServer {
  port: number;
  origin: string;
  /** Temp folder holding user data, server data and extensions of this run. */
  dataDir: string;
  /** Resolves with the exit code when the server process ends. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Settings that keep the workbench quiet and predictable under test. */
export const defaultMachineSettings: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'github.copilot.enable': { '*': false },
};

/** With workspace trust on: no modal at startup (the banner and the status bar say Restricted Mode). */
const trustSettings: Record<string, unknown> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
};

export async function startVSCodeServer(opts: ServerOptions): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-runs-vscode-'));
  const userDataDir = path.join(dataDir, 'user-data');
  const serverDataDir = path.join(dataDir, 'server-data');
  const extensionsDir = path.join(dataDir, 'extensions');
  for (const d of [userDataDir, serverDataDir, extensionsDir]) fs.mkdirSync(d, { recursive: true });
  // Machine settings apply to every window that connects to this server.
  for (const base of [userDataDir, serverDataDir]) {
    fs.mkdirSync(path.join(base, 'Machine'), { recursive: true });
    fs.writeFileSync(
      path.join(base, 'Machine', 'settings.json'),
      JSON.stringify({ ...defaultMachineSettings, ...(opts.workspaceTrust ? trustSettings : {}), ...(opts.settings ?? {}) }, null, 2),
    );
  }
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = fs.createWriteStream(opts.logFile);

  const child = spawn(
    opts.paths.node24,
    [
      opts.paths.serverMain,
      '--host', '127.0.0.1',
      '--port', String(opts.port ?? 0),
      '--without-connection-token',
      '--accept-server-license-terms',
      '--enable-smoke-test-driver',
      ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-telemetry',
      '--telemetry-level', 'off',
      '--user-data-dir', userDataDir,
      '--server-data-dir', serverDataDir,
      '--extensions-dir', extensionsDir,
    ],
    // Own process group, so stop() also ends the extension host and pty host it forks.
    { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      reject(new Error(`VS Code server did not start within ${opts.startTimeoutMs ?? 60000} ms; see ${opts.logFile}`));
    }, opts.startTimeoutMs ?? 60000);
    const onData = (chunk: Buffer): void => {
      log.write(chunk);
      buffered += chunk.toString();
      const m = /Extension host agent listening on (\d+)/.exec(buffered);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
      if (buffered.length > 100_000) buffered = buffered.slice(-1000);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`VS Code server exited with code ${code ?? 'null'} before listening; see ${opts.logFile}`));
    });
  }).catch(async (e: unknown) => {
    await killGroup(child, exited);
    throw e;
  });

  let stopped: Promise<void> | undefined;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    dataDir,
    exited,
    stop: () => {
      stopped ??= (async () => {
        await killGroup(child, exited);
        log.end();
        fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
      })();
      return stopped;
    },
  };
}

/** SIGTERM the whole process group, then SIGKILL if it lingers. */
async function killGroup(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.pid === undefined) return;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    signal('SIGTERM');
    const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
    if (!done) signal('SIGKILL');
  }
  // Children (extension host, pty host) may outlive the server by a moment.
  signal('SIGKILL');
}

export interface WorkbenchUrlOptions {
  origin: string;
  folder: string;
  extensionDevelopmentPath: string;
  extensionTestsPath?: string;
}

/** http://127.0.0.1:P/?folder=...&payload=... that loads the extension in development mode. */
export function workbenchUrl(opts: WorkbenchUrlOptions): string {
  const authority = new URL(opts.origin).host;
  const remote = (p: string): string => `vscode-remote://${authority}${encodeURI(p)}`;
  const payload: [string, string][] = [['extensionDevelopmentPath', remote(opts.extensionDevelopmentPath)]];
  if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(opts.extensionTestsPath)]);
  return `${opts.origin}/?folder=${encodeURIComponent(opts.folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
