// Sandboxes for the web suites: the web worker extension host cannot start a server, so the
// launcher's control server starts and drives them (test/vscode/host/sandboxControl.ts) and the
// suites reach them over HTTP, as the extension does. No Node modules here.
import type { Sandbox } from '../../../src/sandbox';
import type { Services } from '../../../src/services';
import type { FlowRunsTestApi } from '../../../src/testApi';
import { connectTo, disconnect, extensionApi } from './extensionApi';
import { REMOTE_SANDBOX_CALLS, type RemoteSandboxCall, type RemoteSandboxOptions, type StartedSandbox } from './sandboxCalls';
import { control } from './workbench';

/** A sandbox in the launcher's process: the same methods, asynchronous. */
export type RemoteSandbox = {
  readonly id: string;
  readonly url: string;
  readonly defaultKey: string;
  close(): Promise<void>;
} & {
  [K in RemoteSandboxCall]: (...args: Parameters<Sandbox[K]>) => Promise<ReturnType<Sandbox[K]>>;
};

function isStarted(v: unknown): v is StartedSandbox {
  return !!v && typeof v === 'object' && 'id' in v && typeof v.id === 'string' && 'url' in v && typeof v.url === 'string' && 'defaultKey' in v && typeof v.defaultKey === 'string';
}

const anything = (_v: unknown): _v is unknown => true;

export async function startRemoteSandbox(options: RemoteSandboxOptions = {}): Promise<RemoteSandbox> {
  const started = await control('sandboxStart', { options }, isStarted);
  const calls = Object.fromEntries(REMOTE_SANDBOX_CALLS.map((call) => [
    call,
    (...args: unknown[]) => control('sandboxCall', { id: started.id, call, args }, anything),
  ])) as { [K in RemoteSandboxCall]: RemoteSandbox[K] };
  return {
    ...started,
    ...calls,
    close: async () => {
      await control('sandboxStop', { id: started.id }, anything);
    },
  };
}

export interface WebTestSandbox {
  sandbox: RemoteSandbox;
  services: Services;
  ext: FlowRunsTestApi;
  dispose(): Promise<void>;
}

/** useSandbox (util/sandbox.ts) for the web: a sandbox started by the launcher, the window pointed at it, `key` stored. */
export async function useRemoteSandbox(opts: RemoteSandboxOptions & { key?: string } = {}): Promise<WebTestSandbox> {
  const ext = await extensionApi();
  const { key, ...options } = opts;
  const sandbox = await startRemoteSandbox({ port: 0, speed: 0.02, ...options });
  await connectTo(ext.services, sandbox.url, key ?? sandbox.defaultKey);
  return {
    sandbox,
    services: ext.services,
    ext,
    async dispose() {
      await disconnect(ext.services);
      await sandbox.close();
    },
  };
}
