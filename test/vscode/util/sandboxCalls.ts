// What the web suites may ask of a sandbox in the launcher's process (remoteSandbox.ts asks,
// host/sandboxControl.ts answers). Plain data: imported by the worker's bundle and the launcher.
import type { SandboxOptions } from '../../../src/sandbox';

/** The Sandbox methods a web suite may call through the control server. */
export const REMOTE_SANDBOX_CALLS = ['createRunDirect', 'releaseRun', 'getRun', 'listAllRuns', 'stats', 'resetStats', 'setFaults', 'addFlow'] as const;
export type RemoteSandboxCall = (typeof REMOTE_SANDBOX_CALLS)[number];

/** The options that survive JSON (no logger, no data folder). */
export type RemoteSandboxOptions = Omit<SandboxOptions, 'logger' | 'dataDir'>;

/** The answer to sandboxStart. */
export interface StartedSandbox {
  id: string;
  url: string;
  defaultKey: string;
}
