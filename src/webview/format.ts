// Times and durations as people read them.

function parse(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "14:03:22" today, else "2024-05-01 14:03:22"; "—" when unknown. */
export function formatTime(iso: string | null | undefined, now = Date.now()): string {
  const t = parse(iso);
  if (t === undefined) return '—';
  const d = new Date(t);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date(now);
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** "850 ms", "4.2 s", "3m 05s", "2h 07m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

/** Duration from start to end (or to `now` while still going); undefined without a start. */
export function durationMs(start: string | null | undefined, end: string | null | undefined, now: number): number | undefined {
  const a = parse(start);
  if (a === undefined) return undefined;
  const b = parse(end) ?? now;
  return Math.max(0, b - a);
}
