// The web build's twin of lazyLinks.ts: dist/links.js read and evaluated
// on first use (src/lazyModules.web.ts says how).
import { loadBundle } from '../lazyModules.web';
import type * as LinksModule from './links';

let links: Promise<typeof LinksModule> | undefined;

export function loadLinks(): Promise<typeof LinksModule> {
  links ??= loadBundle<typeof LinksModule>('links.js');
  // A failed load (offline) is tried again next time.
  void links.catch(() => (links = undefined));
  return links;
}
