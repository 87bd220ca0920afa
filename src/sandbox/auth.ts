// API keys and scopes, exactly as the wire spec says. A key holds scopes
// `resource:action`; a bare resource (`flows`) implies all its actions, `*`
// grants everything and an empty list is a legacy full-access key. Tasks need
// apps:read (or `apps`): flows scopes do not read them.
import type { IncomingMessage } from 'node:http';
import { ApiError } from './apiError';
import type { SandboxKey } from './types';

export type Scope = 'flows:read' | 'flows:execute' | 'flows:write' | 'apps:read';

export function hasScope(key: SandboxKey, needed: Scope): boolean {
  if (key.scopes.length === 0) return true;
  const resource = needed.split(':')[0];
  return key.scopes.some((s) => s === '*' || s === needed || s === resource);
}

/** The key a request carries (Bearer header), or 401. Never echoes the key. */
export function authenticate(req: IncomingMessage, keys: Map<string, SandboxKey>): SandboxKey {
  const header = req.headers.authorization;
  if (!header) throw new ApiError(401, 'unauthorized', 'Missing API key: send "Authorization: Bearer inf_…".');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new ApiError(401, 'unauthorized', 'The Authorization header must be "Bearer <API key>".');
  const key = keys.get(m[1]);
  if (!key) throw new ApiError(401, 'unauthorized', 'Invalid API key.');
  return key;
}

export function requireScope(key: SandboxKey, needed: Scope): void {
  if (!hasScope(key, needed)) throw new ApiError(403, 'forbidden', `This API key lacks the ${needed} scope.`);
}

/** Reads a keys file: `[{key, scopes}]` or `{keys: [...]}`. Throws with a message naming the problem (not the key). */
export function parseKeys(json: unknown): SandboxKey[] {
  const list: unknown = Array.isArray(json) ? json : typeof json === 'object' && json !== null ? (json as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new Error('keys file must be an array of {key, scopes} or {"keys": [...]}');
  return list.map((k: unknown, i: number) => {
    const o = (typeof k === 'object' && k !== null ? k : {}) as { key?: unknown; scopes?: unknown };
    if (typeof o.key !== 'string' || !o.key) throw new Error(`keys[${i}].key must be a non-empty string`);
    const scopes = o.scopes === undefined ? [] : o.scopes;
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) throw new Error(`keys[${i}].scopes must be an array of strings`);
    return { key: o.key, scopes };
  });
}
