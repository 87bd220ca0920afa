// The web build's twin of lazyModules.ts (esbuild.js swaps it in).
// - The local sandbox is a server: a browser tab cannot run one. The commands
//   that start it are hidden in this build (package.json, when
//   `flowRuns.sandboxUnavailable`); a call that still gets here says what to do instead.
// - ajv stays the separate dist/ajv.js (and the links dist/links.js, through
//   commands/lazyLinks.web.ts), loaded on first use, never at activation
//   (evaluating ajv costs more than the whole activation). The web worker
//   has no `require` of files: a bundle is read from the extension's own
//   location and evaluated as VS Code's loader does with
//   dist/extension-web.js (a CommonJS function of module, exports, require),
//   with `vscode` as the one module it may require.
import type AjvModule from 'ajv';
import * as vscode from 'vscode';
import type { SandboxApi } from './lazyModules';

/** publisher.name in package.json. */
const EXTENSION_ID = 'flow-runs.flow-runs';

export const SANDBOX_AVAILABLE: boolean = false;

export function loadSandbox(): SandboxApi {
  throw new Error(vscode.l10n.t(
    'The local sandbox cannot run in a browser tab: it is a server. Start it on a desktop (node dist/sandbox.js --port 8787 in a clone of the extension, or Start Local Sandbox in desktop VS Code), then set "flowRuns.apiUrl" to its address.'));
}

export const loadAjv: () => Promise<typeof AjvModule> =
  loadOnce(() => loadBundle<{ default: typeof AjvModule }>('ajv.js').then((m) => m.default));

/** `load` once, its promise shared by every call; a failed load (offline) is tried again on the next call. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      const started = load();
      pending = started;
      started.catch(() => {
        if (pending === started) pending = undefined;
      });
    }
    return pending;
  };
}

/** Evaluates dist/<file> (a CommonJS bundle that may require `vscode` only) and returns its exports. */
export async function loadBundle<T>(file: string): Promise<T> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed`);
  const uri = vscode.Uri.joinPath(extension.extensionUri, 'dist', file);
  // Through VS Code's file service, which reads whatever the extension's location is (https: on
  // vscode.dev, vscode-remote: for a remote or an extension under development); a bare fetch could not.
  const source = `${new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))}\n//# sourceURL=${uri.toString(true)}`;
  const module: { exports: unknown } = { exports: {} };
  const requireVscode = (name: string): unknown => {
    if (name === 'vscode') return vscode;
    throw new Error(`dist/${file} asked for "${name}", which the web worker does not have`);
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- CommonJS evaluation, as VS Code's own loader does
  const evaluate = new Function('module', 'exports', 'require', source) as (m: unknown, e: unknown, r: unknown) => void;
  evaluate(module, module.exports, requireVscode);
  return module.exports as T;
}
