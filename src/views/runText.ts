// Words for a run in the tree: short id, "5 min ago", "1m 12s". No `vscode`
// import so the wording is unit-tested in plain Node.
import { FLOW_RUN_STATUS_NAMES, toFlowRunStatus, type FlowRun } from '../api/models';

/** The server's short id, else the id's last 8 characters. */
export function shortRunId(run: Pick<FlowRun, 'id' | 'short_id'>): string {
  if (run.short_id) return run.short_id;
  return run.id.length > 8 ? run.id.slice(-8) : run.id;
}

export function statusName(run: Pick<FlowRun, 'status'>): string {
  return FLOW_RUN_STATUS_NAMES[toFlowRunStatus(run.status)];
}

function parse(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

/** When the run started (flow_run_started, else created_at), in ms. */
export function startedAt(run: FlowRun): number | undefined {
  return parse(run.flow_run_started) ?? parse(run.created_at);
}

/** When the run ended (finished, else cancelled), in ms; undefined while it runs. */
export function endedAt(run: FlowRun): number | undefined {
  return parse(run.flow_run_finished) ?? parse(run.flow_run_cancelled);
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago", then the date. */
export function relativeTime(ms: number | undefined, now: number): string {
  if (ms === undefined) return 'not started';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.floor(h / 24);
  if (d < 30) return `${d} d ago`;
  return new Date(ms).toISOString().slice(0, 10);
}

/** A compact duration: "850 ms", "12s", "1m 05s", "2h 03m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total}s`;
  const m = Math.floor(total / 60);
  const s = total % 60;
  if (m < 60) return `${m}m ${String(s).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

/** How long the run took, or has been running so far; undefined before it started. */
export function runDuration(run: FlowRun, now: number): number | undefined {
  const start = startedAt(run);
  if (start === undefined) return undefined;
  const end = endedAt(run) ?? now;
  return Math.max(0, end - start);
}

/** The tree item's description: `short id · 5 min ago · 12s`. */
export function runDescription(run: FlowRun, now: number): string {
  const parts = [shortRunId(run), relativeTime(startedAt(run), now)];
  const d = runDuration(run, now);
  if (d !== undefined && run.flow_run_started) parts.push(formatDuration(d));
  return parts.join(' · ');
}

/** What a screen reader says for a run item. */
export function runAccessibilityLabel(run: FlowRun, title: string, now: number): string {
  const parts = [`${title}, ${statusName(run).toLowerCase()}`, `run ${shortRunId(run)}`];
  const start = startedAt(run);
  if (start !== undefined) parts.push(`started ${relativeTime(start, now)}`);
  const d = runDuration(run, now);
  if (d !== undefined && run.flow_run_started) parts.push(`${endedAt(run) ? 'took' : 'running for'} ${formatDuration(d)}`);
  if (run.error) parts.push('has an error');
  return parts.join(', ');
}

/** A run has output worth showing (not null, not an empty object or array). */
export function hasOutput(run: FlowRun): boolean {
  const o = run.output;
  if (o === undefined || o === null || o === '') return false;
  if (Array.isArray(o)) return o.length > 0;
  if (typeof o === 'object') return Object.keys(o).length > 0;
  return true;
}
