// The HTTP transport: headers, deadlines, manual same-origin redirects,
// the three success forms, problem -> ApiError, and retries.
//
// Retry policy (why it is safe):
// - 429 is a refusal: the server did not act on the request, so any call may
//   be sent again after the wait it asks for (Retry-After, else
//   X-RateLimit-Reset, else exponential backoff with full jitter).
// - 5xx, network errors and cut-off bodies are retried only for idempotent
//   reads (GET, and POST .../list). A create, cancel, clone, update or
//   visibility change may already have happened on the server, so it is
//   never sent twice: the caller gets the error and the user decides.
// - Every call has one deadline (timeoutMs) covering all its attempts and
//   waits; a wait that would pass the deadline is not started.
//
// Bounds (see limits.ts): every body is read chunk by chunk and stops at its
// kind's byte limit, counted after decompression; parsed JSON is cut at
// MAX_JSON_DEPTH; server text reaches errors and logs only through
// cleanServerText (redacted, one line, cut to a sentence).
import * as l10n from '@vscode/l10n';
import { clampDelay } from '../shared/delay';
import {
  ApiError, abortedError, noKeyError, timeoutError, type ApiErrorKind,
} from './errors';
import { backoffDelay, describeWait, serverWait, sleep } from './backoff';
import { problemFrom, unwrapSuccess, type ProblemInfo, type Unwrapped } from './envelope';
import { FETCH_REFUSED, REDIRECT_HIDDEN, type Fetcher, type WireHeaders, type WireResponse } from './fetcher';
import { parseJsonBounded } from './jsonDepth';
import { BODY_LIMITS, type BodyKind } from './limits';
import { platformFetch } from './platformFetch';
import { endpointFor, rateKindOf, type RateKind } from './scopes';
import { RateGate } from './rateGate';
import { cleanServerText, logServerText } from './serverText';
import { checkBaseUrl } from './url';
import { isRecord as isObject } from '../shared/guards';
import { silentLogger, type Logger } from './logger';
import type { ApiMessage } from './models';

export interface RetryOptions {
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface TransportOptions {
  baseUrl: string;
  apiKey: string | undefined;
  /** Sent as X-Client-Source: flow-runs-vscode/<clientVersion>. */
  clientVersion: string;
  /** One line per request ("POST /flowruns 201 35ms"); never the key. */
  logger?: Logger;
  /** Deadline of one call, all retries included. Default 30000. */
  timeoutMs?: number;
  retry?: RetryOptions;
  onMessages?: (messages: ApiMessage[], method: string, path: string) => void;
  onRequest?: (method: string, path: string) => void;
  /** The network (tests and the web build pass their own); default: platformFetch. */
  fetcher?: Fetcher;
}

export type HttpMethod = 'GET' | 'POST';

export interface RequestSpec {
  method: HttpMethod;
  path: string;
  body?: unknown;
  /** Reads may be retried on 5xx/network errors; writes only on 429. */
  idempotent: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Which byte limit the answer's body has. Default 'object'. */
  bodyKind?: BodyKind;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Why a call-level controller fired: lets us tell a timeout from a cancel. */
interface CallControl {
  signal: AbortSignal;
  reason(): 'timeout' | 'aborted' | undefined;
  remainingMs(): number;
  dispose(): void;
}

function callControl(signal: AbortSignal | undefined, timeoutMs: number): CallControl {
  const controller = new AbortController();
  let why: 'timeout' | 'aborted' | undefined;
  const deadline = Date.now() + timeoutMs;
  const onAbort = (): void => {
    why ??= 'aborted';
    controller.abort();
  };
  const timer = setTimeout(() => {
    why ??= 'timeout';
    controller.abort();
  }, clampDelay(timeoutMs));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    reason: () => why,
    remainingMs: () => deadline - Date.now(),
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

function defaultCode(status: number): string {
  if (status === 400) return 'invalid_request';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 412) return 'requirements_not_met';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'internal_error';
  return `http_${status}`;
}

/** What the call was about, for "not found" sentences. */
/** One whole sentence per kind of thing, so that translations can inflect it; `server` fills {0}. */
function notFoundMessage(path: string, server: string): string {
  if (path.startsWith('/flowruns')) return l10n.t('The flow run was not found; it may have been deleted or belong to another account.{0}', server);
  if (path.startsWith('/flows')) return l10n.t('The flow was not found; it may have been deleted or belong to another account.{0}', server);
  if (path.startsWith('/tasks')) return l10n.t('The task was not found; it may have been deleted or belong to another account.{0}', server);
  return l10n.t('The resource was not found; it may have been deleted or belong to another account.{0}', server);
}

function withPeriod(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export class HttpTransport {
  readonly baseUrl: string;
  private readonly baseError?: string;
  private readonly origin?: string;
  private readonly apiKey: string | undefined;
  private readonly clientSource: string;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly onMessages?: TransportOptions['onMessages'];
  private readonly onRequest?: TransportOptions['onRequest'];
  private readonly fetcher: Fetcher;
  /** One budget per kind of call (run creation, everything else), as the server keeps them. */
  private readonly gates = new Map<RateKind, RateGate>();

  constructor(opts: TransportOptions) {
    const checked = checkBaseUrl(opts.baseUrl);
    if (checked.ok) {
      this.baseUrl = checked.url;
      this.origin = new URL(checked.url).origin;
    } else {
      this.baseUrl = opts.baseUrl.trim();
      this.baseError = checked.message;
    }
    this.apiKey = opts.apiKey && opts.apiKey.trim() ? opts.apiKey.trim() : undefined;
    this.clientSource = `flow-runs-vscode/${opts.clientVersion}`;
    this.logger = opts.logger ?? silentLogger;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxRetries = opts.retry?.maxRetries ?? 4;
    this.baseDelayMs = opts.retry?.baseDelayMs ?? 500;
    this.maxDelayMs = opts.retry?.maxDelayMs ?? 8_000;
    this.onMessages = opts.onMessages;
    this.onRequest = opts.onRequest;
    this.fetcher = opts.fetcher ?? platformFetch;
  }

  /** The key this transport sends: the funnel for server text redacts it. */
  get secret(): string | undefined {
    return this.apiKey;
  }

  private gateFor(method: string, path: string): RateGate {
    const kind = rateKindOf(method, path);
    let gate = this.gates.get(kind);
    if (!gate) this.gates.set(kind, (gate = new RateGate()));
    return gate;
  }

  /** One JSON call with retries. Resolves with the unwrapped data and messages. */
  async request(spec: RequestSpec): Promise<Unwrapped> {
    this.precheck(spec.method, spec.path);
    const ctl = callControl(spec.signal, spec.timeoutMs ?? this.timeoutMs);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await this.attempt(spec, ctl);
          if (result.messages.length) this.onMessages?.(result.messages, spec.method, spec.path);
          return result;
        } catch (e) {
          const err = this.settle(e, ctl, spec);
          const delay = this.retryDelay(err, spec, attempt);
          if (delay === undefined || delay > ctl.remainingMs()) throw err;
          this.logger.debug(`${spec.method} ${spec.path} retry ${attempt + 1}/${this.maxRetries} in ${delay}ms (${err.kind})`);
          await sleep(delay, ctl.signal, () => this.settle(new Error('aborted'), ctl, spec));
        }
      }
    } finally {
      ctl.dispose();
    }
  }

  /**
   * Opens an event stream: resolves with the 200 response whose body the
   * caller reads. The timeout covers only the wait for headers; `signal`
   * closes the socket at any time. Never retried (the follower decides).
   */
  async openStream(path: string, signal: AbortSignal, timeoutMs?: number): Promise<WireResponse> {
    this.precheck('GET', path);
    const controller = new AbortController();
    let why: 'timeout' | 'aborted' | undefined;
    const onAbort = (): void => {
      why ??= 'aborted';
      controller.abort();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const ms = timeoutMs ?? this.timeoutMs;
    const timer = setTimeout(() => {
      why ??= 'timeout';
      controller.abort();
    }, clampDelay(ms));
    const ctl: CallControl = {
      signal: controller.signal,
      reason: () => why,
      remainingMs: () => ms,
      dispose: () => undefined,
    };
    const spec: RequestSpec = { method: 'GET', path, idempotent: true, timeoutMs: ms, bodyKind: 'error' };
    try {
      const started = Date.now();
      const res = await this.send(spec, ctl, 'text/event-stream');
      clearTimeout(timer);
      if (res.status !== 200) {
        const text = await this.readText(res, spec, ctl);
        this.logger.info(`GET ${path} ${res.status} ${Date.now() - started}ms`);
        throw this.errorFromStatus(res.status, res.headers, text, spec);
      }
      const type = res.headers.get('content-type') ?? '';
      if (!type.includes('text/event-stream')) {
        const text = await this.readText(res, spec, ctl);
        const info = this.problemFromText(text);
        const shownType = cleanServerText(type, { maxChars: 80 });
        throw this.error('bad_response', {
          status: res.status,
          detail: info?.text,
          userMessage: shownType
            ? l10n.t('The server answered GET {0} with "{1}" instead of an event stream. Check that the base URL points to the Flow Runs API.', path, shownType)
            : l10n.t('The server answered GET {0} with no content type instead of an event stream. Check that the base URL points to the Flow Runs API.', path),
        }, spec);
      }
      this.logger.info(`GET ${path} ${res.status} ${Date.now() - started}ms (stream open)`);
      // From here the caller's signal alone governs the socket.
      return res;
    } catch (e) {
      signal.removeEventListener('abort', onAbort);
      throw this.settle(e, ctl, spec);
    } finally {
      clearTimeout(timer);
    }
  }

  /** No key or a refused base URL: fail before anything leaves the machine. */
  private precheck(method: string, path: string): void {
    if (this.baseError !== undefined) {
      throw new ApiError({ kind: 'insecure_url', userMessage: this.baseError, method, path });
    }
    if (!this.apiKey) throw noKeyError(method, path);
  }

  /** Turns anything thrown during an attempt into an ApiError (never one holding the key). */
  private settle(e: unknown, ctl: CallControl, spec: RequestSpec): ApiError {
    const why = ctl.reason();
    if (why === 'timeout') return timeoutError(spec.timeoutMs ?? this.timeoutMs, spec.method, spec.path);
    if (why === 'aborted') return abortedError(spec.method, spec.path);
    if (e instanceof ApiError) return e;
    const code = isObject(e) && typeof e.code === 'string' ? e.code : undefined;
    if (code === FETCH_REFUSED) {
      // A browser says nothing more than "Failed to fetch": name what it most likely is, and where to look.
      const origin = this.origin ?? this.baseUrl;
      return this.error('network', {
        code: 'cors',
        detail: code,
        userMessage: l10n.t(
          'The browser refused the request to {0}: the server does not allow this page\'s origin (CORS), or it cannot be reached. Point "flowRuns.apiUrl" at a server that allows requests from the browser (the local sandbox does), or use VS Code on a desktop.',
          origin),
      }, spec);
    }
    if (code === REDIRECT_HIDDEN) {
      return this.error('bad_response', {
        code,
        userMessage: l10n.t(
          'The server answered {0} {1} with a redirect, which the browser does not let Flow Runs inspect, so it was not followed (your API key must not go to another host). Set "flowRuns.apiUrl" to the address it redirects to.',
          spec.method, spec.path),
      }, spec);
    }
    const host = this.origin ? new URL(this.origin).host : this.baseUrl;
    return this.error('network', {
      code: code ?? 'network_error',
      detail: code,
      userMessage: code
        ? l10n.t('Could not reach the Flow Runs API at {0} ({1}). Check your connection and the "flowRuns.apiUrl" setting.', host, code)
        : l10n.t('Could not reach the Flow Runs API at {0}. Check your connection and the "flowRuns.apiUrl" setting.', host),
    }, spec);
  }

  private retryDelay(err: ApiError, spec: RequestSpec, attempt: number): number | undefined {
    if (attempt >= this.maxRetries) return undefined;
    if (err.kind === 'rate_limited') {
      return clampDelay(err.retryAfterMs ?? backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs));
    }
    const transient = err.kind === 'server' || err.kind === 'network' || (err.kind === 'bad_response' && err.code === 'truncated');
    if (transient && spec.idempotent) return backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs);
    return undefined;
  }

  private async attempt(spec: RequestSpec, ctl: CallControl): Promise<Unwrapped> {
    const started = Date.now();
    let res: WireResponse;
    try {
      res = await this.send(spec, ctl, 'application/json');
    } catch (e) {
      const err = this.settle(e, ctl, spec);
      this.logger.warn(`${spec.method} ${spec.path} ${err.kind} ${Date.now() - started}ms`);
      throw err;
    }
    const ok = res.status >= 200 && res.status < 300;
    const text = await this.readText(res, ok ? spec : { ...spec, bodyKind: 'error' }, ctl);
    this.logger.info(`${spec.method} ${spec.path} ${res.status} ${Date.now() - started}ms`);
    if (!ok) throw this.errorFromStatus(res.status, res.headers, text, spec);
    if (res.status === 204 || text.trim() === '') return { data: undefined, messages: [] };
    let body: unknown;
    try {
      const parsed = parseJsonBounded(text);
      body = parsed.value;
      if (parsed.cut) this.logger.warn(`${spec.method} ${spec.path}: ${parsed.cut} part(s) nested deeper than the limit were not kept`);
    } catch {
      throw this.badJson(text, res.status, spec);
    }
    const unwrapped = unwrapSuccess(body);
    if ('legacyError' in unwrapped) {
      const legacyStatus = isObject(body) && typeof body.status === 'number' && body.status >= 400 && body.status < 600 ? body.status : 400;
      throw this.errorFromProblem(legacyStatus, unwrapped.legacyError, undefined, spec);
    }
    // Envelope messages are shown to the user: through the funnel, and only a few.
    unwrapped.messages = unwrapped.messages.slice(0, 10).map((m) => ({
      ...m,
      level: cleanServerText(m.level, { maxChars: 20 }),
      message: cleanServerText(m.message, { secret: this.apiKey }),
      ...(m.code !== undefined ? { code: cleanServerText(m.code, { secret: this.apiKey, maxChars: 80 }) } : {}),
    })).filter((m) => m.message !== '');
    return unwrapped;
  }

  /** fetch with manual redirects: same origin only, so the key never leaves for another host. */
  private async send(spec: RequestSpec, ctl: CallControl, accept: string): Promise<WireResponse> {
    let url = `${this.baseUrl}${spec.path}`;
    let method: HttpMethod = spec.method;
    let body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const gate = this.gateFor(spec.method, spec.path);
    for (let hop = 0; ; hop++) {
      const blockedMs = await gate.acquire(ctl.signal, () => this.settle(new Error('aborted'), ctl, spec), ctl.remainingMs());
      if (blockedMs !== undefined) {
        // The budget is spent past our deadline: say so now instead of sending a request the server will refuse.
        throw this.error('rate_limited', {
          status: 429,
          retryAfterMs: clampDelay(blockedMs),
          userMessage: l10n.t('The Flow Runs API is rate limiting requests. Try again {0}.', describeWait(clampDelay(blockedMs))),
        }, spec);
      }
      this.onRequest?.(method, spec.path);
      const headers: Record<string, string> = {
        Authorization: `Bearer ${this.apiKey ?? ''}`,
        Accept: accept,
        'X-API-Version': '2',
        'X-Client-Source': this.clientSource,
      };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      let res: WireResponse;
      try {
        res = await this.fetcher(url, { method, headers, body, signal: ctl.signal });
      } finally {
        gate.settled();
      }
      gate.observe(res.status, res.headers);
      if (!REDIRECT_STATUSES.has(res.status)) return res;
      const location = res.headers.get('location');
      await this.discard(res);
      if (!location) {
        throw this.error('bad_response', {
          status: res.status,
          userMessage: l10n.t('The server answered {0} {1} with a redirect ({2}) but no address. Check the "flowRuns.apiUrl" setting.', spec.method, spec.path, res.status),
        }, spec);
      }
      const target = new URL(location, url);
      if (target.origin !== this.origin) {
        throw this.error('insecure_url', {
          status: res.status,
          code: 'cross_origin_redirect',
          userMessage: l10n.t(
            'The server redirected {0} {1} to another host ({2}). Flow Runs does not follow it, so that your API key is not sent there. If that host is the right API, set "flowRuns.apiUrl" to it.',
            spec.method, spec.path, cleanServerText(target.host, { maxChars: 100 })),
        }, spec);
      }
      if (hop >= MAX_REDIRECTS) {
        throw this.error('bad_response', {
          status: res.status,
          userMessage: l10n.t('The server redirected {0} {1} more than {2} times. Check the "flowRuns.apiUrl" setting.', spec.method, spec.path, MAX_REDIRECTS),
        }, spec);
      }
      if (res.status !== 307 && res.status !== 308 && method !== 'GET') {
        // 301/302/303 would turn the POST into a GET: refuse rather than guess.
        throw this.error('bad_response', {
          status: res.status,
          userMessage: l10n.t('The server answered {0} {1} with a redirect ({2}) that would drop the request body. Check the "flowRuns.apiUrl" setting.', spec.method, spec.path, res.status),
        }, spec);
      }
      this.logger.debug(`${method} ${spec.path} ${res.status} -> ${target.pathname}`);
      url = target.toString();
      if (res.status === 303) {
        method = 'GET';
        body = undefined;
      }
    }
  }

  /** Frees the socket of an answer whose body does not matter (a redirect): stops at the first chunk. */
  private async discard(res: WireResponse): Promise<void> {
    try {
      // One chunk starts the reader; returning it closes the body (and frees the socket).
      const reader = res.body?.[Symbol.asyncIterator]();
      if (reader) {
        await reader.next();
        await reader.return?.();
      }
    } catch {
      // Only freeing the socket; the content does not matter.
    }
  }

  /**
   * The body as text, read chunk by chunk up to its kind's limit (bytes after
   * decompression). Past the limit the read stops at once and the call fails:
   * a 100 MB answer or a gzip bomb costs at most the limit.
   */
  private async readText(res: WireResponse, spec: RequestSpec, ctl: CallControl): Promise<string> {
    const kind = spec.bodyKind ?? 'object';
    const limit = BODY_LIMITS[kind];
    // An error body past its limit is cut, not refused: the status alone still makes a sentence.
    const cutInstead = kind === 'error';
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (!cutInstead && Number.isFinite(declared) && declared > limit) {
      await this.discard(res);
      throw this.tooLarge(res.status, limit, spec);
    }
    const decoder = new TextDecoder();
    const parts: string[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body ?? []) {
        size += chunk.byteLength;
        if (size > limit) {
          if (cutInstead) break;
          throw this.tooLarge(res.status, limit, spec);
        }
        parts.push(decoder.decode(chunk, { stream: true }));
      }
      parts.push(decoder.decode());
      return parts.join('');
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if (ctl.reason() !== undefined || (isObject(e) && (e.name === 'AbortError' || e.type === 'aborted'))) throw e;
      throw this.error('bad_response', {
        status: res.status,
        code: 'truncated',
        userMessage: l10n.t('The answer to {0} {1} was cut off before it was complete. Try again; if it keeps happening, check your connection or proxy.', spec.method, spec.path),
      }, spec);
    }
  }

  private tooLarge(status: number, limit: number, spec: RequestSpec): ApiError {
    const mb = Math.round(limit / (1024 * 1024));
    return this.error('bad_response', {
      status,
      code: 'too_large',
      userMessage: l10n.t('The answer to {0} {1} is larger than {2} MB, so Flow Runs stopped reading it. Check that "flowRuns.apiUrl" points to the Flow Runs API.', spec.method, spec.path, mb),
    }, spec);
  }

  private badJson(text: string, status: number, spec: RequestSpec): ApiError {
    const start = text.trimStart();
    const looksJson = start.startsWith('{') || start.startsWith('[');
    const looksHtml = start.startsWith('<');
    return this.error('bad_response', {
      status,
      code: looksJson ? 'truncated' : 'not_json',
      userMessage: looksJson
        ? l10n.t('The answer to {0} {1} was cut off or is not valid JSON. Try again; if it keeps happening, check your connection or proxy.', spec.method, spec.path)
        : looksHtml
          ? l10n.t('The answer to {0} {1} is not JSON (it looks like a web page). Check that "flowRuns.apiUrl" points to the Flow Runs API.', spec.method, spec.path)
          : l10n.t('The answer to {0} {1} is not JSON. Check that "flowRuns.apiUrl" points to the Flow Runs API.', spec.method, spec.path),
    }, spec);
  }

  private problemFromText(text: string): ProblemInfo | undefined {
    if (!text.trim()) return undefined;
    try {
      return problemFrom(parseJsonBounded(text).value);
    } catch {
      return undefined;
    }
  }

  private errorFromStatus(status: number, headers: WireHeaders, text: string, spec: RequestSpec): ApiError {
    const info = this.problemFromText(text) ?? {};
    const wait = status === 429 || status === 503 ? serverWait(headers) : undefined;
    if (wait?.capped) this.logger.warn(`${spec.method} ${spec.path}: the server asked to wait longer than an hour; waiting an hour`);
    return this.errorFromProblem(status, info, wait?.ms, spec);
  }

  private errorFromProblem(status: number, raw: ProblemInfo, retryAfterMs: number | undefined, spec: RequestSpec): ApiError {
    // Server text: the whole (redacted) detail goes to the log, a sentence of it to the user.
    if (raw.text) this.logger.debug(`${spec.method} ${spec.path} ${status}: ${logServerText(raw.text, this.apiKey)}`);
    const text = raw.text ? cleanServerText(raw.text, { secret: this.apiKey }) || undefined : undefined;
    const rawCode = raw.code ? cleanServerText(raw.code, { secret: this.apiKey, maxChars: 80 }) : '';
    const code = rawCode || defaultCode(status);
    const base = { status, code, detail: text, retryAfterMs };
    const endpoint = endpointFor(spec.method, spec.path);
    // What the server said, as a whole sentence that the messages below carry in their {0} slot.
    const server = text ? ` ${l10n.t('The server said: {0}', withPeriod(text))}` : '';
    if (status === 401) {
      return this.error('unauthorized', {
        ...base,
        userMessage: l10n.t('The API key was not accepted (401).{0} Set a valid key with "Flow Runs: Set API Key".', server),
      }, spec);
    }
    if (status === 403) {
      // Usually a missing scope, but not always (a one-time password, a blocked account):
      // keep the scope hint and show what the server said.
      const scope = endpoint?.scope;
      // When the server names the scope too (or says nothing), its text adds nothing: say it once.
      const aboutScope = scope !== undefined && (!text || text.includes(scope));
      return this.error('forbidden', {
        ...base,
        scope,
        userMessage: !scope
          ? l10n.t('This API key is not allowed to do this (403).{0} Check the key\'s scopes in Settings → API Keys.', server)
          : aboutScope
            ? l10n.t('This API key lacks the {0} scope needed to {1}. Create a key with it in Settings → API Keys, then run "Flow Runs: Set API Key".', scope, endpoint.action())
            : l10n.t(
              'The server refused to {0} (403).{1} This needs an API key with the {2} scope: if yours lacks it, create one in Settings → API Keys, then run "Flow Runs: Set API Key".',
              endpoint.action(), server, scope),
      }, spec);
    }
    if (status === 404) {
      return this.error('not_found', {
        ...base,
        userMessage: notFoundMessage(spec.path, server),
      }, spec);
    }
    if (status === 412) {
      const clean = (t: string, maxChars = 200): string => cleanServerText(t, { secret: this.apiKey, maxChars });
      const reqs = (raw.requirements ?? []).slice(0, 20).map((r) => ({
        type: clean(r.type, 40),
        key: clean(r.key, 100),
        message: clean(r.message),
        ...(r.action ? { action: clean(r.action) } : {}),
      }));
      const list = reqs.map((r) => `${r.type} ${r.key}: ${r.message}${r.action ? ` (${r.action})` : ''}`).join('; ');
      return this.error('requirements', {
        ...base,
        requirements: reqs,
        userMessage: list
          ? l10n.t('The flow\'s requirements are not met: {0}. Fix them in your inference.sh settings, then run it again.', list)
          : l10n.t('The flow\'s requirements are not met.{0} Check its secrets and integrations, then run it again.', server),
      }, spec);
    }
    if (status === 429) {
      return this.error('rate_limited', {
        ...base,
        userMessage: retryAfterMs !== undefined
          ? l10n.t('The Flow Runs API is rate limiting requests. Try again {0}.', describeWait(retryAfterMs))
          : l10n.t('The Flow Runs API is rate limiting requests. Try again in a moment.'),
      }, spec);
    }
    if (status === 409) {
      return this.error('conflict', {
        ...base,
        userMessage: l10n.t('The server refused {0} {1} because of a conflict (409).{2} Refresh and try again.', spec.method, spec.path, server),
      }, spec);
    }
    if (status >= 500) {
      return this.error('server', {
        ...base,
        userMessage: l10n.t('The Flow Runs API had an internal error ({0}).{1} Try again in a moment.', status, server),
      }, spec);
    }
    if (status >= 400) {
      return this.error('invalid_request', {
        ...base,
        userMessage: text
          ? l10n.t('The server rejected the request: {0}', withPeriod(text))
          : l10n.t('The server rejected {0} {1} ({2}).', spec.method, spec.path, status),
      }, spec);
    }
    return this.error('bad_response', {
      ...base,
      userMessage: l10n.t('The server answered {0} {1} with an unexpected status {2}. Check the "flowRuns.apiUrl" setting.', spec.method, spec.path, status),
    }, spec);
  }

  private error(
    kind: ApiErrorKind,
    fields: { userMessage: string; status?: number; code?: string; detail?: string; scope?: string; retryAfterMs?: number; requirements?: ApiError['requirements'] },
    spec: RequestSpec,
  ): ApiError {
    return new ApiError({
      kind,
      ...fields,
      // Our own words plus server text already cleaned: this only redacts once more and bounds the whole.
      userMessage: cleanServerText(fields.userMessage, { secret: this.apiKey, maxChars: 1000 }),
      method: spec.method,
      path: spec.path,
    });
  }
}
