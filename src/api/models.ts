// The Flow Runs API's objects, as the wire protocol describes them
// (../shared/spec/wire-protocol.md section 3). Plain data: no behaviour here
// beyond the status helpers.

export type Visibility = 'private' | 'team' | 'org' | 'public' | 'unlisted';
export const VISIBILITIES: readonly Visibility[] = ['private', 'team', 'org', 'public', 'unlisted'];

/** Fields every API object carries. */
export interface BaseObject {
  id: string;
  short_id?: string;
  created_at: string;
  updated_at: string;
  deleted_at?: string | null;
  user_id?: string;
  team_id?: string;
  org_id?: string;
  visibility?: Visibility;
}

/** Flow run status codes: a separate enum from task statuses. */
export enum FlowRunStatus {
  Unknown = 0,
  Pending = 1,
  Running = 2,
  Completed = 3,
  Failed = 4,
  Cancelled = 5,
}

export const FLOW_RUN_STATUS_NAMES: Record<FlowRunStatus, string> = {
  [FlowRunStatus.Unknown]: 'Unknown',
  [FlowRunStatus.Pending]: 'Pending',
  [FlowRunStatus.Running]: 'Running',
  [FlowRunStatus.Completed]: 'Completed',
  [FlowRunStatus.Failed]: 'Failed',
  [FlowRunStatus.Cancelled]: 'Cancelled',
};

/** Any number the server sends that is not in the enum becomes Unknown. */
export function toFlowRunStatus(value: unknown): FlowRunStatus {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5
    ? (value)
    : FlowRunStatus.Unknown;
}

export function isTerminalRunStatus(status: FlowRunStatus): boolean {
  return status === FlowRunStatus.Completed || status === FlowRunStatus.Failed || status === FlowRunStatus.Cancelled;
}

/** Pending and running runs can be cancelled. */
export function isActiveRunStatus(status: FlowRunStatus): boolean {
  return status === FlowRunStatus.Pending || status === FlowRunStatus.Running;
}

export enum TaskStatus {
  Unknown = 0,
  Received = 1,
  Queued = 2,
  Dispatched = 3,
  Preparing = 4,
  Serving = 5,
  SettingUp = 6,
  Running = 7,
  Cancelling = 8,
  Uploading = 9,
  Completed = 10,
  Failed = 11,
  Cancelled = 12,
}

export const TASK_STATUS_NAMES: readonly string[] = [
  'unknown', 'received', 'queued', 'dispatched', 'preparing', 'serving', 'setting_up',
  'running', 'cancelling', 'uploading', 'completed', 'failed', 'cancelled',
];

/** Task statuses come as numbers or as their lowercase names; both are accepted. */
export function toTaskStatus(value: unknown): TaskStatus {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 12) return value;
  if (typeof value === 'string') {
    const i = TASK_STATUS_NAMES.indexOf(value.toLowerCase());
    if (i >= 0) return i;
  }
  return TaskStatus.Unknown;
}

export function isTerminalTaskStatus(status: TaskStatus): boolean {
  return status === TaskStatus.Completed || status === TaskStatus.Failed || status === TaskStatus.Cancelled;
}

export type NodeStatus = 'pending' | 'ready' | 'running' | 'completed' | 'failed' | 'cancelled' | 'skipped' | 'blocked';
export const NODE_STATUSES: readonly NodeStatus[] = [
  'pending', 'ready', 'running', 'completed', 'failed', 'cancelled', 'skipped', 'blocked',
];
export function toNodeStatus(value: unknown): NodeStatus | 'unknown' {
  return typeof value === 'string' && (NODE_STATUSES as readonly string[]).includes(value)
    ? (value as NodeStatus)
    : 'unknown';
}

export enum LogType {
  Build = 0,
  Run = 1,
  Serve = 2,
  Setup = 3,
  Task = 4,
}

export interface TaskEvent {
  id: string;
  created_at: string;
  event_time: string;
  task_id: string;
  status: TaskStatus | string;
}

export interface TaskLog {
  id: string;
  created_at: string;
  updated_at: string;
  task_id: string;
  log_type: LogType;
  /** May be base64 of UTF-8 text. */
  content: string;
}

export interface AppRef {
  id?: string;
  namespace?: string;
  name?: string;
  title?: string;
}

export interface Task extends BaseObject {
  /** A number, or a lowercase name (see toTaskStatus). */
  status: TaskStatus | string;
  app_id: string;
  app?: AppRef;
  app_version_id?: string;
  app_variant?: string;
  function?: string;
  flow_run_id?: string;
  input?: unknown;
  output?: unknown;
  error?: string | null;
  events?: TaskEvent[];
  logs?: TaskLog[];
  run_at?: string | null;
}

export interface NodeTaskRef {
  task_id: string;
  task?: Task;
}

export interface FlowNode {
  id: string;
  type: string;
  position?: { x: number; y: number };
}

export interface FlowEdge {
  id: string;
  type?: string;
  source: string;
  target: string;
  source_handle?: string;
  target_handle?: string;
}

export interface NodeData {
  app_id?: string;
  app?: AppRef;
  function?: string;
  title?: string;
  [key: string]: unknown;
}

/** The graph part shared by a Flow and a flow version. */
export interface FlowGraph {
  nodes: FlowNode[];
  edges: FlowEdge[];
  node_data: Record<string, NodeData>;
}

export interface FlowVersion extends FlowGraph {
  id: string;
  flow_id?: string;
  input_schema?: unknown;
  output_schema?: unknown;
}

export interface Flow extends BaseObject, FlowGraph {
  namespace?: string;
  name: string;
  /** May be empty: show `name` then. */
  title?: string;
  description?: string;
  input_schema?: unknown;
  output_schema?: unknown;
  draft_version_id?: string;
  published_version_id?: string;
}

export interface FlowRun extends BaseObject {
  flow_id: string;
  flow_version_id: string;
  flow_version?: FlowVersion;
  task_id?: string;
  status: FlowRunStatus;
  error?: string | null;
  flow_run_started?: string | null;
  flow_run_finished?: string | null;
  flow_run_cancelled?: string | null;
  input: Record<string, unknown>;
  fail_on_error?: boolean;
  output?: unknown;
  node_tasks?: Record<string, NodeTaskRef>;
  /** NodeStatus names; anything else the server sends is shown as unknown (see toNodeStatus). */
  node_statuses?: Record<string, string>;
  node_outputs?: Record<string, unknown>;
}

export type FilterOperator =
  | 'eq' | 'neq' | 'in' | 'not_in' | 'gt' | 'gte' | 'lt' | 'lte' | 'like' | 'ilike'
  | 'contains' | 'not_contains' | 'is_null' | 'is_not_null' | 'is_empty' | 'is_not_empty';

export interface ListFilter {
  field: string;
  operator: FilterOperator;
  value?: unknown;
}

export interface ListSort {
  field: string;
  dir: 'asc' | 'desc';
}

/** All fields optional; zero values mean defaults. */
export interface ListRequest {
  cursor?: string;
  limit?: number;
  direction?: string;
  search?: { term: string; exact?: boolean };
  filters?: ListFilter[];
  sort?: ListSort[];
}

export interface ListPage<T> {
  items: T[];
  next_cursor?: string | null;
  prev_cursor?: string | null;
  has_next: boolean;
  has_previous?: boolean;
  items_per_page?: number;
  total_items?: number;
}

/** A warning (or note) the envelope carries, worth showing to the user. */
export interface ApiMessage {
  /** 'info', 'warning' or 'error'; other levels are shown as info. */
  level: string;
  code?: string;
  message: string;
  meta?: unknown;
}

/** Display name of a flow: its title, else its name. */
export function flowDisplayName(flow: Pick<Flow, 'title' | 'name' | 'id'>): string {
  return flow.title?.trim() || flow.name || flow.id;
}
