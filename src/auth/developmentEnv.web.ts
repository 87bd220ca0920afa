// The web build's twin of developmentEnv.ts: no environment in a browser tab.
import type { DevelopmentKey } from './developmentEnv';

export function developmentKey(): DevelopmentKey | undefined {
  return undefined;
}
