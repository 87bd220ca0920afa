// Shared set-up for tests inside VS Code's Node extension host: a sandbox in the extension
// host's own process, the window pointed at it, and a key stored the way a user would. (The web
// suites, whose worker cannot start a server, use remoteSandbox.ts instead.)
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox';
import type { Services } from '../../../src/services';
import type { FlowRunsTestApi } from '../../../src/testApi';
import { connectTo, disconnect, extensionApi } from './extensionApi';

export { EXTENSION_ID, extensionApi, extensionServices, waitFor } from './extensionApi';

export interface TestSandbox {
  sandbox: Sandbox;
  services: Services;
  /** The tree, panels, status bar and the rest, as the extension exposes them to tests. */
  ext: FlowRunsTestApi;
  dispose(): Promise<void>;
}

/**
 * Starts a sandbox (or takes one a test started earlier, `started`), points flowRuns.apiUrl
 * at it and stores `key` (default: full access).
 */
export async function useSandbox(opts: SandboxOptions & { key?: string; started?: Sandbox } = {}): Promise<TestSandbox> {
  const ext = await extensionApi();
  const services = ext.services;
  const sandbox = opts.started ?? await startSandbox({ port: 0, speed: 0.02, ...opts });
  await connectTo(services, sandbox.url, opts.key ?? sandbox.defaultKey);
  return {
    sandbox,
    services,
    ext,
    async dispose() {
      await disconnect(services);
      await sandbox.close();
    },
  };
}
