// One Server-Sent Events connection (wire protocol section 5), parsed with
// eventsource-parser. No reconnect here: the run follower owns that, because a
// reconnect must resync with a GET first (there is no replay).
//
// Bounds: an event may hold at most MAX_EVENT_CHARS (a bigger one, or a line
// that never ends, stops the stream with a reason, and the follower
// reconnects and resyncs); payloads are cut at MAX_JSON_DEPTH; only whole
// events and keep-alive comments count as activity, so a server trickling
// bytes that never complete an event is found silent.
import * as l10n from '@vscode/l10n';
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import type { CallOptions, StreamConnection, StreamHandlers } from './api';
import { ApiError, isApiError } from './errors';
import { isRecord as isObject } from '../shared/guards';
import type { HttpTransport } from './http';
import { parseJsonBounded } from './jsonDepth';
import { MAX_EVENT_CHARS } from './limits';
import { silentLogger, type Logger } from './logger';
import { cleanServerText, logServerText } from './serverText';

/** What one SSE payload is. Exported for tests. */
export type StreamPayload =
  | { kind: 'object'; value: Record<string, unknown> & { id: string } }
  | { kind: 'partial'; data: Record<string, unknown>; fields: string[] | undefined; id: string | undefined }
  | { kind: 'heartbeat' }
  | { kind: 'unknown' };

/** More field names than any object has: a longer list is cut. */
const MAX_FIELDS = 1000;

/**
 * Sorts a payload. Like the official SDK, anything with a `data` object and a
 * `fields` array is a partial, even with an `id` of its own beside them (that
 * id then names the object when `data` lacks one). `{data}` without an id is
 * a partial of every field in it. Anything else with an `id` is a full object.
 */
export function classifyPayload(parsed: unknown): StreamPayload {
  if (!isObject(parsed)) return { kind: 'unknown' };
  if (parsed.type === 'heartbeat' && !('id' in parsed)) return { kind: 'heartbeat' };
  const topId = typeof parsed.id === 'string' && parsed.id !== '' ? parsed.id : undefined;
  if (isObject(parsed.data) && (Array.isArray(parsed.fields) || !('id' in parsed))) {
    const fields = Array.isArray(parsed.fields)
      ? parsed.fields.slice(0, MAX_FIELDS).filter((f): f is string => typeof f === 'string')
      : undefined;
    return { kind: 'partial', data: parsed.data, fields, id: topId };
  }
  if (topId !== undefined) return { kind: 'object', value: parsed as Record<string, unknown> & { id: string } };
  return { kind: 'unknown' };
}

function streamError(message: string, code: string, path: string): ApiError {
  return new ApiError({ kind: 'bad_response', code, userMessage: message, method: 'GET', path });
}

/** Opens GET `path` as an event stream and feeds `handlers` until it ends or is closed. */
export function openEventStream<T>(
  transport: HttpTransport,
  path: string,
  handlers: StreamHandlers<T>,
  opts: CallOptions = {},
  logger: Logger = silentLogger,
): StreamConnection {
  const controller = new AbortController();
  let closedByUs = false;
  let ended = false;

  // A throwing handler must not be mistaken for a broken connection.
  const call = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      logger.error(`[stream] ${path}: ${what} handler threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const end = (error?: Error, fatal = false): void => {
    if (ended || closedByUs) return;
    ended = true;
    if (error) call('onError', () => handlers.onError?.(error, fatal));
    else call('onDone', () => handlers.onDone?.());
  };
  const skipped = (message: string, code: string): void => {
    call('onError', () => handlers.onError?.(streamError(message, code, path), false));
  };

  const onErrorFrame = (parsed: unknown, raw: string): void => {
    const pick = isObject(parsed) ? [parsed.detail, parsed.message, parsed.title].find((v) => typeof v === 'string' && v !== '') : raw;
    const text = typeof pick === 'string' ? pick : '';
    if (text) logger.warn(`[stream] ${path} reported an error: ${logServerText(text, transport.secret)}`);
    const detail = cleanServerText(text, { secret: transport.secret });
    const err = new ApiError({
      kind: 'server',
      code: 'stream_error',
      detail: detail || undefined,
      userMessage: detail
        ? l10n.t('The {0} stream reported an error: {1}. It will reconnect.', path, detail)
        : l10n.t('The {0} stream reported an error. It will reconnect.', path),
      method: 'GET',
      path,
    });
    call('onError', () => handlers.onError?.(err, false));
  };

  const onEvent = (msg: EventSourceMessage): void => {
    if (ended || closedByUs) return;
    call('onActivity', () => handlers.onActivity?.());
    const name = msg.event ?? 'message';
    if (name === 'done') {
      end();
      return;
    }
    let parsed: unknown;
    const text = msg.data.trim();
    if (text !== '') {
      try {
        const bounded = parseJsonBounded(text);
        parsed = bounded.value;
        if (bounded.cut) logger.warn(`[stream] ${path}: ${bounded.cut} part(s) of an event nested deeper than the limit were not kept`);
      } catch {
        if (name === 'error') parsed = undefined;
        else {
          skipped(l10n.t('The {0} stream sent an event that is not valid JSON; it was skipped.', path), 'malformed_event');
          return;
        }
      }
    }
    if (name === 'error') {
      onErrorFrame(parsed, text);
      return;
    }
    if (parsed === undefined) return;
    const payload = classifyPayload(parsed);
    if (payload.kind === 'object') call('onObject', () => handlers.onObject(payload.value as unknown as T, name));
    else if (payload.kind === 'partial') {
      call('onPartial', () => handlers.onPartial(payload.data as Partial<T> & { id?: string }, payload.fields, name, payload.id));
    } else if (payload.kind === 'unknown') {
      skipped(l10n.t('The {0} stream sent an event of unknown shape; it was skipped.', path), 'unknown_event');
    }
  };

  const onParseError = (e: ParseError): void => {
    if (e.type === 'max-buffer-size-exceeded') {
      // The parser is spent now: end this connection; the follower reconnects and resyncs with a GET.
      const mb = Math.round(MAX_EVENT_CHARS / (1024 * 1024));
      logger.warn(`[stream] ${path}: an event larger than ${mb} MB (or a line that never ended) was dropped; reconnecting`);
      end(streamError(l10n.t('The {0} stream sent an event larger than {1} MB; it was skipped and the stream reconnects.', path, mb), 'event_too_large', path), false);
      controller.abort();
      return;
    }
    logger.debug(`[stream] ${path}: ${e.message}`);
  };

  const parser = createParser({
    onEvent,
    onComment: () => call('onActivity', () => handlers.onActivity?.()),
    onError: onParseError,
    maxBufferSize: MAX_EVENT_CHARS,
  });

  const userSignal = opts.signal;
  const close = (): void => {
    if (closedByUs) return;
    closedByUs = true;
    controller.abort();
  };
  const onUserAbort = (): void => close();

  const run = async (): Promise<void> => {
    try {
      const res = await transport.openStream(path, controller.signal, opts.timeoutMs);
      if (closedByUs) return;
      call('onOpen', () => handlers.onOpen?.());
      const body = res.body;
      if (!body) {
        end();
        return;
      }
      const decoder = new TextDecoder();
      for await (const chunk of body) {
        if (ended || closedByUs) break;
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (ended || closedByUs) break;
      }
      end();
    } catch (e) {
      if (closedByUs || ended) return;
      if (isApiError(e)) {
        const fatal = e.status === 401 || e.status === 403 || e.status === 404 || e.isFatal;
        end(e, fatal);
      } else {
        end(new ApiError({
          kind: 'network',
          code: isObject(e) && typeof e.code === 'string' ? cleanServerText(e.code, { maxChars: 40 }) : 'stream_dropped',
          userMessage: l10n.t('The {0} stream was interrupted. It will reconnect.', path),
          method: 'GET',
          path,
        }), false);
      }
    } finally {
      // Destroys the socket whatever happened (done event, error, close()).
      controller.abort();
      userSignal?.removeEventListener('abort', onUserAbort);
    }
  };

  if (userSignal?.aborted) close();
  else userSignal?.addEventListener('abort', onUserAbort, { once: true });
  return { closed: run().catch(() => undefined), close };
}
