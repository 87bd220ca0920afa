// Which API key scope each endpoint needs (wire protocol sections 1 and 4).
// Used to name the missing scope in a 403 message, and by the README.

import * as l10n from '@vscode/l10n';

export type Scope = 'flows:read' | 'flows:execute' | 'flows:write' | 'apps:read';

export interface EndpointScope {
  method: 'GET' | 'POST';
  /** Path pattern; `{id}` is one path segment. */
  path: string;
  scope: Scope;
  /** What the call does, as the end of "needed to …", in the user's language (read when said). */
  action: () => string;
}

export const ENDPOINT_SCOPES: readonly EndpointScope[] = [
  { method: 'POST', path: '/flowruns', scope: 'flows:execute', action: () => l10n.t('start a flow run') },
  { method: 'POST', path: '/flowruns/list', scope: 'flows:read', action: () => l10n.t('list flow runs') },
  { method: 'GET', path: '/flowruns', scope: 'flows:read', action: () => l10n.t('list flow runs') },
  { method: 'GET', path: '/flowruns/{id}', scope: 'flows:read', action: () => l10n.t('read a flow run') },
  { method: 'POST', path: '/flowruns/{id}/cancel', scope: 'flows:execute', action: () => l10n.t('cancel a flow run') },
  { method: 'POST', path: '/flowruns/{id}/clone', scope: 'flows:write', action: () => l10n.t('clone a flow from a run') },
  { method: 'POST', path: '/flowruns/{id}/visibility', scope: 'flows:write', action: () => l10n.t('change the visibility of a flow run') },
  { method: 'POST', path: '/flowruns/{id}', scope: 'flows:write', action: () => l10n.t('update a flow run') },
  { method: 'GET', path: '/flowruns/{id}/stream', scope: 'flows:read', action: () => l10n.t('follow a flow run live') },
  { method: 'GET', path: '/flowruns/{id}/tasks/stream', scope: 'flows:read', action: () => l10n.t("follow a flow run's tasks live") },
  { method: 'POST', path: '/flows/list', scope: 'flows:read', action: () => l10n.t('list flows') },
  { method: 'GET', path: '/flows/{id}', scope: 'flows:read', action: () => l10n.t('read a flow') },
  { method: 'GET', path: '/tasks/{id}', scope: 'apps:read', action: () => l10n.t('read a task and its logs') },
];

function matches(pattern: string, path: string): boolean {
  const p = pattern.split('/');
  const s = path.split('?')[0].replace(/\/+$/, '').split('/');
  if (p.length !== s.length) return false;
  // A literal segment wins over {id}: /flowruns/list is not /flowruns/{id}.
  return p.every((seg, i) => (seg === '{id}' ? s[i] !== '' : seg === s[i]));
}

/** The entry for a call; literal paths are listed before patterns so they win. */
export function endpointFor(method: string, path: string): EndpointScope | undefined {
  const m = method.toUpperCase();
  return ENDPOINT_SCOPES.find((e) => e.method === m && matches(e.path, path));
}

export function scopeFor(method: string, path: string): Scope | undefined {
  return endpointFor(method, path)?.scope;
}

/**
 * The server's rate budgets are per kind (wire protocol section 2: runs
 * created a minute, reads a minute): a create's "Remaining: 0" must not hold
 * back the reads and streams.
 */
export type RateKind = 'create' | 'other';

export function rateKindOf(method: string, path: string): RateKind {
  return method.toUpperCase() === 'POST' && path.split('?')[0].replace(/\/+$/, '') === '/flowruns' ? 'create' : 'other';
}
