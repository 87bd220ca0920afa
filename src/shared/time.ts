// Times as the API sends them and as people read them: the one place where
// timestamps are parsed, ordered and turned into words. Plain code (no
// `vscode`, no DOM, no Node), shared by the host, the webview and the tests.
//
// Servers trim the fraction (0, 3, 6 or 9 digits) and may write `+00:00` for
// `Z`, so timestamps are never ordered as text: ".1Z" is after ".12Z" as text.

/** Microseconds of an ISO timestamp string, or undefined when it is not a date. */
export function parseStamp(at: string): number | undefined {
  const fast = strictIsoStamp(at);
  if (fast !== undefined) return fast;
  // Anything unusual (no zone, lower-case t, day 31 of a 30-day month, ...) goes the slow, exact way.
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return undefined;
  const sub = /\.\d{3}(\d{1,3})/.exec(at);
  return ms * 1000 + (sub ? Number(sub[1].padEnd(3, '0')) : 0);
}

/**
 * Orders two ISO timestamps by time, not by text (the same instant written
 * two ways compares equal). A missing time (null, undefined, '') comes before
 * every time; anything that is not a date compares as text.
 */
export function compareTimes(a: string | null | undefined, b: string | null | undefined): number {
  if (a === b) return 0;
  if (!a) return b ? -1 : 0;
  if (!b) return 1;
  // The usual case, and cheap (groups sort on every refresh): the same UTC layout and length, where text order is time order.
  if (a.length === b.length && a.charCodeAt(10) === 84 && b.charCodeAt(10) === 84
    && a.charCodeAt(a.length - 1) === 90 && b.charCodeAt(b.length - 1) === 90) return a < b ? -1 : 1;
  const x = parseStamp(a);
  const y = parseStamp(b);
  // The same instant written two ways is the same time.
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

type Dated = { id: string; created_at?: string | null; updated_at?: string | null };

/**
 * created_at descending; a run without one is placed by updated_at (servers
 * may leave it out), and one with neither goes last. Ties by id, so the order is stable.
 */
export function newestFirst(a: Dated, b: Dated): number {
  const byTime = compareTimes(b.created_at || b.updated_at, a.created_at || a.updated_at);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Milliseconds since the epoch of an ISO timestamp; undefined when missing or not a date. */
export function timeMs(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const stamp = parseStamp(iso);
  return stamp === undefined ? undefined : Math.floor(stamp / 1000);
}

/** From start to end (or to `now` while still going), in ms; undefined without a start. */
export function durationMs(start: string | null | undefined, end: string | null | undefined, now: number): number | undefined {
  const a = timeMs(start);
  if (a === undefined) return undefined;
  const b = timeMs(end) ?? now;
  return Math.max(0, b - a);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "850 ms", "4.2 s", "12 s", "3m 05s", "2h 07m"; "—" when it cannot be a duration. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 9950) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

/**
 * The words of relativeTime, `{0}` standing for the number. Plain code cannot
 * reach vscode.l10n: the VS Code layer passes its translated table
 * (src/views/timeWords.ts); without one the words are English.
 */
export interface RelativeTimeWords {
  notStarted: string;
  justNow: string;
  secondsAgo: string;
  minutesAgo: string;
  hoursAgo: string;
  daysAgo: string;
}

const ENGLISH_TIME_WORDS: RelativeTimeWords = {
  notStarted: 'not started', justNow: 'just now', secondsAgo: '{0} s ago', minutesAgo: '{0} min ago', hoursAgo: '{0} h ago', daysAgo: '{0} d ago',
};

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago", then the date; "not started" without a time. */
export function relativeTime(ms: number | undefined, now: number, words: RelativeTimeWords = ENGLISH_TIME_WORDS): string {
  if (ms === undefined) return words.notStarted;
  const s = Math.max(0, Math.round((now - ms) / 1000));
  const n = (template: string, value: number): string => template.replace('{0}', String(value));
  if (s < 10) return words.justNow;
  if (s < 60) return n(words.secondsAgo, s);
  const m = Math.floor(s / 60);
  if (m < 60) return n(words.minutesAgo, m);
  const h = Math.floor(m / 60);
  if (h < 24) return n(words.hoursAgo, h);
  const d = Math.floor(h / 24);
  if (d < 30) return n(words.daysAgo, d);
  return new Date(ms).toISOString().slice(0, 10);
}

/** "14:03:22" today, else "2024-05-01 14:03:22" (local time); "—" when unknown. */
export function formatTime(iso: string | null | undefined, now = Date.now()): string {
  const t = timeMs(iso);
  if (t === undefined) return '—';
  const d = new Date(t);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date(now);
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

// --- the fast, exact reader behind parseStamp ----------------------------------------------

/** The digit at `i`, or -1. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function twoDigits(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The last `YYYY-MM-DDTHH:MM:SS` read and its UTC milliseconds: a stream's stamps share it for a second. */
let secondText = '';
let secondMs = 0;

/** UTC milliseconds of a valid `YYYY-MM-DDTHH:MM:SS` at the start of `s`, or undefined. */
function wholeSecondsOf(s: string): number | undefined {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84
    || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const y1 = twoDigits(s, 0);
  const y2 = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  // Years below 100 would be read as 19xx by Date.UTC; leap seconds and 24:00 are left to Date.parse.
  if (y1 < 1 || y2 < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23
    || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const year = y1 * 100 + y2;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with every field in range,
 * read without Date.parse or a regex (one per stream event adds up); the
 * result equals the Date.parse route. Undefined when the string comes in
 * another shape (the caller falls back).
 */
function strictIsoStamp(s: string): number | undefined {
  const n = s.length;
  if (n < 20) return undefined;
  let base: number;
  if (secondText.length === 19 && s.startsWith(secondText)) {
    base = secondMs;
  } else {
    const whole = wholeSecondsOf(s);
    if (whole === undefined) return undefined;
    base = whole;
    secondText = s.slice(0, 19);
    secondMs = whole;
  }
  let i = 19;
  let ms = 0;
  let micros = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    const start = i;
    for (let d = digit(s, i); d >= 0; d = digit(s, ++i)) {
      // Date.parse keeps milliseconds (3 digits); the next 3 are the microseconds; the rest is dropped.
      const k = i - start;
      if (k < 3) ms += d * (k === 0 ? 100 : k === 1 ? 10 : 1);
      else if (k < 6) micros += d * (k === 3 ? 100 : k === 4 ? 10 : 1);
    }
    if (i === start) return undefined;
  }
  let offsetMinutes = 0;
  const zone = s.charCodeAt(i);
  if (zone === 90 && i + 1 === n) {
    offsetMinutes = 0;
  } else if ((zone === 43 || zone === 45) && i + 6 === n && s.charCodeAt(i + 3) === 58) {
    const oh = twoDigits(s, i + 1);
    const om = twoDigits(s, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offsetMinutes = (zone === 43 ? 1 : -1) * (oh * 60 + om);
  } else {
    return undefined;
  }
  return (base + ms - offsetMinutes * 60_000) * 1000 + micros;
}
