// The typed messages between the run panel's host (extension) and its webview.
// Imported by both sides, so plain data only: no `vscode`, no DOM.
//
// Handshake: the webview posts `ready` once its script runs; the host answers
// with one `snapshot` and afterwards only diffs (`run`, `tasks`, `graph`,
// `connection`, `logs`). A reloaded webview (hidden and shown again) posts
// `ready` again and gets a fresh snapshot.
import { isRecord } from './guards';
import type { ConnectionState } from './runText';

export type { ConnectionState } from './runText';

export interface PanelConnection {
  state: ConnectionState;
  /** The stream has been live at least once: a later 'connecting' is a reconnect. */
  wasLive: boolean;
  /** Why the follower failed ('failed' only); a sentence for people. */
  error: string | null;
  /** A standing note about what this key cannot show (task logs without apps:read), if any. */
  notice?: string | null;
}

/** What the panel shows of a run. Every field is rendered somewhere. */
export interface PanelRun {
  id: string;
  shortId: string;
  flowId: string;
  flowTitle: string;
  /** FlowRunStatus code (0..5). */
  status: number;
  statusName: string;
  error: string | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  cancelledAt: string | null;
  /** The parent task in the Tasks API. */
  parentTaskId: string | null;
  input: unknown;
  output: unknown;
  /** Node id -> node status (from node_statuses, else derived from the node's task). */
  nodeStatuses: Record<string, string>;
  /** Node id -> task id. */
  nodeTasks: Record<string, string>;
}

export interface PanelTaskEvent {
  statusName: string;
  time: string;
}

export interface PanelTask {
  id: string;
  shortId: string;
  /** The flow node this task runs, when known. */
  nodeId: string | null;
  /** "namespace/name", else the app id. */
  app: string;
  appTitle: string | null;
  /** TaskStatus code (0..12). */
  status: number;
  statusName: string;
  input: unknown;
  output: unknown;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  events: PanelTaskEvent[];
}

/** A change to a task: its id plus the fields that changed (a new task comes whole). */
export type PanelTaskChange = Pick<PanelTask, 'id'> & Partial<PanelTask>;

export interface PanelGraphNode {
  id: string;
  title: string;
  app: string | null;
  /** The flow version's own position, if it has one. */
  position: { x: number; y: number } | null;
}

export interface PanelGraphEdge {
  id: string;
  source: string;
  target: string;
}

export interface PanelGraph {
  nodes: PanelGraphNode[];
  edges: PanelGraphEdge[];
}

/**
 * Every word the panel shows, in the user's language. The webview cannot call
 * vscode.l10n, so the host words them (src/views/panel/panelStrings.ts) and
 * sends them with each snapshot; the webview has no words of its own.
 * `{0}`, `{1}` are filled in by the webview (src/webview/strings.ts).
 */
export interface PanelStrings {
  runActions: string;
  cancel: string; cancelTitle: string;
  runAgain: string; runAgainTitle: string;
  cloneFlow: string; cloneFlowTitle: string;
  copyId: string; copyIdTitle: string;
  copyLink: string; copyLinkTitle: string;
  openInBrowser: string; openInBrowserTitle: string;
  showInput: string; showInputTitle: string;
  showOutput: string; showOutputTitle: string;
  saveOutput: string; saveOutputTitle: string;
  compareOutput: string; compareOutputTitle: string;
  retry: string; retryTitle: string;
  copy: string; copyParentTitle: string;
  run: string; parentTask: string; started: string; finished: string; ended: string; duration: string;
  loading: string; flowRun: string; notYet: string;
  /** {0}: why following stopped. */
  followFailed: string; streamFailed: string;
  followStopped: string; reconnecting: string; connecting: string; loadingRun: string;
  finalOutput: string; noOutputRunning: string; noOutput: string;
  selectTaskHint: string; input: string; output: string; logs: string; timeline: string;
  app: string; task: string; taskStatus: string; node: string; status: string;
  taskNotStarted: string; copyTaskId: string; copyTaskIdTitle: string;
  noInput: string; noTaskYet: string; noOutputYet: string; logsTrimmed: string; noLogsYet: string; noEventsYet: string;
  nodeTasks: string; nodeTasksTable: string; noNodeTasks: string;
  flowGraph: string; graphUnavailable: string;
  /** {0}: the number of nodes. */
  flowGraphLabel: string;
  oneItem: string; items: string; oneKey: string; keys: string;
  /** {0}: how many more entries are not shown. */
  more: string;
  copyAsJson: string;
  /** {0}: the address. */
  openLink: string;
  image: string;
  /** {0}: why, {1}: the address. */
  imageNotShown: string;
  unavailable: string;
  /** A flow run status by its code (0 Unknown … 5 Cancelled), as the badge shows it. */
  runStatus: string[];
  /** Node and task status words by their lower-case API name (`setting_up`). */
  statusWords: Record<string, string>;
}

export interface SnapshotMessage {
  type: 'snapshot';
  runId: string;
  strings: PanelStrings;
  /** Undefined until the run has been fetched once. */
  run: PanelRun | null;
  tasks: PanelTask[];
  graph: PanelGraph | null;
  connection: PanelConnection;
  /** The row the user had selected before the webview was reloaded. */
  selectedKey: string | null;
}

export type HostMessage =
  | SnapshotMessage
  /** Only the run fields that changed. */
  | { type: 'run'; changes: Partial<PanelRun> }
  /** Only the tasks that changed, each with only its changed fields. */
  | { type: 'tasks'; changes: PanelTaskChange[] }
  | { type: 'graph'; graph: PanelGraph }
  | { type: 'connection'; connection: PanelConnection }
  /** Decoded log text of the selected task: `reset` replaces, else `text` is appended. */
  | { type: 'logs'; taskId: string; text: string; reset: boolean }
  /** The answer to `resolveImage`: a data: URL, or null with the reason. */
  | { type: 'image'; url: string; src: string | null; reason: string | null };

/** Buttons in the header; the host runs the matching command. */
export type RunAction =
  | 'cancel'
  | 'clone'
  | 'runAgain'
  | 'copyId'
  | 'copyLink'
  | 'openInBrowser'
  | 'showInput'
  | 'showOutput'
  | 'saveOutput'
  | 'compareOutput'
  | 'retry';

export const RUN_ACTIONS: readonly RunAction[] = [
  'cancel', 'clone', 'runAgain', 'copyId', 'copyLink', 'openInBrowser', 'showInput', 'showOutput', 'saveOutput', 'compareOutput', 'retry',
];

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'action'; action: RunAction }
  | { type: 'copyTaskId'; taskId: string }
  /** The selected row (for restore) and its task (whose logs the host then sends). */
  | { type: 'select'; key: string | null; taskId: string | null }
  /** A link was clicked; the host opens http(s) URLs only. */
  | { type: 'openLink'; url: string }
  | { type: 'copyText'; text: string }
  /** An http image URL the webview may not load itself (CSP); the host may fetch it. */
  | { type: 'resolveImage'; url: string };

const strOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** Checks a message from the webview; anything malformed is dropped (undefined). */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  switch (value.type) {
    case 'ready':
      return { type: 'ready' };
    case 'action':
      return typeof value.action === 'string' && (RUN_ACTIONS as readonly string[]).includes(value.action)
        ? { type: 'action', action: value.action as RunAction }
        : undefined;
    case 'copyTaskId':
      return typeof value.taskId === 'string' && value.taskId ? { type: 'copyTaskId', taskId: value.taskId } : undefined;
    case 'select':
      return strOrNull(value.key) && strOrNull(value.taskId)
        ? { type: 'select', key: value.key, taskId: value.taskId }
        : undefined;
    case 'openLink':
      return typeof value.url === 'string' ? { type: 'openLink', url: value.url } : undefined;
    case 'copyText':
      return typeof value.text === 'string' ? { type: 'copyText', text: value.text } : undefined;
    case 'resolveImage':
      return typeof value.url === 'string' ? { type: 'resolveImage', url: value.url } : undefined;
    default:
      return undefined;
  }
}
