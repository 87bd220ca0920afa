// The one funnel for text that comes from a server (problem details, stream
// error frames, envelope messages, error codes, requirement lists, run and
// task errors) on its way to a message, a log line, a notification or the
// webview: the key (and anything shaped like a key or a bearer token) is
// redacted, control characters and ANSI escapes are removed, and the text is
// cut to a length a person can read.

/** Messages, notifications and one-line labels. */
export const MESSAGE_MAX_CHARS = 500;
/** Log lines carry more of the text (still redacted), but not megabytes. */
export const LOG_MAX_CHARS = 16 * 1024;

const REDACTED = 'inf_…';

// ANSI escape sequences (CSI, OSC and two-character escapes), then the C0/C1 controls and
// the Unicode line/paragraph separators and bidi overrides that can reorder what is shown.
// Matching control characters is the point here.
/* eslint-disable no-control-regex */
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]/g;
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */
const LINE_BREAKS = /[\r\n\t]+/g;
// inf_ keys, and whatever follows "Bearer " (a token of any shape).
const KEY_SHAPED = /\binf_[A-Za-z0-9_\-.~+/=]{4,}/g;
const BEARER = /\b(Bearer\s+)[^\s"',;]+/gi;

export interface CleanOptions {
  /** The key in use: redacted wherever it appears, whatever its shape. */
  secret?: string;
  /** Default MESSAGE_MAX_CHARS. */
  maxChars?: number;
  /** Keep line breaks (multi-line log text); default false: one line. */
  multiline?: boolean;
}

/** Redacts the key and key-shaped tokens. */
export function redactKeys(text: string, secret?: string): string {
  let out = text;
  if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out.replace(KEY_SHAPED, REDACTED).replace(BEARER, `$1${REDACTED}`);
}

/** Cuts to `max` characters (never inside a surrogate pair), marking the cut. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * Server text made safe to show: redacted, without control characters or
 * escapes, on one line unless `multiline`, and at most `maxChars` long.
 * A megabyte of text costs little: it is cut to a few times the limit
 * before the regular expressions run over it.
 */
export function cleanServerText(value: unknown, opts: CleanOptions = {}): string {
  if (typeof value !== 'string') return '';
  const max = opts.maxChars ?? MESSAGE_MAX_CHARS;
  // Redaction must see a key that straddles the cut, so keep a margin beyond the limit.
  const margin = Math.max(256, (opts.secret?.length ?? 0) * 2);
  let text = value.length > max * 4 + margin ? value.slice(0, max * 4 + margin) : value;
  text = redactKeys(text, opts.secret);
  text = text.replace(ANSI, '').replace(CONTROLS, '');
  text = opts.multiline ? text.replace(/\r\n?/g, '\n') : text.replace(LINE_BREAKS, ' ');
  // Notifications render Markdown links, command: links included: server text must not become one.
  text = text.replace(/\]\(/g, '] (').trim();
  return truncateText(text, max);
}

/** The same, for a log line: longer, still one line, still redacted. */
export function logServerText(value: unknown, secret?: string): string {
  return cleanServerText(value, { secret, maxChars: LOG_MAX_CHARS });
}
