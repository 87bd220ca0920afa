// What links into VS Code do (open a link, Compare With…) is the separate
// bundle dist/links.js (src/commands/links.ts), loaded on first use like the
// sandbox and ajv (src/lazyModules.ts): esbuild.js maps `./links` here to
// dist/links.js for the extension bundle. The web build swaps in
// lazyLinks.web.ts, which reads and evaluates the same file.
import { settled } from '../lazyModules';
import type * as LinksModule from './links';

let links: typeof LinksModule | undefined;

export function loadLinks(): Promise<typeof LinksModule> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy by design (see above)
  return settled(() => (links ??= require('./links') as typeof LinksModule));
}
