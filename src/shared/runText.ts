// The one vocabulary for runs, used by the palette, the Runs view, the panel's
// host and its webview, so they never disagree: short ids, status names and
// icons (flow run, task and node statuses), whether a run has output, and the
// tree's wording of when a run started and how long it took. Plain code: no
// `vscode`, no DOM, no Node; it depends only on the API's data model.
import {
  FLOW_RUN_STATUS_NAMES, TaskStatus, isActiveRunStatus, toFlowRunStatus, toNodeStatus, toTaskStatus,
  type FlowRun, type NodeStatus,
} from '../api/models';
import { formatDuration, relativeTime, timeMs, type RelativeTimeWords } from './time';

/** What a run's follower is doing, as the panel header and the tests read it. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'failed' | 'stopped';

/**
 * The short id people see: the server's `short_id`, else the 8 characters
 * after the id's prefix (`flowrun_1a2b3c4d…` → `1a2b3c4d`). That is how the
 * API derives `short_id`, so a run shows the same short id whether or not the
 * server sent one.
 */
export function shortIdOf(ref: string | { id: string; short_id?: string | null }): string {
  if (typeof ref !== 'string' && ref.short_id) return ref.short_id;
  const id = typeof ref === 'string' ? ref : ref.id;
  const i = id.indexOf('_');
  return id.slice(i + 1, i + 9) || id;
}

/** "Pending", "Running", "Completed", "Failed", "Cancelled", or "Unknown" for anything else. */
export function statusName(run: { status: unknown }): string {
  return FLOW_RUN_STATUS_NAMES[toFlowRunStatus(run.status)];
}

/** A pending or running run (it can be cancelled; its duration still grows). */
export function isActive(run: { status: unknown }): boolean {
  return isActiveRunStatus(toFlowRunStatus(run.status));
}

// --- status looks -----------------------------------------------------------------------------

/**
 * One look for the three kinds of status: a node's status names it directly,
 * a run or a task status is drawn as the node status it resembles.
 */
export type StatusKind = NodeStatus | 'unknown';

export interface StatusIcon {
  /** The codicon's name (`$(name)`, `codicon-name`, `new ThemeIcon(name)`). */
  icon: string;
  /** Its code point in the codicon font, for SVG <text> (checked against the font by a unit test). */
  glyph: string;
  /** Spins while the status is live (where an icon can spin). */
  spin: boolean;
}

export const STATUS_ICONS: Readonly<Record<StatusKind, StatusIcon>> = {
  pending: { icon: 'circle', glyph: '\uEABC', spin: false },
  ready: { icon: 'clock', glyph: '\uEA82', spin: false },
  running: { icon: 'sync', glyph: '\uEA77', spin: true },
  completed: { icon: 'pass', glyph: '\uEBA4', spin: false },
  failed: { icon: 'error', glyph: '\uEA87', spin: false },
  cancelled: { icon: 'circle-slash', glyph: '\uEABD', spin: false },
  skipped: { icon: 'debug-step-over', glyph: '\uEAD6', spin: false },
  blocked: { icon: 'lock', glyph: '\uEA75', spin: false },
  unknown: { icon: 'question', glyph: '\uEB32', spin: false },
};

/** By FlowRunStatus code: Unknown, Pending, Running, Completed, Failed, Cancelled. */
const RUN_KINDS: readonly StatusKind[] = ['unknown', 'ready', 'running', 'completed', 'failed', 'cancelled'];

/** A flow run status code (anything outside the enum is unknown). */
export function runStatusKind(status: unknown): StatusKind {
  return RUN_KINDS[toFlowRunStatus(status)];
}

/** A task status, as a number or a name: received and queued wait, dispatched to uploading work. */
export function taskStatusKind(status: unknown): StatusKind {
  const s = toTaskStatus(status);
  switch (s) {
    case TaskStatus.Completed: return 'completed';
    case TaskStatus.Failed: return 'failed';
    case TaskStatus.Cancelled: return 'cancelled';
    case TaskStatus.Received:
    case TaskStatus.Queued: return 'ready';
    case TaskStatus.Unknown: return 'unknown';
    default: return 'running';
  }
}

/** A node status name from `node_statuses`; anything else is unknown. */
export function nodeStatusKind(value: unknown): StatusKind {
  return toNodeStatus(value);
}

/** The icon of a flow run status. */
export function runStatusIcon(status: unknown): StatusIcon {
  return STATUS_ICONS[runStatusKind(status)];
}

// --- output -----------------------------------------------------------------------------------

/**
 * Output worth showing or saving: not missing, null, '' or an empty object or
 * array. The same answer decides the context menu, the panel's buttons and
 * Show / Save Output, so a command offered is never one that says "no output".
 */
export function hasOutput(run: { output?: unknown }): boolean {
  const o = run.output;
  if (o === undefined || o === null || o === '') return false;
  if (Array.isArray(o)) return o.length > 0;
  if (typeof o === 'object') return Object.keys(o).length > 0;
  return true;
}

// --- when a run ran ---------------------------------------------------------------------------

/** When the run started (flow_run_started, else created_at), in ms. */
export function startedAt(run: Pick<FlowRun, 'flow_run_started' | 'created_at'>): number | undefined {
  return timeMs(run.flow_run_started) ?? timeMs(run.created_at);
}

/** When the run ended (finished, else cancelled), in ms; undefined while it runs. */
export function endedAt(run: Pick<FlowRun, 'flow_run_finished' | 'flow_run_cancelled'>): number | undefined {
  return timeMs(run.flow_run_finished) ?? timeMs(run.flow_run_cancelled);
}

/** How long the run took, or has been running so far; undefined before it started. */
export function runDuration(run: FlowRun, now: number): number | undefined {
  const start = startedAt(run);
  if (start === undefined) return undefined;
  return Math.max(0, (endedAt(run) ?? now) - start);
}

/** A tree item's description: `short id · 5 min ago · 12 s` (the words in the caller's language, see RelativeTimeWords). */
export function runDescription(run: FlowRun, now: number, words?: RelativeTimeWords): string {
  const parts = [shortIdOf(run), relativeTime(startedAt(run), now, words)];
  const d = runDuration(run, now);
  if (d !== undefined && run.flow_run_started) parts.push(formatDuration(d));
  return parts.join(' · ');
}
