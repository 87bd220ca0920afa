// The web build's twin of lazyLinks.ts: dist/links.js read and evaluated
// on first use (src/lazyModules.web.ts says how).
import { loadBundle, loadOnce } from '../lazyModules.web';
import type * as LinksModule from './links';

export const loadLinks: () => Promise<typeof LinksModule> = loadOnce(() => loadBundle<typeof LinksModule>('links.js'));
