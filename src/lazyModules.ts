// The two heavy parts a user may never need, the local sandbox and the JSON
// Schema validator (ajv), are separate bundles loaded on first use: they would
// otherwise double the extension bundle and the time activate() takes to load.
// esbuild.js maps these two specifiers to dist/sandbox.js and dist/ajv.js for
// the extension bundle; every other bundle (tests) resolves them as usual.
import type * as SandboxModule from './sandbox';
import type AjvModule from 'ajv';

type SandboxApi = Pick<typeof SandboxModule, 'startSandbox' | 'SANDBOX_KEYS'>;

let sandbox: SandboxApi | undefined;
let ajv: typeof AjvModule | undefined;

export function loadSandbox(): SandboxApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy by design (see above)
  sandbox ??= require('./sandbox') as SandboxApi;
  return sandbox;
}

export function loadAjv(): typeof AjvModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy by design (see above)
  ajv ??= (require('ajv') as { default: typeof AjvModule }).default;
  return ajv;
}
