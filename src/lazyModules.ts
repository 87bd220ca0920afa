// The two heavy parts a user may never need, the local sandbox and the JSON
// Schema validator (ajv), are separate bundles loaded on first use: they would
// otherwise double the extension bundle and the time activate() takes to load.
// esbuild.js maps these two specifiers to dist/sandbox.js and dist/ajv.js for
// the extension bundle; every other bundle (tests) resolves them as usual.
// (The links, dist/links.js, load the same way: src/commands/lazyLinks.ts.)
// The web build swaps in lazyModules.web.ts (no sandbox; ajv read from dist/ on first use).
import type AjvModule from 'ajv';
import type * as SandboxModule from './sandbox';

export type SandboxApi = Pick<typeof SandboxModule, 'startSandbox' | 'SANDBOX_KEYS'>;

/**
 * Whether this build can start the local sandbox: the web build cannot. Not
 * VS Code's `isWeb`, which says where the workbench runs: a browser tab may
 * show a Node extension host (code-server, Codespaces), which can.
 */
export const SANDBOX_AVAILABLE: boolean = true;

let sandbox: SandboxApi | undefined;
let ajv: typeof AjvModule | undefined;

export function loadSandbox(): SandboxApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy by design (see above)
  sandbox ??= require('./sandbox') as SandboxApi;
  return sandbox;
}

/** A promise because the web build has to fetch the bundle; here it is a synchronous require. */
export function loadAjv(): Promise<typeof AjvModule> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy by design (see above)
  return settled(() => (ajv ??= (require('ajv') as { default: typeof AjvModule }).default));
}

/** What `load` returns, or why it threw, as a promise. */
export function settled<T>(load: () => T): Promise<T> {
  try {
    return Promise.resolve(load());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}
