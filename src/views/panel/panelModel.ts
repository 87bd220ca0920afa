// Turns what the follower holds (a FlowRun, its Tasks, the flow graph) into the
// plain shapes the webview renders (src/shared/protocol.ts). Pure functions:
// no `vscode`, so they are tested in plain Node.
import {
  TASK_STATUS_NAMES,
  TaskStatus,
  isTerminalTaskStatus,
  toFlowRunStatus,
  toTaskStatus,
  type AppRef,
  type FlowGraph,
  type FlowRun,
  type Task,
  type TaskLog,
} from '../../api/models';
import { cleanServerText } from '../../api/serverText';
import type { PanelGraph, PanelGraphNode, PanelRun, PanelTask, PanelTaskEvent } from '../../shared/protocol';
import { nodeStatusKind, shortIdOf, statusName, taskStatusKind, type StatusKind } from '../../shared/runText';
import { compareTimes } from '../../shared/time';

/** "namespace/name" of an app, else its title or id. */
export function appLabel(app: AppRef | undefined, appId?: string): string {
  if (app?.namespace && app.name) return `${app.namespace}/${app.name}`;
  return app?.name || app?.title || appId || '';
}

/** A node's status when the run carries no node_statuses: its task's, or pending before it has one. */
export function nodeStatusFromTask(task: Task | undefined): StatusKind {
  return task ? taskStatusKind(task.status) : 'pending';
}

/** A task's logs in the order they were written (by time, not text); the list is not changed. */
export function logsInOrder(logs: readonly TaskLog[] | undefined): TaskLog[] {
  return [...(logs ?? [])].sort((a, b) => compareTimes(a.created_at, b.created_at));
}

/** Every task of the run: the follower's, plus those nested in node_tasks; the newer copy wins. */
export function collectTasks(run: FlowRun | undefined, streamed: Record<string, Task>): Map<string, Task> {
  const tasks = new Map<string, Task>(Object.entries(streamed));
  for (const ref of Object.values(run?.node_tasks ?? {})) {
    const nested = ref.task;
    if (!nested?.id) continue;
    const held = tasks.get(nested.id);
    if (!held || (nested.updated_at && held.updated_at && compareTimes(nested.updated_at, held.updated_at) > 0)) tasks.set(nested.id, nested);
  }
  return tasks;
}

export function toPanelRun(run: FlowRun, tasks: Map<string, Task>, flowTitle: string | undefined): PanelRun {
  const nodeTasks: Record<string, string> = {};
  for (const [nodeId, ref] of Object.entries(run.node_tasks ?? {})) {
    const taskId = ref?.task_id || ref?.task?.id;
    if (taskId) nodeTasks[nodeId] = taskId;
  }
  const nodeStatuses: Record<string, string> = {};
  for (const nodeId of Object.keys(nodeTasks)) nodeStatuses[nodeId] = nodeStatusFromTask(tasks.get(nodeTasks[nodeId]));
  for (const [nodeId, value] of Object.entries(run.node_statuses ?? {})) nodeStatuses[nodeId] = nodeStatusKind(value);
  return {
    id: run.id,
    shortId: shortIdOf(run),
    flowId: run.flow_id,
    flowTitle: flowTitle || run.flow_id,
    status: toFlowRunStatus(run.status),
    statusName: statusName(run),
    error: run.error ? cleanServerText(run.error, { maxChars: PANEL_ERROR_MAX, multiline: true }) : null,
    createdAt: run.created_at || null,
    startedAt: run.flow_run_started || null,
    finishedAt: run.flow_run_finished || null,
    cancelledAt: run.flow_run_cancelled || null,
    parentTaskId: run.task_id || null,
    input: run.input ?? null,
    output: run.output ?? null,
    nodeStatuses,
    nodeTasks,
  };
}

export function toPanelTask(task: Task, nodeId: string | null): PanelTask {
  const status = toTaskStatus(task.status);
  const timed = (task.events ?? [])
    .map((e) => ({ code: toTaskStatus(e.status), time: e.event_time || e.created_at }))
    .sort((a, b) => compareTimes(a.time, b.time));
  const events: PanelTaskEvent[] = timed.map((e) => ({ statusName: TASK_STATUS_NAMES[e.code] ?? 'unknown', time: e.time }));
  const started = timed.find((e) => e.code >= TaskStatus.Running)?.time;
  const ended = timed.find((e) => isTerminalTaskStatus(e.code))?.time;
  return {
    id: task.id,
    shortId: shortIdOf(task),
    nodeId,
    app: appLabel(task.app, task.app_id),
    appTitle: task.app?.title || null,
    status,
    statusName: TASK_STATUS_NAMES[status] ?? 'unknown',
    input: task.input ?? null,
    output: task.output ?? null,
    error: task.error ? cleanServerText(task.error, { maxChars: PANEL_ERROR_MAX, multiline: true }) : null,
    startedAt: started || task.run_at || null,
    finishedAt: ended || (isTerminalTaskStatus(status) ? task.updated_at || null : null),
    events,
  };
}

/** The graph a run is drawn from: its own flow version when that has nodes, else the flow's. */
export function graphSourceOf(run: FlowRun | undefined, flow: FlowGraph | undefined): FlowGraph | undefined {
  if (run?.flow_version && Array.isArray(run.flow_version.nodes) && run.flow_version.nodes.length > 0) return run.flow_version;
  if (flow && Array.isArray(flow.nodes) && flow.nodes.length > 0) return flow;
  return undefined;
}

/** A run's or task's error in the panel: whole sentences and stack-like detail, but bounded. */
const PANEL_ERROR_MAX = 4000;

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

export function toPanelGraph(graph: FlowGraph): PanelGraph {
  const nodes: PanelGraphNode[] = [];
  const seen = new Set<string>();
  for (const node of graph.nodes ?? []) {
    if (!node || typeof node.id !== 'string' || seen.has(node.id)) continue;
    seen.add(node.id);
    const data = graph.node_data?.[node.id];
    const app = data?.app;
    const position = node.position && finite(node.position.x) && finite(node.position.y)
      ? { x: node.position.x, y: node.position.y }
      : null;
    nodes.push({
      id: node.id,
      title: (typeof data?.title === 'string' && data.title) || app?.title || app?.name || node.id,
      app: appLabel(app, data?.app_id) || null,
      position,
    });
  }
  const edgeKeys = new Set<string>();
  const edges = (graph.edges ?? [])
    .filter((e) => e && seen.has(e.source) && seen.has(e.target) && e.source !== e.target)
    .filter((e) => {
      const key = `${e.source}\u0000${e.target}`;
      if (edgeKeys.has(key)) return false;
      edgeKeys.add(key);
      return true;
    })
    .map((e) => ({ id: e.id || `${e.source}->${e.target}`, source: e.source, target: e.target }));
  return { nodes, edges };
}

/** Node id of each task id (the reverse of PanelRun.nodeTasks). */
export function nodeOfTask(nodeTasks: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [nodeId, taskId] of Object.entries(nodeTasks)) out.set(taskId, nodeId);
  return out;
}
