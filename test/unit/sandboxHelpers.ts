// Helpers for the sandbox tests: JSON calls and a small SSE/NDJSON reader over
// real HTTP (Node's fetch), with bounded waits.
import type { Sandbox } from '../../src/sandbox';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  contentType: string;
  json: Record<string, unknown>;
  /** `json.data` for envelopes. */
  data: unknown;
}

export async function call(sb: Sandbox, method: string, path: string, body?: unknown, key: string | null = sb.defaultKey, headers: Record<string, string> = {}): Promise<ApiAnswer> {
  const h: Record<string, string> = { 'X-API-Version': '2', ...headers };
  if (key !== null) h.Authorization = `Bearer ${key}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(`${sb.url}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  return { status: res.status, headers: res.headers, contentType: res.headers.get('content-type') ?? '', json, data: json.data };
}

export interface StreamEvent {
  /** `message` for unnamed SSE events; `comment` for `:` lines; for NDJSON the `type` or `message`. */
  event: string;
  data: string;
  json?: unknown;
}

/** Reads one stream into `events`, until it ends or `close()`. */
export class StreamReader {
  readonly events: StreamEvent[] = [];
  readonly ended: Promise<'done' | 'closed' | 'error'>;
  status = 0;
  private readonly ac = new AbortController();
  private waiters: (() => void)[] = [];

  constructor(url: string, key: string, accept = 'text/event-stream') {
    this.ended = this.run(url, key, accept);
  }

  private async run(url: string, key: string, accept: string): Promise<'done' | 'closed' | 'error'> {
    try {
      const res = await fetch(url, { headers: { Authorization: `Bearer ${key}`, Accept: accept, 'X-API-Version': '2' }, signal: this.ac.signal });
      this.status = res.status;
      if (!res.ok || !res.body) {
        this.push({ event: 'http-error', data: await res.text() });
        return 'error';
      }
      const decoder = new TextDecoder();
      let buf = '';
      const ndjson = accept.includes('ndjson');
      const reader = res.body.getReader();
      for (;;) {
        // Node's fetch types the body's chunks loosely (no DOM lib here): they are bytes.
        const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        const sep = ndjson ? '\n' : '\n\n';
        let i: number;
        while ((i = buf.indexOf(sep)) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + sep.length);
          if (ndjson) this.pushNdjson(block);
          else this.pushSse(block);
        }
      }
      return this.events.some((e) => e.event === 'done') ? 'done' : 'closed';
    } catch {
      return this.events.some((e) => e.event === 'done') ? 'done' : 'error';
    } finally {
      this.wake();
    }
  }

  private pushSse(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.push({ event: 'comment', data: line.slice(1).trim() });
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length) this.push({ event, data: data.join('\n') });
  }

  private pushNdjson(line: string): void {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.events.push({ event: 'malformed', data: line });
      this.wake();
      return;
    }
    const type = typeof json === 'object' && json !== null && typeof (json as { type?: unknown }).type === 'string' ? (json as { type: string }).type : 'message';
    this.events.push({ event: type, data: line, json });
    this.wake();
  }

  private push(e: StreamEvent): void {
    if (e.event !== 'comment') {
      try {
        e.json = JSON.parse(e.data);
      } catch {
        e.event = e.event === 'message' ? 'malformed' : e.event;
      }
    }
    this.events.push(e);
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Data events (unnamed `message`s) parsed as JSON. */
  get messages(): Record<string, unknown>[] {
    return this.events.filter((e) => e.event === 'message').map((e) => e.json as Record<string, unknown>);
  }

  /** Resolves when `pred` holds for the events so far; rejects after `timeoutMs`. */
  async waitFor(pred: (events: StreamEvent[]) => boolean, timeoutMs = 10000, what = 'stream condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let finished = false;
    void this.ended.then(() => { finished = true; });
    while (!pred(this.events)) {
      if (finished) throw new Error(`stream ended before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ac.abort();
  }
}

/** Polls `fn` until it returns a truthy value (at most `timeoutMs`). */
export async function waitUntil<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
