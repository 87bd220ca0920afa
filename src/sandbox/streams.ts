// One open event stream: Server-Sent Events (`text/event-stream`, unnamed
// `message` events, which is what the official SDK's EventSource reads, or
// named ones under the varied profile) or NDJSON (`application/x-ndjson`).
// Sends keep-alives, `done`, and applies the stream faults of its connection.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamFaults } from './faults';

export type StreamFormat = 'sse' | 'ndjson';

export function pickFormat(req: IncomingMessage): StreamFormat {
  const accept = String(req.headers.accept ?? '');
  return accept.includes('application/x-ndjson') && !accept.includes('text/event-stream') ? 'ndjson' : 'sse';
}

export class EventStream {
  private keepAlive: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private silent = false;
  private ended = false;
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly format: StreamFormat,
    keepAliveMs: number,
    private readonly faults: StreamFaults | undefined,
  ) {
    res.writeHead(200, {
      'Content-Type': format === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    this.keepAlive = setInterval(() => this.sendKeepAlive(), Math.max(10, keepAliveMs));
    // The response closes when it ends or when the client goes away.
    res.on('close', () => this.cleanup());
  }

  get closed(): boolean {
    return this.ended;
  }

  onClose(fn: () => void): void {
    if (this.ended) fn();
    else this.closeHandlers.push(fn);
  }

  /** Sends one data event (a full object or a partial {data, fields}), named `event` in SSE when given, through the faults. */
  send(payload: unknown, event?: string): void {
    if (this.ended || this.silent) return;
    const fault = this.faults?.next() ?? 'none';
    switch (fault) {
      case 'drop':
        this.destroy();
        return;
      case 'silence':
        this.silent = true;
        this.silenceTimer = setTimeout(() => this.destroy(), this.faults?.silenceMs ?? 60000);
        return;
      case 'malformed':
        this.writeRaw(this.format === 'sse' ? 'data: {"data": {"id": "\n\n' : '{"data": {"id": "\n');
        break;
      case 'duplicate':
        this.writeData(payload, event);
        break;
      default:
        break;
    }
    this.writeData(payload, event);
  }

  /** `event: done` (data `{}`), then closes cleanly. */
  done(): void {
    if (this.ended || this.silent) return;
    this.writeRaw(this.format === 'sse' ? 'event: done\ndata: {}\n\n' : '{"type":"done"}\n');
    this.end();
  }

  /** `event: error` with a problem-like body, then closes. */
  error(detail: string): void {
    if (this.ended || this.silent) return;
    const body = JSON.stringify({ type: 'https://api.inference.sh/errors/internal_error', title: 'Stream error', status: 500, detail });
    this.writeRaw(this.format === 'sse' ? `event: error\ndata: ${body}\n\n` : `{"type":"error","data":${body}}\n`);
    this.end();
  }

  /** Ends cleanly (server closing). */
  end(): void {
    if (this.ended) return;
    this.res.end();
    this.cleanup();
  }

  /**
   * Closes abruptly, like a dropped connection: what was written is flushed,
   * then the socket ends without the final chunk, so the client sees an
   * unterminated body rather than a clean end.
   */
  destroy(): void {
    if (this.ended) return;
    const socket = this.req.socket;
    this.cleanup();
    socket.end();
    const t = setTimeout(() => socket.destroy(), 1000);
    socket.once('close', () => clearTimeout(t));
  }

  private sendKeepAlive(): void {
    if (this.ended || this.silent) return;
    this.writeRaw(this.format === 'sse' ? ': keep-alive\n\n' : '{"type":"heartbeat"}\n');
  }

  private writeData(payload: unknown, event?: string): void {
    const json = JSON.stringify(payload);
    if (this.format === 'ndjson') this.writeRaw(`${json}\n`);
    else this.writeRaw(event ? `event: ${event}\ndata: ${json}\n\n` : `data: ${json}\n\n`);
  }

  private writeRaw(text: string): void {
    if (!this.ended) this.res.write(text);
  }

  private cleanup(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.keepAlive = undefined;
    this.silenceTimer = undefined;
    for (const fn of this.closeHandlers.splice(0)) fn();
  }
}
