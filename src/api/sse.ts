// One Server-Sent Events connection (wire protocol section 5), parsed with
// eventsource-parser. No reconnect here: the run follower owns that, because a
// reconnect must resync with a GET first (there is no replay).
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { CallOptions, StreamConnection, StreamHandlers } from './api';
import { ApiError, isApiError } from './errors';
import { isRecord as isObject } from '../shared/guards';
import type { HttpTransport } from './http';
import { silentLogger, type Logger } from './logger';

/** What one SSE payload is. Exported for tests. */
export type StreamPayload =
  | { kind: 'object'; value: Record<string, unknown> & { id: string } }
  | { kind: 'partial'; data: Record<string, unknown>; fields: string[] | undefined }
  | { kind: 'heartbeat' }
  | { kind: 'unknown' };

export function classifyPayload(parsed: unknown): StreamPayload {
  if (!isObject(parsed)) return { kind: 'unknown' };
  if (parsed.type === 'heartbeat' && !('id' in parsed)) return { kind: 'heartbeat' };
  // A partial is {data, fields?}; a full object carries its own id.
  if (isObject(parsed.data) && !('id' in parsed)) {
    const fields = Array.isArray(parsed.fields) ? parsed.fields.filter((f): f is string => typeof f === 'string') : undefined;
    return { kind: 'partial', data: parsed.data, fields };
  }
  if (typeof parsed.id === 'string' && parsed.id !== '') {
    return { kind: 'object', value: parsed as Record<string, unknown> & { id: string } };
  }
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

  const onEvent = (msg: EventSourceMessage): void => {
    if (ended || closedByUs) return;
    const name = msg.event ?? 'message';
    if (name === 'done') {
      end();
      return;
    }
    let parsed: unknown;
    const text = msg.data.trim();
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (name === 'error') parsed = { message: text };
        else {
          call('onError', () => handlers.onError?.(streamError(`The ${path} stream sent an event that is not valid JSON; it was skipped.`, 'malformed_event', path), false));
          return;
        }
      }
    }
    if (name === 'error') {
      const pick = isObject(parsed) ? [parsed.detail, parsed.message, parsed.title].find((v) => typeof v === 'string' && v !== '') : undefined;
      const detail = typeof pick === 'string' ? pick : '';
      const err = new ApiError({
        kind: 'server',
        code: 'stream_error',
        detail: detail || undefined,
        userMessage: `The ${path} stream reported an error${detail ? `: ${detail}` : ''}. It will reconnect.`,
        method: 'GET',
        path,
      });
      call('onError', () => handlers.onError?.(err, false));
      return;
    }
    if (parsed === undefined) return;
    const payload = classifyPayload(parsed);
    if (payload.kind === 'object') call('onObject', () => handlers.onObject(payload.value as unknown as T, name));
    else if (payload.kind === 'partial') {
      call('onPartial', () => handlers.onPartial(payload.data as Partial<T> & { id?: string }, payload.fields, name));
    } else if (payload.kind === 'unknown') {
      call('onError', () => handlers.onError?.(streamError(`The ${path} stream sent an event of unknown shape; it was skipped.`, 'unknown_event', path), false));
    }
  };

  const parser = createParser({
    onEvent,
    onComment: () => call('onActivity', () => handlers.onActivity?.()),
    onError: (e) => logger.debug(`[stream] ${path}: ${e.message}`),
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
        call('onActivity', () => handlers.onActivity?.());
        parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
        if (ended || closedByUs) break;
      }
      end();
    } catch (e) {
      if (closedByUs) return;
      if (isApiError(e)) {
        const fatal = e.status === 401 || e.status === 403 || e.status === 404 || e.isFatal;
        end(e, fatal);
      } else {
        end(new ApiError({
          kind: 'network',
          code: isObject(e) && typeof e.code === 'string' ? e.code : 'stream_dropped',
          userMessage: `The ${path} stream was interrupted. It will reconnect.`,
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
