// The sandbox's built-in API keys, one per interesting scope set.
import type { SandboxKey } from './types';

export const SANDBOX_KEYS = {
  full: 'inf_sandbox_demo',
  readOnly: 'inf_sandbox_read',
  noExecute: 'inf_sandbox_noexec',
  noWrite: 'inf_sandbox_nowrite',
  noRead: 'inf_sandbox_noread',
  /** Every flows scope and nothing else: no apps:read, so no GET /tasks/{id}. */
  flowsOnly: 'inf_sandbox_flows',
} as const;

export function defaultKeys(): SandboxKey[] {
  return [
    { key: SANDBOX_KEYS.full, scopes: [] },
    { key: SANDBOX_KEYS.readOnly, scopes: ['flows:read'] },
    { key: SANDBOX_KEYS.noExecute, scopes: ['flows:read', 'flows:write'] },
    { key: SANDBOX_KEYS.noWrite, scopes: ['flows:read', 'flows:execute'] },
    { key: SANDBOX_KEYS.noRead, scopes: ['flows:execute', 'flows:write'] },
    { key: SANDBOX_KEYS.flowsOnly, scopes: ['flows:read', 'flows:execute', 'flows:write'] },
  ];
}
