// Typed API errors. Every failure the client reports is an ApiError whose
// `userMessage` is a full sentence in the user's language (@vscode/l10n: what
// the user reads for errors shaped by the server). The errors this file builds from nothing but
// a code (no_key, aborted, timeout) carry that `code`, so the VS Code layer
// words them in the user's language (src/views/showError.ts: describeError). Nothing here
// ever holds the API key: errors are built from our own words plus server text
// that went through the funnel first (serverText.ts).
import * as l10n from '@vscode/l10n';

export type ApiErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'invalid_request'
  | 'requirements'
  | 'rate_limited'
  | 'conflict'
  | 'server'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'bad_response'
  | 'insecure_url'
  | 'no_key';

/** One unmet requirement of a 412 answer. */
export interface Requirement {
  type: string;
  key: string;
  message: string;
  action?: string;
}

export interface ApiErrorInit {
  kind: ApiErrorKind;
  userMessage: string;
  status?: number;
  code?: string;
  detail?: string;
  scope?: string;
  requirements?: Requirement[];
  retryAfterMs?: number;
  /** For a timeout: how long we waited. */
  timeoutMs?: number;
  method?: string;
  path?: string;
}

const API_ERROR_BRAND = Symbol.for('flowRuns.ApiError');

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly detail?: string;
  readonly userMessage: string;
  /** For 403: the scope this call needs. */
  readonly scope?: string;
  /** For 412: each unmet requirement. */
  readonly requirements?: Requirement[];
  readonly retryAfterMs?: number;
  readonly timeoutMs?: number;
  readonly method?: string;
  readonly path?: string;

  constructor(init: ApiErrorInit) {
    super(init.userMessage);
    this.name = 'ApiError';
    this.kind = init.kind;
    this.userMessage = init.userMessage;
    if (init.status !== undefined) this.status = init.status;
    if (init.code !== undefined) this.code = init.code;
    if (init.detail !== undefined) this.detail = init.detail;
    if (init.scope !== undefined) this.scope = init.scope;
    if (init.requirements !== undefined) this.requirements = init.requirements;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.timeoutMs !== undefined) this.timeoutMs = init.timeoutMs;
    if (init.method !== undefined) this.method = init.method;
    if (init.path !== undefined) this.path = init.path;
    Object.defineProperty(this, API_ERROR_BRAND, { value: true });
  }

  /** Errors that retrying the same call cannot fix. */
  get isFatal(): boolean {
    return (
      this.kind === 'unauthorized' ||
      this.kind === 'forbidden' ||
      this.kind === 'not_found' ||
      this.kind === 'invalid_request' ||
      this.kind === 'requirements' ||
      this.kind === 'insecure_url' ||
      this.kind === 'no_key' ||
      this.kind === 'aborted' ||
      (this.kind === 'bad_response' && this.code === 'too_large')
    );
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      status: this.status,
      code: this.code,
      detail: this.detail,
      userMessage: this.userMessage,
      scope: this.scope,
      requirements: this.requirements,
      retryAfterMs: this.retryAfterMs,
      timeoutMs: this.timeoutMs,
      method: this.method,
      path: this.path,
    };
  }
}

/** Works across bundles (each bundle has its own ApiError class). */
export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError || (typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[API_ERROR_BRAND] === true);
}

export function noKeyError(method?: string, path?: string): ApiError {
  return new ApiError({
    kind: 'no_key',
    code: 'no_key',
    userMessage: l10n.t('No API key is set. Run "Flow Runs: Set API Key" to add one (create keys in Settings → API Keys).'),
    method,
    path,
  });
}

export function abortedError(method?: string, path?: string): ApiError {
  return new ApiError({ kind: 'aborted', code: 'aborted', userMessage: l10n.t('The request was cancelled.'), method, path });
}

export function timeoutError(timeoutMs: number, method?: string, path?: string): ApiError {
  const secs = Math.max(1, Math.round(timeoutMs / 1000));
  return new ApiError({
    kind: 'timeout',
    code: 'timeout',
    timeoutMs,
    userMessage: l10n.t('The Flow Runs API did not answer within {0} s. Check your connection and try again.', secs),
    method,
    path,
  });
}
