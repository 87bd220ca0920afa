// Shared test guards: no unhandled rejection anywhere, and no API key in any
// error, log line or thrown object.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after } from 'node:test';
import type { Logger } from '../../../src/api/logger';

const rejections: unknown[] = [];
let installed = false;

/** Call once at the top of a test file: any unhandled rejection fails the run. */
export function failOnUnhandledRejection(): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    rejections.push(reason);
    process.exitCode = 1;
    process.stderr.write(`unhandled rejection: ${inspect(reason)}\n`);
  });
  after(() => {
    assert.deepEqual(rejections.map((r) => inspect(r)), [], 'no unhandled promise rejections');
  });
}

/** Every way an error may be shown or logged, joined. */
export function serialise(value: unknown): string {
  const parts: string[] = [inspect(value, { depth: 20, showHidden: true, getters: true })];
  try {
    parts.push(JSON.stringify(value) ?? '');
  } catch {
    // Circular: inspect above covered it.
  }
  if (value instanceof Error) {
    parts.push(String(value), value.message, value.stack ?? '');
    for (const key of Object.getOwnPropertyNames(value)) parts.push(inspect((value as unknown as Record<string, unknown>)[key], { depth: 20, showHidden: true }));
    if (value.cause !== undefined) parts.push(serialise(value.cause));
  }
  return parts.join('\n');
}

export function assertNoSecret(value: unknown, secret: string, what = 'value'): void {
  const text = serialise(value);
  assert.ok(!text.includes(secret), `${what} must not contain the API key: ${text.slice(0, 400)}`);
}

export interface RecordingLogger extends Logger {
  lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const rec = (level: string) => (m: string): void => {
    lines.push(`${level} ${m}`);
  };
  return { lines, trace: rec('trace'), debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}
